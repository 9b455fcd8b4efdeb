#pragma once

// The process supervisor: ursa-dp starts the application (and, for Envoy
// sidecars, envoy), forwards SIGINT, SIGTERM and SIGHUP to them, and exits
// as its main child did: its exit status, or 128+N when signal N killed it
// (what a shell reports), so ursa-dp wraps short-lived clients as well as
// servers.
//
// Children start with the default disposition of every signal and an empty
// signal mask (whatever ursa-dp itself inherited: a script's background job
// starts with SIGINT ignored), in ursa-dp's process group, with ursa-dp's
// environment plus the given variables.

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "ursa/common/status.h"

namespace ursa::dp {

struct ChildSpec {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH when it has no '/'
  std::map<std::string, std::string> env;           // set, replacing inherited values
  std::map<std::string, std::string> env_defaults;  // set only when not inherited
  std::string name;  // for logs ("app", "envoy"); argv[0] when empty
};

// What a shell reports for a wait status: the exit status, or 128+signal.
int exitCodeOf(int wait_status);

// The environment a child gets (as "K=V" strings): `base` ("K=V" strings,
// usually environ) with `spec`'s variables applied.
std::vector<std::string> childEnvironment(const std::vector<std::string>& base,
                                          const ChildSpec& spec);

// Whether `program` can be run: an executable path, or found on PATH.
bool onPath(const std::string& program);

class Supervisor {
 public:
  Supervisor() = default;
  ~Supervisor();  // kills (SIGKILL) and reaps children still running
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Starts a child. InvalidArgument for an empty argv; NotFound / PermissionDenied
  // (naming the program) when it cannot be executed.
  absl::StatusOr<pid_t> spawn(const ChildSpec& spec);

  // Sends `sig` to every child still running. Safe from any thread.
  void signalAll(int sig);

  // Blocks until one child ends. If it is not `main`, `main` gets SIGTERM.
  // Then every other child gets SIGTERM, has `grace` to end, and is killed
  // after. Returns `main`'s exit code (exitCodeOf).
  int run(pid_t main, absl::Duration grace = absl::Seconds(10));

 private:
  struct Child {
    pid_t pid;
    std::string name;
    int pidfd;  // -1 when pidfd_open is unavailable
  };
  // Waits until some child ends; returns its pid and wait status.
  std::pair<pid_t, int> waitAny();
  // Reaps `pid` if it ended; true (and its status) when it did.
  bool tryReap(pid_t pid, int& status);
  void forget(pid_t pid);
  const Child* find(pid_t pid) const;

  mutable std::mutex mu_;
  std::vector<Child> children_;  // guarded by mu_
};

// Forwards SIGINT, SIGTERM and SIGHUP: while installed, each such signal the
// process receives is handed to `on_signal` on the forwarder's own thread
// (never in a signal handler), so it may lock, log and kill(). Installing
// replaces the process's handlers for those signals; destruction restores
// them. One forwarder at a time.
class SignalForwarder {
 public:
  static absl::StatusOr<std::unique_ptr<SignalForwarder>> install(
      std::function<void(int)> on_signal);
  ~SignalForwarder();

  // The last signal received (0: none).
  int lastSignal() const { return last_.load(); }

 private:
  SignalForwarder() = default;
  void loop();

  std::function<void(int)> on_signal_;
  std::thread thread_;
  std::atomic<int> last_{0};
};

}  // namespace ursa::dp
