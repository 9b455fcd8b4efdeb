#pragma once

// The gtest fixture the C++ end-to-end tests share: a real ursa-cp per test
// (see mesh_harness.h), demo servers and clients under real ursa-dp
// processes, policies written through the REST API, and predicates over the
// calls a client logs. On failure it prints the tail of every log and keeps
// the scratch directory.

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "test/e2e/mesh_harness.h"

namespace ursa::e2e {

using Predicate = std::function<bool(const std::vector<Call>&)>;

inline constexpr char kClientIdentity[] = "spiffe://default/echo-client";
inline constexpr char kServerIdentity[] = "spiffe://default/echo";
// Builtin CA, STRICT.
inline constexpr char kStrict[] =
    R"({"enabledBackend":"ca-1","backends":[{"name":"ca-1","type":"builtin"}]})";

// --- predicates over a window of calls --------------------------------------

Predicate atLeast(size_t n);
std::set<std::string> okInstances(const std::vector<Call>& calls);
size_t failures(const std::vector<Call>& calls);
// The calls that ended with gRPC status `code`.
size_t withCode(const std::vector<Call>& calls, int code);
// The last `n` calls satisfy `each`.
Predicate lastCalls(size_t n, std::function<bool(const Call&)> each);
// The last `n` calls succeeded with mTLS, each side seeing the other's identity.
Predicate lastCallsMutual(size_t n);
// The last `n` calls succeeded in plaintext.
Predicate lastCallsPlain(size_t n);

// --- the fixture ---------------------------------------------------------------

class MeshE2eTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  void dumpLogs();

  // A demo server instance `name` on `port`, through ursa-dp (service echo
  // unless `spec` says otherwise); `extra` goes to ursa-demo-server.
  Workload& startServer(const std::string& name, uint16_t port,
                        const DataplaneSpec& spec = {"echo", {}},
                        std::vector<std::string> extra = {});
  // A mesh client `name` of service `service` dialing xds:///echo.mesh,
  // calling every `interval_ms` until stopped and logging each call, each
  // with a 1 s deadline unless `extra` (more ursa-demo-client flags) sets
  // --deadline-ms. The first client started is the default one
  // of calls() and callsSince().
  Workload& startClient(std::vector<std::string> extra = {}, const std::string& name = "client-1",
                        const std::string& service = "echo-client", int interval_ms = 50);
  // Runs `app` under ursa-dp as Dataplane `name` described by `spec`,
  // through the demo's `demo_template` (server or client) when it says the same.
  Workload& startWorkload(const std::string& name, const DataplaneSpec& spec,
                          const std::string& demo_template, uint16_t port,
                          std::vector<std::string> app);

  std::vector<Call> calls(const Workload& client) const;
  std::vector<Call> calls() const { return calls(*client_); }
  std::vector<Call> callsSince(const Workload& client, int64_t t) const;
  std::vector<Call> callsSince(int64_t t) const { return callsSince(*client_, t); }
  // Waits until the calls `client` made since `t` satisfy `p`.
  bool callsEventually(const Workload& client, int64_t t, const Predicate& p,
                       milliseconds timeout) const;
  bool callsEventually(int64_t t, const Predicate& p, milliseconds timeout) const {
    return callsEventually(*client_, t, p, timeout);
  }

  // PUT of a policy (JSON with type, mesh, name) at /meshes/default/<path>/<name>;
  // returns when the PUT returned (Unix ms), having checked its status.
  int64_t putPolicy(const std::string& path, const std::string& json);
  // DELETE /meshes/default/<path>/<name>; returns when it returned (Unix ms).
  int64_t deletePolicy(const std::string& path, const std::string& name);

  // A client outside the mesh (insecure credentials) dialing 127.0.0.1:port
  // directly: true when its one call succeeds.
  bool plainCallSucceeds(uint16_t port) const;
  // A plain (non-mesh) demo server on `port`, answering as `name`.
  void startPlainServer(const std::string& name, uint16_t port);

  std::filesystem::path dir_;
  std::unique_ptr<ControlPlane> cp_;
  std::vector<std::unique_ptr<Workload>> workloads_;
  std::vector<std::unique_ptr<test::BackgroundProcess>> others_;
  Workload* client_ = nullptr;
};

}  // namespace ursa::e2e
