#pragma once

// MeshProxyPatch (proxy_patch.cc, proxy_patch_filters.cc,
// proxy_patch_values.cc): the policies' appendModifications applied to a
// proxy's finished resources, after every other generation step, as Kuma's
// ProxyTemplate modifications engine does.
//
// A modification that does not apply (a `value` that is not the Envoy
// resource it should be, a JSON patch failing, a result with unknown fields
// or failing the protoc-gen-validate rules) is skipped, the others are kept,
// and a warning names it: "MeshProxyPatch <mesh>/<name>:
// appendModifications[<i>] (<kind> <operation>): <why>".

#include <string>
#include <vector>

#include "src/xds/generator/snapshot_editor.h"
#include "ursa/model/resource.h"

namespace ursa::xds::gen::translate {

// Applies the modifications of `policies` (MeshProxyPatch resources in
// precedence order: their lists concatenated, as Kuma merges
// appendModifications) to `out`, in order.
void applyProxyPatches(const std::vector<model::ResourcePtr>& policies, SnapshotEditor& out);

// Kuma's origin of a generated resource, read from its name: "inbound",
// "outbound", "transparent", "admin" (matched by `match.origin`).
std::string originOf(TypeIndex type, const std::string& name);

}  // namespace ursa::xds::gen::translate
