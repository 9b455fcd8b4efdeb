#pragma once

// MeshAccessLog and MeshTrace confs -> Envoy access loggers, HCM tracing and
// collector clusters (access_log.cc, trace.cc). Pure functions, like the
// rest of translate/ (see translate.h); docs/policies.md lists what reaches
// which client.

#include <optional>
#include <string>
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

// One envoy.access_loggers.file per `file` and `tcp` backend of `conf` (an
// empty `backends` list logs nothing), with Kuma's default format for `http`
// or TCP listeners when the backend gives none. `openTelemetry` backends are
// left out with a warning naming `origin` (the OpenTelemetry logger's protos
// are not in the Envoy API set ursa compiles).
std::vector<envoy::config::accesslog::v3::AccessLog> accessLogs(
    const ursa::policies::meshaccesslog::v1alpha1::MeshAccessLog::Conf& conf,
    const AccessLogValues& values, bool http, const std::string& origin, const Warn& warn);

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
