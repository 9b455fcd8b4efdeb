#include "src/dp/agent.h"

#include <signal.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "absl/strings/str_join.h"
#include "src/dp/access_log_relay.h"
#include "src/dp/ads_relay.h"
#include "src/dp/cert_files.h"
#include "src/dp/cert_writer.h"
#include "src/dp/control_plane.h"
#include "src/dp/dataplane_file.h"
#include "src/dp/envoy_admin.h"
#include "src/dp/supervisor.h"
#include "ursa/common/logging.h"
#include "ursa/common/strings.h"
#include "ursa/model/access_log_socket.h"

namespace ursa::dp {
namespace {

constexpr char kGrpcBootstrapFile[] = "bootstrap.json";
constexpr char kEnvoyBootstrapFile[] = "bootstrap.yaml";
constexpr char kControlPlaneCaFile[] = "control-plane-ca.pem";

std::string defaultWorkDir(const DataplaneDocument& dp) {
  const char* tmp = std::getenv("TMPDIR");
  return strCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/ursa-dp/", dp.nodeId());
}

// The refresh interval of the bootstrap's file_watcher provider "default",
// as the application's provider will use it (zero when absent or malformed).
absl::Duration providerRefresh(const model::Json& bootstrap) {
  static const model::Json::json_pointer kRefresh(
      "/certificate_providers/default/config/refresh_interval");
  absl::Duration d;
  if (!bootstrap.contains(kRefresh) || !bootstrap.at(kRefresh).is_string() ||
      !absl::ParseDuration(bootstrap.at(kRefresh).get<std::string>(), &d)) {
    return absl::ZeroDuration();
  }
  return d;
}

class Agent {
 public:
  explicit Agent(const AgentOptions& options) : o_(options) {}

  int run() {
    auto forwarder = SignalForwarder::install([this](int sig) { onSignal(sig); });
    if (!forwarder.ok()) return fail(forwarder.status());
    if (absl::Status s = prepare(); !s.ok()) return fail(s);
    auto code = o_.proxy == "envoy" ? runEnvoy() : runGrpc();
    endDrain();
    if (!code.ok()) {
      if (absl::IsCancelled(code.status())) return 128 + signal_.load();
      return fail(code.status());
    }
    return *code;
  }

 private:
  static int fail(const absl::Status& s) {
    std::cerr << "ursa-dp: " << fromAbsl(s.message()) << "\n";
    return 1;
  }

  void onSignal(int sig) {
    if (startDrain(sig)) return;
    forward(sig);
  }

  // The first SIGTERM or SIGINT to a running Envoy sidecar drains it first,
  // as kuma-dp 2.2 does: Envoy fails its health checks and drains its
  // listeners (POST /healthcheck/fail) while the application keeps serving,
  // and only after --drain-time do both get the signal. A second signal, or
  // an Envoy that does not answer, ends the wait at once. True when the
  // drain took the signal.
  bool startDrain(int sig) {
    if (o_.proxy != "envoy" || !spawned_.load() || o_.drain_time <= absl::ZeroDuration() ||
        (sig != SIGTERM && sig != SIGINT) || draining_.exchange(true)) {
      return false;
    }
    drainer_ = std::thread([this, sig] { drainThenForward(sig); });
    return true;
  }

  void drainThenForward(int sig) {
    absl::Status failed = failEnvoyHealthChecks(o_.admin_port);
    if (failed.ok()) {
      logger("dp")->info(
          "received signal {}: Envoy is draining for {}; send the signal again to stop now", sig,
          absl::FormatDuration(o_.drain_time));
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, absl::ToChronoMilliseconds(o_.drain_time),
                   [&] { return stop_.load() || finished_; });
    } else {
      logger("dp")->warn("received signal {}: Envoy could not be drained ({}); stopping now", sig,
                         fromAbsl(failed.message()));
    }
    forward(sig);
  }

