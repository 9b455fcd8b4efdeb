// Mesh and ExternalService beyond Kuma's validator cases: Mesh defaulting,
// round trips that keep Kuma's keys, typed backend confs, DataSource variants
// and the Go-compatible parsers the validators rely on.

#include <gtest/gtest.h>

#include "src/model/codec/well_known.h"
#include "src/model/validators/mesh_helpers.h"
#include "ursa/mesh/v1alpha1/ca_config.pb.h"
#include "ursa/mesh/v1alpha1/external_service.pb.h"
#include "ursa/mesh/v1alpha1/mesh.pb.h"
#include "ursa/mesh/v1alpha1/metrics.pb.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"

namespace ursa::model {
namespace {

using ursa::mesh::v1alpha1::BuiltinCertificateAuthorityConfig;
using ursa::mesh::v1alpha1::ExternalService;
using ursa::mesh::v1alpha1::Mesh;
using ursa::mesh::v1alpha1::PrometheusMetricsBackendConfig;
using ursa::mesh::v1alpha1::ProvidedCertificateAuthorityConfig;

const ResourceType& externalServiceType() {
  return *TypeRegistry::instance().byName("ExternalService");
}

// Decodes `yaml` strictly as a spec of `type`; fails the test on any problem.
std::shared_ptr<google::protobuf::Message> decode(const ResourceType& type,
                                                  std::string_view yaml) {
  auto doc = parseYaml(yaml);
  EXPECT_TRUE(doc.ok()) << doc.status();
  if (!doc.ok()) return nullptr;
  auto spec = decodeSpec(type, *doc);
  EXPECT_TRUE(spec.ok()) << spec.status();
  return spec.ok() ? *spec : nullptr;
}

Violations validate(const ResourceType& type, std::shared_ptr<google::protobuf::Message> spec) {
  Resource r;
  r.type = &type;
  r.meta.name = "test";
  r.meta.mesh = "default";
  r.spec = std::move(spec);
  return validateResource(r);
}

std::vector<std::string> fieldsOf(const Violations& v) {
  std::vector<std::string> out;
  for (const auto& x : v.list()) out.push_back(x.field);
  return out;
}

// --- Mesh defaulting -----------------------------------------------------------

TEST(MeshDefaultsTest, FillsPrometheusPortPathAndTags) {
  const ResourceType& type = TypeRegistry::instance().mesh();
  ASSERT_NE(type.apply_defaults, nullptr);
  auto spec = decode(type, R"(
metrics:
  enabledBackend: prom
  backends:
  - name: prom
    type: prometheus
)");
  ASSERT_NE(spec, nullptr);
  type.apply_defaults(*spec);
  const auto& mesh = static_cast<const Mesh&>(*spec);
  EXPECT_EQ(structToJson(mesh.metrics().backends(0).conf()),
            Json::parse(R"({"path": "/metrics", "port": 5670,
                            "tags": {"kuma.io/service": "dataplane-metrics"}})"));
  EXPECT_TRUE(validate(type, spec).empty());
}

TEST(MeshDefaultsTest, KeepsValuesTheUserSet) {
  const ResourceType& type = TypeRegistry::instance().mesh();
  auto spec = decode(type, R"(
metrics:
  backends:
  - name: prom
    type: prometheus
    conf:
      port: 1234
      tags: {kuma.io/service: metrics}
      skipMTLS: true
      aggregate: [{name: app, port: 8080, path: /stats}]
)");
  ASSERT_NE(spec, nullptr);
  type.apply_defaults(*spec);
  const auto& conf = static_cast<const Mesh&>(*spec).metrics().backends(0).conf();
  Json json = structToJson(conf);
  EXPECT_EQ(json["port"], 1234);
  EXPECT_EQ(json["path"], "/metrics");
  EXPECT_EQ(json["tags"], Json::parse(R"({"kuma.io/service": "metrics"})"));
  EXPECT_EQ(json["skipMTLS"], true);
  EXPECT_EQ(json["aggregate"][0]["port"], 8080);
}

TEST(MeshDefaultsTest, LeavesOtherTypesAndUnreadableConfsAlone) {
  const ResourceType& type = TypeRegistry::instance().mesh();
  auto spec = decode(type, R"(
metrics:
  backends:
  - name: other
    type: statsd
  - name: broken
    type: prometheus
    conf: {port: not-a-number}
)");
  ASSERT_NE(spec, nullptr);
  type.apply_defaults(*spec);
  const auto& mesh = static_cast<const Mesh&>(*spec);
  EXPECT_FALSE(mesh.metrics().backends(0).has_conf());
  EXPECT_EQ(structToJson(mesh.metrics().backends(1).conf()),
            Json::parse(R"({"port": "not-a-number"})"));
  // Validation reports the unreadable conf at the conf itself, as Kuma does.
  auto v = validate(type, spec);
  EXPECT_EQ(fieldsOf(v), (std::vector<std::string>{"metrics.backends[0].type",
                                                   "metrics.backends[1].conf"}));
}

// --- Mesh shape ----------------------------------------------------------------

constexpr std::string_view kFullMesh = R"(
mtls:
  enabledBackend: ca-1
  backends:
  - name: ca-1
    type: builtin
    dpCert:
      rotation:
        expiration: 1d
      requestTimeout: 5s
    conf:
      caCert:
        RSAbits: 4096
        expiration: 10y
    mode: PERMISSIVE
    rootChain:
      requestTimeout: 10s
tracing:
  defaultBackend: zipkin
  backends:
  - name: zipkin
    sampling: 12.5
    type: zipkin
    conf:
      url: http://zipkin:9411/api/v2/spans
  - name: dd
    type: datadog
    conf:
      address: 10.0.0.1
      port: 8126
      splitService: true
logging:
  defaultBackend: file
  backends:
  - name: file
    format: '%START_TIME% %KUMA_SOURCE_SERVICE%'
    type: file
    conf:
      path: /tmp/access.log
metrics:
  enabledBackend: prom
  backends:
  - name: prom
    type: prometheus
    conf:
      envoy:
        filterRegex: ^cluster
        usedOnly: true
      path: /metrics
      port: 5670
networking:
  outbound:
    passthrough: false
routing:
  localityAwareLoadBalancing: true
  zoneEgress: true
constraints:
  dataplaneProxy:
    requirements:
    - tags:
        kuma.io/zone: '*'
    restrictions:
    - tags:
        env: dev
)";

TEST(MeshShapeTest, RoundTripKeepsKumasKeys) {
  const ResourceType& type = TypeRegistry::instance().mesh();
  auto spec = decode(type, kFullMesh);
  ASSERT_NE(spec, nullptr);
  EXPECT_TRUE(validate(type, spec).empty()) << validate(type, spec).toString();
  Json encoded = encodeMessage(*spec, encodeOptionsFor(type));
  EXPECT_EQ(encoded, *parseYaml(kFullMesh)) << encoded.dump(2);
  const auto& backend = static_cast<const Mesh&>(*spec).mtls().backends(0);
  EXPECT_EQ(backend.mode(), ursa::mesh::v1alpha1::CertificateAuthorityBackend::PERMISSIVE);
  EXPECT_EQ(backend.dpcert().requesttimeout().seconds(), 5);
}

TEST(MeshShapeTest, BuiltinCaConfReadsRSAbits) {
  auto spec = decode(TypeRegistry::instance().mesh(), kFullMesh);
  ASSERT_NE(spec, nullptr);
  BuiltinCertificateAuthorityConfig cfg;
  Violations v;
  const auto& conf = static_cast<const Mesh&>(*spec).mtls().backends(0).conf();
  ASSERT_TRUE(validators::decodeBackendConf(conf, cfg, FieldPath::rootedAt("conf"), v));
  ASSERT_TRUE(cfg.cacert().has_rsabits());
  EXPECT_EQ(cfg.cacert().rsabits().value(), 4096u);
  EXPECT_EQ(cfg.cacert().expiration(), "10y");
}

TEST(MeshShapeTest, ProvidedCaConfReadsDataSources) {
  auto spec = decode(TypeRegistry::instance().mesh(), R"(
mtls:
  enabledBackend: ca-1
  backends:
  - name: ca-1
    type: provided
    conf:
      cert: {secret: my-ca-cert}
      key: {inlineString: "-----BEGIN RSA PRIVATE KEY-----"}
)");
  ASSERT_NE(spec, nullptr);
  ProvidedCertificateAuthorityConfig cfg;
  Violations v;
  const auto& conf = static_cast<const Mesh&>(*spec).mtls().backends(0).conf();
  ASSERT_TRUE(validators::decodeBackendConf(conf, cfg, FieldPath::rootedAt("conf"), v));
  EXPECT_EQ(cfg.cert().secret(), "my-ca-cert");
  EXPECT_EQ(cfg.key().inlinestring(), "-----BEGIN RSA PRIVATE KEY-----");
  // A conf of the wrong shape is reported at the conf, with the reason.
  google::protobuf::Struct bad;
  jsonToStruct(Json::parse(R"({"cert": "not-an-object"})"), bad);
  EXPECT_FALSE(validators::decodeBackendConf(bad, cfg, FieldPath::rootedAt("conf"), v));
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v.list()[0].field, "conf");
  EXPECT_NE(v.list()[0].message.find("cert"), std::string::npos) << v.list()[0].message;
}

