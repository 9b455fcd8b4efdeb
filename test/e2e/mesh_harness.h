#pragma once

// End-to-end harness: a real ursa-cp process and real ursa-dp processes
// wrapping the proxyless gRPC demo (examples/grpc-demo), each with its own
// scratch directory, free ports and log file. Binaries come from
// $URSA_BINARY_DIR/bin (set by ctest). Nothing here sleeps for a fixed time
// where a condition can be polled: see eventually().

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "test/support/processes.h"
#include "test/cli/process.h"

namespace ursa::e2e {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// $URSA_BINARY_DIR/bin, or "" when the variable is not set.
using test::binDir;
// A loopback TCP port nothing listens on right now.
using test::freePort;
// Milliseconds since the Unix epoch (what the demo client stamps calls with).
int64_t unixMillis();
// Polls `condition` every `every` until it holds (true) or `timeout` passes (false).
bool eventually(const std::function<bool()>& condition, milliseconds timeout,
                milliseconds every = milliseconds(100));
std::string readFile(const std::filesystem::path& path);
// The last `lines` lines of `text`.
std::string tail(const std::string& text, size_t lines = 40);

// One ursa-cp with a memory store, every port free, work dir `dir`, and a
// 1 s dataplane deregistration delay (so a stopped proxy's endpoints leave
// the mesh quickly).
class ControlPlane {
 public:
  // Starts it and waits (bounded) for /ready; error() says why not.
  explicit ControlPlane(std::filesystem::path dir);
  ~ControlPlane();

  const std::string& error() const { return error_; }
  std::string cpAddress() const;  // https://127.0.0.1:<dp server port>
  std::string apiUrl() const { return "http://127.0.0.1:" + std::to_string(api_port_); }
  std::filesystem::path caCertFile() const { return dir_ / "dp-server.crt"; }
  std::string log() const { return readFile(dir_ / "ursa-cp.log"); }

  // One REST API call; {status, body} ({0, ""} when no answer).
  std::pair<int, std::string> api(const std::string& method, const std::string& target,
                                  const std::string& body = "") const;
  // PUT /meshes/default with `mtls_json` as the Mesh's mtls ("" for none);
  // returns the HTTP status.
  int putDefaultMesh(const std::string& mtls_json) const;
  // Writes a dataplane token for `name` in mesh default to a file; "" on failure.
  std::filesystem::path tokenFile(const std::string& name) const;

 private:
  std::filesystem::path dir_;
  uint16_t api_port_ = 0;
  uint16_t dp_port_ = 0;
  std::unique_ptr<test::BackgroundProcess> process_;
  std::string error_;
};

// A Dataplane of one gRPC inbound: its kuma.io/service and any further tags.
struct DataplaneSpec {
  std::string service;
  std::map<std::string, std::string> tags;
};

// One workload: `ursa-dp run --proxy grpc` with a Dataplane template (name,
// address 127.0.0.1 and port filled in) wrapping `app`. Its stdout and
// stderr (the agent's and the application's) go to <dir>/<name>.log.
class Workload {
 public:
  // The demo's template examples/grpc-demo/dataplanes/<dataplane_template>.yaml.
  Workload(const ControlPlane& cp, const std::filesystem::path& dir, const std::string& name,
           const std::string& dataplane_template, uint16_t port, std::vector<std::string> app);
  // A template written to <dir>/<name>.dataplane.yaml from `spec`.
  Workload(const ControlPlane& cp, const std::filesystem::path& dir, const std::string& name,
           const DataplaneSpec& spec, uint16_t port, std::vector<std::string> app);

  const std::string& name() const { return name_; }
  bool running() { return process_.running(); }
  // SIGTERM (forwarded by ursa-dp to the application); waits for the exit.
  void stop() { process_.stop(); }
  std::string log() const { return readFile(log_); }

 private:
  std::string name_;
  std::filesystem::path log_;
  test::BackgroundProcess process_;
};

// One call as the demo client printed it (`--calls`).
struct Call {
  int64_t t_ms = 0;  // when it started (Unix ms)
  int code = -1;     // gRPC status code
  int64_t latency_ms = 0;
  std::string error;
  std::string instance;            // the server instance that answered
  std::string peer_identity;       // the client's SPIFFE ID as the server saw it
  std::string peer_certificate;    // hash of the client's certificate, as the server saw it
  std::string server_identity;     // the server's SPIFFE ID as the client saw it
  std::string server_certificate;  // hash of the server's certificate
  std::string security;            // "tls" | "insecure", as the server saw the call
  bool ok() const { return code == 0; }
};

// The calls in a demo client's log, in order.
std::vector<Call> parseCalls(const std::string& log);
// The calls that started at or after `since_ms`.
std::vector<Call> callsSince(const std::vector<Call>& calls, int64_t since_ms);
// "N calls: code 0 x N, ...; instances a x N, ..." for failure messages.
std::string describe(const std::vector<Call>& calls);

}  // namespace ursa::e2e
