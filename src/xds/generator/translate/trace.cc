// MeshTrace -> HCM tracing and the collector's cluster (Kuma 2.2's meshtrace
// plugin): providers envoy.tracers.zipkin, envoy.tracers.datadog and
// envoy.tracers.opentelemetry, each reaching its collector through cluster
// "meshtrace:<provider>".

#include <charconv>
#include <utility>

#include "envoy/config/trace/v3/datadog.pb.h"
#include "envoy/config/trace/v3/opentelemetry.pb.h"
#include "envoy/config/trace/v3/zipkin.pb.h"
#include "src/xds/generator/translate/collector.h"
#include "src/xds/generator/translate/observability.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen::translate {

namespace {

using ursa::policies::meshtrace::v1alpha1::MeshTrace;

double percentOf(const ursa::common::v1alpha1::IntOrString& v) {
  if (v.has_string_value()) {
    double d = 0;
    auto& s = v.string_value();
    std::from_chars(s.data(), s.data() + s.size(), d);
    return d;
  }
  return static_cast<double>(v.int_value());
}

void setSampling(const MeshTrace::Sampling& s, Tracing& out) {
  if (s.has_overall()) out.hcm.mutable_overall_sampling()->set_value(percentOf(s.overall()));
  if (s.has_client()) out.hcm.mutable_client_sampling()->set_value(percentOf(s.client()));
  if (s.has_random()) out.hcm.mutable_random_sampling()->set_value(percentOf(s.random()));
}

void setTags(const google::protobuf::RepeatedPtrField<MeshTrace::Tag>& tags, Tracing& out) {
  for (const auto& t : tags) {
    auto* tag = out.hcm.add_custom_tags();
    tag->set_tag(t.name());
    if (t.has_header()) {
      tag->mutable_request_header()->set_name(t.header().name());
      if (t.header().has_default_()) {
        tag->mutable_request_header()->set_default_value(t.header().default_());
      }
    } else {
      tag->mutable_literal()->set_value(t.literal());
    }
  }
}

constexpr char kZipkinCluster[] = "meshtrace:zipkin";
constexpr char kDatadogCluster[] = "meshtrace:datadog";
constexpr char kOtelCluster[] = "meshtrace:opentelemetry";

bool setZipkin(const MeshTrace::ZipkinBackend& z, Tracing& out) {
  auto a = parseCollectorAddress(z.url(), 9411);
  if (!a) return false;
  envoy::config::trace::v3::ZipkinConfig config;
  config.set_collector_cluster(kZipkinCluster);
  config.set_collector_endpoint(a->path);
  config.set_collector_hostname(a->host);
  config.set_trace_id_128bit(z.trace_id128bit());
  config.mutable_shared_span_context()->set_value(
      z.has_shared_span_context() ? z.shared_span_context() : true);
  config.set_collector_endpoint_version(z.api_version() == "httpProto"
                                            ? envoy::config::trace::v3::ZipkinConfig::HTTP_PROTO
                                            : envoy::config::trace::v3::ZipkinConfig::HTTP_JSON);
  out.hcm.mutable_provider()->set_name("envoy.tracers.zipkin");
  pack(config, out.hcm.mutable_provider()->mutable_typed_config());
  out.collector = collectorCluster(kZipkinCluster, *a, false);
  return true;
}

bool setDatadog(const MeshTrace::DatadogBackend& d, const std::string& service,
                const std::string& destination, Tracing& out) {
  auto a = parseCollectorAddress(d.url(), 8126);
  if (!a) return false;
  envoy::config::trace::v3::DatadogConfig config;
  config.set_collector_cluster(kDatadogCluster);
  config.set_service_name(
      d.split_service() && !destination.empty() ? strCat(service, "_", destination) : service);
  out.hcm.mutable_provider()->set_name("envoy.tracers.datadog");
  pack(config, out.hcm.mutable_provider()->mutable_typed_config());
  a->scheme.clear();  // the agent speaks plain HTTP
  out.collector = collectorCluster(kDatadogCluster, *a, false);
  return true;
}

bool setOpenTelemetry(const MeshTrace::OpenTelemetryBackend& o, const std::string& service,
                      Tracing& out) {
  auto a = parseCollectorAddress(o.endpoint(), 4317);
  if (!a) return false;
  envoy::config::trace::v3::OpenTelemetryConfig config;
  config.mutable_grpc_service()->mutable_envoy_grpc()->set_cluster_name(kOtelCluster);
  config.set_service_name(service);
  out.hcm.mutable_provider()->set_name("envoy.tracers.opentelemetry");
  pack(config, out.hcm.mutable_provider()->mutable_typed_config());
  out.collector = collectorCluster(kOtelCluster, *a, true);
  return true;
}

}  // namespace

std::optional<Tracing> tracingOf(const MeshTrace::Conf& conf, const std::string& service,
                                 const std::string& destination, const Warn& warn) {
  if (conf.backends().empty()) return std::nullopt;  // tracing off
  const MeshTrace::Backend& backend = conf.backends(0);
  Tracing out;
  bool ok = false;
  std::string address;
  if (backend.has_zipkin()) {
    address = backend.zipkin().url();
    ok = setZipkin(backend.zipkin(), out);
  } else if (backend.has_datadog()) {
    address = backend.datadog().url();
    ok = setDatadog(backend.datadog(), service, destination, out);
  } else if (backend.has_open_telemetry()) {
    address = backend.open_telemetry().endpoint();
    ok = setOpenTelemetry(backend.open_telemetry(), service, out);
  }
  if (!ok) {
    warn(strCat("MeshTrace: collector address \"", address, "\" cannot be read; no tracing"));
    return std::nullopt;
  }
  setSampling(conf.sampling(), out);
  setTags(conf.tags(), out);
  return out;
}

}  // namespace ursa::xds::gen::translate