  // After the children ended: a drain still waiting has nothing left to wait for.
  void endDrain() {
    {
      std::lock_guard lock(mu_);
      finished_ = true;
    }
    cv_.notify_all();
    if (drainer_.joinable()) drainer_.join();
  }

  void forward(int sig) {
    logger("dp")->info("received signal {}: {}", sig,
                       spawned_ ? "forwarding it" : "stopping before the application starts");
    signal_.store(sig);
    supervisor_.signalAll(sig);
    std::lock_guard lock(mu_);
    stop_.store(true);
    cv_.notify_all();
  }

  absl::Status prepare() {
    if (o_.proxy != "grpc" && o_.proxy != "envoy") {
      return absl::InvalidArgumentError(
          strCat("--proxy \"", o_.proxy, "\" is invalid: it must be grpc or envoy"));
    }
    URSA_ASSIGN_OR_RETURN(cp_, parseCpAddress(o_.cp_address));
    URSA_ASSIGN_OR_RETURN(dp_, loadDataplane());
    URSA_RETURN_IF_ERROR(loadToken());
    ca_pem_ = o_.ca_cert_pem;
    if (ca_pem_.empty() && !o_.ca_cert_file.empty()) {
      URSA_ASSIGN_OR_RETURN(ca_pem_, readFile("CA certificate file (--ca-cert-file)", o_.ca_cert_file));
    } else if (ca_pem_.empty() && cp_.tls) {
      logger("dp")->warn(
          "no --ca-cert-file: the control plane's certificate is not verified");
    }
    work_dir_ = o_.work_dir.empty() ? defaultWorkDir(dp_) : o_.work_dir;
    std::error_code ec;
    std::filesystem::create_directories(work_dir_, ec);
    if (ec) return absl::UnavailableError(strCat("cannot create ", work_dir_, ": ", ec.message()));
    std::filesystem::permissions(work_dir_, std::filesystem::perms::owner_all, ec);
    ca_file_ = o_.ca_cert_file;
    if (!o_.ca_cert_pem.empty()) {  // libcurl takes a file
      ca_file_ = strCat(work_dir_, "/", kControlPlaneCaFile);
      URSA_RETURN_IF_ERROR(writeFileAtomically(ca_file_, ca_pem_, 0600));
    }
    logger("dp")->info("Dataplane {} in mesh {}; control plane {}; work dir {}", dp_.name,
                       dp_.mesh, cp_.baseUrl(), work_dir_);
    return absl::OkStatus();
  }

  absl::StatusOr<DataplaneDocument> loadDataplane() const {
    NameAndMesh given{o_.name, o_.mesh};
    URSA_ASSIGN_OR_RETURN(auto vars, parseVars(o_.dataplane_vars));
    if (!o_.dataplane_file.empty()) return loadDataplaneFile(o_.dataplane_file, vars, given);
    if (o_.dataplane_text.empty()) return dataplaneByName(given);
    auto parsed = parseDataplane(o_.dataplane_text, vars, given);
    if (!parsed.ok()) {
      return absl::Status(parsed.status().code(),
                          strCat("--dataplane: ", fromAbsl(parsed.status().message())));
    }
    return parsed;
  }

  absl::Status loadToken() {
    if (!o_.token.empty()) {
      URSA_ASSIGN_OR_RETURN(token_, parseToken(o_.token, "--dataplane-token"));
      token_source_ = fixedToken(token_);
      return absl::OkStatus();
    }
    if (o_.token_file.empty()) {
      return absl::InvalidArgumentError(
          "a dataplane token is required: --dataplane-token-file or --dataplane-token");
    }
    URSA_ASSIGN_OR_RETURN(token_, readTokenFile(o_.token_file));
    token_source_ = tokenFromFile(o_.token_file);
    return absl::OkStatus();
  }

