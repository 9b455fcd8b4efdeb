#pragma once

// "Why": what the policies of a mesh decide for traffic from one service to
// another (GET /meshes/{mesh}/explain/traffic?from=...&to=...; see
// docs/policies.md, "Inspection and explain"). Computed from the rules
// library as the proxies get it:
//  - on each destination instance (every Dataplane inbound serving the `to`
//    service, on the given port if any), the from-rules for the client:
//    MeshTrafficPermission (enforced only with mTLS on; with mTLS on and no
//    rule allowing, the default is deny), MeshFaultInjection, MeshRateLimit,
//    MeshTimeout (inbound side);
//  - on each source instance (every Dataplane with an inbound carrying the
//    `from` tags; a synthetic proxy with exactly those tags when none does),
//    the to-rules for the `to` service: MeshTimeout, MeshRetry,
//    MeshHTTPRoute, MeshTCPRoute, MeshCircuitBreaker,
//    MeshLoadBalancingStrategy, MeshHealthCheck.
// The client is described by exactly the tags given in `from` (a proxy's
// identity carries its tags). Each answer names the rule (subset, merged conf,
// origins) and the policy items that contributed, the last one deciding.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "src/api/inspect.h"

namespace ursa::api {

struct TrafficQuery {
  std::map<std::string, std::string> from_tags;  // kuma.io/service and more
  std::string to_service;
  std::optional<uint32_t> to_port;
};

// `from`: "SERVICE[,key=value...]"; `to`: "SERVICE[:port]". InvalidArgument
// with violations at `from` / `to` otherwise.
absl::StatusOr<TrafficQuery> parseTrafficQuery(std::string_view from, std::string_view to);

absl::StatusOr<Json> explainTraffic(const MeshView& view, const TrafficQuery& query);

}  // namespace ursa::api
