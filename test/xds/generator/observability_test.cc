// MeshAccessLog and MeshTrace translation (translate/observability.h).

#include "src/xds/generator/translate/observability.h"

#include <gtest/gtest.h>

#include "envoy/config/trace/v3/datadog.pb.h"
#include "envoy/config/trace/v3/opentelemetry.pb.h"
#include "envoy/config/trace/v3/zipkin.pb.h"
#include "envoy/extensions/access_loggers/file/v3/file.pb.h"
#include "envoy/extensions/access_loggers/open_telemetry/v3/logs_service.pb.h"
#include "envoy/extensions/upstreams/http/v3/http_protocol_options.pb.h"
#include "src/xds/validate/pgv_checker.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen::translate {
namespace {

using envoy::extensions::access_loggers::file::v3::FileAccessLog;
using envoy::extensions::access_loggers::open_telemetry::v3::OpenTelemetryAccessLogConfig;
using ursa::policies::meshaccesslog::v1alpha1::MeshAccessLog;
using ursa::policies::meshtrace::v1alpha1::MeshTrace;

AccessLogValues outboundValues() {
  return {"default", "web-1", "web", "backend", "10.0.0.1", "OUTBOUND"};
}

FileAccessLog fileOf(const envoy::config::accesslog::v3::AccessLog& log) {
  EXPECT_EQ(log.name(), "envoy.access_loggers.file");
  FileAccessLog file;
  EXPECT_TRUE(log.typed_config().UnpackTo(&file));
  EXPECT_TRUE(validate::check(log).empty()) << validate::format(validate::check(log));
  return file;
}

OpenTelemetryAccessLogConfig otelOf(const envoy::config::accesslog::v3::AccessLog& log) {
  EXPECT_EQ(log.name(), "envoy.access_loggers.open_telemetry");
  OpenTelemetryAccessLogConfig otel;
  EXPECT_TRUE(log.typed_config().UnpackTo(&otel));
  EXPECT_TRUE(validate::check(log).empty()) << validate::format(validate::check(log));
  return otel;
}

struct Collect {
  std::vector<std::string> warnings;
  OtelLogCollectors collectors;
  Warn warn() {
    return [this](std::string w) { warnings.push_back(std::move(w)); };
  }
};

// accessLogs() with the collectors and warnings of `c`.
std::vector<envoy::config::accesslog::v3::AccessLog> logsOf(const MeshAccessLog::Conf& conf,
                                                            bool http, Collect& c,
                                                            const std::string& origin = "x") {
  return accessLogs(conf, outboundValues(), http, origin, c.collectors, c.warn());
}

TEST(AccessLogTest, InterpolatesEveryKumaPlaceholder) {
  EXPECT_EQ(interpolateKumaValues("%KUMA_MESH% %KUMA_SOURCE_SERVICE%->%KUMA_DESTINATION_SERVICE% "
                                  "%KUMA_SOURCE_ADDRESS% %KUMA_SOURCE_ADDRESS_WITHOUT_PORT% "
                                  "%KUMA_TRAFFIC_DIRECTION% %START_TIME% %KUMA_MESH%",
                                  outboundValues()),
            "default web->backend 10.0.0.1:0 10.0.0.1 OUTBOUND %START_TIME% default");
}

TEST(AccessLogTest, FileBackendUsesTheProtocolsDefaultFormat) {
  MeshAccessLog::Conf conf;
  conf.add_backends()->mutable_file()->set_path("/tmp/a.log");
  Collect c;
  auto http = logsOf(conf, true, c);
  auto tcp = logsOf(conf, false, c);
  ASSERT_EQ(http.size(), 1u);
  ASSERT_EQ(tcp.size(), 1u);
  FileAccessLog h = fileOf(http[0]);
  EXPECT_EQ(h.path(), "/tmp/a.log");
  std::string expected_http =
      interpolateKumaValues(std::string(kDefaultHttpAccessLogFormat) + "\n", outboundValues());
  EXPECT_EQ(h.log_format().text_format_source().inline_string(), expected_http);
  EXPECT_NE(expected_http.find("\"web\" \"backend\" \"10.0.0.1\""), std::string::npos);
  FileAccessLog t = fileOf(tcp[0]);
  EXPECT_EQ(
      t.log_format().text_format_source().inline_string(),
      interpolateKumaValues(std::string(kDefaultTcpAccessLogFormat) + "\n", outboundValues()));
  EXPECT_TRUE(c.warnings.empty());
}

TEST(AccessLogTest, EmptyBackendsLogNothing) {
  MeshAccessLog::Conf conf;
  Collect c;
  EXPECT_TRUE(logsOf(conf, true, c).empty());
}

TEST(AccessLogTest, TcpBackendWritesAddressedLinesToTheSocket) {
  MeshAccessLog::Conf conf;
  auto* tcp = conf.add_backends()->mutable_tcp();
  tcp->set_address("logstash:5000");
  auto* kv = tcp->mutable_format()->add_json();
  kv->set_key("src");
  kv->set_value("%KUMA_SOURCE_SERVICE%");
  tcp->mutable_format()->set_omit_empty_values(true);
  Collect c;
  auto logs = logsOf(conf, true, c);
  ASSERT_EQ(logs.size(), 1u);
  FileAccessLog f = fileOf(logs[0]);
  EXPECT_EQ(f.path(), "/tmp/kuma-al-web-1-default.sock");
  const auto& json = f.log_format().json_format().fields();
  EXPECT_EQ(json.at("address").string_value(), "logstash:5000");
  EXPECT_EQ(json.at("message").struct_value().fields().at("src").string_value(), "web");
  EXPECT_TRUE(f.log_format().omit_empty_values());
}

TEST(AccessLogTest, TcpBackendWithPlainFormatSendsTheLineAsMessage) {
  MeshAccessLog::Conf conf;
  auto* tcp = conf.add_backends()->mutable_tcp();
  tcp->set_address("127.0.0.1:5000");
  tcp->mutable_format()->set_plain("%KUMA_MESH% %BYTES_SENT%");
  Collect c;
  FileAccessLog f = fileOf(logsOf(conf, false, c).at(0));
  EXPECT_EQ(f.log_format().json_format().fields().at("message").string_value(),
            "default %BYTES_SENT%\n");
}

TEST(AccessLogTest, OpenTelemetryBackendExportsToItsCollectorsCluster) {
  MeshAccessLog::Conf conf;
  auto* otel = conf.add_backends()->mutable_open_telemetry();
  otel->set_endpoint("otel.observability:4317");
  auto* kv = otel->add_attributes();
  kv->set_key("route");
  kv->set_value("%KUMA_SOURCE_SERVICE%->%KUMA_DESTINATION_SERVICE% %RESPONSE_CODE%");
  Collect c;
  auto logs = logsOf(conf, true, c);
  ASSERT_EQ(logs.size(), 1u);
  OpenTelemetryAccessLogConfig config = otelOf(logs[0]);
  EXPECT_EQ(config.common_config().log_name(), "MeshAccessLog");
  EXPECT_EQ(config.common_config().transport_api_version(), envoy::config::core::v3::V3);
  EXPECT_EQ(config.common_config().grpc_service().envoy_grpc().cluster_name(),
            "meshaccesslog:opentelemetry:0");
  EXPECT_FALSE(config.has_body());
  ASSERT_EQ(config.attributes().values_size(), 1);
  EXPECT_EQ(config.attributes().values(0).key(), "route");
  EXPECT_EQ(config.attributes().values(0).value().string_value(), "web->backend %RESPONSE_CODE%");

  ASSERT_EQ(c.collectors.clusters().size(), 1u);
  const auto& cluster = c.collectors.clusters()[0];
  EXPECT_EQ(cluster.name(), "meshaccesslog:opentelemetry:0");
  EXPECT_EQ(cluster.type(), envoy::config::cluster::v3::Cluster::STRICT_DNS);
  const auto& socket =
      cluster.load_assignment().endpoints(0).lb_endpoints(0).endpoint().address().socket_address();
  EXPECT_EQ(socket.address(), "otel.observability");
  EXPECT_EQ(socket.port_value(), 4317u);
  envoy::extensions::upstreams::http::v3::HttpProtocolOptions options;
  ASSERT_TRUE(cluster.typed_extension_protocol_options()
                  .at("envoy.extensions.upstreams.http.v3.HttpProtocolOptions")
                  .UnpackTo(&options));
  EXPECT_TRUE(options.explicit_http_config().has_http2_protocol_options());
  EXPECT_TRUE(validate::check(cluster).empty()) << validate::format(validate::check(cluster));
  EXPECT_TRUE(c.warnings.empty());
}

TEST(AccessLogTest, OpenTelemetryAttributesAreAnEmptyListWhenNoneAreGiven) {
  MeshAccessLog::Conf conf;
  conf.add_backends()->mutable_open_telemetry()->set_endpoint("otel");
  Collect c;
  OpenTelemetryAccessLogConfig config = otelOf(logsOf(conf, false, c).at(0));
  EXPECT_TRUE(config.has_attributes());
  EXPECT_EQ(config.attributes().values_size(), 0);
}

TEST(AccessLogTest, OpenTelemetryCollectorsAreNumberedPerDistinctEndpoint) {
  Collect c;
  auto clusterOf = [&](const std::string& endpoint) {
    MeshAccessLog::Conf conf;
    conf.add_backends()->mutable_open_telemetry()->set_endpoint(endpoint);
    return otelOf(logsOf(conf, true, c).at(0)).common_config().grpc_service().envoy_grpc()
        .cluster_name();
  };
  EXPECT_EQ(clusterOf("otel:4317"), "meshaccesslog:opentelemetry:0");
  EXPECT_EQ(clusterOf("10.1.2.3:4318"), "meshaccesslog:opentelemetry:1");
  EXPECT_EQ(clusterOf("otel"), "meshaccesslog:opentelemetry:0");  // 4317 by default
  EXPECT_EQ(clusterOf("10.1.2.3:4318"), "meshaccesslog:opentelemetry:1");
  EXPECT_EQ(clusterOf("otel:4318"), "meshaccesslog:opentelemetry:2");
  ASSERT_EQ(c.collectors.clusters().size(), 3u);
  EXPECT_EQ(c.collectors.clusters()[1].type(), envoy::config::cluster::v3::Cluster::STATIC);
}

TEST(AccessLogTest, UnreadableOpenTelemetryEndpointSkipsOnlyThatBackend) {
  for (const char* endpoint : {"otel:port", "otel:70000", ":4317", "[::1"}) {
    MeshAccessLog::Conf conf;
    conf.add_backends()->mutable_open_telemetry()->set_endpoint(endpoint);
    conf.add_backends()->mutable_file()->set_path("/dev/stdout");
    Collect c;
    auto logs = logsOf(conf, true, c, "MeshAccessLog default/o");
    ASSERT_EQ(logs.size(), 1u) << endpoint;
    EXPECT_EQ(logs[0].name(), "envoy.access_loggers.file");
    ASSERT_EQ(c.warnings.size(), 1u) << endpoint;
    EXPECT_EQ(c.warnings[0], strCat("MeshAccessLog default/o: openTelemetry endpoint \"", endpoint,
                                    "\" cannot be read (want host:port); backend skipped"));
    EXPECT_TRUE(c.collectors.clusters().empty());
  }
}

TEST(TraceTest, ZipkinReadsTheUrlAndDefaults) {
  MeshTrace::Conf conf;
  conf.add_backends()->mutable_zipkin()->set_url("http://zipkin.obs:9411/api/v2/spans");
  Collect c;
  auto t = tracingOf(conf, "web", "", c.warn());
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->hcm.provider().name(), "envoy.tracers.zipkin");
  envoy::config::trace::v3::ZipkinConfig z;
  ASSERT_TRUE(t->hcm.provider().typed_config().UnpackTo(&z));
  EXPECT_EQ(z.collector_cluster(), "meshtrace:zipkin");
  EXPECT_EQ(z.collector_endpoint(), "/api/v2/spans");
  EXPECT_EQ(z.collector_hostname(), "zipkin.obs");
  EXPECT_TRUE(z.shared_span_context().value());
  EXPECT_EQ(z.collector_endpoint_version(), envoy::config::trace::v3::ZipkinConfig::HTTP_JSON);
  EXPECT_FALSE(t->hcm.has_overall_sampling());
  EXPECT_EQ(t->collector.name(), "meshtrace:zipkin");
  EXPECT_EQ(t->collector.type(), envoy::config::cluster::v3::Cluster::STRICT_DNS);
  const auto& socket = t->collector.load_assignment()
                           .endpoints(0)
                           .lb_endpoints(0)
                           .endpoint()
                           .address()
                           .socket_address();
  EXPECT_EQ(socket.address(), "zipkin.obs");
  EXPECT_EQ(socket.port_value(), 9411u);
  EXPECT_TRUE(validate::check(t->collector).empty());
}

