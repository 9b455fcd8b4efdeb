// End to end: the mesh carries proxyless gRPC traffic. Each test starts a
// real ursa-cp and real `ursa-dp run --proxy grpc` processes wrapping the
// demo's Echo server (grpc::XdsServerBuilder) and client (xds:///echo.mesh,
// XdsCredentials), and judges the mesh by the calls the client logs: which
// instance answered, with which status, and which identities each side saw.
// Every wait polls a condition under a deadline.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "nlohmann/json.hpp"
#include "test/e2e/mesh_harness.h"
#include "test/support/fake_clock.h"

namespace ursa::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Predicate = std::function<bool(const std::vector<Call>&)>;

constexpr char kClientIdentity[] = "spiffe://default/echo-client";
constexpr char kServerIdentity[] = "spiffe://default/echo";
constexpr char kStrict[] =
    R"({"enabledBackend":"ca-1","backends":[{"name":"ca-1","type":"builtin"}]})";
constexpr char kPermissive[] =
    R"({"enabledBackend":"ca-1","backends":[{"name":"ca-1","type":"builtin","mode":"PERMISSIVE"}]})";
// Identity certificates living 5 s: with the CA's 10 s clock-skew allowance
// and renewal at 4/5 of the validity, a new one every 2 s.
constexpr char kShortLived[] =
    R"({"enabledBackend":"ca-1","backends":[{"name":"ca-1","type":"builtin",)"
    R"("dpCert":{"rotation":{"expiration":"5s"}}}]})";

// --- predicates over a window of calls --------------------------------------

Predicate atLeast(size_t n) {
  return [n](const std::vector<Call>& calls) { return calls.size() >= n; };
}

std::set<std::string> okInstances(const std::vector<Call>& calls) {
  std::set<std::string> out;
  for (const auto& c : calls) {
    if (c.ok()) out.insert(c.instance);
  }
  return out;
}

size_t failures(const std::vector<Call>& calls) {
  size_t n = 0;
  for (const auto& c : calls) n += c.ok() ? 0 : 1;
  return n;
}

// The last `n` calls succeeded with mTLS, each side seeing the other's identity.
Predicate lastCallsMutual(size_t n) {
  return [n](const std::vector<Call>& calls) {
    if (calls.size() < n) return false;
    for (size_t i = calls.size() - n; i < calls.size(); ++i) {
      const Call& c = calls[i];
      if (!c.ok() || c.security != "tls" || c.peer_identity != kClientIdentity ||
          c.server_identity != kServerIdentity)
        return false;
    }
    return true;
  };
}

// The last `n` calls succeeded in plaintext.
Predicate lastCallsPlain(size_t n) {
  return [n](const std::vector<Call>& calls) {
    if (calls.size() < n) return false;
    for (size_t i = calls.size() - n; i < calls.size(); ++i) {
      if (!calls[i].ok() || calls[i].security != "insecure" || !calls[i].peer_identity.empty())
        return false;
    }
    return true;
  };
}

// --- the fixture ---------------------------------------------------------------

