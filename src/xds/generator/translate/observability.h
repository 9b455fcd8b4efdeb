#pragma once

// MeshAccessLog and MeshTrace confs -> Envoy access loggers, HCM tracing and
// collector clusters (access_log.cc, trace.cc). Pure functions, like the
// rest of translate/ (see translate.h); docs/policies.md lists what reaches
// which client.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "envoy/config/accesslog/v3/accesslog.pb.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"
#include "src/xds/generator/translate/translate.h"
#include "ursa/policies/meshaccesslog/v1alpha1/meshaccesslog.pb.h"
#include "ursa/policies/meshtrace/v1alpha1/meshtrace.pb.h"

namespace ursa::xds::gen::translate {

// --- MeshAccessLog (access_log.cc) ----------------------------------------------

// The values of Kuma's %KUMA_*% placeholders for one listener.
struct AccessLogValues {
  std::string mesh;
  std::string dataplane;       // the Dataplane's name (TCP backend socket)
  std::string source_service;  // "unknown" on inbounds, as Kuma
  std::string destination_service;
  std::string source_ip;  // the Dataplane's address
  std::string direction;  // "INBOUND" | "OUTBOUND"
};

// Kuma 2.2's default formats (a newline is appended to every plain format).
extern const char kDefaultHttpAccessLogFormat[];
extern const char kDefaultTcpAccessLogFormat[];

// Kuma's placeholders in `format` replaced by `values`.
std::string interpolateKumaValues(std::string format, const AccessLogValues& values);

// The OpenTelemetry collectors one proxy's access logs export to (Kuma 2.2's
// EndpointAccumulator): one cluster "meshaccesslog:opentelemetry:<i>" per
// distinct host and port, numbered from 0 in the order first named.
class OtelLogCollectors {
 public:
  // The cluster for `endpoint` ("host[:port]", "[v6][:port]" or a URL; port
  // 4317 when absent); nullopt when it cannot be read.
  std::optional<std::string> clusterFor(std::string_view endpoint);
  // A cluster per endpoint named so far, in numbering order.
  const std::vector<envoy::config::cluster::v3::Cluster>& clusters() const { return clusters_; }

 private:
  std::map<std::pair<std::string, uint32_t>, size_t> index_;
  std::vector<envoy::config::cluster::v3::Cluster> clusters_;
};

// The access loggers of `conf`'s backends, in order (an empty `backends`
// list logs nothing), with Kuma's default format for `http` or TCP
// listeners when a backend gives none:
// - `file`: envoy.access_loggers.file writing to its path;
// - `tcp`: envoy.access_loggers.file writing {"address", "message"} lines to
//   the proxy's access log socket, which ursa-dp relays;
// - `openTelemetry`: envoy.access_loggers.open_telemetry exporting to the
//   endpoint's cluster in `collectors`, log name "MeshAccessLog", the
//   attributes as string values with Kuma's placeholders interpolated (Kuma
//   2.2 passes them through, and Envoy rejects an unknown %KUMA_...%). An
//   endpoint that cannot be read skips the backend with a warning naming
//   `origin`.
std::vector<envoy::config::accesslog::v3::AccessLog> accessLogs(
    const ursa::policies::meshaccesslog::v1alpha1::MeshAccessLog::Conf& conf,
    const AccessLogValues& values, bool http, const std::string& origin,
    OtelLogCollectors& collectors, const Warn& warn);

// --- MeshTrace (trace.cc) ----------------------------------------------------------

struct Tracing {
  envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager::Tracing
      hcm;
  envoy::config::cluster::v3::Cluster collector;  // "meshtrace:<provider>"
};

// The HCM tracing of a MeshTrace conf (the first backend; sampling
// percentages; literal and header tags) for the traffic of `service`;
// `destination` non-empty on outbounds (Datadog's splitService names the
// span service "<service>_<destination>"). Nullopt, with a warning, when the
// conf has no backend or its address cannot be read.
std::optional<Tracing> tracingOf(const ursa::policies::meshtrace::v1alpha1::MeshTrace::Conf& conf,
                                 const std::string& service, const std::string& destination,
                                 const Warn& warn);

}  // namespace ursa::xds::gen::translate
