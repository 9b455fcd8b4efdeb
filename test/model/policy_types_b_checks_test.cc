// MeshTCPRoute, enum values Kuma leaves to its schema, MeshProxyPatch's
// embedded Envoy resources and JSON patches, lists with presence, and the
// address checks of MeshAccessLog and MeshTrace.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "src/model/validators/policy_helpers_b.h"
#include "test/model/policy_test_support.h"

namespace ursa::model {
namespace {

using policy_test::check;
using policy_test::Lines;
using policy_test::lines;

constexpr std::string_view kEnvoyPrefix = "native Envoy resource is not valid: ";

// --- MeshTCPRoute (Kuma 2.3's cases; there are none for 2.2) ---------------------

TEST(MeshTCPRouteTest, AcceptsKumasValidCases) {
  EXPECT_TRUE(check("MeshTCPRoute", R"(
targetRef: {kind: MeshService, name: frontend}
to:
- targetRef: {kind: MeshService, name: backend}
  rules:
  - default:
      backendRefs:
      - {kind: MeshService, name: other}
)")
                  .empty());
  EXPECT_TRUE(check("MeshTCPRoute", R"(
targetRef: {kind: MeshService, name: frontend}
to:
- targetRef: {kind: MeshService, name: backend}
)")
                  .empty());
}

TEST(MeshTCPRouteTest, RejectsUnsupportedTopKind) {
  Violations v = check("MeshTCPRoute", R"(
targetRef: {kind: BlahBlah, name: frontend}
to:
- targetRef: {kind: MeshService, name: backend}
)");
  EXPECT_EQ(lines(v), (Lines{"spec.targetRef.kind: value is not supported"}));
}

TEST(MeshTCPRouteTest, DestinationMustBeAMeshService) {
  Violations v = check("MeshTCPRoute", R"(
targetRef: {kind: MeshService, name: frontend}
to:
- targetRef: {kind: BlahBlah, name: backend}
- targetRef: {kind: Mesh}
)");
  EXPECT_EQ(lines(v), (Lines{"spec.to[0].targetRef.kind: value is not supported",
                             "spec.to[1].targetRef.kind: value is not supported"}));
}

TEST(MeshTCPRouteTest, BackendRefsAreCheckedAsTargetRefs) {
  Violations v = check("MeshTCPRoute", R"(
targetRef: {kind: MeshService, name: frontend}
to:
- targetRef: {kind: MeshService, name: backend}
  rules:
  - default:
      backendRefs:
      - {kind: MeshServiceSubset, tags: {version: v1}}
      - {kind: MeshService, name: b, tags: {version: v1}}
      - {kind: Mesh}
      - {kind: MeshService, name: c, mesh: other, weight: 2}
)");
  const std::string at = "spec.to[0].rules[0].default.backendRefs";
  EXPECT_EQ(lines(v), (Lines{at + "[0].name: must be set with kind MeshServiceSubset",
                             at + "[1].tags: cannot be set with kind MeshService",
                             at + "[2].kind: value is not supported",
                             at + "[3].mesh: cannot be set with kind MeshService"}));
}

TEST(MeshTCPRouteTest, StrictDecodingNamesUnknownKeys) {
  Violations v = check("MeshTCPRoute", R"(
targetRef: {kind: Mesh}
to:
- targetRef: {kind: MeshService, name: backend}
  rules:
  - matches: []
    default: {backendRefs: [{kind: MeshService, name: a}]}
)");
  ASSERT_EQ(v.size(), 1u) << v.toString();
  EXPECT_EQ(v.list()[0].field, "spec.to[0].rules[0].matches");
}

// --- Enums Kuma leaves to its schema ---------------------------------------------

TEST(PolicyEnumsTest, UnknownLoadBalancerTypeNamesTheAllowedValues) {
  Violations v = check("MeshLoadBalancingStrategy", R"(
targetRef: {kind: Mesh}
to:
- targetRef: {kind: Mesh}
  default:
    loadBalancer:
      type: Fastest
- targetRef: {kind: Mesh}
  default:
    loadBalancer:
      type: RingHash
      ringHash:
        hashFunction: SHA1
        hashPolicies: [{type: Body}, {header: {name: x}}]
)");
  const std::string ring = "spec.to[1].default.loadBalancer.ringHash";
  EXPECT_EQ(lines(v),
            (Lines{"spec.to[0].default.loadBalancer.type: unknown value \"Fastest\"; allowed "
                   "values: RoundRobin, LeastRequest, RingHash, Random, Maglev",
                   ring + ".hashFunction: unknown value \"SHA1\"; allowed values: XXHash, "
                          "MurmurHash2",
                   ring + ".hashPolicies[0].type: unknown value \"Body\"; allowed values: Header, "
                          "Cookie, Connection, SourceIP, QueryParameter, FilterState",
                   ring + ".hashPolicies[1].type: must be defined"}));
}

TEST(PolicyEnumsTest, SourceIpHashPolicyNeedsNoSettings) {
  EXPECT_TRUE(check("MeshLoadBalancingStrategy", R"(
targetRef: {kind: Mesh}
to:
- targetRef: {kind: Mesh}
  default:
    loadBalancer: {type: Maglev, maglev: {hashPolicies: [{type: SourceIP}]}}
)")
                  .empty());
}

TEST(PolicyEnumsTest, HttpRouteEnums) {
  Violations v = check("MeshHTTPRoute", R"(
targetRef: {kind: Mesh}
to:
- targetRef: {kind: MeshService, name: backend}
  rules:
  - matches:
    - path: {type: Suffix, value: /x}
      method: FETCH
      queryParams: [{type: Prefix, name: a}]
      headers: [{type: Contains, name: h}]
    default:
      filters:
      - type: Rewrite
      - type: RequestRedirect
        requestRedirect: {scheme: ftp, statusCode: 304, path: {replaceFullPath: /y}}
)");
  const std::string match = "spec.to[0].rules[0].matches[0]";
  const std::string filters = "spec.to[0].rules[0].default.filters";
  EXPECT_EQ(lines(v),
            (Lines{match + ".path.type: unknown value \"Suffix\"; allowed values: Exact, Prefix, "
                           "RegularExpression",
                   match + ".method: unknown value \"FETCH\"; allowed values: CONNECT, DELETE, "
                           "GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE",
                   match + ".queryParams[0].type: unknown value \"Prefix\"; allowed values: "
                           "Exact, RegularExpression",
                   match + ".headers[0].type: unknown value \"Contains\"; allowed values: Exact, "
                           "Present, RegularExpression, Absent, Prefix",
                   filters + "[0].type: unknown value \"Rewrite\"; allowed values: "
                             "RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect, "
                             "URLRewrite, RequestMirror",
                   filters + "[1].requestRedirect.path.type: must be defined",
                   filters + "[1].requestRedirect.scheme: unknown value \"ftp\"; allowed values: "
                             "http, https",
                   filters + "[1].requestRedirect.statusCode: unknown value 304; allowed values: "
                             "301, 302, 303, 307, 308"}));
}

TEST(PolicyEnumsTest, ZipkinApiVersion) {
  Violations v = check("MeshTrace", R"(
targetRef: {kind: Mesh}
default:
  backends: [{zipkin: {url: "http://zipkin:9411/api/v2/spans", apiVersion: httpXml}}]
)");
  EXPECT_EQ(lines(v), (Lines{"spec.default.backends[0].zipkin.apiVersion: unknown value "
                             "\"httpXml\"; allowed values: httpJson, httpProto"}));
}

// --- MeshProxyPatch: embedded Envoy resources and JSON patches --------------------

Violations patchCheck(std::string_view modification) {
  return check("MeshProxyPatch", ursa::strCat("targetRef: {kind: Mesh}\n"
                                              "default:\n"
                                              "  appendModifications:\n",
                                              modification));
}

TEST(MeshProxyPatchTest, TypedConfigsResolveAgainstLinkedEnvoyTypes) {
  EXPECT_TRUE(patchCheck(R"(
  - httpFilter:
      operation: AddLast
      value: |
        name: envoy.filters.http.router
        typedConfig:
          '@type': type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
          dynamicStats: false
)")
                  .empty());
  Violations v = patchCheck(R"(
  - httpFilter:
      operation: AddLast
      value: |
        name: envoy.filters.http.gzip
        typedConfig:
          '@type': type.googleapis.com/envoy.extensions.filters.http.nope.v3.Nope
)");
  ASSERT_EQ(v.size(), 1u) << v.toString();
  EXPECT_EQ(v.list()[0].field, "spec.default.appendModifications[0].httpFilter.value");
  EXPECT_TRUE(v.list()[0].message.starts_with(kEnvoyPrefix)) << v.list()[0].message;
}

TEST(MeshProxyPatchTest, UnknownOrMistypedEnvoyFieldsAreRefused) {
  Violations v = patchCheck(R"(
  - cluster:
      operation: Add
      value: |
        name: xyz
        connectTimeoutt: 5s
  - listener:
      operation: Patch
      value: |
        address: {socketAddress: {portValue: eighty}}
  - virtualHost:
      operation: Patch
      value: '[1, 2]'
  - networkFilter:
      operation: AddFirst
      value: |
        name: envoy.filters.network.tcp_proxy
        typedConfig:
          '@type': type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          clusterr: backend
)");
  ASSERT_EQ(v.size(), 4u) << v.toString();
  const std::string at = "spec.default.appendModifications";
  EXPECT_EQ(v.list()[0].field, at + "[0].cluster.value");
  EXPECT_EQ(v.list()[1].field, at + "[1].listener.value");
  EXPECT_EQ(v.list()[2].field, at + "[2].virtualHost.value");
  EXPECT_EQ(v.list()[3].field, at + "[3].networkFilter.value");
  for (const auto& x : v.list()) EXPECT_TRUE(x.message.starts_with(kEnvoyPrefix)) << x.message;
  EXPECT_NE(v.list()[0].message.find("connectTimeoutt"), std::string::npos) << v.list()[0].message;
}

TEST(MeshProxyPatchTest, JsonPatchBlocksUseKumasMessages) {
  Violations v = patchCheck(R"(
  - cluster:
      operation: Patch
      jsonPatches:
      - {op: rename, path: /a}
      - {op: move, path: /a}
      - {op: remove, path: /, value: 1, from: /b}
      - {op: add}
)");
  const std::string at = "spec.default.appendModifications[0].cluster.jsonPatches";
  EXPECT_EQ(
      lines(v),
      (Lines{at + R"([0].op: "op" must be one of ["add", "remove", "replace", "move", "copy"])",
             at + R"([1].from: "from" must not be empty when "op" is one of ["move", "copy"])",
             at + R"([2].from: "from" is allowed only when "op" is one of ["move", "copy"])",
             at + R"([2].value: "value" is allowed only when "op" is one of ["add", )"
                  R"("replace"])",
             at + "[2].path: root path cannot be removed",
             at + R"([3].value: "value" must not be empty when "op" is one of ["add", )"
                  R"("replace"])",
             at + "[3].path: must be defined"}));
}

// --- Lists with presence: `[]` is given, an absent list is not -------------------

// Kuma reports a format with neither type as "format must have only one type
// defined" and `json: []` as an empty json list.
TEST(MeshAccessLogTest, FormatWithoutTypeAndEmptyJsonListAreToldApart) {
  const std::pair<const char*, const char*> cases[] = {
      {"{}", "spec.from[0].default.backends[0].file.format: format must have only one type "
             "defined: plain, json"},
      {"{omitEmptyValues: true}", "spec.from[0].default.backends[0].file.format: format must "
                                  "have only one type defined: plain, json"},
      {"{json: []}", "spec.from[0].default.backends[0].file.format.json: must not be empty"},
  };
  for (const auto& [format, expected] : cases) {
    Violations v = check("MeshAccessLog", ursa::strCat(R"(
targetRef: {kind: Mesh}
from:
- targetRef: {kind: Mesh}
  default:
    backends: [{file: {path: /tmp/log, format: )",
                                                       format, "}}]\n"));
    EXPECT_EQ(lines(v), (Lines{expected})) << format;
  }
}

// `backends` is required but may be empty: missing with or without `default`.
TEST(MeshAccessLogTest, BackendsAreRequiredButMayBeEmpty) {
  Violations v = check("MeshAccessLog", R"(
targetRef: {kind: Mesh}
to: [{targetRef: {kind: Mesh}}, {targetRef: {kind: Mesh}, default: {}}]
from: [{targetRef: {kind: Mesh}, default: {backends: []}}]
)");
  EXPECT_EQ(lines(v), (Lines{"spec.to[0].default.backends: must be defined",
                             "spec.to[1].default.backends: must be defined"}));
}

TEST(MeshTraceTest, BackendsAreRequiredButMayBeEmpty) {
  EXPECT_EQ(lines(check("MeshTrace", "targetRef: {kind: Mesh}\ndefault: {backends: []}\n")),
            Lines{});
  EXPECT_EQ(lines(check("MeshTrace", "targetRef: {kind: Mesh}\ndefault: {tags: []}\n")),
            (Lines{"spec.default.backends: must be defined"}));
}

// --- Address checks ---------------------------------------------------------------

TEST(PolicyHelpersBTest, CollectorUrls) {
  using validators::isCollectorUrl;
  for (const char* ok :
       {"127.0.0.1:5000", "http://logs.com", "logs.svc", "logs:5000", "tcp://user@logs:1/x?y#z",
        "http://[::1]:9411/api/v2/spans", "http://not_valid_url", "logs.com/path"}) {
    EXPECT_TRUE(isCollectorUrl(ok)) << ok;
  }
  for (const char* bad : {"", "not_valid_url", "logs", "sql://logs:1", "logs:", "logs:123456",
                          ".logs.com", "http://logs .com", "http://-logs", "http://[::1"}) {
    EXPECT_FALSE(isCollectorUrl(bad)) << bad;
  }
}

TEST(PolicyHelpersBTest, FilePaths) {
  using validators::isAbsoluteFilePath;
  EXPECT_TRUE(isAbsoluteFilePath("/tmp/logs.txt"));
  EXPECT_TRUE(isAbsoluteFilePath("/"));
  EXPECT_TRUE(isAbsoluteFilePath("C:\\logs\\access.log"));
  EXPECT_FALSE(isAbsoluteFilePath(""));
  EXPECT_FALSE(isAbsoluteFilePath("#not_valid"));
  EXPECT_FALSE(isAbsoluteFilePath("tmp/logs.txt"));
  EXPECT_FALSE(isAbsoluteFilePath("C:\\lo|gs"));
}

TEST(PolicyHelpersBTest, RequestUris) {
  auto uri = validators::parseRequestUri("HTTP://u:p@agent:8126/x?y=1");
  ASSERT_TRUE(uri.has_value());
  EXPECT_EQ(uri->scheme, "http");
  EXPECT_TRUE(uri->has_user);
  EXPECT_EQ(uri->host, "agent");
  EXPECT_EQ(uri->port, "8126");
  EXPECT_EQ(uri->path, "/x");
  EXPECT_EQ(uri->query, "y=1");
  EXPECT_TRUE(validators::parseRequestUri("/just/a/path").has_value());
  for (const char* bad : {"", "not_valid_url", "agent:8126", "http:opaque", "http://h:x1/", ":8126",
                          "http://a b\t"}) {
    EXPECT_FALSE(validators::parseRequestUri(bad).has_value()) << bad;
  }
}

TEST(MeshTraceTest, DatadogUrlReportsEveryExtraPart) {
  Violations v = check("MeshTrace", R"(
targetRef: {kind: Mesh}
default:
  backends: [{datadog: {url: "https://user@agent/path?q=1"}}]
)");
  const std::string at = "spec.default.backends[0].datadog.url: ";
  EXPECT_EQ(lines(v), (Lines{at + "scheme must be http", at + "port must be defined",
                             at + "user must not be defined", at + "path must not be defined",
                             at + "query must not be defined"}));
}

}  // namespace
}  // namespace ursa::model
