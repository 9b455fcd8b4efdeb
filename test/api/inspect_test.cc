// Default policies, the inspection endpoints and explain, end to end: a real
// control plane (memory store), real policies written through the API.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "src/dpserver/dp_server.h"
#include "test/api/api_fixture.h"

namespace ursa::api {
namespace {

using ::testing::HasSubstr;

std::string dataplane(const std::string& name, const std::string& address, int port,
                      const std::string& service, const std::string& extra_tags = "",
                      const std::string& outbound_service = "") {
  std::string out = outbound_service.empty()
                        ? ""
                        : R"(,"outbound":[{"port":10001,"tags":{"kuma.io/service":")" +
                              outbound_service + R"("}}])";
  return R"({"type":"Dataplane","mesh":"default","name":")" + name +
         R"(","networking":{"address":")" + address + R"(","inbound":[{"port":)" +
         std::to_string(port) + R"(,"tags":{"kuma.io/service":")" + service + "\"" + extra_tags +
         "}}]" + out + "}}";
}

constexpr char kMtpBackend[] = R"({"type":"MeshTrafficPermission","mesh":"default",
  "name":"mtp-backend","spec":{"targetRef":{"kind":"MeshService","name":"backend"},"from":[
    {"targetRef":{"kind":"Mesh"},"default":{"action":"Deny"}},
    {"targetRef":{"kind":"MeshService","name":"web"},"default":{"action":"Allow"}}]}})";
constexpr char kMtpV2[] = R"({"type":"MeshTrafficPermission","mesh":"default",
  "name":"mtp-backend-v2","spec":{"targetRef":{"kind":"MeshServiceSubset","name":"backend",
    "tags":{"version":"v2"}},"from":[{"targetRef":{"kind":"Mesh"},"default":{"action":"Deny"}}]}})";
constexpr char kTimeoutWeb[] = R"({"type":"MeshTimeout","mesh":"default","name":"t-web",
  "spec":{"targetRef":{"kind":"MeshService","name":"web"},"to":[
    {"targetRef":{"kind":"MeshService","name":"backend"},"default":{"connectionTimeout":"2s"}}]}})";
constexpr char kRetryGhost[] = R"({"type":"MeshRetry","mesh":"default","name":"r-ghost",
  "spec":{"targetRef":{"kind":"Mesh"},"to":[{"targetRef":{"kind":"MeshService","name":"ghost"},
    "default":{"tcp":{"maxConnectAttempt":2}}}]}})";
constexpr char kMtlsMesh[] = R"({"type":"Mesh","name":"default","mtls":{"enabledBackend":"ca-1",
  "backends":[{"name":"ca-1","type":"builtin"}]}})";

class InspectTest : public ApiFixture {
 protected:
  void put(const std::string& path, const std::string& body) {
    auto r = call("PUT", path, body, "application/json");
    ASSERT_TRUE(r.status == 200 || r.status == 201) << path << ": " << r.body;
  }
  Json get(const std::string& path, int status = 200) {
    auto r = call("GET", path);
    EXPECT_EQ(r.status, status) << path << ": " << r.body;
    auto body = Json::parse(r.body, nullptr, false);
    return body.is_discarded() ? Json(r.body) : body;
  }
  // web-1 (10.0.0.1:8080, outbound backend), backend-1 (v1), backend-2 (v2)
  // and the policies above.
  void setUpTraffic() {
    put("/meshes/default/dataplanes/web-1",
        dataplane("web-1", "10.0.0.1", 8080, "web", "", "backend"));
    put("/meshes/default/dataplanes/backend-1",
        dataplane("backend-1", "10.0.0.2", 9090, "backend", R"(,"version":"v1")"));
    put("/meshes/default/dataplanes/backend-2",
        dataplane("backend-2", "10.0.0.3", 9090, "backend", R"(,"version":"v2")"));
    put("/meshes/default/meshtrafficpermissions/mtp-backend", kMtpBackend);
    put("/meshes/default/meshtimeouts/t-web", kTimeoutWeb);
    put("/meshes/default/meshretries/r-ghost", kRetryGhost);
  }
};

