// The REST API end to end: a real control plane (memory store) on free
// ports, driven over real sockets. Kuma 2.2's paths, shapes, status codes
// and the bad-input rules of the API issue.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "test/api/api_fixture.h"

namespace ursa::api {
namespace {

constexpr char kMtp[] = R"({"type":"MeshTrafficPermission","name":"allow-all","mesh":"default",
  "spec":{"targetRef":{"kind":"Mesh"},"from":[{"targetRef":{"kind":"Mesh"},"default":{"action":"Allow"}}]}})";

class ApiRestTest : public ApiFixture {};

TEST_F(ApiRestTest, IndexDescribesAKumaCompatibleControlPlane) {
  auto r = call("GET", "/");
  EXPECT_EQ(r.status, 200);
  auto body = Json::parse(r.body);
  EXPECT_EQ(body["tagline"], "Kuma");
  EXPECT_EQ(body["product"], "ursa");
  EXPECT_EQ(body["version"], URSA_VERSION);
  EXPECT_FALSE(body["instanceId"].get<std::string>().empty());
}

TEST_F(ApiRestTest, PutCreatesThenUpdatesAndDeleteRemoves) {
  std::string path = "/meshes/default/meshtrafficpermissions/allow-all";
  EXPECT_EQ(call("PUT", path, kMtp, "application/json").status, 201);
  auto got = call("GET", path);
  ASSERT_EQ(got.status, 200) << got.body;
  auto body = Json::parse(got.body);
  EXPECT_EQ(body["type"], "MeshTrafficPermission");
  EXPECT_EQ(body["spec"]["from"][0]["default"]["action"], "Allow");
  EXPECT_TRUE(body.contains("creationTime"));

  std::string denied = std::string(kMtp);
  denied.replace(denied.find("Allow"), 5, "Deny");
  EXPECT_EQ(call("PUT", path, denied, "application/json").status, 200);
  EXPECT_EQ(Json::parse(call("GET", path).body)["spec"]["from"][0]["default"]["action"], "Deny");

  EXPECT_EQ(call("DELETE", path).status, 200);
  auto gone = call("GET", path);
  EXPECT_EQ(gone.status, 404);
  auto err = Json::parse(gone.body);
  EXPECT_EQ(err["title"], "Could not retrieve a resource");
  EXPECT_EQ(err["details"], "Not found");
}

TEST_F(ApiRestTest, YamlInAndOut) {
  std::string yaml =
      "type: MeshTimeout\nname: t\nmesh: default\nspec:\n  targetRef: {kind: Mesh}\n"
      "  to:\n  - targetRef: {kind: Mesh}\n    default: {connectionTimeout: 90s}\n";
  EXPECT_EQ(call("PUT", "/meshes/default/meshtimeouts/t", yaml, "application/yaml").status, 201);
  auto r = call("GET", "/meshes/default/meshtimeouts/t", "", "", {{"Accept", "application/yaml"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/yaml");
  EXPECT_NE(r.body.find("connectionTimeout: 1m30s"), std::string::npos) << r.body;
}

TEST_F(ApiRestTest, ListsArePagedWithAbsoluteNextLinks) {
  for (int i = 0; i < 5; ++i) {
    std::string name = "p" + std::to_string(i);
    std::string body = std::string(kMtp);
    body.replace(body.find("allow-all"), 9, name);
    ASSERT_EQ(call("PUT", "/meshes/default/meshtrafficpermissions/" + name, body,
                   "application/json").status, 201);
  }
  auto page = Json::parse(call("GET", "/meshes/default/meshtrafficpermissions?size=2").body);
  EXPECT_EQ(page["total"], 5);
  ASSERT_EQ(page["items"].size(), 2u);
  EXPECT_EQ(page["items"][0]["name"], "p0");
  std::string next = page["next"].get<std::string>();
  EXPECT_EQ(next.rfind("http://", 0), 0u) << next;
  std::string next_target = next.substr(next.find('/', 7));
  auto last = Json::parse(call("GET", "/meshes/default/meshtrafficpermissions?size=2&offset=4").body);
  EXPECT_TRUE(last["next"].is_null());
  auto second = Json::parse(call("GET", next_target).body);
  EXPECT_EQ(second["items"][0]["name"], "p2");

  auto cross_mesh = Json::parse(call("GET", "/meshtrafficpermissions").body);
  EXPECT_EQ(cross_mesh["total"], 5);
  auto filtered = Json::parse(call("GET", "/meshes/default/meshtrafficpermissions?name=p3").body);
  EXPECT_EQ(filtered["total"], 1);
}

TEST_F(ApiRestTest, BadPagingIsA400NamingTheParameter) {
  auto big = call("GET", "/meshes?size=1001");
  EXPECT_EQ(big.status, 400);
  EXPECT_EQ(Json::parse(big.body)["causes"][0]["field"], "size");
  auto offset = call("GET", "/meshes?offset=abc");
  EXPECT_EQ(offset.status, 400);
  EXPECT_EQ(Json::parse(offset.body)["causes"][0]["field"], "offset");
}

TEST_F(ApiRestTest, GlobalTypesLiveAtTheirOwnPath) {
  EXPECT_EQ(call("PUT", "/zones/zone-1", R"({"type":"Zone","name":"zone-1","enabled":true})",
                 "application/json").status, 201);
  auto z = Json::parse(call("GET", "/zones/zone-1").body);
  EXPECT_EQ(z["enabled"], true);
  EXPECT_FALSE(z.contains("mesh"));
  EXPECT_EQ(call("GET", "/meshes/default/zones").status, 404);
}

TEST_F(ApiRestTest, ValidationErrorsCarryKumasCauses) {
  std::string bad = R"({"type":"MeshTrafficPermission","name":"x","mesh":"default",
    "spec":{"targetRef":{"kind":"MeshService"},"from":[]}})";
  auto r = call("PUT", "/meshes/default/meshtrafficpermissions/x", bad, "application/json");
  EXPECT_EQ(r.status, 400);
  auto err = Json::parse(r.body);
  EXPECT_EQ(err["details"], "Resource is not valid");
  std::set<std::string> fields;
  for (const auto& c : err["causes"]) fields.insert(c["field"].get<std::string>());
  EXPECT_EQ(fields, (std::set<std::string>{"spec.targetRef.name", "spec.from"}));
}

TEST_F(ApiRestTest, BodyMustMatchTheUrl) {
  auto r = call("PUT", "/meshes/other/meshtimeouts/y", kMtp, "application/json");
  EXPECT_EQ(r.status, 400);
  std::set<std::string> fields;
  Json err = Json::parse(r.body);
  for (const auto& c : err["causes"]) fields.insert(c["field"].get<std::string>());
  EXPECT_EQ(fields, (std::set<std::string>{"name", "type", "mesh"})) << r.body;
}

TEST_F(ApiRestTest, WritesIntoAMissingMeshAre400) {
  std::string body = std::string(kMtp);
  body.replace(body.find("\"default\""), 9, "\"nope\"");
  auto r = call("PUT", "/meshes/nope/meshtrafficpermissions/allow-all", body, "application/json");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("nope"), std::string::npos);
}

