#pragma once

// Telemetry collectors outside the mesh (MeshTrace and MeshAccessLog
// backends): reading their addresses and the clusters that reach them, as
// Kuma 2.2's ProvidedEndpointCluster + DefaultTimeout (+ Http2) build them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "envoy/config/cluster/v3/cluster.pb.h"

namespace ursa::xds::gen::translate {

// A collector address read from a URL or host:port.
struct CollectorAddress {
  std::string scheme;  // empty for host:port
  std::string host;
  uint32_t port = 0;
  std::string path;  // "/" when absent
};

// "scheme://host[:port][/path]", "host:port", "[v6]:port" or "host";
// `default_port` when the text names none (for URLs: http 80, https 443).
// Nullopt when the host is empty or the port is not in 1..65535.
std::optional<CollectorAddress> parseCollectorAddress(std::string_view text,
                                                      uint32_t default_port);

// True for IPv4 and IPv6 literals.
bool isIpLiteral(const std::string& host);

// Cluster `name` with the one endpoint `a`: STATIC for an IP, STRICT_DNS for
// a host name; 10 s connect timeout; HTTP/2 when `http2` (gRPC collectors);
// TLS with SNI = host for https URLs.
envoy::config::cluster::v3::Cluster collectorCluster(const std::string& name,
                                                     const CollectorAddress& a, bool http2);

}  // namespace ursa::xds::gen::translate