TEST_F(InspectTest, NewMeshesGetKumasDefaultPolicies) {
  TearDown();
  start({{"URSA_DEFAULTS_SKIP_DEFAULT_POLICIES", "false"}});
  Json mtp = get("/meshes/default/meshtrafficpermissions/allow-all-default");
  EXPECT_EQ(mtp["spec"]["from"][0]["default"]["action"], "Allow");
  Json timeout = get("/meshes/default/meshtimeouts/mesh-timeout-all-default");
  EXPECT_EQ(timeout["spec"]["to"][0]["default"]["connectionTimeout"], "5s");
  EXPECT_EQ(timeout["spec"]["to"][0]["default"]["http"]["requestTimeout"], "15s");
  Json cb = get("/meshes/default/meshcircuitbreakers/mesh-circuit-breaker-all-default");
  EXPECT_EQ(cb["spec"]["to"][0]["default"]["connectionLimits"]["maxRetries"], 3);
  Json retry = get("/meshes/default/meshretries/mesh-retry-all-default");
  EXPECT_EQ(retry["spec"]["to"][0]["default"]["http"]["numRetries"], 5);
  EXPECT_EQ(retry["spec"]["to"][0]["default"]["grpc"]["perTryTimeout"], "16s");

  // A mesh created through the API gets them too, once: updating the mesh
  // does not bring back a default the user deleted.
  put("/meshes/other", R"({"type":"Mesh","name":"other"})");
  EXPECT_EQ(get("/meshes/other/meshtrafficpermissions")["total"], 1);
  EXPECT_EQ(call("DELETE", "/meshes/other/meshretries/mesh-retry-all-other").status, 200);
  put("/meshes/other", R"({"type":"Mesh","name":"other"})");
  get("/meshes/other/meshretries/mesh-retry-all-other", 404);
}

TEST_F(InspectTest, SkipDefaultPoliciesCreatesNone) {
  put("/meshes/other", R"({"type":"Mesh","name":"other"})");
  EXPECT_EQ(get("/meshes/other/meshtrafficpermissions")["total"], 0);
  EXPECT_EQ(get("/meshes/default/meshretries")["total"], 0);
}

TEST_F(InspectTest, DataplanePoliciesShowMatchesRulesOriginsAndWarnings) {
  setUpTraffic();
  Json backend = get("/meshes/default/dataplanes/backend-1/policies");
  EXPECT_EQ(backend["kind"], "SidecarDataplane");
  ASSERT_EQ(backend["total"], 2) << backend.dump(2);  // dataplane, inbound
  EXPECT_EQ(backend["items"][0]["type"], "dataplane");
  const Json& inbound = backend["items"][1];
  EXPECT_EQ(inbound["type"], "inbound");
  EXPECT_EQ(inbound["name"], "10.0.0.2:9090");
  EXPECT_EQ(inbound["service"], "backend");
  EXPECT_EQ(inbound["matchedPolicies"]["MeshTrafficPermission"][0]["name"], "mtp-backend");
  bool client_rule = false;
  for (const Json& r : backend["rules"]) {
    if (r["type"] != "ClientSubset" || r["policyType"] != "MeshTrafficPermission") continue;
    client_rule = true;
    EXPECT_EQ(r["name"], "10.0.0.2:9090");
    EXPECT_EQ(r["origins"][0]["name"], "mtp-backend");
  }
  EXPECT_TRUE(client_rule) << backend.dump(2);

  Json web = get("/meshes/default/dataplanes/web-1/policies");
  const Json& service = web["items"].back();
  EXPECT_EQ(service["type"], "service");
  EXPECT_EQ(service["name"], "backend");
  EXPECT_EQ(service["matchedPolicies"]["MeshTimeout"][0]["name"], "t-web");
  ASSERT_EQ(web["warnings"].size(), 1u) << web.dump(2);
  EXPECT_THAT(web["warnings"][0].get<std::string>(),
              HasSubstr("MeshRetry \"r-ghost\": to[0].targetRef names service \"ghost\""));

  Json rules = get("/meshes/default/dataplanes/web-1/rules");
  EXPECT_GE(rules["total"], 2);
  get("/meshes/default/dataplanes/nope/policies", 404);
}