TEST(TraceTest, SamplingAndTags) {
  MeshTrace::Conf conf;
  conf.add_backends()->mutable_zipkin()->set_url("https://10.1.1.1/spans");
  conf.mutable_sampling()->mutable_overall()->set_int_value(80);
  conf.mutable_sampling()->mutable_random()->set_string_value("12.5");
  auto* literal = conf.add_tags();
  literal->set_name("team");
  literal->set_literal("core");
  auto* header = conf.add_tags();
  header->set_name("env");
  header->mutable_header()->set_name("x-env");
  Collect c;
  auto t = tracingOf(conf, "web", "", c.warn());
  ASSERT_TRUE(t.has_value());
  EXPECT_DOUBLE_EQ(t->hcm.overall_sampling().value(), 80);
  EXPECT_DOUBLE_EQ(t->hcm.random_sampling().value(), 12.5);
  EXPECT_FALSE(t->hcm.has_client_sampling());
  ASSERT_EQ(t->hcm.custom_tags_size(), 2);
  EXPECT_EQ(t->hcm.custom_tags(0).literal().value(), "core");
  EXPECT_EQ(t->hcm.custom_tags(1).request_header().name(), "x-env");
  EXPECT_EQ(t->collector.type(), envoy::config::cluster::v3::Cluster::STATIC);
  EXPECT_EQ(t->collector.load_assignment()
                .endpoints(0)
                .lb_endpoints(0)
                .endpoint()
                .address()
                .socket_address()
                .port_value(),
            443u);
  EXPECT_TRUE(t->collector.has_transport_socket());  // https
}