class GrpcMeshE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir("e2e-grpc");
    cp_ = std::make_unique<ControlPlane>(dir_);
    ASSERT_TRUE(cp_->error().empty()) << cp_->error();
  }

  void TearDown() override {
    if (HasFailure()) dumpLogs();
    for (auto& w : workloads_) w->stop();
    workloads_.clear();
    others_.clear();
    cp_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  void dumpLogs() {
    std::cerr << "--- ursa-cp log (tail) ---\n" << tail(cp_->log()) << "\n";
    for (auto& w : workloads_) {
      std::cerr << "--- " << w->name() << " log (tail) ---\n" << tail(w->log(), 25) << "\n";
    }
    std::cerr << "logs kept in " << dir_ << "\n";
  }

  // A demo server instance `name` on `port`, through ursa-dp.
  Workload& startServer(const std::string& name, uint16_t port) {
    return add(name, "server", port,
               {binDir() + "/ursa-demo-server", "--name", name, "--port", std::to_string(port)});
  }

  // The mesh client ("client-1", service echo-client), calling every 50 ms
  // until stopped and logging each call.
  Workload& startClient(std::vector<std::string> extra = {}) {
    std::vector<std::string> app = {binDir() + "/ursa-demo-client", "--target",
                                    "xds:///echo.mesh", "--count", "0", "--interval-ms", "50",
                                    "--deadline-ms", "1000", "--calls",
                                    // Reconnect fast: a stale endpoint would be retried soon.
                                    "--max-reconnect-backoff-ms", "200"};
    app.insert(app.end(), extra.begin(), extra.end());
    client_ = &add("client-1", "client", freePort(), app);
    return *client_;
  }

  Workload& add(const std::string& name, const std::string& tmpl, uint16_t port,
                std::vector<std::string> app) {
    workloads_.push_back(std::make_unique<Workload>(*cp_, dir_, name, tmpl, port, app));
    return *workloads_.back();
  }

  std::vector<Call> calls() const { return parseCalls(client_->log()); }
  std::vector<Call> callsSince(int64_t t) const { return e2e::callsSince(calls(), t); }

  // Waits until the calls made since `t` satisfy `p`.
  bool callsEventually(int64_t t, const Predicate& p, milliseconds timeout) const {
    return eventually([&] { return p(callsSince(t)); }, timeout);
  }

  // A client outside the mesh (insecure credentials) dialing 127.0.0.1:port
  // directly: true when its one call succeeds.
  bool plainCallSucceeds(uint16_t port) const {
    test::ProcessResult r = test::runProcess(
        {binDir() + "/ursa-demo-client", "--plain", "--target",
         "127.0.0.1:" + std::to_string(port), "--count", "1", "--deadline-ms", "1000"},
        {}, "", 10s);
    return r.exit_code == 0;
  }

  // A plain (non-mesh) demo server on `port`, answering as `name`.
  void startPlainServer(const std::string& name, uint16_t port) {
    others_.push_back(std::make_unique<test::BackgroundProcess>(
        std::vector<std::string>{binDir() + "/ursa-demo-server", "--plain", "--name", name,
                                 "--port", std::to_string(port)},
        std::map<std::string, std::string>{}, (dir_ / (name + ".log")).string()));
  }

  fs::path dir_;
  std::unique_ptr<ControlPlane> cp_;
  std::vector<std::unique_ptr<Workload>> workloads_;
  std::vector<std::unique_ptr<test::BackgroundProcess>> others_;
  Workload* client_ = nullptr;
};

// (a) xds:///echo.mesh resolves through the control plane to both instances,
// and round robin spreads the calls over them.
TEST_F(GrpcMeshE2eTest, ClientReachesTheServiceAndSpreadsCallsOverBothInstances) {
  startServer("echo-1", freePort());
  startServer("echo-2", freePort());
  startClient();
  int64_t start = unixMillis();
  ASSERT_TRUE(callsEventually(
      start, [](const auto& c) { return okInstances(c).size() == 2; }, 20s))
      << describe(callsSince(start));

  int64_t steady = unixMillis();
  ASSERT_TRUE(callsEventually(steady, atLeast(20), 10s)) << describe(callsSince(steady));
  std::vector<Call> window = callsSince(steady);
  EXPECT_EQ(failures(window), 0u) << describe(window);
  std::map<std::string, size_t> per_instance;
  for (const auto& c : window) ++per_instance[c.instance];
  EXPECT_THAT(per_instance, ::testing::ElementsAre(::testing::Key("echo-1"),
                                                   ::testing::Key("echo-2")));
  for (const auto& [instance, n] : per_instance) {
    EXPECT_GE(n * 10, window.size() * 3) << instance << " got too few calls: " << describe(window);
  }
}

// (b) Stopping an instance removes its endpoint: its ursa-dp exits, the
// Dataplane is deregistered, and the client's EDS loses the address. A plain
// server then started on the stopped instance's port must never be called
// (it would be, were the stale endpoint still in the client's EDS).
TEST_F(GrpcMeshE2eTest, StoppedInstanceLeavesTheMeshAndTrafficGoesToTheOther) {
  uint16_t port1 = freePort();
  Workload& echo1 = startServer("echo-1", port1);
  startServer("echo-2", freePort());
  startClient();
  int64_t start = unixMillis();
  ASSERT_TRUE(callsEventually(
      start, [](const auto& c) { return okInstances(c).size() == 2; }, 20s))
      << describe(callsSince(start));

  int64_t stopped = unixMillis();
  echo1.stop();
  ASSERT_TRUE(eventually([&] { return cp_->api("GET", "/meshes/default/dataplanes/echo-1")
                                           .first == 404; },
                         10s))
      << "echo-1 was not deregistered";
  int64_t deregistered = unixMillis();
  startPlainServer("stale-endpoint", port1);
  ASSERT_TRUE(eventually([&] { return plainCallSucceeds(port1); }, 10s))
      << "the stand-in server on echo-1's port is not serving";
  int64_t stand_in = unixMillis();
  ASSERT_TRUE(callsEventually(stand_in, atLeast(30), 10s)) << describe(callsSince(stand_in));

  // While echo-1 stops, a call racing its shutdown may fail (gRPC cancels
  // calls that reach a server after Shutdown began); once it is out of the
  // mesh, none may.
  std::vector<Call> after_removal = callsSince(deregistered);
  EXPECT_EQ(failures(after_removal), 0u) << describe(after_removal);
  EXPECT_EQ(okInstances(after_removal), std::set<std::string>{"echo-2"})
      << describe(after_removal);
  std::vector<Call> transition = callsSince(stopped);
  transition.resize(transition.size() - after_removal.size());
  std::cerr << "echo-1 deregistered " << deregistered - stopped
            << " ms after its stop; calls meanwhile: " << describe(transition) << "\n";
}

