#pragma once

// One accessor per resource type; each lives in its own file beside its
// validator. TypeRegistry (registry.cc) lists them all.

#include "ursa/model/resource.h"

namespace ursa::model::types {

// Kuma's protobuf ("legacy") types: spec fields flattened beside the envelope.
const ResourceType& mesh();
const ResourceType& dataplane();
const ResourceType& dataplaneInsight();
const ResourceType& externalService();
const ResourceType& zoneIngress();
const ResourceType& zoneEgress();
const ResourceType& zone();
const ResourceType& secret();
const ResourceType& globalSecret();

// targetRef policies: spec nested under `spec`.
const ResourceType& meshTrafficPermission();
const ResourceType& meshTimeout();
const ResourceType& meshRetry();
const ResourceType& meshHTTPRoute();
const ResourceType& meshTCPRoute();
const ResourceType& meshCircuitBreaker();
const ResourceType& meshHealthCheck();
const ResourceType& meshRateLimit();
const ResourceType& meshFaultInjection();
const ResourceType& meshAccessLog();
const ResourceType& meshTrace();
const ResourceType& meshLoadBalancingStrategy();
const ResourceType& meshProxyPatch();

}  // namespace ursa::model::types
