// The codec (include/ursa/model/codec.h) on good input: decode, encode and
// decode again gives an equal message; durations written as Go's or
// protobuf's, as Kuma writes them; violations carried by a status.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "google/protobuf/util/message_differencer.h"
#include "test/model/codec_test_support.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"
#include "ursa/system/v1alpha1/datasource.pb.h"
#include "ursa/system/v1alpha1/secret.pb.h"

namespace ursa::model {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using codec_test::decode;
using codec_test::messageOf;

// --- Round trips ---------------------------------------------------------------------

constexpr std::string_view kMesh = R"(
type: Mesh
name: default
labels:
  team: "core"
  tier: "1.0"
mtls:
  enabledBackend: ca-1
  backends:
  - name: ca-1
    type: builtin
    mode: PERMISSIVE
    dpCert:
      rotation:
        expiration: 1d
      requestTimeout: 1.5s
    conf:
      caCert:
        RSAbits: 2048
        expiration: 10y
    rootChain:
      requestTimeout: 250ms
tracing:
  defaultBackend: zipkin
  backends:
  - name: zipkin
    type: zipkin
    sampling: 80.5
    conf:
      url: http://zipkin:9411/api/v2/spans
networking:
  outbound:
    passthrough: false
routing:
  localityAwareLoadBalancing: true
constraints:
  dataplaneProxy:
    requirements:
    - tags:
        kuma.io/zone: "*"
        flag: "true"
        empty: ""
    restrictions:
    - tags:
        env: "- dev: #x"
)";

constexpr std::string_view kDataplane = R"(
type: Dataplane
name: web-1
mesh: default
networking:
  address: 192.168.0.2
  advertisedAddress: 10.0.0.2
  inbound:
  - port: 8080
    servicePort: 4294967295
    tags:
      kuma.io/service: web
      version: "2"
      kuma.io/protocol: http
    health:
      ready: false
    serviceProbe:
      interval: 90s
      timeout: 123.456789ms
      unhealthyThreshold: 3
      healthyThreshold: 0
      tcp: {}
  outbound:
  - port: 10001
    tags:
      kuma.io/service: db
  transparentProxying:
    redirectPortInbound: 15006
    redirectPortOutbound: 15001
    directAccessServices: ["*"]
probes:
  port: 9000
  endpoints:
  - inboundPort: 8080
    inboundPath: /healthz
    path: /8080/healthz
)";

constexpr std::string_view kMeshTimeout = R"(
type: MeshTimeout
name: timeouts
mesh: default
spec:
  targetRef:
    kind: MeshSubset
    tags:
      kuma.io/zone: east
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      connectionTimeout: 90s
      idleTimeout: 1.5s
      http:
        requestTimeout: 250ms
        streamIdleTimeout: 123.456789ms
        maxStreamDuration: 1h
        maxConnectionDuration: 0s
  from:
  - targetRef:
      kind: Mesh
    default:
      idleTimeout: 1h30m
)";

class RoundTripTest : public ::testing::TestWithParam<std::string_view> {};

TEST_P(RoundTripTest, DecodeEncodeDecodeGivesAnEqualMessage) {
  auto first = decode(GetParam());
  ASSERT_TRUE(first.ok()) << first.status();
  Json encoded = encodeResource(*first);

  // Through the tree, through YAML text and through JSON text.
  std::vector<std::pair<std::string, absl::StatusOr<Json>>> copies;
  copies.emplace_back("tree", encoded);
  copies.emplace_back("yaml", parseYaml(toYaml(encoded)));
  copies.emplace_back("json", parseJson(encoded.dump()));
  for (auto& [how, doc] : copies) {
    ASSERT_TRUE(doc.ok()) << how << ": " << doc.status() << "\n" << toYaml(encoded);
    auto second = decodeResource(*doc);
    ASSERT_TRUE(second.ok()) << how << ": " << second.status();
    std::string diff;
    google::protobuf::util::MessageDifferencer differencer;
    differencer.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differencer.Compare(*first->spec, *second->spec)) << how << ": " << diff;
    EXPECT_EQ(second->meta.name, first->meta.name);
    EXPECT_EQ(second->meta.mesh, first->meta.mesh);
    EXPECT_EQ(second->meta.labels, first->meta.labels);
    EXPECT_EQ(encodeResource(*second), encoded) << how;  // and encodes the same again
  }
}

std::string kindName(const ::testing::TestParamInfo<std::string_view>& info) {
  const char* names[] = {"Mesh", "Dataplane", "MeshTimeout"};
  return names[info.index];
}

INSTANTIATE_TEST_SUITE_P(Kinds, RoundTripTest,
                         ::testing::Values(kMesh, kDataplane, kMeshTimeout), kindName);

// --- Durations on output ---------------------------------------------------------------

