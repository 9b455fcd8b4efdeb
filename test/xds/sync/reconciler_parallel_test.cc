// The Reconciler generating on several threads gives every proxy the same
// configuration, certificate handling and consumers index as generating on
// one: two Reconcilers (1 and 4 generation threads) follow the same real
// memory store, resource cache and builtin CA.

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "src/ca/ca_manager.h"
#include "src/store/memory/memory_store.h"
#include "src/xds/sync/reconciler.h"
#include "test/ca/ca_manager_fixture.h"
#include "test/support/fake_clock.h"
#include "ursa/common/strings.h"
#include "ursa/mesh/v1alpha1/dataplane.pb.h"

namespace ursa::xds {
namespace {

constexpr int kServices = 30;  // two instances each; service i reaches i+1 and i+2

std::string nodeOf(int service, int instance) { return strCat("default.s", service, "-", instance); }

model::Resource dataplane(int service, int instance, uint32_t port) {
  auto spec = std::make_shared<ursa::mesh::v1alpha1::Dataplane>();
  auto* net = spec->mutable_networking();
  net->set_address(strCat("10.0.", service, ".", instance + 1));
  auto* in = net->add_inbound();
  in->set_port(port);
  (*in->mutable_tags())["kuma.io/service"] = strCat("s", service);
  (*in->mutable_tags())["kuma.io/protocol"] = "http";
  for (int dep : {service + 1, service + 2}) {
    if (dep >= kServices) continue;
    auto* out = net->add_outbound();
    out->set_port(static_cast<uint32_t>(20000 + dep));
    (*out->mutable_tags())["kuma.io/service"] = strCat("s", dep);
  }
  model::Resource r;
  r.type = &model::TypeRegistry::instance().dataplane();
  r.meta.mesh = "default";
  r.meta.name = strCat("s", service, "-", instance);
  r.spec = spec;
  return r;
}

class ReconcilerParallelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.create(ca::testing::meshWith("default", ca::testing::builtinBackend())).ok());
    for (int s = 0; s < kServices; ++s) {
      for (int i = 0; i < 2; ++i) ASSERT_TRUE(store_.create(dataplane(s, i, 8080)).ok());
    }
    auto cache = store::ResourceCache::start(store_);
    ASSERT_TRUE(cache.ok());
    cache_ = std::move(*cache);
    cas_ = std::make_unique<ca::CaManager>(
        ca::CaManager::Options{.store = &store_, .cache = cache_.get(), .clock = clock_});
    serial_ = make(serial_snapshots_, 1, serial_issued_);
    parallel_ = make(parallel_snapshots_, 4, parallel_issued_);
  }
  void TearDown() override {
    serial_.reset();
    parallel_.reset();
    cas_.reset();
    cache_.reset();
  }

  std::unique_ptr<Reconciler> make(SnapshotCache& snapshots, size_t threads, int& issued) {
    auto r = std::make_unique<Reconciler>(
        *cache_, snapshots, [this](const model::Resource& mesh) { return cas_->forMesh(mesh); },
        metrics_, clock_, ReconcilerOptions{.generation_threads = threads});
    r->onCertificate([&issued](const std::string&, const ca::IssuedCertificate&) { ++issued; });
    return r;
  }
  void connectAll() {
    for (int s = 0; s < kServices; ++s) {
      for (int i = 0; i < 2; ++i) {
        serial_->addProxy(nodeOf(s, i), {});
        parallel_->addProxy(nodeOf(s, i), {});
      }
    }
    flush();
  }
  void flush() {
    serial_->flushForTest();
    parallel_->flushForTest();
  }
  // Every proxy's configuration is the same from both, secrets aside (each
  // Reconciler issues its own certificates).
  void expectSameConfiguration() {
    for (int s = 0; s < kServices; ++s) {
      for (int i = 0; i < 2; ++i) {
        auto a = serial_snapshots_.get(nodeOf(s, i));
        auto b = parallel_snapshots_.get(nodeOf(s, i));
        ASSERT_NE(a, nullptr) << nodeOf(s, i);
        ASSERT_NE(b, nullptr) << nodeOf(s, i);
        for (TypeIndex t : {TypeIndex::Cluster, TypeIndex::Endpoint, TypeIndex::Listener,
                            TypeIndex::Route}) {
          EXPECT_EQ(a->version(t), b->version(t)) << nodeOf(s, i) << " " << shortName(t);
        }
        EXPECT_FALSE(b->resources(TypeIndex::Secret).empty()) << nodeOf(s, i);
      }
    }
  }

  std::shared_ptr<test::FakeClock> clock_ = std::make_shared<test::FakeClock>();
  store::MemoryStore store_{clock_};
  std::unique_ptr<store::ResourceCache> cache_;
  std::unique_ptr<ca::CaManager> cas_;
  Metrics metrics_;
  SnapshotCache serial_snapshots_, parallel_snapshots_;
  int serial_issued_ = 0, parallel_issued_ = 0;
  std::unique_ptr<Reconciler> serial_, parallel_;
};

TEST_F(ReconcilerParallelTest, EveryProxyGetsWhatOneThreadWouldGenerate) {
  connectAll();
  expectSameConfiguration();
  EXPECT_EQ(parallel_issued_, 2 * kServices);
  EXPECT_EQ(serial_issued_, 2 * kServices);
}

TEST_F(ReconcilerParallelTest, EndpointChangeReachesExactlyTheConsumers) {
  connectAll();
  // s10's consumers are s8 and s9 (they reach s10); everyone else keeps
  // the very same snapshot object.
  std::map<std::string, SnapshotConstSharedPtr> before;
  for (int s = 0; s < kServices; ++s) {
    for (int i = 0; i < 2; ++i) before[nodeOf(s, i)] = parallel_snapshots_.get(nodeOf(s, i));
  }
  auto moved = store_.get({&model::TypeRegistry::instance().dataplane(), "default", "s10-0"});
  ASSERT_TRUE(moved.ok());
  model::Resource next = dataplane(10, 0, 9090);
  next.meta.version = (*moved)->meta.version;
  ASSERT_TRUE(store_.update(next).ok());
  flush();
  expectSameConfiguration();
  for (const auto& [node, snapshot] : before) {
    bool consumer = node.starts_with("default.s8-") || node.starts_with("default.s9-");
    bool owner = node == "default.s10-0";  // its own inbound listener moved
    auto now = parallel_snapshots_.get(node);
    if (consumer) {
      EXPECT_NE(now->version(TypeIndex::Endpoint), snapshot->version(TypeIndex::Endpoint)) << node;
    } else if (!owner) {
      EXPECT_EQ(now, snapshot) << node << " was regenerated without reaching s10";
    }
  }
  EXPECT_EQ(parallel_issued_, 2 * kServices);  // no certificate re-issued
}

}  // namespace
}  // namespace ursa::xds
