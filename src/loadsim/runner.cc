#include "src/loadsim/runner.h"

#include <fstream>
#include <sstream>
#include <thread>

#include "grpcpp/security/tls_certificate_verifier.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "src/loadsim/ads_driver.h"
#include "src/loadsim/envoy_refs.h"
#include "src/loadsim/registrar.h"
#include "ursa/common/strings.h"

namespace ursa::loadsim {
namespace {

using Clock = std::chrono::steady_clock;
using Log = std::function<void(const std::string&)>;

constexpr uint32_t kMovedPort = 18080;
constexpr char kTimeoutPolicy[] = "loadsim-request-timeout";
constexpr char kTimeoutText[] = "17s";  // no default policy uses 17s
constexpr int64_t kTimeoutMs = 17'000;

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

Clock::time_point deadlineAfter(absl::Duration d) {
  return Clock::now() + std::chrono::microseconds(absl::ToInt64Microseconds(d));
}

absl::StatusOr<std::string> readFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(strCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The gRPC target and credentials for --cp-address: https:// or a bare
// host:port is TLS, http:// plaintext.
absl::Status channelFor(const RunOptions& o, DriverOptions& d) {
  std::string address = o.cp_address;
  bool plaintext = address.starts_with("http://");
  for (const char* scheme : {"https://", "http://", "grpcs://", "grpc://"}) {
    if (address.starts_with(scheme)) address = address.substr(std::string_view(scheme).size());
  }
  if (!address.empty() && address.back() == '/') address.pop_back();
  d.target = address;
  d.tls_server_name = o.tls_server_name;
  if (plaintext) {
    d.credentials = grpc::InsecureChannelCredentials();
  } else if (o.insecure_skip_verify) {
    grpc::experimental::TlsChannelCredentialsOptions tls;
    tls.set_verify_server_certs(false);
    tls.set_check_call_host(false);
    tls.set_certificate_verifier(std::make_shared<grpc::experimental::NoOpCertificateVerifier>());
    d.credentials = grpc::experimental::TlsCredentials(tls);
  } else {
    grpc::SslCredentialsOptions ssl;
    if (!o.ca_cert_file.empty()) {
      URSA_ASSIGN_OR_RETURN(ssl.pem_root_certs, readFile(o.ca_cert_file));
    }
    d.credentials = grpc::SslCredentials(ssl);
  }
  return absl::OkStatus();
}

class Run {
 public:
  Run(const RunOptions& options, const Log& log)
      : o_(options),
        log_(log),
        topology_(Topology::generate({.proxies = options.proxies,
                                      .seed = options.seed,
                                      .edge_percent = options.edge_percent,
                                      .mesh = options.mesh})),
        cp_(options.diagnostics_address, options.cp_pid) {}

  absl::StatusOr<Report> go() {
    describe();
    URSA_RETURN_IF_ERROR(registerAll());
    absl::Status s = connectAndRun();
    driver_.reset();
    if (!o_.keep) cleanup();
    URSA_RETURN_IF_ERROR(s);
    return report_;
  }

 private:
  void describe() {
    report_.proxies = o_.proxies;
    report_.services = topology_.services().size();
    report_.mean_dependencies = topology_.meanDependencies();
    report_.mesh = o_.mesh;
    report_.delta = o_.delta;
    report_.tokens = o_.tokens;
    report_.nack_fraction = o_.nack_fraction;
    report_.channels = o_.channels;
    report_.seed = o_.seed;
    if (cp_.enabled()) report_.cp_start = cp_.sample();
  }

  BulkProgress bulkLog(const std::string& what) {
    return [this, what](size_t done, size_t total) {
      log_(strCat(what, ": ", done, "/", total));
    };
  }

  absl::Status registerAll() {
    URSA_ASSIGN_OR_RETURN(registrar_, Registrar::connect(o_.api_address, o_.api_workers));
    URSA_ASSIGN_OR_RETURN(report_.mesh_created, registrar_->ensureMesh(o_.mesh));
    log_(strCat("mesh ", o_.mesh, report_.mesh_created ? " created (mTLS, builtin CA)" : " exists"));
    auto t0 = Clock::now();
    URSA_RETURN_IF_ERROR(registrar_->registerDataplanes(topology_, bulkLog("registering Dataplanes")));
    report_.register_seconds = secondsSince(t0);
    if (!o_.tokens) return absl::OkStatus();
    t0 = Clock::now();
    URSA_ASSIGN_OR_RETURN(tokens_, registrar_->issueTokens(topology_, bulkLog("issuing tokens")));
    report_.tokens_seconds = secondsSince(t0);
    return absl::OkStatus();
  }

  std::vector<ProxyIdentity> identities() const {
    std::vector<ProxyIdentity> out;
    for (size_t i = 0; i < topology_.proxies().size(); ++i) {
      const auto& p = topology_.proxies()[i];
      out.push_back({.node_id = topology_.nodeId(i),
                     .service = topology_.services()[p.service].name,
                     .token = o_.tokens ? tokens_[i] : ""});
    }
    return out;
  }

  std::function<void(const ConnectProgress&)> connectLog(const std::string& what) {
    return [this, what](const ConnectProgress& p) {
      log_(strCat(what, ": ", p.opened, "/", p.total, " streams open, ", p.complete,
                  " complete", p.stream_errors ? strCat(", ", p.stream_errors, " stream errors") : ""));
    };
  }

  absl::Status connectAndRun() {
    DriverOptions d;
    URSA_RETURN_IF_ERROR(channelFor(o_, d));
    d.channels = o_.channels;
    d.connect_rate = o_.connect_rate;
    d.stream = {.delta = o_.delta, .nack_fraction = o_.nack_fraction, .seed = o_.seed};
    driver_ = std::make_unique<AdsDriver>(d, identities());
    connect();
    for (const auto& name : o_.scenarios) runScenario(name);
    hold();
    collectTotals();
    return absl::OkStatus();
  }

  // Opens every stream (times counted from `t0`) and waits up to `timeout`
  // for complete configuration: the completion times, how many completed,
  // and the last one's time (-1 unless every proxy completed).
  struct Completion {
    Summary delays;
    size_t complete = 0;
    double all_after = -1;
  };
  Completion connectAndWait(Clock::time_point t0, absl::Duration timeout, const std::string& what) {
    driver_->connectAll(t0, connectLog(what));
    bool all = driver_->waitComplete(deadlineAfter(timeout), connectLog(what));
    Distribution d;
    d.addAll(driver_->completionSeconds());
    Completion c{d.summarize(), driver_->completeCount()};
    if (all) c.all_after = c.delays.max;
    return c;
  }

  void connect() {
    log_(strCat("connecting ", o_.proxies, " proxies to ", o_.cp_address));
    Completion c = connectAndWait(Clock::now(), o_.connect_timeout, "connecting");
    report_.completion = c.delays;
    report_.complete = c.complete;
    report_.all_complete_after = c.all_after;
    if (c.all_after < 0) {
      report_.problems.push_back(strCat(o_.proxies - report_.complete, " of ", o_.proxies,
                                        " proxies never got complete configuration"));
    }
    log_(strCat("initial config: ", report_.complete, "/", o_.proxies, " complete"));
    if (cp_.enabled()) report_.cp_after_connect = cp_.sample();
  }

  void runScenario(const std::string& name) {
    log_(strCat("scenario ", name));
    if (name == "endpoint") return endpointScenario();
    if (name == "policy") return policyScenario();
    if (name == "reconnect") return reconnectScenario();
  }

  // Applies `change` with `probe` in force and waits for it.
  // A shortfall is a problem of the run only when `required`.
  ScenarioResult measure(const std::string& name, const std::string& change_text,
                         std::shared_ptr<Probe> probe, const std::function<absl::Status()>& change,
                         bool required = true) {
    ScenarioResult r{.name = name, .change = change_text, .expected = probe->expectedCount()};
    driver_->setProbe(probe);
    probe->start();
    if (absl::Status s = change(); !s.ok()) {
      report_.problems.push_back(strCat(name, ": the change failed: ", s.ToString()));
      driver_->setProbe(nullptr);
      return r;
    }
    probe->waitAll(deadlineAfter(o_.scenario_timeout));
    driver_->setProbe(nullptr);
    Distribution d;
    d.addAll(probe->delays());
    r.delays = d.summarize();
    r.delivered = probe->deliveredCount();
    r.nacks = probe->nackCount();
    r.unexpected = probe->unexpectedCount();
    r.all_after = probe->allDeliveredAfter();
    if (!r.ok() && required) {
      report_.problems.push_back(strCat(name, ": ", r.delivered, " of ", r.expected,
                                        " expected proxies acknowledged the change"));
    }
    return r;
  }

  std::shared_ptr<Probe> endpointProbe(size_t service, size_t proxy, uint32_t port) {
    std::string address = topology_.proxies()[proxy].address;
    return std::make_shared<Probe>(
        xds::TypeIndex::Endpoint, topology_.services()[service].name,
        [address, port](const std::string* bytes) {
          return bytes != nullptr && hasEndpoint(*bytes, address, port);
        },
        topology_.proxiesReaching(service), topology_.proxies().size());
  }

  void endpointScenario() {
    size_t service = topology_.mostConsumedService();
    size_t proxy = topology_.services()[service].instances.front();
    uint32_t port = topology_.proxies()[proxy].port;
    std::string text = strCat("Dataplane ", topology_.proxies()[proxy].name, " of ",
                              topology_.services()[service].name, " (",
                              topology_.services()[service].consumers.size(),
                              " consuming services): inbound port ", port, " -> ", kMovedPort);
    report_.scenarios.push_back(
        measure("endpoint", text, endpointProbe(service, proxy, kMovedPort),
                [&] { return registrar_->putDataplane(topology_, proxy, kMovedPort); }));
    ScenarioResult back = measure("endpoint-revert", "", endpointProbe(service, proxy, port),
                                  [&] { return registrar_->putDataplane(topology_, proxy, port); });
    (void)back;  // waited for so the next scenario starts from the original state
  }

  // Watches every proxy's inbound listener, whose route carries the request
  // timeout of MeshTimeout's `from` section; waits for those in `expected`.
  std::shared_ptr<Probe> inboundTimeoutProbe(std::function<bool(int64_t)> holds,
                                             const std::vector<size_t>& expected) {
    size_t n = topology_.proxies().size();
    std::vector<std::string> listeners(n);
    for (size_t i = 0; i < n; ++i) {
      const auto& p = topology_.proxies()[i];
      listeners[i] = strCat("inbound:", p.address, ":", p.port);
    }
    return std::make_shared<Probe>(
        xds::TypeIndex::Listener, std::move(listeners),
        [holds = std::move(holds)](const std::string* bytes) {
          if (bytes == nullptr) return false;
          auto timeout = routeTimeoutMs(*bytes);
          return timeout && holds(*timeout);
        },
        expected, n);
  }

  // A mesh-wide MeshTimeout (targetRef Mesh; from and to Mesh) setting
  // http.requestTimeout, which changes the inbound route of every proxy and
  // the outbound routes of every proxy that has any; then its deletion.
  void policyScenario() {
    model::Json policy = {
        {"type", "MeshTimeout"},
        {"mesh", o_.mesh},
        {"name", kTimeoutPolicy},
        {"spec",
         {{"targetRef", {{"kind", "Mesh"}}},
          {"from", {{{"targetRef", {{"kind", "Mesh"}}},
                     {"default", {{"http", {{"requestTimeout", kTimeoutText}}}}}}}},
          {"to", {{{"targetRef", {{"kind", "Mesh"}}},
                   {"default", {{"http", {{"requestTimeout", kTimeoutText}}}}}}}}}}};
    std::string text = strCat("MeshTimeout ", kTimeoutPolicy, " (targetRef Mesh, from and to Mesh) ",
                              "http.requestTimeout ", kTimeoutText, " created");
    std::vector<size_t> all(topology_.proxies().size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    auto created = inboundTimeoutProbe([](int64_t ms) { return ms == kTimeoutMs; }, all);
    report_.scenarios.push_back(measure("policy", text, created, [&] {
      return registrar_->putResource("MeshTimeout", policy);
    }));
    // A proxy that NACKed the new listener still holds the old one, which the
    // deletion restores: nothing is sent to it. With NACKs drawn at random,
    // which listener a delta server believes a proxy holds after a NACKed
    // response is its own choice, so the deletion is then reported, not required.
    report_.scenarios.push_back(measure(
        "policy-delete", strCat("MeshTimeout ", kTimeoutPolicy, " deleted"),
        inboundTimeoutProbe([](int64_t ms) { return ms != kTimeoutMs; }, created->acknowledged()),
        [&] { return registrar_->deleteResource("MeshTimeout", o_.mesh, kTimeoutPolicy); },
        o_.nack_fraction == 0));
  }

  void reconnectScenario() {
    ScenarioResult r{.name = "reconnect",
                     .change = "every stream cancelled and reopened at once",
                     .expected = o_.proxies};
    auto t0 = Clock::now();
    driver_->disconnectAll();
    Completion c = connectAndWait(t0, o_.scenario_timeout, "reconnecting");
    r.delays = c.delays;
    r.delivered = c.complete;
    r.all_after = c.all_after;
    if (!r.ok()) {
      report_.problems.push_back(strCat("reconnect: ", r.delivered, " of ", r.expected,
                                        " proxies complete again"));
    }
    report_.scenarios.push_back(r);
  }

  // Stays connected for --hold. The control plane's idle CPU is sampled over
  // the second half only: the first half lets the background work the last
  // scenario left (a reconnect storm's DataplaneInsight writes) finish.
  void hold() {
    log_(strCat("holding for ", absl::FormatDuration(o_.hold)));
    auto half = std::chrono::microseconds(absl::ToInt64Microseconds(o_.hold) / 2);
    report_.hold_seconds = std::chrono::duration<double>(half).count();
    std::this_thread::sleep_for(half);
    if (cp_.enabled()) report_.cp_before_hold = cp_.sample();
    std::this_thread::sleep_for(half);
    if (cp_.enabled()) report_.cp_after_hold = cp_.sample();
  }

  void collectTotals() {
    DriverTotals t = driver_->totals();
    report_.responses = t.responses;
    report_.nacks = t.nacks;
    report_.bytes = t.bytes;
    report_.stream_errors = t.stream_errors;
    for (const auto& [message, count] : t.errors_by_message) {
      report_.errors.push_back(strCat(count, " x ", message));
    }
    if (t.stream_errors > 0) {
      report_.problems.push_back(strCat(t.stream_errors, " streams ended with an error"));
    }
    if (cp_.enabled()) report_.cp_end = cp_.sample();
  }

  void cleanup() {
    if (!registrar_) return;
    log_("cleaning up");
    absl::Status s = registrar_->cleanup(topology_, report_.mesh_created, bulkLog("deleting"));
    if (!s.ok()) report_.problems.push_back(strCat("cleanup: ", s.ToString()));
  }

  const RunOptions& o_;
  const Log& log_;
  Topology topology_;
  CpMetrics cp_;
  Report report_;
  std::unique_ptr<Registrar> registrar_;
  std::vector<std::string> tokens_;
  std::unique_ptr<AdsDriver> driver_;
};

}  // namespace

absl::Status validate(const RunOptions& o) {
  if (o.proxies < 2) return absl::InvalidArgumentError("--proxies must be at least 2");
  if (o.nack_fraction < 0 || o.nack_fraction >= 1) {
    return absl::InvalidArgumentError("--nack-fraction must be in [0, 1)");
  }
  if (o.channels < 1) return absl::InvalidArgumentError("--channels must be at least 1");
  if (o.mesh.empty() || o.mesh.find('.') != std::string::npos) {
    return absl::InvalidArgumentError("--mesh must be a name without dots");
  }
  for (const auto& s : o.scenarios) {
    if (s != "endpoint" && s != "policy" && s != "reconnect") {
      return absl::InvalidArgumentError(
          strCat("unknown scenario \"", s, "\" (endpoint, policy, reconnect)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Report> run(const RunOptions& options, const Log& log) {
  URSA_RETURN_IF_ERROR(validate(options));
  Run r(options, log);
  return r.go();
}

}  // namespace ursa::loadsim
