// The proxyless gRPC profile, for what real clients were seen to need
// (test/e2e/node runs @grpc/grpc-js-xds 1.14.1 against it end to end):
//  - capabilitiesOf tells grpc-js from gRPC C++ 1.51 by their real user agents;
//  - ClusterLoadAssignment localities carry a locality (grpc-js NACKs without);
//  - a server Listener's HCM differs between plaintext and mTLS (grpc-js
//    crashes when only the transport socket differs).

#include <gtest/gtest.h>

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "src/store/cache/resource_cache.h"
#include "src/store/memory/memory_store.h"
#include "src/xds/generator/generator.h"
#include "test/xds/generator/golden_support.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"

namespace ursa::xds::gen {
namespace {

// What the clients really announce (node.user_agent_name / _version).
constexpr char kGrpcJs[] = "gRPC Node Pure JS";        // @grpc/grpc-js-xds
constexpr char kCcore[] = "gRPC C-core linux";         // Debian's gRPC C++ 1.51.1
constexpr char kCcore151Version[] = "C-core 29.0.0";
constexpr char kAgent[] = "ursa-dp (gRPC C++)";        // ursa-dp's certificate writer

TEST(CapabilitiesTest, GrpcJsGetsTheGrpcProfileWithRingHashAndExactTimeouts) {
  ClientCapabilities c = capabilitiesOf(kGrpcJs, "1.14.1", "grpc");
  EXPECT_EQ(c.profile, Profile::Grpc);
  EXPECT_TRUE(c.ring_hash);
  EXPECT_TRUE(c.exact_timeouts);
  EXPECT_FALSE(c.delta);
  EXPECT_EQ(describe(c), "profile grpc, ring_hash yes, exact timeouts yes, delta no");
  // Without ursa-dp's metadata, the user agent alone says gRPC.
  EXPECT_EQ(capabilitiesOf(kGrpcJs, "1.14.1", "").profile, Profile::Grpc);
}

TEST(CapabilitiesTest, GrpcCpp151GetsNeitherRingHashNorExactTimeouts) {
  for (const char* version : {kCcore151Version, "1.51.1", "29.0.0", ""}) {
    ClientCapabilities c = capabilitiesOf(kCcore, version, "grpc");
    EXPECT_EQ(c.profile, Profile::Grpc) << version;
    EXPECT_FALSE(c.ring_hash) << version;
    EXPECT_FALSE(c.exact_timeouts) << version;
  }
  EXPECT_EQ(describe(capabilitiesOf(kCcore, kCcore151Version, "grpc")),
            "profile grpc, ring_hash no, exact timeouts no, delta no");
}

TEST(CapabilitiesTest, NewerGrpcCppIsNotMistakenFor151) {
  // C-core 30 is gRPC 1.52, which has the ring_hash fix.
  for (const char* version : {"C-core 30.0.0", "C-core 36.1.0", "1.52.0"}) {
    ClientCapabilities c = capabilitiesOf(kCcore, version, "grpc");
    EXPECT_TRUE(c.ring_hash) << version;
    EXPECT_TRUE(c.exact_timeouts) << version;
  }
}

TEST(CapabilitiesTest, EnvoyAndTheAgentsOwnClient) {
  ClientCapabilities envoy = capabilitiesOf("envoy", "1.26.0", "envoy");
  EXPECT_EQ(envoy.profile, Profile::Envoy);
  EXPECT_TRUE(envoy.delta);
  EXPECT_TRUE(isAgentClient(kAgent));
  EXPECT_FALSE(isAgentClient(kGrpcJs));
  EXPECT_FALSE(isAgentClient(kCcore));
}

// --- generated resources ---------------------------------------------------------

using golden::FakeMeshCa;

constexpr char kMeshPlain[] = R"(type: Mesh
name: default
)";
constexpr char kMeshMtls[] = R"(type: Mesh
name: default
mtls:
  enabledBackend: ca-1
  backends:
  - name: ca-1
    type: builtin
)";
constexpr char kMeshPermissive[] = R"(type: Mesh
name: default
mtls:
  enabledBackend: ca-1
  backends:
  - name: ca-1
    type: builtin
    mode: PERMISSIVE
)";
constexpr char kDataplanes[] = R"(type: Dataplane
mesh: default
name: client
networking:
  address: 127.0.0.1
  inbound:
  - port: 7000
    tags: {kuma.io/service: client, kuma.io/protocol: grpc}
---
type: Dataplane
mesh: default
name: echo-1
networking:
  address: 127.0.0.1
  inbound:
  - port: 7001
    tags: {kuma.io/service: echo, kuma.io/protocol: grpc}
)";

