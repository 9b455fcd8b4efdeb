#pragma once

// The policies the Envoy profile applies to the finished resource set, as
// Kuma's plugins do (observability.cc, and translate/proxy_patch.h last).

#include "src/xds/generator/envoy/envoy_internal.h"
#include "src/xds/generator/snapshot_editor.h"

namespace ursa::xds::gen::envoy_profile {

// MeshAccessLog (inbound listeners: the from-rule for every client;
// outbound listeners: the to-rule of their service) appends access loggers
// to every HCM and tcp_proxy; MeshTrace sets the tracing of every inbound
// and outbound HCM and adds the collector's cluster.
void addObservability(const ProxyContext& ctx, const ProxyPolicies& policies, SnapshotEditor& out);

// `base` with access logs, tracing and MeshProxyPatch modifications
// applied; `base` itself when no such policy selects the proxy.
SnapshotConstSharedPtr applyPolicyPasses(const ProxyContext& ctx, const ProxyPolicies& policies,
                                         SnapshotConstSharedPtr base);

}  // namespace ursa::xds::gen::envoy_profile
