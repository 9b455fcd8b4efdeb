// MeshTimeout, MeshRetry, MeshCircuitBreaker, MeshHealthCheck and
// MeshRateLimit: what kuma_validators_test does not check (Kuma's exact
// messages and order, enum values Kuma leaves to its schema, presence of
// optional fields, round trips through the codec).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "src/model/validators/policy_helpers_a.h"
#include "test/support/conformance.h"
#include "test/model/policy_test_support.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"

namespace ursa::model {
namespace {

using policy_test::check;
using policy_test::typeNamed;

// Decodes `yaml` strictly and writes it back as ursa stores it.
Json roundTrip(std::string_view type_name, std::string_view yaml) {
  const ResourceType& type = typeNamed(type_name);
  auto doc = parseYaml(yaml);
  EXPECT_TRUE(doc.ok()) << doc.status();
  auto spec = decodeSpec(type, *doc);
  EXPECT_TRUE(spec.ok()) << spec.status();
  if (!spec.ok()) return nullptr;
  return encodeMessage(**spec, encodeOptionsFor(type));
}

// --- Kuma's messages, in Kuma's order ---------------------------------------

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class PolicyTypesAKumaMessages : public ::testing::TestWithParam<std::string> {};

// kuma_validators_test compares field paths only; here the whole list must be
// Kuma's, messages and order included (every case of these folders is
// "exact" in index.json). Lenient decoding, as Kuma's.
TEST_P(PolicyTypesAKumaMessages, EqualKumasInOrder) {
  auto dir = test::conformanceDir();
  if (!dir) GTEST_SKIP() << test::conformanceMissingReason();
  std::ifstream index_in(*dir / "validators" / "index.json");
  Json index = Json::parse(index_in);
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
      want.add(FieldPath::rootedAt(v["field"].get<std::string>()),
               v["message"].get<std::string>());
    }
    DecodeOptions lenient;
    lenient.allow_unknown_fields = true;
    auto spec = decodeSpec(type, *input, lenient);
    ASSERT_TRUE(spec.ok()) << stem << ": " << spec.status();
    Resource r{&type, {"p", "default"}, std::move(*spec)};
    EXPECT_EQ(validateResource(r).list(), want.list())
        << stem << "\nursa: " << validateResource(r).toString() << "\nkuma: " << want.toString();
    ++cases;
  }
  EXPECT_GT(cases, 0);
}

INSTANTIATE_TEST_SUITE_P(PolicyTypesA, PolicyTypesAKumaMessages,
                         ::testing::Values("meshtimeout", "meshretry", "meshcircuitbreaker",
                                           "meshhealthcheck", "meshratelimit"));

// --- Enums Kuma leaves to its schema -----------------------------------------

TEST(MeshRetryTest, UnknownResetHeaderFormatIsRejectedWithTheAllowedValues) {
  Violations v = check("MeshRetry", R"(
targetRef: {kind: Mesh}
to:
- targetRef: {kind: Mesh}
  default:
    http:
      rateLimitedBackOff:
        resetHeaders:
        - {name: retry-after, format: Minutes}
        - {name: x-reset, format: UnixTimestamp}
)");
  ASSERT_EQ(v.size(), 1u) << v.toString();
  EXPECT_EQ(v.list()[0].field,
            "spec.to[0].default.conf.http.rateLimitedBackOff.resetHeaders[0].format");
  EXPECT_EQ(v.list()[0].message,
            "unknown value \"Minutes\"; allowed values: Seconds, UnixTimestamp");
}

TEST(MeshRetryTest, RetryOnTakesKnownStatusCodesAsNumbersOrStrings) {
  Violations v = check("MeshRetry", R"(
targetRef: {kind: Mesh}
to:
- targetRef: {kind: Mesh}
  default:
    http:
      retryOn: [503, "504", "+502", 226, 306, "abc", Reset]
    grpc:
      retryOn: [Internal, 14]
)");
  ASSERT_EQ(v.size(), 3u) << v.toString();
  EXPECT_EQ(v.list()[0].field, "spec.to[0].default.conf.http.retryOn[4]");
  EXPECT_EQ(v.list()[0].message, "unknown item '306'");
  EXPECT_EQ(v.list()[1].message, "unknown item 'abc'");
  EXPECT_EQ(v.list()[2].field, "spec.to[0].default.conf.grpc.retryOn[1]");
}

TEST(MeshRetryTest, HostSelectionMaxAttemptsAloneLeavesHttpEmptyAsInKuma) {
  Violations v = check("MeshRetry", R"(
targetRef: {kind: Mesh}
to:
- targetRef: {kind: Mesh}
  default:
    http: {hostSelectionMaxAttempts: 3}
)");
  ASSERT_EQ(v.size(), 1u) << v.toString();
  EXPECT_EQ(v.list()[0].field, "spec.to[0].default.conf.http");
  EXPECT_EQ(v.list()[0].message, "must not be empty");
}

