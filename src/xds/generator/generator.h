#pragma once

// Turns one proxy's inputs into its xDS Snapshot. Pure functions of their
// inputs: no store, no clock, no I/O; the same inputs always give the same
// bytes (so an unchanged proxy yields an identical snapshot and nothing is
// re-sent).
//
// Two profiles:
//  - Envoy sidecars, following Kuma 2.2's conventions (docs/xds.md): inbound
//    listeners and localhost clusters, outbound listeners, EDS clusters and
//    endpoints, routes, SDS secrets, the admin listener.
//  - Proxyless gRPC applications (Debian's gRPC 1.51 and @grpc/grpc-js-xds):
//    API listeners named as the application dials ("<service>.mesh",
//    "<service>.mesh:<port>"), server listeners named
//    "grpc/server?xds.resource.listening_address=<ip>:<port>", certificates
//    from the file_watcher provider instance "default", only what the
//    client's version handles (docs/xds.md, "Proxyless gRPC").

#include <memory>
#include <string>
#include <vector>

#include "src/xds/generator/mesh_context.h"
#include "ursa/xds/snapshot.h"

namespace ursa::xds::gen {

enum class Profile { Envoy, Grpc };

// What the proxy's xDS client is, from the node it announces.
struct ClientCapabilities {
  Profile profile = Profile::Envoy;
  std::string user_agent;          // node.user_agent_name
  std::string version;             // node.user_agent_version
  // gRPC C++ before 1.52 crashes on RING_HASH (grpc/grpc#31766).
  bool ring_hash = true;
  // gRPC C++ 1.51 fires xDS timeouts 1-2 s early (grpc/grpc#34547): timeouts
  // it receives need headroom, and sub-2s ones are dropped.
  bool exact_timeouts = true;
  bool delta = true;               // gRPC 1.51 speaks only state-of-the-world
};

// Reads the node's user agent and metadata ("ursa.proxy": "grpc" | "envoy").
ClientCapabilities capabilitiesOf(const std::string& user_agent_name,
                                  const std::string& user_agent_version,
                                  const std::string& proxy_metadata);

// Whether the stream comes from ursa-dp's own xDS client (its certificate
// writer, user agent "ursa-dp ..."), which reads only Secrets: its user agent
// says nothing about the application's xDS client, whose capabilities win.
bool isAgentClient(const std::string& user_agent_name);

// For logs: "profile grpc, ring_hash yes, exact timeouts no, delta no".
std::string describe(const ClientCapabilities& caps);

struct ProxyContext {
  model::ResourcePtr dataplane;        // the Dataplane resource
  MeshContextConstSharedPtr mesh;      // its mesh
  // The identity certificate; unset when the mesh has no mTLS.
  std::shared_ptr<const ca::IssuedCertificate> certificate;
  ClientCapabilities client;
  uint32_t admin_port = 9901;          // Envoy admin (bootstrap)
  // When the change this configuration answers happened (Snapshot::changeTime).
  absl::Time change_time = absl::InfinitePast();
};

// Names, as Kuma 2.2 writes them.
namespace names {
std::string inboundListener(const std::string& address, uint32_t port);
std::string localCluster(uint32_t port);
std::string inboundRoute(const std::string& service);
std::string outboundListener(const std::string& address, uint32_t port);
std::string outboundRoute(const std::string& service);
std::string identitySecret(const std::string& mesh);
std::string meshCaSecret(const std::string& mesh);
std::string grpcServerListener(const std::string& host_port);
std::string spiffeId(const std::string& mesh, const std::string& service);
}  // namespace names

// The services a proxy reaches: its explicit outbounds, plus with
// transparent proxying every service of the mesh (narrowed by
// reachableServices), minus its own.
std::vector<std::string> reachableServices(const ProxyContext& ctx);

SnapshotConstSharedPtr generateEnvoy(const ProxyContext& ctx);
SnapshotConstSharedPtr generateGrpc(const ProxyContext& ctx);
inline SnapshotConstSharedPtr generate(const ProxyContext& ctx) {
  return ctx.client.profile == Profile::Grpc ? generateGrpc(ctx) : generateEnvoy(ctx);
}

}  // namespace ursa::xds::gen