// The generator's warnings for a connected proxy (its snapshot in the xDS
// cache) follow the policy warnings in /policies and /rules; a proxy that is
// not connected shows the policy warnings alone.
TEST_F(InspectTest, DataplanePoliciesAndRulesShowTheGeneratorWarningsOfTheServedSnapshot) {
  setUpTraffic();
  constexpr char kLbWarning[] =
      "MeshLoadBalancingStrategy RingHash for backend: gRPC C++ 1.51 crashes on RING_HASH";
  cp_->dpServer()->snapshots().set(
      "default.web-1", xds::SnapshotBuilder()
                           .addWarning(kLbWarning)
                           .addWarning("MeshRetry grpc.perTryTimeout: not supported")
                           .build());
  for (const char* what : {"policies", "rules"}) {
    Json web = get(std::string("/meshes/default/dataplanes/web-1/") + what);
    ASSERT_EQ(web["warnings"].size(), 3u) << what << ": " << web.dump(2);
    EXPECT_THAT(web["warnings"][0].get<std::string>(), HasSubstr("MeshRetry \"r-ghost\""));
    EXPECT_EQ(web["warnings"][1], kLbWarning);
    EXPECT_EQ(web["warnings"][2], "MeshRetry grpc.perTryTimeout: not supported");
  }
  Json xds = get("/meshes/default/dataplanes/web-1/xds");
  EXPECT_EQ(xds["warnings"][0], kLbWarning) << xds.dump(2);
  Json backend = get("/meshes/default/dataplanes/backend-1/policies");  // not connected
  ASSERT_EQ(backend["warnings"].size(), 1u) << backend.dump(2);
  EXPECT_THAT(backend["warnings"][0].get<std::string>(), HasSubstr("MeshRetry \"r-ghost\""));
}

TEST_F(InspectTest, PolicyDataplanesListsTheProxiesAPolicySelects) {
  setUpTraffic();
  Json mtp = get("/meshes/default/meshtrafficpermissions/mtp-backend/dataplanes");
  ASSERT_EQ(mtp["total"], 2) << mtp.dump(2);
  EXPECT_EQ(mtp["items"][0]["kind"], "SidecarDataplane");
  EXPECT_EQ(mtp["items"][0]["dataplane"], (Json{{"mesh", "default"}, {"name", "backend-1"}}));
  EXPECT_EQ(mtp["items"][0]["attachments"][0],
            (Json{{"type", "inbound"}, {"name", "10.0.0.2:9090"}, {"service", "backend"}}));

  Json timeout = get("/meshes/default/meshtimeouts/t-web/dataplanes");
  ASSERT_EQ(timeout["total"], 1);
  EXPECT_EQ(timeout["items"][0]["attachments"][0],
            (Json{{"type", "service"}, {"name", "backend"}, {"service", "backend"}}));
  Json ghost = get("/meshes/default/meshretries/r-ghost/dataplanes");
  EXPECT_EQ(ghost["warnings"].size(), 1u);
  get("/meshes/default/meshtimeouts/nope/dataplanes", 404);
}

TEST_F(InspectTest, ExplainWithoutMtlsAllowsAndSaysWhy) {
  setUpTraffic();
  Json e = get("/meshes/default/explain/traffic?from=web&to=backend:9090");
  EXPECT_EQ(e["mtls"], false);
  EXPECT_EQ(e["decision"], "allowed");
  ASSERT_EQ(e["destinations"].size(), 2u);
  EXPECT_EQ(e["destinations"][0]["trafficPermission"]["reason"],
            "mTLS off: MeshTrafficPermission is not enforced");
  // The source side: web-1's to-rule for backend, from t-web.
  ASSERT_EQ(e["sources"].size(), 1u);
  const Json& timeout = e["sources"][0]["timeout"];
  EXPECT_EQ(e["sources"][0]["dataplane"], "web-1");
  EXPECT_EQ(timeout["rule"]["conf"]["connectionTimeout"], "2s");
  EXPECT_EQ(timeout["decidedBy"], (Json{{"type", "MeshTimeout"}, {"name", "t-web"}, {"item", "to[0]"}}));
  EXPECT_TRUE(e["sources"][0]["retry"].is_null());
}

