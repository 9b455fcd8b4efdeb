// The proxy resource types (Dataplane, DataplaneInsight, ZoneIngress,
// ZoneEgress, Zone): behaviour Kuma's Dataplane validator cases (run by
// kuma_validators_test) do not reach.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "google/protobuf/util/message_differencer.h"
#include "src/model/validators/dataplane_helpers.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"

namespace ursa::model {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

absl::StatusOr<Resource> decode(std::string_view yaml) {
  auto doc = parseYaml(yaml);
  if (!doc.ok()) return doc.status();
  return decodeResource(*doc);
}

// Decodes `yaml` (strictly) and validates it; the violations of either step.
Violations check(std::string_view yaml) {
  auto r = decode(yaml);
  if (!r.ok()) return violationsOf(r.status());
  return validateResource(*r);
}

std::vector<std::string> fields(const Violations& v) {
  std::vector<std::string> out;
  for (const auto& x : v.list()) out.push_back(x.field);
  return out;
}

// The paths of the violations of `yaml`, in order.
std::vector<std::string> fieldsOf(std::string_view yaml) { return fields(check(yaml)); }

// The document as plain JSON without the output-only envelope keys, for
// comparisons that ignore key order.
nlohmann::json withoutTimes(const Json& doc) {
  nlohmann::json out = nlohmann::json::parse(doc.dump());
  out.erase("creationTime");
  out.erase("modificationTime");
  return out;
}

// --- Dataplane -------------------------------------------------------------------

constexpr std::string_view kFullDataplane = R"(
type: Dataplane
name: web-1
mesh: default
networking:
  address: 192.168.0.2
  advertisedAddress: 10.0.0.5
  inbound:
  - port: 10000
    servicePort: 8080
    serviceAddress: 127.0.0.1
    address: 192.168.0.2
    tags:
      kuma.io/service: web
      kuma.io/protocol: http
      version: v1
    health:
      ready: true
    serviceProbe:
      interval: 10s
      timeout: 2.500s
      unhealthyThreshold: 3
      healthyThreshold: 1
      tcp: {}
  outbound:
  - address: 127.0.0.1
    port: 33033
    tags:
      kuma.io/service: backend
  - port: 33034
    service: redis
  transparentProxying:
    redirectPortInbound: 15006
    redirectPortOutbound: 15001
    directAccessServices: ["*"]
    redirectPortInboundV6: 15010
    reachableServices: [backend, redis]
  admin:
    port: 9901
metrics:
  type: prometheus
  conf:
    port: 5670
    path: /metrics
    skipMTLS: true
probes:
  port: 9000
  endpoints:
  - inboundPort: 8080
    inboundPath: /healthz
    path: /8080/healthz
)";

TEST(DataplaneTest, FullDataplaneRoundTripsWithKumasKeys) {
  auto r = decode(kFullDataplane);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(validateResource(*r).empty()) << validateResource(*r).toString();
  Json out = encodeResource(*r);
  EXPECT_EQ(withoutTimes(out), nlohmann::json::parse(parseYaml(kFullDataplane)->dump()));
  // Spot checks of names that differ from the proto field names.
  EXPECT_EQ(out["networking"]["transparentProxying"]["redirectPortInboundV6"], 15010);
  EXPECT_EQ(out["networking"]["inbound"][0]["serviceProbe"]["unhealthyThreshold"], 3);
  EXPECT_EQ(out["probes"]["endpoints"][0]["inboundPath"], "/healthz");
}

TEST(DataplaneTest, SnakeCaseNamesAreAccepted) {
  auto r = decode(R"(
type: Dataplane
name: web-1
mesh: default
networking:
  address: 192.168.0.2
  inbound:
  - port: 10000
    tags: {kuma.io/service: web}
  transparent_proxying:
    redirect_port_inbound: 15006
)");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(encodeResource(*r)["networking"]["transparentProxying"]["redirectPortInbound"], 15006);
}

TEST(DataplaneTest, BuiltinGatewayTypeIsWrittenByName) {
  auto r = decode(R"(
type: Dataplane
name: edge
mesh: default
networking:
  address: 192.168.0.2
  gateway:
    type: BUILTIN
    tags: {kuma.io/service: edge}
)");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(validateResource(*r).empty());
  EXPECT_EQ(encodeResource(*r)["networking"]["gateway"]["type"], "BUILTIN");
}

TEST(DataplaneTest, UnknownGatewayTypeIsRefused) {
  auto v = check(R"(
type: Dataplane
name: edge
mesh: default
networking:
  address: 192.168.0.2
  gateway: {type: EXTERNAL, tags: {kuma.io/service: edge}}
)");
  EXPECT_THAT(fields(v), ElementsAre("networking.gateway.type"));
}