TEST(TraceTest, DatadogSplitServiceNamesOutboundSpans) {
  MeshTrace::Conf conf;
  auto* dd = conf.add_backends()->mutable_datadog();
  dd->set_url("http://127.0.0.1:8126");
  dd->set_split_service(true);
  Collect c;
  envoy::config::trace::v3::DatadogConfig config;
  ASSERT_TRUE(
      tracingOf(conf, "web", "backend", c.warn())->hcm.provider().typed_config().UnpackTo(&config));
  EXPECT_EQ(config.service_name(), "web_backend");
  ASSERT_TRUE(
      tracingOf(conf, "web", "", c.warn())->hcm.provider().typed_config().UnpackTo(&config));
  EXPECT_EQ(config.service_name(), "web");
  EXPECT_EQ(config.collector_cluster(), "meshtrace:datadog");
}

TEST(TraceTest, OpenTelemetryUsesAnHttp2Cluster) {
  MeshTrace::Conf conf;
  conf.add_backends()->mutable_open_telemetry()->set_endpoint("otel-collector:4317");
  Collect c;
  auto t = tracingOf(conf, "web", "", c.warn());
  ASSERT_TRUE(t.has_value());
  envoy::config::trace::v3::OpenTelemetryConfig config;
  ASSERT_TRUE(t->hcm.provider().typed_config().UnpackTo(&config));
  EXPECT_EQ(config.grpc_service().envoy_grpc().cluster_name(), "meshtrace:opentelemetry");
  EXPECT_EQ(config.service_name(), "web");
  EXPECT_EQ(t->collector.typed_extension_protocol_options().size(), 1u);
}

TEST(TraceTest, UnreadableAddressGivesNoTracingAndAWarning) {
  MeshTrace::Conf conf;
  conf.add_backends()->mutable_zipkin()->set_url("http://zipkin:notaport/api");
  Collect c;
  EXPECT_FALSE(tracingOf(conf, "web", "", c.warn()).has_value());
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("http://zipkin:notaport/api"), std::string::npos);
}

TEST(TraceTest, NoBackendNoTracing) {
  Collect c;
  EXPECT_FALSE(tracingOf(MeshTrace::Conf(), "web", "", c.warn()).has_value());
  EXPECT_TRUE(c.warnings.empty());
}

}  // namespace
}  // namespace ursa::xds::gen::translate