TEST(CodecDurationTest, PoliciesWriteGoDurations) {
  auto r = decode(kMeshTimeout);
  ASSERT_TRUE(r.ok()) << r.status();
  Json out = encodeResource(*r);
  const Json& to = out["spec"]["to"][0]["default"];
  EXPECT_EQ(to["connectionTimeout"], "1m30s");
  EXPECT_EQ(to["idleTimeout"], "1.5s");
  EXPECT_EQ(to["http"]["requestTimeout"], "250ms");
  EXPECT_EQ(to["http"]["streamIdleTimeout"], "123.456789ms");
  EXPECT_EQ(to["http"]["maxStreamDuration"], "1h0m0s");
  EXPECT_EQ(to["http"]["maxConnectionDuration"], "0s");
  EXPECT_EQ(out["spec"]["from"][0]["default"]["idleTimeout"], "1h30m0s");
}

TEST(CodecDurationTest, GoDurationsOfEveryMagnitude) {
  auto timeoutOf = [](const std::string& d) -> std::string {
    auto r = decode(
        "type: MeshTimeout\nname: t\nmesh: default\nspec:\n  targetRef: {kind: Mesh}\n"
        "  to:\n  - targetRef: {kind: Mesh}\n    default:\n      idleTimeout: " +
        d + "\n");
    if (!r.ok()) return std::string(r.status().message());
    return encodeResource(*r)["spec"]["to"][0]["default"]["idleTimeout"].get<std::string>();
  };
  EXPECT_EQ(timeoutOf("1ns"), "1ns");
  EXPECT_EQ(timeoutOf("1500ns"), "1.5\u00B5s");  // Go writes "µs"
  // ... and reads "us", "µs" (U+00B5) and "μs" (U+03BC).
  EXPECT_EQ(timeoutOf("500us"), "500\u00B5s");
  EXPECT_EQ(timeoutOf("500\u00B5s"), "500\u00B5s");
  EXPECT_EQ(timeoutOf("1ms500\u03BCs"), "1.5ms");
  EXPECT_EQ(timeoutOf("1ms"), "1ms");
  EXPECT_EQ(timeoutOf("999999999ns"), "999.999999ms");
  EXPECT_EQ(timeoutOf("1s"), "1s");
  EXPECT_EQ(timeoutOf("60s"), "1m0s");
  EXPECT_EQ(timeoutOf("3601.5s"), "1h0m1.5s");
  EXPECT_EQ(timeoutOf("26h"), "26h0m0s");
  EXPECT_EQ(timeoutOf("-90s"), "-1m30s");
  EXPECT_THAT(timeoutOf("5 parsecs"), HasSubstr("spec.to[0].default.idleTimeout"));
  EXPECT_THAT(timeoutOf("inf"), HasSubstr("spec.to[0].default.idleTimeout"));
}

TEST(CodecDurationTest, KumaProtobufTypesWriteProtobufDurations) {
  auto dp = decode(kDataplane);
  ASSERT_TRUE(dp.ok()) << dp.status();
  Json out = encodeResource(*dp);
  const Json& probe = out["networking"]["inbound"][0]["serviceProbe"];
  EXPECT_EQ(probe["interval"], "90s");
  EXPECT_EQ(probe["timeout"], "0.123456789s");

  auto mesh = decode(kMesh);
  ASSERT_TRUE(mesh.ok()) << mesh.status();
  out = encodeResource(*mesh);
  const Json& backend = out["mtls"]["backends"][0];
  EXPECT_EQ(backend["dpCert"]["requestTimeout"], "1.500s");
  EXPECT_EQ(backend["rootChain"]["requestTimeout"], "0.250s");
}

// --- Violations carried by a status --------------------------------------------------

TEST(CodecViolationsTest, InvalidArgumentAndViolationsOfRoundTrip) {
  Violations v;
  v.add(FieldPath::rootedAt("spec").field("to").index(0).field("targetRef"), "must be set");
  v.add(FieldPath::rootedAt("tags").key("kuma.io/service"), "value \"a b\" is\nnot valid ✓");
  v.add(FieldPath(), "the resource as a whole");
  absl::Status s = invalidArgument("MeshTimeout is not valid", v);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(messageOf(s), AllOf(HasSubstr("MeshTimeout is not valid"),
                                  HasSubstr("spec.to[0].targetRef: must be set")));
  Violations back = violationsOf(s);
  EXPECT_EQ(back.list(), v.list());
  EXPECT_EQ(back.list()[1].field, "tags[\"kuma.io/service\"]");

  // Without violations the title is the message; other statuses carry none.
  absl::Status bare = invalidArgument("just a title", Violations());
  EXPECT_EQ(messageOf(bare), "just a title");
  EXPECT_TRUE(violationsOf(bare).empty());
  EXPECT_TRUE(violationsOf(absl::InvalidArgumentError("plain")).empty());
  EXPECT_TRUE(violationsOf(absl::OkStatus()).empty());

  // What decodeResource returns carries its violations the same way.
  auto r = decode("type: Mesh\nname: m\nmtls: {enabledBackend: [x]}\n");
  ASSERT_FALSE(r.ok());
  Violations carried = violationsOf(r.status());
  EXPECT_THAT(carried.list(),
              ElementsAre(Violation{"mtls.enabledBackend", "must be a string, not a list"}));
}

}  // namespace
}  // namespace ursa::model