TEST_F(ApiRestTest, BadNamesInThePathAre400) {
  std::vector<std::string> names = {"a%2Fb", "..", "UPPER", "tab%09name", "nul%00",
                                    std::string(254, 'a')};
  for (const std::string& name : names) {
    auto r = call("GET", "/meshes/default/meshtimeouts/" + name);
    EXPECT_EQ(r.status, 400) << name << ": " << r.body;
    EXPECT_EQ(Json::parse(r.body)["causes"][0]["field"], "name") << name;
  }
  EXPECT_EQ(call("GET", "/meshes/default/meshtimeouts/" + std::string(253, 'a')).status, 404);
  // Names the control plane itself creates may hold dots: reads accept them,
  // writes apply Kuma's rules.
  EXPECT_EQ(call("GET", "/meshes/default/secrets/default.ca-builtin-cert-ca-1").status, 404);
  std::string dotted = R"({"type":"Secret","name":"a.b","mesh":"default","data":"YQ=="})";
  auto put = call("PUT", "/meshes/default/secrets/a.b", dotted, "application/json");
  EXPECT_EQ(put.status, 400) << put.body;
}

TEST_F(ApiRestTest, UnknownPathsAndMethods) {
  EXPECT_EQ(call("GET", "/nothing-here").status, 404);
  EXPECT_EQ(call("GET", "/meshes/default/unknown-things").status, 404);
  auto r = call("PATCH", "/meshes/default");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "GET, PUT, DELETE");
  EXPECT_EQ(call("POST", "/meshes").status, 405);
}

TEST_F(ApiRestTest, UnsupportedContentTypeIs415) {
  auto r = call("PUT", "/meshes/default/meshtrafficpermissions/allow-all", kMtp, "text/plain");
  EXPECT_EQ(r.status, 415) << r.body;
}

TEST_F(ApiRestTest, MalformedBodiesAre400AndTheServerKeepsServing) {
  std::vector<std::string> bodies = {"{", "[1,2", "{\"type\": }", "not json",
                                     "{\"a\":1,\"a\":2}"};
  for (const std::string& body : bodies) {
    auto r = call("PUT", "/meshes/default/meshtrafficpermissions/x", body, "application/json");
    EXPECT_EQ(r.status, 400) << body << ": " << r.body;
  }
  auto yaml = call("PUT", "/meshes/default/meshtrafficpermissions/x", "a: [1, 2\nb: :",
                   "application/yaml");
  EXPECT_EQ(yaml.status, 400);
  EXPECT_EQ(call("GET", "/meshes/default").status, 200);
}

TEST_F(ApiRestTest, OversizedBodiesAre413AndNothingIsStored) {
  std::string huge(5 << 20, 'x');
  auto r = call("PUT", "/meshes/default/secrets/big", huge, "application/json");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(call("GET", "/meshes/default/secrets/big").status, 404);
  EXPECT_EQ(call("GET", "/meshes/default").status, 200);
}

