// The tables of `get` and `inspect` (src/cli/resource_tables.h,
// src/cli/inspect_tables.h): kumactl's columns and cell contents.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "src/cli/inspect_tables.h"
#include "src/cli/resource_tables.h"
#include "ursa/model/registry.h"

namespace ursa::cli {
namespace {

using model::Json;
using ::testing::ElementsAre;

const absl::Time kNow = absl::FromUnixSeconds(1712052000);  // 2024-04-02T10:00:00Z

const model::ResourceType& type(std::string_view name) {
  return *model::TypeRegistry::instance().byName(name);
}

Json parse(const char* text) { return Json::parse(text); }

TEST(ResourceTablesTest, MeshColumnsShowEnabledBackends) {
  Json meshes = parse(R"([
    {"type": "Mesh", "name": "default", "modificationTime": "2024-04-02T09:59:55Z"},
    {"type": "Mesh", "name": "prod", "modificationTime": "2024-03-29T10:00:00Z",
     "mtls": {"enabledBackend": "ca-1", "backends": [{"name": "ca-1", "type": "builtin"}]},
     "metrics": {"enabledBackend": "prom", "backends": [{"name": "prom", "type": "prometheus"}]},
     "logging": {"backends": [{"name": "file", "type": "file"}, {"name": "tcp", "type": "tcp"}]},
     "tracing": {"backends": []},
     "routing": {"localityAwareLoadBalancing": true, "zoneEgress": true}}
  ])");
  Table t = resourceTable(type("Mesh"), meshes, Json(), kNow);
  EXPECT_THAT(t.headers, ElementsAre("NAME", "mTLS", "METRICS", "LOGGING", "TRACING", "LOCALITY",
                                     "ZONEEGRESS", "AGE"));
  EXPECT_THAT(t.rows[0], ElementsAre("default", "off", "off", "off", "off", "off", "off", "5s"));
  EXPECT_THAT(t.rows[1], ElementsAre("prod", "builtin/ca-1", "prometheus/prom",
                                     "file/file, tcp/tcp", "off", "on", "on", "4d"));
}

TEST(ResourceTablesTest, DataplaneTagsMergeInboundsAndGatewaySorted) {
  Json dp = parse(R"({"type": "Dataplane", "mesh": "m", "name": "web-1",
    "modificationTime": "2024-04-02T07:00:00Z",
    "networking": {"address": "10.0.0.1", "advertisedAddress": "1.2.3.4",
      "inbound": [{"port": 80, "tags": {"kuma.io/service": "web", "version": "v2"}},
                  {"port": 81, "tags": {"kuma.io/service": "admin", "version": "v1"}}]}})");
  Table t = resourceTable(type("Dataplane"), Json::array({dp}), Json(), kNow);
  EXPECT_THAT(t.headers, ElementsAre("MESH", "NAME", "TAGS", "ADDRESS", "AGE"));
  EXPECT_THAT(t.rows[0], ElementsAre("m", "web-1", "kuma.io/service=admin,web version=v1,v2",
                                     "1.2.3.4", "3h"));
  Json gw = parse(R"({"networking": {"address": "10.0.0.2",
    "gateway": {"type": "BUILTIN", "tags": {"kuma.io/service": "edge"}}}})");
  EXPECT_EQ(dataplaneTags(gw), "kuma.io/service=edge");
}

TEST(ResourceTablesTest, ExternalServicesShowTagsAndAddress) {
  Json es = parse(R"({"type": "ExternalService", "mesh": "m", "name": "httpbin",
    "networking": {"address": "httpbin.org:443"},
    "tags": {"kuma.io/service": "httpbin", "kuma.io/protocol": "http"}})");
  Table t = resourceTable(type("ExternalService"), Json::array({es}), Json(), kNow);
  EXPECT_THAT(t.rows[0],
              ElementsAre("m", "httpbin", "kuma.io/protocol=http kuma.io/service=httpbin",
                          "httpbin.org:443", "-"));
}

TEST(ResourceTablesTest, PoliciesAndGlobalTypesUseBasicColumns) {
  Json p = parse(R"({"type": "MeshTimeout", "mesh": "m", "name": "t1",
    "modificationTime": "2024-04-02T09:00:00Z", "spec": {}})");
  Table t = resourceTable(type("MeshTimeout"), Json::array({p}), Json(), kNow);
  EXPECT_THAT(t.headers, ElementsAre("MESH", "NAME", "AGE"));
  EXPECT_THAT(t.rows[0], ElementsAre("m", "t1", "1h"));
  Json z = parse(R"({"type": "Zone", "name": "z1", "modificationTime": "2024-04-02T09:59:00Z"})");
  Table g = resourceTable(type("Zone"), Json::array({z}), Json(), kNow);
  EXPECT_THAT(g.headers, ElementsAre("NAME", "AGE"));
  EXPECT_THAT(g.rows[0], ElementsAre("z1", "1m"));
}

TEST(ResourceTablesTest, NextPageBecomesAFooter) {
  Table t = resourceTable(type("Mesh"), Json::array(),
                          Json("http://cp:5681/meshes?size=2&offset=2"), kNow);
  EXPECT_EQ(t.footer, "Rerun command with --offset=2 argument to retrieve more resources");
  EXPECT_EQ(resourceTable(type("Mesh"), Json::array(), Json(), kNow).footer, "");
}

Json overview(const char* dataplane, const char* insight) {
  Json o = {{"type", "DataplaneOverview"}, {"mesh", "m"}, {"name", "dp"}};
  o["dataplane"] = Json::parse(dataplane);
  o["dataplaneInsight"] = Json::parse(insight);
  return o;
}