TEST(MeshRetryTest, RateLimitedMaxIntervalMustBePositive) {
  Violations v = check("MeshRetry", R"(
targetRef: {kind: Mesh}
to:
- targetRef: {kind: Mesh}
  default:
    grpc:
      rateLimitedBackOff: {maxInterval: 0s, resetHeaders: [{name: retry-after, format: Seconds}]}
)");
  ASSERT_EQ(v.size(), 1u) << v.toString();
  EXPECT_EQ(v.list()[0].field, "spec.to[0].default.conf.grpc.rateLimitedBackOff.maxInterval");
  EXPECT_EQ(v.list()[0].message, "must be defined and greater than zero");
}

// --- Presence of optional fields --------------------------------------------

TEST(MeshTimeoutTest, ZeroConnectionTimeoutIsRefusedOnlyWhenWritten) {
  const char* with_zero = R"(
targetRef: {kind: Mesh}
to:
- targetRef: {kind: Mesh}
  default: {connectionTimeout: 0s, idleTimeout: 0s}
)";
  Violations v = check("MeshTimeout", with_zero);
  ASSERT_EQ(v.size(), 1u) << v.toString();
  EXPECT_EQ(v.list()[0].field, "spec.to[0].default.connectionTimeout");
  EXPECT_EQ(v.list()[0].message, "must be greater than zero when defined");

  EXPECT_TRUE(check("MeshTimeout", R"(
targetRef: {kind: Mesh}
from:
- targetRef: {kind: Mesh}
  default: {idleTimeout: 0s}
)").empty());
}

TEST(MeshCircuitBreakerTest, ZeroLimitIsRefusedButAbsentLimitIsNot) {
  Violations v = check("MeshCircuitBreaker", R"(
targetRef: {kind: Mesh}
from:
- targetRef: {kind: Mesh}
  default:
    connectionLimits: {maxRetries: 0, maxRequests: 7}
    outlierDetection:
      detectors: {successRate: {standardDeviationFactor: "-0.5"}}
)");
  ASSERT_EQ(v.size(), 2u) << v.toString();
  EXPECT_EQ(v.list()[0].field, "spec.from[0].default.connectionLimits.maxRetries");
  EXPECT_EQ(v.list()[1].field,
            "spec.from[0].default.outlierDetection.detectors.successRate.standardDeviationFactor");
  EXPECT_EQ(v.list()[1].message, "must be greater than 0");
}

TEST(MeshHealthCheckTest, EmptyPathIsRefusedAndEventLogPathMayBeWindows) {
  Violations v = check("MeshHealthCheck", R"(
targetRef: {kind: Mesh}
to:
- targetRef: {kind: Mesh}
  default:
    eventLogPath: 'C:\logs\hc.log'
    healthyPanicThreshold: "fifty"
    http: {path: ""}
)");
  ASSERT_EQ(v.size(), 2u) << v.toString();
  EXPECT_EQ(v.list()[0].field, "spec.to[0].default.healthyPanicThreshold");
  EXPECT_EQ(v.list()[0].message, "string has to be a valid number");
  EXPECT_EQ(v.list()[1].field, "spec.to[0].default.http.path");
  EXPECT_EQ(v.list()[1].message, "must be defined");
}

TEST(MeshRateLimitTest, RateNeedsMoreThanFiftyMilliseconds) {
  Violations v = check("MeshRateLimit", R"(
targetRef: {kind: Mesh}
from:
- targetRef: {kind: Mesh}
  default:
    local:
      tcp: {connectionRate: {num: 5, interval: 50ms}}
      http: {onRateLimit: {status: 0}}
)");
  ASSERT_EQ(v.size(), 2u) << v.toString();
  EXPECT_EQ(v.list()[0].field, "spec.from[0].default.local.http.onRateLimit.status");
  EXPECT_EQ(v.list()[0].message, "must be greater than 0");
  EXPECT_EQ(v.list()[1].field, "spec.from[0].default.local.tcp.connectionRate.interval");
  EXPECT_EQ(v.list()[1].message, "must be greater than: 50ms");
}

TEST(PolicyHelpersATest, FilePathsAsKumaAcceptsThem) {
  using validators::isFilePath;
  EXPECT_TRUE(isFilePath("/tmp/health-check.log"));
  EXPECT_TRUE(isFilePath("//x"));
  EXPECT_TRUE(isFilePath("C:\\logs\\a.log"));
  EXPECT_TRUE(isFilePath("C:\\logs\\"));
  EXPECT_FALSE(isFilePath(""));
  EXPECT_FALSE(isFilePath("#not_valid_path"));
  EXPECT_FALSE(isFilePath("logs/a.log"));
  EXPECT_FALSE(isFilePath("C:\\\\a"));
  EXPECT_FALSE(isFilePath("C:\\a|b"));
  EXPECT_FALSE(isFilePath(std::string_view("/a\0b", 4)));
}

// --- Round trips -------------------------------------------------------------

// Each document is written as ursa writes it back: Kuma's keys, durations as
// Go prints them, fields in declaration order.
struct RoundTripCase {
  const char* type;
  const char* yaml;
};