TEST(MeshValidationTest, DatadogAndZipkinConfs) {
  const ResourceType& type = TypeRegistry::instance().mesh();
  auto spec = decode(type, R"(
tracing:
  backends:
  - name: dd
    type: datadog
    conf: {port: 70000}
  - name: zipkin
    type: zipkin
    conf: {url: "http://zipkin:port/spans"}
)");
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(fieldsOf(validate(type, spec)),
            (std::vector<std::string>{"tracing.backends[0].config.address",
                                      "tracing.backends[0].config.port",
                                      "tracing.backends[1].config.url"}));
}

// --- ExternalService -----------------------------------------------------------

TEST(ExternalServiceTest, AcceptsEveryDataSourceKind) {
  const ResourceType& type = externalServiceType();
  auto spec = decode(type, R"(
networking:
  address: httpbin.org:443
  tls:
    enabled: true
    caCert: {inline: aGVsbG8=}
    clientCert: {file: /etc/certs/client.pem}
    clientKey: {secret: client-key}
    serverName: httpbin.org
    allowRenegotiation: true
tags:
  kuma.io/service: httpbin
  kuma.io/protocol: http
)");
  ASSERT_NE(spec, nullptr);
  EXPECT_TRUE(validate(type, spec).empty()) << validate(type, spec).toString();
  const auto& tls = static_cast<const ExternalService&>(*spec).networking().tls();
  EXPECT_EQ(tls.ca_cert().inline_().value(), "hello");
  EXPECT_EQ(tls.client_cert().file(), "/etc/certs/client.pem");
  EXPECT_EQ(tls.client_key().secret(), "client-key");
  EXPECT_TRUE(tls.allowrenegotiation().value());
  Json encoded = encodeMessage(*spec);
  EXPECT_EQ(encoded["networking"]["tls"]["caCert"]["inline"], "aGVsbG8=");
  EXPECT_EQ(encoded["networking"]["tls"]["serverName"], "httpbin.org");
}

