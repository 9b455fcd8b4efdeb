// MeshAccessLog and MeshTrace translation (translate/observability.h).

#include "src/xds/generator/translate/observability.h"

#include <gtest/gtest.h>

#include "envoy/config/trace/v3/datadog.pb.h"
#include "envoy/config/trace/v3/opentelemetry.pb.h"
#include "envoy/config/trace/v3/zipkin.pb.h"
#include "envoy/extensions/access_loggers/file/v3/file.pb.h"
#include "src/xds/validate/pgv_checker.h"

namespace ursa::xds::gen::translate {
namespace {

using envoy::extensions::access_loggers::file::v3::FileAccessLog;
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

struct Collect {
  std::vector<std::string> warnings;
  Warn warn() {
    return [this](std::string w) { warnings.push_back(std::move(w)); };
  }
};

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
  auto http = accessLogs(conf, outboundValues(), true, "MeshAccessLog default/x", c.warn());
  auto tcp = accessLogs(conf, outboundValues(), false, "MeshAccessLog default/x", c.warn());
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
  EXPECT_TRUE(accessLogs(conf, outboundValues(), true, "x", c.warn()).empty());
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
  auto logs = accessLogs(conf, outboundValues(), true, "x", c.warn());
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
  FileAccessLog f = fileOf(accessLogs(conf, outboundValues(), false, "x", c.warn()).at(0));
  EXPECT_EQ(f.log_format().json_format().fields().at("message").string_value(),
            "default %BYTES_SENT%\n");
}

TEST(AccessLogTest, OpenTelemetryBackendIsSkippedWithAWarning) {
  MeshAccessLog::Conf conf;
  conf.add_backends()->mutable_open_telemetry()->set_endpoint("otel:4317");
  conf.add_backends()->mutable_file()->set_path("/dev/stdout");
  Collect c;
  EXPECT_EQ(accessLogs(conf, outboundValues(), true, "MeshAccessLog default/o", c.warn()).size(),
            1u);
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("MeshAccessLog default/o: openTelemetry"), std::string::npos);
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
