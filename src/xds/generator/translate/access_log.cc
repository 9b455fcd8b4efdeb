// MeshAccessLog -> Envoy access loggers (Kuma 2.2's meshaccesslog
// configurer): a `file` backend writes to its path; a `tcp` backend writes
// JSON {"address", "message"} lines to the proxy's access log socket, for the
// agent beside the proxy to relay over TCP (as kuma-dp does); an
// `openTelemetry` backend exports over gRPC to its collector's cluster.

#include <utility>

#include "envoy/config/core/v3/substitution_format_string.pb.h"
#include "envoy/extensions/access_loggers/file/v3/file.pb.h"
#include "envoy/extensions/access_loggers/open_telemetry/v3/logs_service.pb.h"
#include "google/protobuf/struct.pb.h"
#include "src/xds/generator/translate/collector.h"
#include "src/xds/generator/translate/observability.h"
#include "ursa/common/strings.h"
#include "ursa/model/access_log_socket.h"

namespace ursa::xds::gen::translate {

namespace {

using envoy::config::core::v3::SubstitutionFormatString;
using ursa::policies::meshaccesslog::v1alpha1::MeshAccessLog;

constexpr char kFileLogger[] = "envoy.access_loggers.file";
constexpr char kOtelLogger[] = "envoy.access_loggers.open_telemetry";
constexpr char kOtelLogName[] = "MeshAccessLog";
constexpr uint32_t kOtelDefaultPort = 4317;

void replaceAll(std::string& s, std::string_view from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

// The backend's format as Envoy's: plain text (default `default_format`,
// newline-terminated) or a JSON object of interpolated strings. A TCP
// backend wraps either into {"address": <address>, "message": ...}.
SubstitutionFormatString formatOf(const MeshAccessLog::Format& format, const char* default_format,
                                  const AccessLogValues& values, const std::string* tcp_address) {
  SubstitutionFormatString out;
  google::protobuf::Value message;
  if (format.json().empty()) {
    std::string text = format.has_plain() && !format.plain().empty() ? format.plain()
                                                                     : std::string(default_format);
    text = interpolateKumaValues(text + "\n", values);
    if (tcp_address == nullptr) {
      out.mutable_text_format_source()->set_inline_string(text);
    } else {
      message.set_string_value(text);
    }
  } else {
    google::protobuf::Struct fields;
    for (const auto& kv : format.json()) {
      (*fields.mutable_fields())[kv.key()].set_string_value(
          interpolateKumaValues(kv.value(), values));
    }
    if (tcp_address == nullptr) {
      *out.mutable_json_format() = std::move(fields);
    } else {
      *message.mutable_struct_value() = std::move(fields);
    }
  }
  if (tcp_address != nullptr) {
    auto& json = *out.mutable_json_format()->mutable_fields();
    json["address"].set_string_value(*tcp_address);
    json["message"] = std::move(message);
  }
  if (format.omit_empty_values()) out.set_omit_empty_values(true);
  return out;
}

envoy::config::accesslog::v3::AccessLog fileLogger(const std::string& path,
                                                   SubstitutionFormatString format) {
  envoy::extensions::access_loggers::file::v3::FileAccessLog file;
  file.set_path(path);
  *file.mutable_log_format() = std::move(format);
  envoy::config::accesslog::v3::AccessLog log;
  log.set_name(kFileLogger);
  pack(file, log.mutable_typed_config());
  return log;
}

envoy::config::accesslog::v3::AccessLog otelLogger(const MeshAccessLog::OtelBackend& backend,
                                                   const std::string& cluster,
                                                   const AccessLogValues& values) {
  envoy::extensions::access_loggers::open_telemetry::v3::OpenTelemetryAccessLogConfig config;
  auto* common = config.mutable_common_config();
  common->set_log_name(kOtelLogName);
  common->set_transport_api_version(envoy::config::core::v3::V3);
  common->mutable_grpc_service()->mutable_envoy_grpc()->set_cluster_name(cluster);
  auto* attributes = config.mutable_attributes();  // present even when empty, as Kuma's
  for (const auto& kv : backend.attributes()) {
    auto* attribute = attributes->add_values();
    attribute->set_key(kv.key());
    attribute->mutable_value()->set_string_value(interpolateKumaValues(kv.value(), values));
  }
  envoy::config::accesslog::v3::AccessLog log;
  log.set_name(kOtelLogger);
  pack(config, log.mutable_typed_config());
  return log;
}

}  // namespace

std::optional<std::string> OtelLogCollectors::clusterFor(std::string_view endpoint) {
  auto address = parseCollectorAddress(endpoint, kOtelDefaultPort);
  if (!address) return std::nullopt;
  auto [it, added] = index_.try_emplace({address->host, address->port}, clusters_.size());
  if (added) {
    clusters_.push_back(collectorCluster(strCat("meshaccesslog:opentelemetry:", it->second),
                                         *address, /*http2=*/true));
  }
  return clusters_[it->second].name();
}

const char kDefaultHttpAccessLogFormat[] =
    "[%START_TIME%] %KUMA_MESH% \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" "
    "%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "
    "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" "
    "\"%REQ(X-B3-TRACEID?X-DATADOG-TRACEID)%\" \"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" "
    "\"%KUMA_SOURCE_SERVICE%\" \"%KUMA_DESTINATION_SERVICE%\" "
    "\"%KUMA_SOURCE_ADDRESS_WITHOUT_PORT%\" \"%UPSTREAM_HOST%\"";
const char kDefaultTcpAccessLogFormat[] =
    "[%START_TIME%] %RESPONSE_FLAGS% %KUMA_MESH% "
    "%KUMA_SOURCE_ADDRESS_WITHOUT_PORT%(%KUMA_SOURCE_SERVICE%)->%UPSTREAM_HOST%"
    "(%KUMA_DESTINATION_SERVICE%) took %DURATION%ms, sent %BYTES_SENT% bytes, received: "
    "%BYTES_RECEIVED% bytes";

std::string interpolateKumaValues(std::string format, const AccessLogValues& values) {
  replaceAll(format, "%KUMA_SOURCE_ADDRESS_WITHOUT_PORT%", values.source_ip);
  replaceAll(format, "%KUMA_SOURCE_ADDRESS%", strCat(values.source_ip, ":0"));
  replaceAll(format, "%KUMA_SOURCE_SERVICE%", values.source_service);
  replaceAll(format, "%KUMA_DESTINATION_SERVICE%", values.destination_service);
  replaceAll(format, "%KUMA_MESH%", values.mesh);
  replaceAll(format, "%KUMA_TRAFFIC_DIRECTION%", values.direction);
  return format;
}

std::vector<envoy::config::accesslog::v3::AccessLog> accessLogs(const MeshAccessLog::Conf& conf,
                                                                const AccessLogValues& values,
                                                                bool http,
                                                                const std::string& origin,
                                                                OtelLogCollectors& collectors,
                                                                const Warn& warn) {
  const char* default_format = http ? kDefaultHttpAccessLogFormat : kDefaultTcpAccessLogFormat;
  std::vector<envoy::config::accesslog::v3::AccessLog> out;
  for (const auto& backend : conf.backends()) {
    if (backend.has_file()) {
      out.push_back(fileLogger(backend.file().path(),
                               formatOf(backend.file().format(), default_format, values, nullptr)));
    } else if (backend.has_tcp()) {
      out.push_back(fileLogger(
          model::accessLogSocketPath(values.dataplane, values.mesh),
          formatOf(backend.tcp().format(), default_format, values, &backend.tcp().address())));
    } else if (backend.has_open_telemetry()) {
      const auto& otel = backend.open_telemetry();
      if (auto cluster = collectors.clusterFor(otel.endpoint())) {
        out.push_back(otelLogger(otel, *cluster, values));
      } else {
        warn(strCat(origin, ": openTelemetry endpoint \"", otel.endpoint(),
                    "\" cannot be read (want host:port); backend skipped"));
      }
    }
  }
  return out;
}

}  // namespace ursa::xds::gen::translate
