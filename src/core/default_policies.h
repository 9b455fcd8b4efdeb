#pragma once

// The policies every new Mesh gets, as Kuma 2.2 creates its "allow-all",
// "timeout-all", "circuit-breaker-all" and "retry-all" defaults
// (pkg/defaults/mesh) — expressed with the targetRef policy types, the only
// ones ursa has. Values are Kuma 2.2's:
//
//   allow-all-<mesh>              MeshTrafficPermission  Mesh -> from Mesh: Allow
//   mesh-timeout-all-<mesh>       MeshTimeout  to Mesh: connectionTimeout 5s, idleTimeout 1h,
//                                 http.requestTimeout 15s, http.streamIdleTimeout 30m
//   mesh-circuit-breaker-all-<mesh> MeshCircuitBreaker  to Mesh: connectionLimits
//                                 maxConnections/maxPendingRequests/maxRequests 1024, maxRetries 3
//   mesh-retry-all-<mesh>         MeshRetry  to Mesh: tcp.maxConnectAttempt 5; http and grpc:
//                                 numRetries 5, perTryTimeout 16s, backOff 25ms..250ms
//
// Kuma 2.2's "route-all" TrafficRoute has no counterpart: targetRef routing
// sends traffic to every service without one. Names of the targetRef ones
// follow Kuma 2.6, which creates the same types under those names.
// ResourceManager creates them when it creates a Mesh (ManagerOptions::
// create_default_policies; the control plane sets it unless
// `defaults.skipDefaultPolicies`).

#include <vector>

#include "ursa/model/resource.h"

namespace ursa::core {

// The default policies of mesh `mesh`, ready to be validated and stored.
std::vector<model::Resource> defaultPoliciesFor(const std::string& mesh);


}  // namespace ursa::core