TEST(DataplaneTest, AdminPortClashesWithWildcardOrMappedLoopbackInbound) {
  // An inbound on 0.0.0.0 also listens on 127.0.0.1.
  auto wildcard = check(R"(
type: Dataplane
name: web-1
mesh: default
networking:
  address: 192.168.0.2
  admin: {port: 10000}
  inbound:
  - {port: 10000, address: 0.0.0.0, tags: {kuma.io/service: web}}
)");
  EXPECT_THAT(fields(wildcard), ElementsAre("networking.admin.port"));
  // The application side counts too: serviceAddress ::ffff:127.0.0.1 is 127.0.0.1.
  auto app = check(R"(
type: Dataplane
name: web-1
mesh: default
networking:
  address: 192.168.0.2
  admin: {port: 8080}
  inbound:
  - port: 10000
    servicePort: 8080
    serviceAddress: "::ffff:127.0.0.1"
    tags: {kuma.io/service: web}
)");
  EXPECT_THAT(fields(app), ElementsAre("networking.admin.port"));
  // A default outbound binds to 127.0.0.1.
  auto outbound = check(R"(
type: Dataplane
name: web-1
mesh: default
networking:
  address: 192.168.0.2
  admin: {port: 3333}
  inbound:
  - {port: 10000, tags: {kuma.io/service: web}}
  outbound:
  - {port: 3333, tags: {kuma.io/service: db}}
)");
  ASSERT_EQ(outbound.size(), 1u);
  EXPECT_EQ(outbound.list()[0].message, "must differ from outbound");
}

TEST(DataplaneTest, ServiceProbeZeroTimeoutAndThreshold) {
  auto v = check(R"(
type: Dataplane
name: web-1
mesh: default
networking:
  address: 192.168.0.2
  inbound:
  - port: 10000
    tags: {kuma.io/service: web}
    serviceProbe: {timeout: 0s, healthyThreshold: 0}
)");
  EXPECT_THAT(fields(v), ElementsAre("networking.inbound[0].serviceProbe.timeout",
                                     "networking.inbound[0].serviceProbe.healthyThreshold"));
}

TEST(DataplaneTest, DelegatedGatewayValidatesProbes) {
  constexpr std::string_view kDelegated = R"(
type: Dataplane
name: kong
mesh: default
networking:
  address: 192.168.0.2
  gateway: {tags: {kuma.io/service: kong, kuma.io/protocol: tcp}}
probes: {port: 0}
)";
  EXPECT_THAT(fieldsOf(kDelegated), ElementsAre("probes.port"));
}

TEST(DataplaneTest, MetricsOverrideIsOnlyCheckedForSidecars) {
  // A gateway's metrics override is not validated by Kuma either.
  EXPECT_THAT(fieldsOf(R"(
type: Dataplane
name: kong
mesh: default
networking:
  address: 192.168.0.2
  gateway: {tags: {kuma.io/service: kong}}
metrics: {type: custom}
)"),
              IsEmpty());
}

TEST(DataplaneTest, MetricsConfThatIsNotPrometheusConfig) {
  auto bad_regex = check(R"(
type: Dataplane
name: web-1
mesh: default
networking:
  address: 192.168.0.2
  inbound: [{port: 10000, tags: {kuma.io/service: web}}]
metrics: {type: prometheus, conf: {envoy: {filterRegex: "(unclosed"}}}
)");
  EXPECT_THAT(fields(bad_regex), ElementsAre("metrics.conf.envoy.filterRegex"));
  auto bad_shape = check(R"(
type: Dataplane
name: web-1
mesh: default
networking:
  address: 192.168.0.2
  inbound: [{port: 10000, tags: {kuma.io/service: web}}]
metrics: {type: prometheus, conf: {aggregate: "not a list"}}
)");
  ASSERT_THAT(fields(bad_shape), ElementsAre("metrics.conf"));
  EXPECT_EQ(bad_shape.list()[0].message.rfind("could not parse config: ", 0), 0u);
}

TEST(DataplaneTest, OutboundTagsReplaceTheLegacyService) {
  // With tags present, `service` no longer stands in for kuma.io/service.
  auto v = check(R"(
type: Dataplane
name: web-1
mesh: default
networking:
  address: 192.168.0.2
  inbound: [{port: 10000, tags: {kuma.io/service: web}}]
  outbound: [{port: 3333, service: redis, tags: {version: v1}}]
)");
  EXPECT_THAT(fields(v), ElementsAre("networking.outbound[0].tags"));
}