constexpr const char* kOneInbound =
    R"({"networking": {"address": "1.1.1.1", "inbound": [{"port": 80, "tags": {"kuma.io/service": "web"}}]}})";
constexpr const char* kConnected =
    R"({"subscriptions": [{"id": "1", "connectTime": "2024-04-02T09:00:00Z", "disconnectTime": "2024-04-02T09:30:00Z"},
                          {"id": "2", "connectTime": "2024-04-02T09:58:00Z",
                           "status": {"lastUpdateTime": "2024-04-02T09:59:30Z",
                                      "total": {"responsesSent": "7", "responsesRejected": "1"}},
                           "version": {"kumaDp": {"version": "2.2.9"}, "envoy": {"version": "1.25.1"},
                                       "dependencies": {"coredns": "1.10.1"}}}],
        "mTLS": {"certificateExpirationTime": "2024-04-03T10:00:00Z",
                 "lastCertificateRegeneration": "2024-04-02T08:00:00Z",
                 "certificateRegenerations": 3, "issuedBackend": "ca-1",
                 "supportedBackends": ["ca-1", "ca-2"]}})";

TEST(InspectTablesTest, StatusFollowsSubscriptionsAndInboundHealth) {
  EXPECT_EQ(dataplaneStatus(overview(kOneInbound, "{}")).status, "Offline");
  EXPECT_EQ(dataplaneStatus(overview(kOneInbound, kConnected)).status, "Online");
  const char* disconnected =
      R"({"subscriptions": [{"connectTime": "2024-04-02T09:00:00Z", "disconnectTime": "2024-04-02T09:30:00Z"}]})";
  EXPECT_EQ(dataplaneStatus(overview(kOneInbound, disconnected)).status, "Offline");

  const char* two_inbounds = R"({"networking": {"inbound": [
      {"port": 80, "tags": {"kuma.io/service": "web"}, "health": {"ready": true}},
      {"port": 81, "tags": {"kuma.io/service": "api"}, "health": {}}]}})";
  DataplaneStatus degraded = dataplaneStatus(overview(two_inbounds, kConnected));
  EXPECT_EQ(degraded.status, "Partially degraded");
  EXPECT_THAT(degraded.notes, ElementsAre("inbound[port=81,svc=api] is not ready"));

  const char* none_ready =
      R"({"networking": {"inbound": [{"port": 81, "tags": {"kuma.io/service": "api"},
      "health": {"ready": false}}]}})";
  EXPECT_EQ(dataplaneStatus(overview(none_ready, kConnected)).status, "Offline");
  const char* gateway = R"({"networking": {"gateway": {"tags": {"kuma.io/service": "gw"}}}})";
  EXPECT_EQ(dataplaneStatus(overview(gateway, kConnected)).status, "Online");
}

TEST(InspectTablesTest, DataplaneRowHasKumactlsColumns) {
  Table t = dataplaneOverviewTable(Json::array({overview(kOneInbound, kConnected)}), kNow,
                                   absl::UTCTimeZone());
  ASSERT_EQ(t.headers.size(), 17u);
  EXPECT_EQ(t.headers[3], "STATUS");
  EXPECT_EQ(t.headers[12], "SUPPORTED CERT BACKENDS");
  EXPECT_THAT(t.rows[0], ElementsAre("m", "dp", "kuma.io/service=web", "Online", "2m", "30s", "7",
                                     "1", "2h", "2024-04-03 10:00:00", "3", "ca-1", "ca-1,ca-2",
                                     "2.2.9", "1.25.1", "coredns: 1.10.1", ""));
  Table empty =
      dataplaneOverviewTable(Json::array({overview(kOneInbound, "{}")}), kNow, absl::UTCTimeZone());
  EXPECT_THAT(empty.rows[0],
              ElementsAre("m", "dp", "kuma.io/service=web", "Offline", "never", "never", "0", "0",
                          "never", "-", "0", "-", "", "", "", "-", ""));
}

TEST(InspectTablesTest, MeshInsightsCountDataplanesAndPolicies) {
  Json meshes = parse(R"([{"name": "default"}, {"name": "prod", "mtls": {"enabledBackend": "ca",
      "backends": [{"name": "ca", "type": "builtin"}]}}])");
  Json online = overview(kOneInbound, kConnected);
  online["mesh"] = "prod";
  Json offline = overview(kOneInbound, "{}");
  offline["mesh"] = "prod";
  std::map<std::string, Json> policies = {
      {"MeshTimeout",
       parse(R"([{"mesh": "prod", "name": "a"}, {"mesh": "default", "name": "b"}])")},
      {"MeshRetry", parse(R"([{"mesh": "prod", "name": "c"}])")}};
  auto insights = computeMeshInsights(meshes, Json::array({online, offline}), policies);
  Table t = meshInsightTable(insights);
  EXPECT_THAT(t.headers, ElementsAre("NAME", "MTLS", "METRICS", "LOGGING", "TRACING", "LOCALITY",
                                     "ZONEEGRESS", "DPs/TOTAL", "POLICIES"));
  EXPECT_THAT(t.rows[0],
              ElementsAre("default", "off", "off", "off", "off", "off", "off", "0/0", "1"));
  EXPECT_THAT(t.rows[1],
              ElementsAre("prod", "builtin/ca", "off", "off", "off", "off", "off", "1/2", "2"));
  Json list = meshInsightList(insights);
  EXPECT_EQ(list["total"], 2);
  EXPECT_EQ(list["items"][1]["dataplanes"]["offline"], 1);
  EXPECT_EQ(list["items"][1]["policies"]["MeshRetry"]["total"], 1);
}

}  // namespace
}  // namespace ursa::cli