// (c) mTLS on the mesh: calls carry both identities; STRICT refuses a client
// outside the mesh, PERMISSIVE accepts it; turning mTLS off goes back to
// plaintext. Each change reaches running workloads.
TEST_F(GrpcMeshE2eTest, MtlsCarriesIdentitiesAndFollowsTheMeshMode) {
  uint16_t port = freePort();
  startServer("echo-1", port);
  startClient();
  int64_t start = unixMillis();
  ASSERT_TRUE(callsEventually(start, lastCallsPlain(5), 20s)) << describe(callsSince(start));
  EXPECT_TRUE(plainCallSucceeds(port)) << "mTLS off: a client outside the mesh is served";

  ASSERT_EQ(cp_->putDefaultMesh(kStrict), 200);
  int64_t strict = unixMillis();
  ASSERT_TRUE(callsEventually(strict, lastCallsMutual(10), 15s)) << describe(callsSince(strict));
  EXPECT_FALSE(plainCallSucceeds(port)) << "STRICT: a client outside the mesh must be refused";

  ASSERT_EQ(cp_->putDefaultMesh(kPermissive), 200);
  int64_t permissive = unixMillis();
  EXPECT_TRUE(eventually([&] { return plainCallSucceeds(port); }, 15s, 200ms))
      << "PERMISSIVE: a client outside the mesh must be served";
  ASSERT_TRUE(callsEventually(permissive, [](const auto& c) {
    return !c.empty() && c.back().ok();
  }, 15s)) << describe(callsSince(permissive));

  ASSERT_EQ(cp_->putDefaultMesh(""), 200);
  int64_t off = unixMillis();
  ASSERT_TRUE(callsEventually(off, lastCallsPlain(10), 15s)) << describe(callsSince(off));
  EXPECT_TRUE(plainCallSucceeds(port)) << "mTLS off again: a client outside the mesh is served";
}

// (d) Certificates that live 5 s are renewed every 2 s; with a new
// connection (and handshake) for every call, calls at a steady rate across
// several rotations all succeed, and both sides present new certificates.
TEST_F(GrpcMeshE2eTest, CertificateRotationDropsNoCall) {
  ASSERT_EQ(cp_->putDefaultMesh(kShortLived), 200);
  startServer("echo-1", freePort());
  startClient({"--fresh-channel"});
  int64_t start = unixMillis();
  ASSERT_TRUE(callsEventually(start, lastCallsMutual(1), 20s)) << describe(callsSince(start));

  int64_t first_ok = calls().back().t_ms;
  auto certificates = [](const std::vector<Call>& calls, auto field) {
    std::set<std::string> out;
    for (const auto& c : calls) out.insert(c.*field);
    return out;
  };
  // Three client certificates seen by the server: at least two rotations.
  ASSERT_TRUE(callsEventually(first_ok, [&](const auto& c) {
    return certificates(c, &Call::peer_certificate).size() >= 3 && atLeast(60)(c);
  }, 20s)) << describe(callsSince(first_ok));

  std::vector<Call> window = callsSince(first_ok);
  EXPECT_EQ(failures(window), 0u) << describe(window);
  EXPECT_TRUE(lastCallsMutual(window.size())(window)) << describe(window);
  EXPECT_GE(certificates(window, &Call::server_certificate).size(), 2u)
      << "the server's certificate was not rotated";
}

}  // namespace
}  // namespace ursa::e2e