class PolicyTypesARoundTripCase : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(PolicyTypesARoundTripCase, KeepsKumasKeysAndGoDurations) {
  auto want = parseYaml(GetParam().yaml);
  ASSERT_TRUE(want.ok()) << want.status();
  EXPECT_EQ(roundTrip(GetParam().type, GetParam().yaml), *want);
  EXPECT_TRUE(check(GetParam().type, GetParam().yaml).empty())
      << check(GetParam().type, GetParam().yaml).toString();
}

INSTANTIATE_TEST_SUITE_P(
    PolicyTypesA, PolicyTypesARoundTripCase,
    ::testing::Values(
        RoundTripCase{"MeshTimeout", R"(
targetRef: {kind: MeshService, name: web}
to:
- targetRef: {kind: Mesh}
  default:
    connectionTimeout: 1m30s
    idleTimeout: 1h0m0s
    http: {requestTimeout: 0s, streamIdleTimeout: 250ms, maxConnectionDuration: 2h5m0s}
from:
- targetRef: {kind: Mesh}
  default: {idleTimeout: 0s}
)"},
        RoundTripCase{"MeshRetry", R"(
targetRef: {kind: Mesh}
to:
- targetRef: {kind: MeshService, name: backend}
  default:
    tcp: {maxConnectAttempt: 0}
    http:
      numRetries: 0
      perTryTimeout: 15s
      backOff: {baseInterval: 25ms, maxInterval: 250ms}
      rateLimitedBackOff:
        resetHeaders: [{name: retry-after, format: Seconds}]
        maxInterval: 5m0s
      retryOn: [5xx, 503, "409"]
      retriableResponseHeaders: [{type: Prefix, name: x-a, value: b}]
      retriableRequestHeaders: [{name: x-c}]
      hostSelection:
      - {predicate: OmitHostsWithTags, tags: {version: v1}}
      - {predicate: OmitPreviousPriorities, updateFrequency: 2}
      hostSelectionMaxAttempts: 3
    grpc: {retryOn: [Unavailable]}
)"},
        RoundTripCase{"MeshCircuitBreaker", R"(
targetRef: {kind: MeshSubset, tags: {zone: east}}
to:
- targetRef: {kind: MeshService, name: backend}
  default:
    connectionLimits: {maxConnections: 2, maxRequests: 32}
    outlierDetection:
      disabled: false
      interval: 5s
      baseEjectionTime: 30s
      maxEjectionPercent: 0
      splitExternalAndLocalErrors: true
      detectors:
        totalFailures: {consecutive: 10}
        localOriginFailures: {}
        successRate: {minimumHosts: 5, standardDeviationFactor: "1.9"}
        failurePercentage: {threshold: 85}
)"},
        RoundTripCase{"MeshHealthCheck", R"(
targetRef: {kind: Mesh}
to:
- targetRef: {kind: Mesh}
  default:
    interval: 10s
    timeout: 2s
    unhealthyThreshold: 3
    healthyThreshold: 1
    intervalJitterPercent: 0
    healthyPanicThreshold: "50.5"
    failTrafficOnPanic: false
    eventLogPath: /tmp/hc.log
    noTrafficInterval: 1m0s
    tcp: {disabled: true, send: Zm9v, receive: [YmFy]}
    http:
      path: /health
      requestHeadersToAdd: {set: [{name: accept, value: json}], add: [{name: x-a, value: b}]}
      expectedStatuses: [200, 201]
    grpc: {serviceName: "", authority: ""}
    reuseConnection: false
)"},
        RoundTripCase{"MeshRateLimit", R"(
targetRef: {kind: MeshService, name: web}
from:
- targetRef: {kind: Mesh}
  default:
    local:
      http:
        disabled: false
        requestRate: {num: 100, interval: 1s}
        onRateLimit: {status: 429, headers: {add: [{name: x-limited, value: "true"}]}}
      tcp: {connectionRate: {num: 10, interval: 100ms}}
)"}));

TEST(PolicyTypesARoundTrip, DurationsAreRewrittenAsGoPrintsThem) {
  Json out = roundTrip("MeshTimeout", R"(
targetRef: {kind: Mesh}
to:
- targetRef: {kind: Mesh}
  default: {connectionTimeout: 90s, idleTimeout: 1h}
)");
  EXPECT_EQ(out["to"][0]["default"]["connectionTimeout"], "1m30s");
  EXPECT_EQ(out["to"][0]["default"]["idleTimeout"], "1h0m0s");
}

TEST(PolicyTypesARoundTrip, KeysOutsideKumasSchemaAreRefusedByName) {
  Violations v = check("MeshHealthCheck", R"(
targetRef: {kind: Mesh}
to:
- targetRef: {kind: Mesh}
  default:
    http:
      requestHeadersToAdd: {remove: [x-a]}
)");
  ASSERT_EQ(v.size(), 1u) << v.toString();
  EXPECT_EQ(v.list()[0].field, "spec.to[0].default.http.requestHeadersToAdd.remove");
}

}  // namespace
}  // namespace ursa::model
