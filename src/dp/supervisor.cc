#include "src/dp/supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ursa/common/logging.h"
#include "ursa/common/strings.h"

extern char** environ;

namespace ursa::dp {
namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP};

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

bool executable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

int openPidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  return -1;
#endif
}

}  // namespace

int exitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

std::vector<std::string> childEnvironment(const std::vector<std::string>& base,
                                          const ChildSpec& spec) {
  std::map<std::string, std::string> env;
  for (const auto& kv : base) {
    size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : spec.env_defaults) env.emplace(k, v);
  for (const auto& [k, v] : spec.env) env[k] = v;
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(strCat(k, "=", v));
  return out;
}

bool onPath(const std::string& program) {
  if (program.empty()) return false;
  if (program.find('/') != std::string::npos) return executable(program);
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    size_t colon = dirs.find(':');
    std::string_view dir = dirs.substr(0, colon);
    if (executable(strCat(dir.empty() ? "." : dir, "/", program))) return true;
    if (colon == std::string_view::npos) return false;
    dirs.remove_prefix(colon + 1);
  }
}

// --- Supervisor ---------------------------------------------------------------------

Supervisor::~Supervisor() {
  std::vector<Child> left;
  {
    std::lock_guard lock(mu_);
    left.swap(children_);
  }
  for (const Child& c : left) {
    ::kill(c.pid, SIGKILL);
    int status = 0;
    while (::waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (c.pidfd >= 0) ::close(c.pidfd);
  }
}

absl::StatusOr<pid_t> Supervisor::spawn(const ChildSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) {
    return absl::InvalidArgumentError("no command to run");
  }
  std::string name = spec.name.empty() ? spec.argv[0] : spec.name;
  std::vector<std::string> base;
  for (char** e = environ; *e != nullptr; ++e) base.emplace_back(*e);
  std::vector<std::string> envs = childEnvironment(base, spec);
  std::vector<std::string> args = spec.argv;
  auto argp = pointers(args);
  auto envp = pointers(envs);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigfillset(&defaults);  // every signal back to its default disposition
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, argp[0], nullptr, &attr, argp.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    std::string why = strCat("cannot start ", name, " (", spec.argv[0], "): ", std::strerror(rc));
    if (rc == ENOENT) return absl::NotFoundError(why);
    if (rc == EACCES || rc == EPERM) return absl::PermissionDeniedError(why);
    return absl::InternalError(why);
  }
  logger("dp")->info("started {} (pid {}): {}", name, pid, strJoin(spec.argv, " "));
  std::lock_guard lock(mu_);
  children_.push_back({pid, name, openPidfd(pid)});
  return pid;
}

void Supervisor::signalAll(int sig) {
  std::lock_guard lock(mu_);
  for (const Child& c : children_) ::kill(c.pid, sig);
}

const Supervisor::Child* Supervisor::find(pid_t pid) const {
  for (const Child& c : children_) {
    if (c.pid == pid) return &c;
  }
  return nullptr;
}

bool Supervisor::tryReap(pid_t pid, int& status) {
  while (true) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == ECHILD) {  // reaped elsewhere: count it as gone
      status = 0;
      return true;
    }
    return false;
  }
}

void Supervisor::forget(pid_t pid) {
  std::lock_guard lock(mu_);
  for (auto it = children_.begin(); it != children_.end(); ++it) {
    if (it->pid != pid) continue;
    if (it->pidfd >= 0) ::close(it->pidfd);
    children_.erase(it);
    return;
  }
}

std::pair<pid_t, int> Supervisor::waitAny() {
  while (true) {
    std::vector<pollfd> fds;
    std::vector<pid_t> pids;
    bool all_pidfds = true;
    {
      std::lock_guard lock(mu_);
      if (children_.empty()) return {-1, 0};
      for (const Child& c : children_) {
        pids.push_back(c.pid);
        if (c.pidfd >= 0) {
          fds.push_back({c.pidfd, POLLIN, 0});
        } else {
          all_pidfds = false;
        }
      }
    }
    for (pid_t pid : pids) {
      int status = 0;
      if (tryReap(pid, status)) return {pid, status};
    }
    // Woken when a pidfd becomes readable (its process ended); without
    // pidfds, checks again every 50 ms.
    ::poll(fds.data(), fds.size(), all_pidfds ? 1000 : 50);
  }
}

