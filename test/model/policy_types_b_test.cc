// MeshAccessLog, MeshTrace, MeshFaultInjection, MeshLoadBalancingStrategy,
// MeshHTTPRoute, MeshTCPRoute and MeshProxyPatch: Kuma's messages and round
// trips through the codec, what kuma_validators_test does not check. The
// other checks of these types are in policy_types_b_checks_test.cc.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "src/model/validators/policy_helpers_b.h"
#include "test/support/conformance.h"
#include "test/model/policy_test_support.h"
#include "ursa/common/strings.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"

namespace ursa::model {
namespace {

using policy_test::check;
using policy_test::Lines;
using policy_test::lines;
using policy_test::typeNamed;

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}


// --- Kuma's messages -------------------------------------------------------------

// Messages that embed a Go library error: only the part before it is Kuma's.
constexpr std::string_view kEnvoyPrefix = "native Envoy resource is not valid: ";

std::vector<std::string> comparable(const Violations& v, bool sorted) {
  std::vector<Violation> out = v.list();
  for (auto& x : out) {
    if (x.message.starts_with(kEnvoyPrefix)) x.message = std::string(kEnvoyPrefix);
  }
  std::vector<std::string> text = lines(out);
  if (sorted) std::sort(text.begin(), text.end());
  return text;
}

class PolicyTypesBKumaMessages : public ::testing::TestWithParam<std::string> {};

// kuma_validators_test compares field paths only; here messages must be
// Kuma's too, in Kuma's order where its test compared the order. Lenient
// decoding, as Kuma's.
TEST_P(PolicyTypesBKumaMessages, EqualKumas) {
  auto dir = test::conformanceDir();
  if (!dir) GTEST_SKIP() << test::conformanceMissingReason();
  Json index = Json::parse(readFile(*dir / "validators" / "index.json"));
  const Json& folder = index["folders"][GetParam()];
  const ResourceType& type = typeNamed(folder["kuma_type"].get<std::string>());
  int cases = 0;
  for (const auto& c : folder["cases"]) {
    auto stem = (*dir / "validators" / GetParam() / c["case"].get<std::string>()).string();
    auto input = parseYaml(readFile(stem + ".yaml"));
    ASSERT_TRUE(input.ok()) << input.status();
    Json expected = Json::parse(readFile(stem + ".expected.json"));
    Violations want;
    for (const auto& v : expected.value("violations", Json::array())) {
      want.add(FieldPath::rootedAt(v["field"].get<std::string>()), v["message"].get<std::string>());
    }
    DecodeOptions lenient;
    lenient.allow_unknown_fields = true;
    auto spec = decodeSpec(type, *input, lenient);
    ASSERT_TRUE(spec.ok()) << stem << ": " << spec.status();
    Violations got = validateResource(Resource{&type, {"p", "default"}, std::move(*spec)});
    bool any_order = c["violations_order"] == "any";
    EXPECT_EQ(comparable(got, any_order), comparable(want, any_order)) << stem;
    ++cases;
  }
  EXPECT_GT(cases, 0);
}

INSTANTIATE_TEST_SUITE_P(PolicyTypesB, PolicyTypesBKumaMessages,
                         ::testing::Values("meshaccesslog", "meshtrace", "meshfaultinjection",
                                           "meshloadbalancingstrategy", "meshhttproute",
                                           "meshproxypatch"));

// --- Round trips keep Kuma's keys --------------------------------------------------

struct RoundTripCase {
  std::string type;
  std::string yaml;
};

class PolicyTypesBRoundTrip : public ::testing::TestWithParam<RoundTripCase> {};

// A valid spec that uses most fields decodes strictly, validates, and is
// written back with the same keys and values (key order aside).
TEST_P(PolicyTypesBRoundTrip, DecodeEncodeKeepsTheDocument) {
  const ResourceType& type = typeNamed(GetParam().type);
  auto doc = parseYaml(GetParam().yaml);
  ASSERT_TRUE(doc.ok()) << doc.status();
  auto spec = decodeSpec(type, *doc);
  ASSERT_TRUE(spec.ok()) << spec.status();
  Violations v = validateResource(Resource{&type, {"p", "default"}, *spec});
  EXPECT_TRUE(v.empty()) << v.toString();
  Json out = encodeMessage(**spec, encodeOptionsFor(type));
  EXPECT_EQ(nlohmann::json::parse(out.dump()), nlohmann::json::parse(doc->dump())) << "wrote:\n"
                                                                                   << toYaml(out);
}

INSTANTIATE_TEST_SUITE_P(PolicyTypesB, PolicyTypesBRoundTrip,
                         ::testing::Values(RoundTripCase{"MeshAccessLog", R"(
targetRef: {kind: MeshService, name: web}
to:
- targetRef: {kind: MeshService, name: backend}
  default:
    backends:
    - file:
        path: /tmp/access.log
        format: {plain: '[%START_TIME%] %KUMA_SOURCE_SERVICE%', omitEmptyValues: true}
from:
- targetRef: {kind: Mesh}
  default:
    backends:
    - tcp:
        address: logs.svc:5000
        format:
          json:
          - {key: start, value: '%START_TIME%'}
    - openTelemetry:
        endpoint: otel-collector:4317
        attributes:
        - {key: mesh, value: '%KUMA_MESH%'}
)"},
                                           RoundTripCase{"MeshTrace", R"(
targetRef: {kind: MeshGatewayRoute, name: route}
default:
  backends:
  - zipkin:
      url: http://zipkin.mesh:9411/api/v2/spans
      traceId128bit: true
      apiVersion: httpProto
      sharedSpanContext: false
  sampling: {overall: 80, client: "40.5", random: 0}
  tags:
  - {name: team, literal: core}
  - name: env
    header: {name: x-env, default: prod}
)"},
                                           RoundTripCase{"MeshFaultInjection", R"(
targetRef: {kind: MeshService, name: backend}
from:
- targetRef: {kind: MeshSubset, tags: {version: v2}}
  default:
    http:
    - abort: {httpStatus: 503, percentage: 50}
      delay: {value: 1.5s, percentage: "5.5"}
    - responseBandwidth: {limit: 100mbps, percentage: 5}
)"},
                                           RoundTripCase{"MeshLoadBalancingStrategy", R"(
targetRef: {kind: Mesh}
to:
- targetRef: {kind: MeshService, name: backend}
  default:
    localityAwareness: {disabled: false}
    loadBalancer:
      type: RingHash
      ringHash:
        hashFunction: MurmurHash2
        minRingSize: 64
        maxRingSize: 1024
        hashPolicies:
        - {type: Header, terminal: true, header: {name: x-user}}
        - {type: Cookie, cookie: {name: session, ttl: 1h0m0s, path: /}}
        - {type: Connection, connection: {sourceIP: true}}
        - {type: QueryParameter, queryParameter: {name: id}}
        - {type: FilterState, filterState: {key: k}}
- targetRef: {kind: MeshService, name: other}
  default:
    loadBalancer: {type: LeastRequest, leastRequest: {choiceCount: 3}}
- targetRef: {kind: MeshService, name: third}
  default:
    loadBalancer: {type: Maglev, maglev: {tableSize: 65537}, roundRobin: {}}
)"},
                                           RoundTripCase{"MeshHTTPRoute", R"(
targetRef: {kind: MeshService, name: frontend}
to:
- targetRef: {kind: MeshService, name: backend}
  rules:
  - matches:
    - path: {type: Prefix, value: /api}
      method: GET
      queryParams: [{type: Exact, name: v, value: "2"}]
      headers: [{type: Present, name: x-debug}]
    default:
      filters:
      - type: RequestHeaderModifier
        requestHeaderModifier:
          set: [{name: x-a, value: b}]
          add: [{name: x-c, value: d}]
          remove: [x-e]
      - type: URLRewrite
        urlRewrite:
          hostname: api.internal
          path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}
      - type: RequestRedirect
        requestRedirect:
          scheme: https
          hostname: example.com
          port: 8443
          statusCode: 301
          path: {type: ReplaceFullPath, replaceFullPath: /new}
      - type: RequestMirror
        requestMirror:
          percentage: "12.5"
          backendRef: {kind: MeshServiceSubset, name: backend, tags: {version: v2}}
      backendRefs:
      - {kind: MeshService, name: backend, weight: 90}
      - {kind: MeshServiceSubset, name: backend, tags: {version: v2}, weight: 10}
)"},
                                           RoundTripCase{"MeshTCPRoute", R"(
targetRef: {kind: Mesh}
to:
- targetRef: {kind: MeshService, name: db}
  rules:
  - default:
      backendRefs:
      - {kind: MeshService, name: db-primary, weight: 3}
      - {kind: MeshServiceSubset, name: db, tags: {role: replica}, weight: 1}
)"},
                                           RoundTripCase{"MeshProxyPatch", R"(
targetRef: {kind: MeshSubset, tags: {kuma.io/zone: east}}
default:
  appendModifications:
  - cluster:
      operation: Patch
      match: {origin: outbound, name: backend}
      value: |
        connectTimeout: 5s
  - listener:
      operation: Patch
      match: {origin: inbound, tags: {kuma.io/service: web}}
      jsonPatches:
      - {op: replace, path: /address/socketAddress/portValue, value: 8080}
      - {op: add, path: /metadata, value: {filterMetadata: {a: {b: [1, true, x, null]}}}}
      - {op: move, from: /a, path: /b}
  - networkFilter:
      operation: AddBefore
      match:
        name: envoy.filters.network.tcp_proxy
        listenerName: inbound:10.0.0.1:80
        listenerTags: {kuma.io/service: web}
      value: |
        name: envoy.filters.network.local_ratelimit
  - httpFilter:
      operation: Remove
      match: {name: envoy.filters.http.fault, origin: inbound}
  - virtualHost:
      operation: Add
      match: {routeConfigurationName: outbound:backend}
      value: |
        name: extra
        domains: ["*"]
)"}),
                         [](const ::testing::TestParamInfo<RoundTripCase>& p) {
                           return p.param.type;
                         });

}  // namespace
}  // namespace ursa::model