TEST_F(ApiRestTest, InsightsAreReadOnly) {
  auto r = call("PUT", "/meshes/default/dataplane-insights/dp",
                R"({"type":"DataplaneInsight","name":"dp","mesh":"default"})", "application/json");
  EXPECT_EQ(r.status, 405);
}

TEST_F(ApiRestTest, DataplaneOverviewsJoinDataplanesAndInsights) {
  std::string dp = R"({"type":"Dataplane","name":"web-1","mesh":"default","networking":{
    "address":"10.0.0.1","inbound":[{"port":8080,"tags":{"kuma.io/service":"web-frontend","version":"v1"}}]}})";
  ASSERT_EQ(call("PUT", "/meshes/default/dataplanes/web-1", dp, "application/json").status, 201);
  auto list = Json::parse(call("GET", "/meshes/default/dataplanes+insights").body);
  ASSERT_EQ(list["total"], 1);
  EXPECT_EQ(list["items"][0]["type"], "DataplaneOverview");
  EXPECT_EQ(list["items"][0]["dataplane"]["networking"]["address"], "10.0.0.1");
  EXPECT_TRUE(list["items"][0]["dataplaneInsight"].is_object());
  // Kuma's tag filter matches a substring of the value.
  EXPECT_EQ(Json::parse(call("GET", "/dataplanes+insights?tag=kuma.io/service:web").body)["total"], 1);
  EXPECT_EQ(Json::parse(call("GET", "/dataplanes+insights?tag=version:v2").body)["total"], 0);
  EXPECT_EQ(Json::parse(call("GET", "/dataplanes+insights?gateway=true").body)["total"], 0);
  EXPECT_EQ(call("GET", "/meshes/default/dataplanes+insights/web-1").status, 200);
}

TEST_F(ApiRestTest, DeletingAMeshWithDataplanesIsRefused) {
  std::string dp = R"({"type":"Dataplane","name":"dp","mesh":"default","networking":{
    "address":"10.0.0.1","inbound":[{"port":8080,"tags":{"kuma.io/service":"web"}}]}})";
  ASSERT_EQ(call("PUT", "/meshes/default/dataplanes/dp", dp, "application/json").status, 201);
  auto r = call("DELETE", "/meshes/default");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("dataplane"), std::string::npos);
  EXPECT_EQ(call("GET", "/meshes/default/dataplanes/dp").status, 200);
}

// Many clients write at once: no write is lost and none is torn.
TEST_F(ApiRestTest, ParallelClientsLoseNoWrites) {
  constexpr int kClients = 12;
  constexpr int kWrites = 20;
  std::atomic<int> failures{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < kWrites; ++i) {
        // Each client writes its own resources and, every time, a shared one
        // whose action and label must always agree.
        std::string own = "c" + std::to_string(c) + "-" + std::to_string(i);
        std::string action = c % 2 ? "Deny" : "Allow";
        for (const std::string& name : std::vector<std::string>{own, "shared"}) {
          std::string body = R"({"type":"MeshTrafficPermission","name":")" + name +
                             R"(","mesh":"default","labels":{"writer":")" + action +
                             R"("},"spec":{"targetRef":{"kind":"Mesh"},"from":[{"targetRef":
                             {"kind":"Mesh"},"default":{"action":")" + action + R"("}}]}})";
          auto r = call("PUT", "/meshes/default/meshtrafficpermissions/" + name, body,
                        "application/json");
          if (r.status != 200 && r.status != 201) ++failures;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(failures, 0);
  auto all = Json::parse(call("GET", "/meshes/default/meshtrafficpermissions?size=1000").body);
  EXPECT_EQ(all["total"], kClients * kWrites + 1);
  auto shared = Json::parse(call("GET", "/meshes/default/meshtrafficpermissions/shared").body);
  EXPECT_EQ(shared["labels"]["writer"], shared["spec"]["from"][0]["default"]["action"]);
}

TEST_F(ApiRestTest, SlowClientsDoNotHoldTheServer) {
  auto slow = test::HttpConnection::connect(apiPort());
  ASSERT_NE(slow, nullptr);
  ASSERT_TRUE(slow->send("PUT /meshes/default/secrets/s HTTP/1.1\r\nHost: x\r\n"));
  // Another client is served while the first one dawdles.
  EXPECT_EQ(call("GET", "/meshes/default").status, 200);
}

class ReadOnlyApiTest : public ApiFixture {
 protected:
  void SetUp() override { start({{"URSA_API_SERVER_READ_ONLY", "true"}}); }
};

TEST_F(ReadOnlyApiTest, WritesAre405AndReadsWork) {
  auto r = call("PUT", "/meshes/default/meshtrafficpermissions/allow-all", kMtp,
                "application/json");
  EXPECT_EQ(r.status, 405);
  EXPECT_NE(r.body.find("read-only"), std::string::npos);
  EXPECT_EQ(call("GET", "/meshes/default").status, 200);
}

}  // namespace
}  // namespace ursa::api