TEST(ExternalServiceTest, RefusesEmptyDataSourcesOnly) {
  const ResourceType& type = externalServiceType();
  auto spec = decode(type, R"(
networking:
  address: httpbin.org:443
  tls:
    caCert: {}
    clientCert: {file: ""}
    clientKey: {inlineString: key}
tags: {kuma.io/service: httpbin}
)");
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(fieldsOf(validate(type, spec)),
            (std::vector<std::string>{"networking.tls.caCert", "networking.tls.clientCert"}));
}

TEST(ExternalServiceTest, ReportsItsTags) {
  const ResourceType& type = externalServiceType();
  ASSERT_NE(type.tags, nullptr);
  auto spec = decode(type, "networking: {address: 'a.com:80'}\ntags: {kuma.io/service: a, v: '1'}");
  ASSERT_NE(spec, nullptr);
  TagSets sets = type.tags(*spec);
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0], (std::map<std::string, std::string>{{"kuma.io/service", "a"}, {"v", "1"}}));
}

// --- Go-compatible parsers -------------------------------------------------------

TEST(MeshHelpersTest, SplitHostPortAsGo) {
  using validators::splitHostPort;
  ASSERT_TRUE(splitHostPort("a.com:80"));
  EXPECT_EQ(splitHostPort("a.com:80")->host, "a.com");
  EXPECT_EQ(splitHostPort("[::1]:80")->host, "::1");
  EXPECT_EQ(splitHostPort(":80")->host, "");
  EXPECT_EQ(splitHostPort("a.com:")->port, "");
  EXPECT_FALSE(splitHostPort("a.com"));
  EXPECT_FALSE(splitHostPort("::1:80"));
  EXPECT_FALSE(splitHostPort("[::1]"));
  EXPECT_FALSE(splitHostPort("[::1]x:80"));
  EXPECT_FALSE(splitHostPort("a]:80"));
}

