// The Envoy sidecar profile: Kuma 2.2's default-proxy generators, in Kuma's
// order (admin, transparent proxy, inbound, outbound, secrets), then the
// policies that modify the finished set (access logs, tracing, proxy patches). A name added
// twice keeps the last one (SnapshotBuilder), as Kuma's ResourceSet does.

#include "src/xds/generator/envoy/envoy_internal.h"
#include "src/xds/generator/envoy/policy_passes.h"
#include "src/xds/generator/secrets.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen {

SnapshotConstSharedPtr generateEnvoy(const ProxyContext& ctx) {
  SnapshotBuilder out;
  out.setChangeTime(ctx.change_time);
  envoy_profile::addAdmin(ctx, out);
  envoy_profile::addTransparentProxy(ctx, out);
  ProxyPolicies policies = ctx.mesh->policiesFor(*ctx.dataplane);
  for (const auto& e : policies.errors()) out.addWarning(strCat("policy matching failed: ", e));
  envoy_profile::addInbounds(ctx, policies, out);
  envoy_profile::addOutbounds(ctx, policies, out);
  addSecrets(ctx, out);
  return envoy_profile::applyPolicyPasses(ctx, policies, out.build());
}

}  // namespace ursa::xds::gen