  absl::StatusOr<BootstrapResult> bootstrap(const std::string& xds_server_uri) {
    BootstrapParams params;
    params.dataplane = dp_;
    params.token = token_;
    params.ca_pem = ca_pem_;
    params.proxy = o_.proxy;
    params.xds_server_uri = xds_server_uri;
    params.certificate_dir = o_.proxy == "grpc" ? work_dir_ : "";
    params.admin_port = o_.admin_port;
    auto result = fetchBootstrap(cp_, ca_file_, params, o_.retry, &stop_);
    if (!result.ok() && !absl::IsCancelled(result.status())) {
      return absl::Status(result.status().code(),
                          strCat("bootstrap failed: ", fromAbsl(result.status().message())));
    }
    return result;
  }

  absl::StatusOr<int> runGrpc() {
    ProxyIdentity identity{dp_.nodeId(), "grpc"};
    auto channel = makeCpChannel(cp_, ca_pem_);
    auto gate = std::make_shared<CertificateGate>(o_.tls_config_hold_timeout);
    URSA_ASSIGN_OR_RETURN(auto relay, AdsRelay::start({.listen_address = "127.0.0.1",
                                                       .port = 0,
                                                       .upstream = channel,
                                                       .token = token_source_,
                                                       .identity = identity,
                                                       .certificates = gate}));
    logger("dp")->info("xDS relay listening on {}", relay->address());
    URSA_ASSIGN_OR_RETURN(BootstrapResult boot, bootstrap(relay->address()));
    auto json = model::parseJson(boot.bootstrap);
    if (!json.ok() || !json->is_object() || !json->contains("xds_servers")) {
      return absl::InternalError(
          "the control plane did not return a gRPC xDS bootstrap (does it support --proxy grpc?)");
    }
    std::string bootstrap_file = strCat(work_dir_, "/", kGrpcBootstrapFile);
    URSA_RETURN_IF_ERROR(writeFileAtomically(bootstrap_file, boot.bootstrap, 0600));
    gate->setProviderRefresh(providerRefresh(*json));

    auto writer = CertWriter::start({.channel = channel,
                                     .token = token_source_,
                                     .identity = identity,
                                     .mesh = dp_.mesh,
                                     .dir = work_dir_,
                                     .gate = gate});
    URSA_ASSIGN_OR_RETURN(bool mtls, waitForCertificates(*writer));
    if (mtls) {
      logger("dp")->info("mesh {} has mTLS: certificates written in {}", dp_.mesh, work_dir_);
    } else {
      logger("dp")->info("mesh {} has no mTLS: no certificates to write", dp_.mesh);
    }
    ChildSpec app{.argv = o_.app,
                  .env = {{"GRPC_XDS_BOOTSTRAP", bootstrap_file}},
                  // gRPC C++ 1.51 reads its xDS stream only while some thread
                  // polls: a call waiting on the network, or the client channel's
                  // backup poller. Calls that never reach the network (faulted,
                  // or none at all) leave it to the backup poller, which needed
                  // one or two rounds: 1.05-1.85 s at 1 s to see a
                  // MeshFaultInjection DELETE, 19-150 ms at 100 ms. A round is a
                  // timer and a non-blocking epoll_wait.
                  // @grpc/grpc-js-xds (1.14) ignores the RBAC HTTP filter unless
                  // GRPC_XDS_EXPERIMENTAL_RBAC=true: it NACKs every server Listener
                  // carrying traffic permissions. gRPC C++ has RBAC on already.
                  .env_defaults = {{"GRPC_CLIENT_CHANNEL_BACKUP_POLL_INTERVAL_MS", "100"},
                                   {"GRPC_XDS_EXPERIMENTAL_RBAC", "true"}},
                  .name = "application"};
    int code = 0;
    if (o_.app.empty()) {
      code = waitForSignal();
    } else {
      URSA_ASSIGN_OR_RETURN(code, supervise({app}));
    }
    writer->stop();
    relay->stop();
    return code;
  }