TEST(MeshHelpersTest, DnsNamesAsGovalidator) {
  using validators::isDnsName;
  EXPECT_TRUE(isDnsName("example.com"));
  EXPECT_TRUE(isDnsName("under_score.example.com."));
  EXPECT_TRUE(isDnsName("localhost"));
  EXPECT_FALSE(isDnsName(""));
  EXPECT_FALSE(isDnsName("-a.com"));
  EXPECT_FALSE(isDnsName("a..com"));
  EXPECT_FALSE(isDnsName("10.0.0.1"));
  EXPECT_FALSE(isDnsName(std::string(64, 'a')));
}

TEST(MeshHelpersTest, RequestUriPortAsGo) {
  using validators::requestUriPort;
  EXPECT_EQ(requestUriPort("http://zipkin:9411/api/v2/spans"), "9411");
  EXPECT_EQ(requestUriPort("http://[::1]:9411/x"), "9411");
  EXPECT_EQ(requestUriPort("http://zipkin/api"), "");
  EXPECT_EQ(requestUriPort("http://user:pw@zipkin:1/"), "1");
  EXPECT_EQ(requestUriPort("/just/a/path"), "");
  EXPECT_FALSE(requestUriPort("invalid-url"));
  EXPECT_FALSE(requestUriPort(":9411"));
  EXPECT_FALSE(requestUriPort("http://zipkin:port/"));
  EXPECT_FALSE(requestUriPort("http://zip kin:1/"));
  EXPECT_FALSE(requestUriPort("http://zipkin:1/%zz"));
}

TEST(MeshHelpersTest, KumaDurations) {
  using validators::parseKumaDuration;
  EXPECT_EQ(parseKumaDuration("0"), absl::ZeroDuration());
  EXPECT_EQ(parseKumaDuration("2y"), absl::Hours(2 * 365 * 24));
  EXPECT_EQ(parseKumaDuration("30ms"), absl::Milliseconds(30));
  EXPECT_FALSE(parseKumaDuration(""));
  EXPECT_FALSE(parseKumaDuration("2e"));
  EXPECT_FALSE(parseKumaDuration("1h30m"));
  EXPECT_FALSE(parseKumaDuration("d"));
}

TEST(MeshHelpersTest, AccessLogFormats) {
  using validators::accessLogFormatError;
  for (std::string_view ok :
       {"", "plain text", "%START_TIME% %KUMA_SOURCE_SERVICE%\n", "%REQ(X-Id?X-Alt):10%",
        "%REQ()%", "%DYNAMIC_METADATA(ns:key)%", "%DYNAMIC_METADATA()%",
        "%FILTER_STATE(k):5%", "%START_TIME(%Y-%m-%d)%", "%UNKNOWN_BUT_WELL_FORMED%"}) {
    EXPECT_EQ(accessLogFormatError(ok), std::nullopt) << ok;
  }
  EXPECT_EQ(accessLogFormatError("%START_TIME% %sent_bytes%"),
            "format string is not valid: expected a command operator to start at position 14, "
            "instead got: \"%sent_bytes%\"");
  EXPECT_EQ(accessLogFormatError("%REQ%"),
            "format string is not valid: command \"%REQ(X?Y):Z%\" requires a header and optional "
            "alternative header names as its arguments, instead got \"%REQ%\"");
  EXPECT_EQ(accessLogFormatError("%REQ(a?b?c)%"),
            "format string is not valid: more than 1 alternative header specified in "
            "\"%REQ(a?b?c)%\"");
  EXPECT_EQ(accessLogFormatError("%FILTER_STATE()%"),
            "format string is not valid: command \"%FILTER_STATE(KEY):Z%\" requires a key as its "
            "argument, instead got \"%FILTER_STATE()%\"");
  EXPECT_EQ(accessLogFormatError("%BYTES_SENT:10%"),
            "format string is not valid: command \"%BYTES_SENT%\" doesn't support arguments or "
            "max length constraint, instead got \"%BYTES_SENT:10%\"");
  EXPECT_NE(accessLogFormatError("%START_TIME(%n)%"), std::nullopt);
  EXPECT_NE(accessLogFormatError("100%"), std::nullopt);
}

}  // namespace
}  // namespace ursa::model
