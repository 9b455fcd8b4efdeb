// The Reconciler against a real memory store, resource cache and builtin CA:
// what a proxy's identity certificate survives.

#include "src/xds/sync/reconciler.h"

#include <atomic>

#include "gtest/gtest.h"
#include "src/ca/ca_manager.h"
#include "src/store/memory/memory_store.h"
#include "test/ca/ca_manager_fixture.h"
#include "test/support/fake_clock.h"
#include "ursa/mesh/v1alpha1/dataplane.pb.h"

namespace ursa::xds {
namespace {

constexpr char kNode[] = "default.web-1";

model::Resource dataplane(const std::string& name) {
  auto spec = std::make_shared<ursa::mesh::v1alpha1::Dataplane>();
  spec->mutable_networking()->set_address("10.0.0.1");
  auto* in = spec->mutable_networking()->add_inbound();
  in->set_port(8080);
  (*in->mutable_tags())["kuma.io/service"] = "web";
  model::Resource r;
  r.type = &model::TypeRegistry::instance().dataplane();
  r.meta.mesh = "default";
  r.meta.name = name;
  r.spec = spec;
  return r;
}

class ReconcilerCertificateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.create(ca::testing::meshWith("default", ca::testing::builtinBackend())).ok());
    ASSERT_TRUE(store_.create(dataplane("web-1")).ok());
    auto cache = store::ResourceCache::start(store_);
    ASSERT_TRUE(cache.ok());
    cache_ = std::move(*cache);
    cas_ = std::make_unique<ca::CaManager>(
        ca::CaManager::Options{.store = &store_, .cache = cache_.get(), .clock = clock_});
    reconciler_ = std::make_unique<Reconciler>(
        *cache_, snapshots_, [this](const model::Resource& mesh) { return cas_->forMesh(mesh); },
        metrics_, clock_);
    reconciler_->onCertificate([this](const std::string&, const ca::IssuedCertificate&) { ++issued_; });
  }
  void TearDown() override {
    reconciler_.reset();
    cas_.reset();
    cache_.reset();
  }

  void connect() {
    reconciler_->addProxy(kNode, {});
    reconciler_->flushForTest();
    ASSERT_NE(snapshots_.get(kNode), nullptr);
  }
  void disconnect() {
    reconciler_->removeProxy(kNode);
    reconciler_->flushForTest();
    ASSERT_EQ(snapshots_.get(kNode), nullptr);
  }
  // The proxy's identity secret bytes in its current snapshot.
  std::string identitySecret() {
    auto snap = snapshots_.get(kNode);
    if (!snap) return "";
    std::string out;
    for (const auto& resource : snap->resources(TypeIndex::Secret)) {
      if (resource->name.starts_with("identity_cert")) out = resource->bytes;
    }
    return out;
  }

  std::shared_ptr<test::FakeClock> clock_ = std::make_shared<test::FakeClock>();
  store::MemoryStore store_{clock_};
  std::unique_ptr<store::ResourceCache> cache_;
  std::unique_ptr<ca::CaManager> cas_;
  SnapshotCache snapshots_;
  Metrics metrics_;
  std::unique_ptr<Reconciler> reconciler_;
  std::atomic<int> issued_{0};
};

TEST_F(ReconcilerCertificateTest, ReconnectingProxyKeepsItsCertificate) {
  connect();
  ASSERT_EQ(issued_, 1);
  std::string first = identitySecret();
  ASSERT_FALSE(first.empty());
  for (int i = 0; i < 3; ++i) {
    disconnect();
    connect();
  }
  EXPECT_EQ(issued_, 1);
  EXPECT_EQ(identitySecret(), first);
}

TEST_F(ReconcilerCertificateTest, KeptCertificateIsNotReusedOnceDueForRenewal) {
  connect();
  std::string first = identitySecret();
  disconnect();
  clock_->advance(absl::Hours(24 * 400));  // past any default certificate lifetime
  connect();
  EXPECT_EQ(issued_, 2);
  EXPECT_NE(identitySecret(), first);
}

TEST_F(ReconcilerCertificateTest, DeletingTheDataplaneForgetsTheKeptCertificate) {
  connect();
  std::string first = identitySecret();
  disconnect();
  ASSERT_TRUE(store_.remove({&model::TypeRegistry::instance().dataplane(), "default", "web-1"}).ok());
  reconciler_->flushForTest();
  ASSERT_TRUE(store_.create(dataplane("web-1")).ok());
  connect();
  EXPECT_EQ(issued_, 2);
  EXPECT_NE(identitySecret(), first);
}

}  // namespace
}  // namespace ursa::xds