TEST_F(InspectTest, ExplainWithMtlsNamesTheDecidingRuleAndDisagreeingInstances) {
  setUpTraffic();
  put("/meshes/default", kMtlsMesh);
  Json allowed = get("/meshes/default/explain/traffic?from=web&to=backend");
  EXPECT_EQ(allowed["mtls"], true);
  EXPECT_EQ(allowed["decision"], "allowed") << allowed.dump(2);
  const Json& mtp = allowed["destinations"][0]["trafficPermission"];
  EXPECT_EQ(mtp["action"], "Allow");
  EXPECT_EQ(mtp["decidedBy"]["name"], "mtp-backend");
  EXPECT_EQ(mtp["decidedBy"]["item"], "from[1]");

  Json denied = get("/meshes/default/explain/traffic?from=billing&to=backend");
  EXPECT_EQ(denied["decision"], "denied");
  EXPECT_EQ(denied["destinations"][0]["trafficPermission"]["decidedBy"]["item"], "from[0]");
  ASSERT_EQ(denied["warnings"].size(), 1u);  // no such service as billing
  EXPECT_THAT(denied["warnings"][0].get<std::string>(), HasSubstr("\"billing\""));
  EXPECT_EQ(denied["sources"][0]["dataplane"], nullptr);  // computed for a synthetic client

  // backend-2 (version v2) denies everyone: the instances disagree.
  put("/meshes/default/meshtrafficpermissions/mtp-backend-v2", kMtpV2);
  Json mixed = get("/meshes/default/explain/traffic?from=web&to=backend");
  EXPECT_EQ(mixed["decision"], "mixed");
  EXPECT_EQ(mixed["destinations"][1]["dataplane"], "backend-2");
  EXPECT_EQ(mixed["destinations"][1]["trafficPermission"]["decision"], "denied");
  EXPECT_EQ(mixed["destinations"][1]["trafficPermission"]["decidedBy"]["name"], "mtp-backend-v2");
  EXPECT_THAT(mixed["notes"][0].get<std::string>(), HasSubstr("destination instances disagree"));

  // Nothing covers web -> lonely: denied by default.
  put("/meshes/default/dataplanes/lonely-1", dataplane("lonely-1", "10.0.0.9", 7070, "lonely"));
  Json lonely = get("/meshes/default/explain/traffic?from=web&to=lonely");
  EXPECT_EQ(lonely["decision"], "denied");
  EXPECT_THAT(lonely["destinations"][0]["trafficPermission"]["reason"].get<std::string>(),
              HasSubstr("denied by default"));
}

TEST_F(InspectTest, ExplainRefusesMalformedQueries) {
  auto r = call("GET", "/meshes/default/explain/traffic?from=,x&to=backend:http");
  EXPECT_EQ(r.status, 400);
  Json body = Json::parse(r.body);
  ASSERT_EQ(body["causes"].size(), 2u) << r.body;
  EXPECT_EQ(body["causes"][0]["field"], "from");
  EXPECT_EQ(body["causes"][1]["field"], "to");
  EXPECT_EQ(call("GET", "/meshes/nope/explain/traffic?from=a&to=b").status, 404);
}

TEST_F(InspectTest, XdsOfAProxyThatIsNotConnectedIsNotFoundAndSaysWhy) {
  setUpTraffic();
  auto r = call("GET", "/meshes/default/dataplanes/web-1/xds");
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("is not connected to this control plane"));
  EXPECT_EQ(call("GET", "/meshes/default/dataplanes/nope/xds").status, 404);
}

}  // namespace
}  // namespace ursa::api
