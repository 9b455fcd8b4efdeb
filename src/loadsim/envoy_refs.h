#pragma once

// What an Envoy does with the resources it receives, reduced to what drives
// its next subscriptions: the EDS, SDS and RDS names a Cluster or Listener
// refers to, and the name inside an EDS/SDS/RDS resource (state-of-the-world
// responses carry bare Anys). Parsing failures yield empty results.

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "ursa/xds/snapshot.h"

namespace ursa::loadsim {

// The names a Cluster or Listener makes the proxy subscribe to.
struct Refs {
  std::set<std::string> endpoints;  // EDS: clusters of type EDS (service_name, else name)
  std::set<std::string> secrets;    // SDS: TLS certificate and validation context configs
  std::set<std::string> routes;     // RDS: HTTP connection managers using rds
  bool operator==(const Refs&) const = default;
};

// A resource's name and Refs, from its serialized bytes. `type` is one of
// the five served types; EDS/SDS/RDS resources have no Refs.
struct Inspected {
  std::string name;
  Refs refs;
};
Inspected inspect(xds::TypeIndex type, std::string_view bytes);

// Whether a ClusterLoadAssignment (bytes) has an endpoint at address:port.
bool hasEndpoint(std::string_view cla_bytes, std::string_view address, uint32_t port);

// The timeout of the first route of a Listener's inline route configuration
// (its HTTP connection manager's route_config), in milliseconds; nullopt
// when the listener has no inline route or the bytes do not parse.
std::optional<int64_t> routeTimeoutMs(std::string_view listener_bytes);

}  // namespace ursa::loadsim
