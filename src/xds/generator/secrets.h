#pragma once

// The SDS secrets of a proxy in a mesh with mTLS, shared by both profiles:
// `identity_cert:secret:<mesh>` (the proxy's certificate and key) and
// `mesh_ca:secret:<mesh>` (the mesh's trust anchors). Envoy reads them over
// ADS; ursa-dp reads them for proxyless applications and writes them as the
// files gRPC's file_watcher certificate provider watches.

#include "src/xds/generator/generator.h"

namespace ursa::xds::gen {

// Adds both secrets when the mesh has mTLS and the proxy has a certificate.
void addSecrets(const ProxyContext& ctx, SnapshotBuilder& out);

}  // namespace ursa::xds::gen