TEST(DataplaneTest, TagSetsAreTheInboundsAndTheGateway) {
  auto r = decode(kFullDataplane);
  ASSERT_TRUE(r.ok());
  ASSERT_NE(r->type->tags, nullptr);
  TagSets sets = r->type->tags(*r->spec);
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].at("kuma.io/service"), "web");
  EXPECT_EQ(sets[0].at("version"), "v1");
}

// --- address helpers ---------------------------------------------------------------

TEST(DataplaneHelpersTest, LoopbackOverlap) {
  using validators::overlapsLoopback;
  EXPECT_TRUE(overlapsLoopback("127.0.0.1"));
  EXPECT_TRUE(overlapsLoopback("::ffff:127.0.0.1"));
  EXPECT_TRUE(overlapsLoopback("0.0.0.0"));
  EXPECT_TRUE(overlapsLoopback("::"));
  EXPECT_FALSE(overlapsLoopback("127.0.0.2"));
  EXPECT_FALSE(overlapsLoopback("::1"));  // Go's net.IP.Equal: not IPv4 loopback
  EXPECT_FALSE(overlapsLoopback("localhost"));
  EXPECT_FALSE(overlapsLoopback(""));
}

TEST(DataplaneHelpersTest, ProxyAddress) {
  auto messagesOf = [](std::string_view address) {
    Violations v;
    validators::validateProxyAddress(address, FieldPath::rootedAt("a"), v);
    std::vector<std::string> messages;
    for (const auto& x : v.list()) messages.push_back(x.message);
    return messages;
  };
  EXPECT_TRUE(messagesOf("10.0.0.1").empty());
  EXPECT_TRUE(messagesOf("fd00::1").empty());
  EXPECT_TRUE(messagesOf("my_host.internal").empty());  // govalidator allows '_'
  EXPECT_THAT(messagesOf(""), ElementsAre("address can't be empty"));
  EXPECT_THAT(messagesOf("0.0.0.0"), ElementsAre("must not be 0.0.0.0 or ::"));
  EXPECT_TRUE(messagesOf("10.0.0.01").empty());  // not an IP, but a DNS name to govalidator
  EXPECT_THAT(messagesOf("web 1"),
              ElementsAre("address has to be valid IP address or domain name"));
}

// --- ZoneIngress -----------------------------------------------------------------

TEST(ZoneIngressTest, ValidWithAndWithoutAdvertisedAddress) {
  EXPECT_THAT(fieldsOf(R"(
type: ZoneIngress
name: zi-1
networking:
  address: 192.168.0.1
  advertisedAddress: "::ffff:0a00:0001"
  port: 10001
  advertisedPort: 1234
availableServices:
- {tags: {kuma.io/service: backend, version: "1"}, instances: 2, mesh: default}
)"),
              IsEmpty());
  EXPECT_THAT(
      fieldsOf("type: ZoneIngress\nname: zi-1\nnetworking: {address: 192.168.0.1, port: 10001}\n"),
      IsEmpty());
}

TEST(ZoneIngressTest, ReportsEveryProblemInKumasOrder) {
  auto v = check(R"(
type: ZoneIngress
name: zi-1
networking: {address: 192.168.0.1, advertisedAddress: "!@#", port: 10001, advertisedPort: 100000}
availableServices:
- tags: {kuma.io/service: backend}
- tags: {version: v2}
- tags: {kuma.io/service: ""}
)");
  EXPECT_THAT(fields(v), ElementsAre("networking.advertisedAddress.address",
                                     "networking.advertisedPort", "availableService[1].tags",
                                     "availableService[2].tags[\"kuma.io/service\"]"));
}

TEST(ZoneIngressTest, AdvertisedAddressAndPortGoTogether) {
  EXPECT_THAT(fieldsOf("type: ZoneIngress\nname: zi-1\n"
                       "networking: {address: 192.168.0.1, port: 10001, advertisedPort: 80}\n"),
              ElementsAre("networking.advertisedAddress"));
  EXPECT_THAT(fieldsOf("type: ZoneIngress\nname: zi-1\nnetworking: "
                       "{address: 192.168.0.1, port: 10001, advertisedAddress: 1.2.3.4}\n"),
              ElementsAre("networking.advertisedPort"));
}

TEST(ZoneIngressTest, EmptySpecNeedsAPort) {
  EXPECT_THAT(fieldsOf("type: ZoneIngress\nname: zi-1\n"), ElementsAre("networking.port"));
}

TEST(ZoneIngressTest, AdminPortMustDifferFromLoopbackPorts) {
  constexpr std::string_view kTemplate = R"(
type: ZoneIngress
name: zi-1
networking: {admin: {port: 10001}, address: ADDRESS, port: 10001}
)";
  auto withAddress = [&](std::string_view address) {
    std::string yaml(kTemplate);
    yaml.replace(yaml.find("ADDRESS"), 7, address);
    return fieldsOf(yaml);
  };
  EXPECT_THAT(withAddress("127.0.0.1"), ElementsAre("networking.admin.port"));
  EXPECT_THAT(withAddress("192.168.0.1"), IsEmpty());
}