int Supervisor::run(pid_t main, absl::Duration grace) {
  auto [first, status] = waitAny();
  if (first < 0) return 1;
  std::string name;
  {
    std::lock_guard lock(mu_);
    const Child* c = find(first);
    name = c != nullptr ? c->name : std::to_string(first);
  }
  int main_code = first == main ? exitCodeOf(status) : -1;
  logger("dp")->info("{} (pid {}) exited with code {}", name, first, exitCodeOf(status));
  forget(first);
  signalAll(SIGTERM);  // the others follow the first one out
  absl::Time deadline = absl::Now() + grace;
  while (true) {
    bool any = false;
    std::vector<pid_t> pids;
    {
      std::lock_guard lock(mu_);
      for (const Child& c : children_) pids.push_back(c.pid);
    }
    for (pid_t pid : pids) {
      int st = 0;
      if (tryReap(pid, st)) {
        if (pid == main) main_code = exitCodeOf(st);
        forget(pid);
      } else {
        any = true;
      }
    }
    if (!any) break;
    if (absl::Now() > deadline) {
      logger("dp")->warn("children still running {} after SIGTERM: killing them",
                         fromAbsl(absl::FormatDuration(grace)));
      signalAll(SIGKILL);
      deadline = absl::InfiniteFuture();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return main_code < 0 ? 1 : main_code;
}

// --- SignalForwarder ----------------------------------------------------------------

namespace {

std::atomic<int> g_signal_pipe_write{-1};
struct sigaction g_previous[std::size(kForwarded)];

void onSignal(int sig) {
  int fd = g_signal_pipe_write.load();
  if (fd < 0) return;
  int saved = errno;
  unsigned char b = static_cast<unsigned char>(sig);
  [[maybe_unused]] ssize_t n = ::write(fd, &b, 1);
  errno = saved;
}

int g_read_fd = -1;

}  // namespace

absl::StatusOr<std::unique_ptr<SignalForwarder>> SignalForwarder::install(
    std::function<void(int)> on_signal) {
  if (g_signal_pipe_write.load() >= 0) {
    return absl::FailedPreconditionError("a signal forwarder is already installed");
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return absl::InternalError(strCat("pipe: ", std::strerror(errno)));
  }
  ::fcntl(fds[1], F_SETFL, O_NONBLOCK);
  g_read_fd = fds[0];
  g_signal_pipe_write.store(fds[1]);
  std::unique_ptr<SignalForwarder> f(new SignalForwarder());
  f->on_signal_ = std::move(on_signal);
  struct sigaction sa {};
  sa.sa_handler = onSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (size_t i = 0; i < std::size(kForwarded); ++i) {
    ::sigaction(kForwarded[i], &sa, &g_previous[i]);
  }
  // Unblock them in this thread (threads created later inherit its mask).
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kForwarded) sigaddset(&set, sig);
  ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  f->thread_ = std::thread([p = f.get()] { p->loop(); });
  return f;
}

SignalForwarder::~SignalForwarder() {
  for (size_t i = 0; i < std::size(kForwarded); ++i) {
    ::sigaction(kForwarded[i], &g_previous[i], nullptr);
  }
  int w = g_signal_pipe_write.exchange(-1);
  unsigned char stop = 0;
  [[maybe_unused]] ssize_t n = ::write(w, &stop, 1);  // wakes the loop
  if (thread_.joinable()) thread_.join();
  ::close(w);
  ::close(g_read_fd);
  g_read_fd = -1;
}

void SignalForwarder::loop() {
  while (true) {
    unsigned char b = 0;
    ssize_t n = ::read(g_read_fd, &b, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || b == 0) return;
    last_.store(b);
    on_signal_(b);
  }
}

}  // namespace ursa::dp