// Generates the proxyless snapshot of `proxy` in a mesh `mesh_yaml`.
SnapshotConstSharedPtr generateFor(const std::string& mesh_yaml, const std::string& proxy) {
  store::MemoryStore store;
  bool mtls = mesh_yaml.find("mtls:") != std::string::npos;
  auto docs = model::parseYamlDocuments(mesh_yaml + "---\n" + kDataplanes);
  EXPECT_TRUE(docs.ok()) << docs.status();
  if (!docs.ok()) return nullptr;
  for (const auto& doc : *docs) {
    auto r = model::decodeResource(doc);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return nullptr;
    EXPECT_TRUE(store.create(*r).ok());
  }
  auto cache = store::ResourceCache::start(store);
  EXPECT_TRUE(cache.ok()) << cache.status();
  if (!cache.ok()) return nullptr;
  auto snap = (*cache)->current();
  EXPECT_TRUE(snap.ok()) << snap.status();
  if (!snap.ok()) return nullptr;
  ProxyContext ctx;
  ctx.mesh = MeshContext::build(**snap, "default",
                                mtls ? std::make_shared<const FakeMeshCa>() : nullptr);
  ctx.dataplane = (*snap)->get({&model::TypeRegistry::instance().dataplane(), "default", proxy});
  if (mtls) ctx.certificate = std::make_shared<const ca::IssuedCertificate>(FakeMeshCa::certificate());
  ctx.client = capabilitiesOf(kGrpcJs, "1.14.1", "grpc");
  EXPECT_NE(ctx.mesh, nullptr);
  EXPECT_NE(ctx.dataplane, nullptr);
  if (!ctx.mesh || !ctx.dataplane) return nullptr;
  return generateGrpc(ctx);
}

TEST(GrpcGeneratorTest, EveryLocalityHasALocality) {
  auto s = generateFor(kMeshPlain, "client");
  ASSERT_NE(s, nullptr);
  auto r = s->find(TypeIndex::Endpoint, "echo");
  ASSERT_NE(r, nullptr);
  envoy::config::endpoint::v3::ClusterLoadAssignment cla;
  ASSERT_TRUE(cla.ParseFromString(r->bytes));
  ASSERT_EQ(cla.endpoints_size(), 1);
  // grpc-js: "endpoints[0].locality unset" is a NACK.
  EXPECT_TRUE(cla.endpoints(0).has_locality());
  EXPECT_EQ(cla.endpoints(0).load_balancing_weight().value(), 1u);
  ASSERT_EQ(cla.endpoints(0).lb_endpoints_size(), 1);
}

TEST(GrpcGeneratorTest, ServerListenerHcmDiffersBetweenPlaintextAndMtls) {
  const std::string name = names::grpcServerListener("127.0.0.1:7001");
  envoy::config::listener::v3::Listener plain, mtls;
  for (auto [mesh, out] : {std::pair{kMeshPlain, &plain}, std::pair{kMeshMtls, &mtls}}) {
    auto s = generateFor(mesh, "echo-1");
    ASSERT_NE(s, nullptr);
    auto r = s->find(TypeIndex::Listener, name);
    ASSERT_NE(r, nullptr) << name;
    ASSERT_TRUE(out->ParseFromString(r->bytes));
    ASSERT_EQ(out->filter_chains_size(), 1);
    ASSERT_EQ(out->filter_chains(0).filters_size(), 1);
  }
  EXPECT_FALSE(plain.filter_chains(0).has_transport_socket());
  EXPECT_TRUE(mtls.filter_chains(0).has_transport_socket());
  // grpc-js 1.14.1 compares the filters' bytes before the transport socket
  // and throws when only the transport socket differs.
  EXPECT_NE(plain.filter_chains(0).filters(0).typed_config().value(),
            mtls.filter_chains(0).filters(0).typed_config().value());
}

// A gRPC server cannot take TLS and plaintext on one port, so PERMISSIVE is
// plaintext for proxyless workloads: the server accepts clients outside the
// mesh, and proxyless clients dial without TLS. STRICT keeps mTLS both ways.
TEST(GrpcGeneratorTest, PermissiveMtlsIsPlaintextBothWaysAndStrictIsMtls) {
  const std::string name = names::grpcServerListener("127.0.0.1:7001");
  for (auto [mesh, want_tls] : {std::pair{kMeshMtls, true}, std::pair{kMeshPermissive, false}}) {
    auto server = generateFor(mesh, "echo-1");
    ASSERT_NE(server, nullptr);
    auto r = server->find(TypeIndex::Listener, name);
    ASSERT_NE(r, nullptr) << name;
    envoy::config::listener::v3::Listener listener;
    ASSERT_TRUE(listener.ParseFromString(r->bytes));
    ASSERT_EQ(listener.filter_chains_size(), 1);
    EXPECT_EQ(listener.filter_chains(0).has_transport_socket(), want_tls) << mesh;

    auto client = generateFor(mesh, "client");
    ASSERT_NE(client, nullptr);
    auto c = client->find(TypeIndex::Cluster, "echo");
    ASSERT_NE(c, nullptr);
    envoy::config::cluster::v3::Cluster cluster;
    ASSERT_TRUE(cluster.ParseFromString(c->bytes));
    EXPECT_EQ(cluster.has_transport_socket(), want_tls) << mesh;
  }
}

}  // namespace
}  // namespace ursa::xds::gen