  absl::StatusOr<int> runEnvoy() {
    if (!onPath(o_.envoy_binary)) {
      return absl::NotFoundError(strCat(
          "--proxy envoy needs Envoy, but \"", o_.envoy_binary,
          "\" was not found on PATH: install Envoy, or run proxyless gRPC applications with "
          "--proxy grpc"));
    }
    URSA_ASSIGN_OR_RETURN(BootstrapResult boot, bootstrap(""));
    std::string bootstrap_file = strCat(work_dir_, "/", kEnvoyBootstrapFile);
    URSA_RETURN_IF_ERROR(writeFileAtomically(bootstrap_file, boot.bootstrap, 0600));
    // Before Envoy: its file logger would block opening a FIFO nobody reads.
    auto access_logs =
        AccessLogRelay::start({.path = model::accessLogSocketPath(dp_.name, dp_.mesh)});
    if (!access_logs.ok()) {
      logger("dp")->warn("{}: MeshAccessLog tcp backends will not reach their collectors",
                         fromAbsl(access_logs.status().message()));
    }
    std::vector<ChildSpec> children;
    if (!o_.app.empty()) children.push_back({.argv = o_.app, .name = "application"});
    std::vector<std::string> envoy = envoyCommandLine(o_, bootstrap_file);
    logger("dp")->info("starting Envoy: {}", absl::StrJoin(envoy, " "));
    children.push_back({.argv = std::move(envoy), .name = "envoy"});
    return supervise(children);
  }

  // Waits for the certificate writer's first answer, giving up on a signal.
  absl::StatusOr<bool> waitForCertificates(CertWriter& writer) {
    absl::Time deadline = absl::Now() + o_.certificate_timeout;
    while (true) {
      if (stop_.load()) return absl::CancelledError("stopped");
      absl::Duration slice = std::min(absl::Milliseconds(100), deadline - absl::Now());
      auto first = writer.waitForFirst(std::max(slice, absl::ZeroDuration()));
      if (first.ok() || absl::Now() >= deadline) return first;
    }
  }

  // Starts `children` (the first is the main one), forwards signals, and
  // returns the main one's exit code once they all ended.
  absl::StatusOr<int> supervise(const std::vector<ChildSpec>& children) {
    pid_t main = -1;
    for (const ChildSpec& spec : children) {
      if (stop_.load()) break;
      auto pid = supervisor_.spawn(spec);
      if (!pid.ok()) {
        supervisor_.signalAll(SIGTERM);
        if (main >= 0) supervisor_.run(main, absl::Seconds(5));
        return pid.status();
      }
      if (main < 0) main = *pid;
    }
    spawned_ = true;
    if (stop_.load()) {
      if (main < 0) return absl::CancelledError("stopped");
      supervisor_.signalAll(signal_.load());  // it came while starting
    }
    return supervisor_.run(main);
  }

  int waitForSignal() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return stop_.load(); });
    return 0;
  }

  const AgentOptions& o_;
  CpAddress cp_;
  DataplaneDocument dp_;
  std::string token_;
  TokenSource token_source_;
  std::string ca_pem_;
  std::string ca_file_;  // what libcurl verifies the control plane with ("" for nothing)
  std::string work_dir_;
  Supervisor supervisor_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> spawned_{false};
  std::atomic<int> signal_{0};
  std::atomic<bool> draining_{false};
  bool finished_ = false;  // under mu_: the children ended
  std::thread drainer_;
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace

std::vector<std::string> envoyCommandLine(const AgentOptions& o, const std::string& bootstrap_file) {
  std::vector<std::string> argv = {o.envoy_binary,
                                   "--config-path",
                                   bootstrap_file,
                                   "--drain-time-s",
                                   std::to_string(absl::ToInt64Seconds(o.drain_time)),
                                   "--disable-hot-restart",
                                   "--log-level",
                                   o.envoy_log_level};
  if (o.concurrency > 0) {
    argv.insert(argv.end(), {"--concurrency", std::to_string(o.concurrency)});
  } else {
    argv.push_back("--cpuset-threads");
  }
  return argv;
}

int runAgent(const AgentOptions& options) { return Agent(options).run(); }

}  // namespace ursa::dp