// --- ZoneEgress ------------------------------------------------------------------

TEST(ZoneEgressTest, Validation) {
  EXPECT_THAT(fieldsOf("type: ZoneEgress\nname: ze-1\nzone: z1\n"
                       "networking: {address: 192.168.0.1, port: 10002, admin: {port: 9901}}\n"),
              IsEmpty());
  EXPECT_THAT(fieldsOf("type: ZoneEgress\nname: ze-1\nnetworking: {address: 192.168.0.1}\n"),
              ElementsAre("networking.port"));
  EXPECT_THAT(fieldsOf("type: ZoneEgress\nname: ze-1\n"
                       "networking: {admin: {port: 10001}, address: 127.0.0.1, port: 10001}\n"),
              ElementsAre("networking.admin.port"));
  EXPECT_THAT(fieldsOf("type: ZoneEgress\nname: ze-1\n"
                       "networking: {address: \"..>_<..\", port: 10001}\n"),
              ElementsAre("networking.address.address"));
}

// --- Zone ------------------------------------------------------------------------

TEST(ZoneTest, EnabledFalseIsKeptAndWritten) {
  auto r = decode("type: Zone\nname: zone-1\nenabled: false\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(validateResource(*r).empty());
  Json out = encodeResource(*r);
  ASSERT_TRUE(out.contains("enabled"));
  EXPECT_EQ(out["enabled"], false);
  auto unset = decode("type: Zone\nname: zone-1\n");
  ASSERT_TRUE(unset.ok());
  EXPECT_FALSE(encodeResource(*unset).contains("enabled"));
}

TEST(ZoneTest, UnknownKeysAndBadNamesAreRefused) {
  EXPECT_THAT(fieldsOf("type: Zone\nname: zone-1\nenable: true\n"), ElementsAre("enable"));
  EXPECT_THAT(fieldsOf("type: Zone\nname: Zone.1\n"), ElementsAre("name"));
}

// --- DataplaneInsight --------------------------------------------------------------

constexpr std::string_view kInsight = R"(
type: DataplaneInsight
name: web-1
mesh: default
subscriptions:
- id: 6f4a
  controlPlaneInstanceId: cp-1
  connectTime: "2023-05-01T10:00:00Z"
  disconnectTime: "2023-05-01T11:00:00Z"
  status:
    lastUpdateTime: "2023-05-01T10:59:00Z"
    total: {responsesSent: 12, responsesAcknowledged: 11, responsesRejected: 1}
    cds: {responsesSent: 3}
  version:
    kumaDp: {version: 2.2.9, gitTag: v2.2.9, kumaCpCompatible: true}
    envoy: {version: 1.25.4, build: abc, kumaDpCompatible: true}
    dependencies: {coredns: 1.10.1}
  generation: 7
mTLS:
  certificateExpirationTime: "2023-05-02T10:00:00Z"
  certificateRegenerations: 2
  issuedBackend: ca-1
  supportedBackends: [ca-1, ca-2]
)";

TEST(DataplaneInsightTest, RoundTripsWithKumasKeys) {
  auto r = decode(kInsight);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->type->read_only);
  EXPECT_TRUE(validateResource(*r).empty()) << validateResource(*r).toString();
  Json out = encodeResource(*r);
  const Json& sub = out["subscriptions"][0];
  EXPECT_EQ(sub["controlPlaneInstanceId"], "cp-1");
  EXPECT_EQ(sub["status"]["total"]["responsesAcknowledged"], 11);
  EXPECT_EQ(sub["version"]["kumaDp"]["kumaCpCompatible"], true);
  EXPECT_TRUE(out["mTLS"].contains("certificateExpirationTime"));
  // Reading the output back gives the same insight.
  auto again = decodeResource(out);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*again->spec, *r->spec));
}

TEST(DataplaneInsightTest, SubscriptionNeedsIdentityTimeAndStatus) {
  auto v = check(R"(
type: DataplaneInsight
name: web-1
mesh: default
subscriptions:
- {id: a, controlPlaneInstanceId: cp-1, connectTime: "2023-05-01T10:00:00Z", status: {}}
- {generation: 1}
)");
  EXPECT_THAT(fields(v),
              ElementsAre("subscriptions[1].id", "subscriptions[1].controlPlaneInstanceId",
                          "subscriptions[1].connectTime", "subscriptions[1].status"));
}

}  // namespace
}  // namespace ursa::model
