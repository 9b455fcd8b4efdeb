// ResourceCache: snapshots are consistent, immutable, coalesce bursts and
// share unchanged tables.

#include <gtest/gtest.h>

#include "src/store/cache/resource_cache.h"
#include "test/store/store_fixture.h"

namespace ursa::store {
namespace {

class ResourceCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<MemoryStore>();
    ASSERT_TRUE(store_->create(meshResource("default")).ok());
    ASSERT_TRUE(store_->create(mtp("default", "before", "Allow")).ok());
    auto cache = ResourceCache::start(*store_);
    ASSERT_TRUE(cache.ok()) << cache.status();
    cache_ = std::move(*cache);
  }
  ResourceSnapshotConstSharedPtr snap() { return *cache_->current(); }

  std::unique_ptr<MemoryStore> store_;
  std::unique_ptr<ResourceCache> cache_;
};

TEST_F(ResourceCacheTest, LoadsWhatTheStoreHeldAtStart) {
  auto s = snap();
  EXPECT_NE(s->get(mtpKey("default", "before")), nullptr);
  EXPECT_EQ(s->meshes(), std::vector<std::string>{"default"});
  EXPECT_EQ(s->count(mtpType()), 1u);
}

TEST_F(ResourceCacheTest, OldSnapshotsNeverChange) {
  auto old = snap();
  ASSERT_TRUE(store_->create(mtp("default", "after", "Deny")).ok());
  ASSERT_TRUE(store_->remove(mtpKey("default", "before")).ok());
  auto now = snap();
  EXPECT_NE(old->get(mtpKey("default", "before")), nullptr);
  EXPECT_EQ(old->get(mtpKey("default", "after")), nullptr);
  EXPECT_EQ(now->get(mtpKey("default", "before")), nullptr);
  EXPECT_NE(now->get(mtpKey("default", "after")), nullptr);
  EXPECT_GT(now->revision(), old->revision());
}

TEST_F(ResourceCacheTest, ABurstOfChangesBecomesOneSnapshot) {
  auto before = snap();
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(store_->create(mtp("default", "p" + std::to_string(i), "Allow")).ok());
  }
  auto after = snap();
  EXPECT_EQ(after->revision(), before->revision() + 1);
  EXPECT_EQ(after->count(mtpType()), 101u);
  auto listed = after->list(mtpType(), "default");
  ASSERT_EQ(listed.size(), 101u);
  EXPECT_TRUE(std::is_sorted(listed.begin(), listed.end(), [](const auto& a, const auto& b) {
    return a->meta.name < b->meta.name;
  }));
}

TEST_F(ResourceCacheTest, UnchangedTablesAreSharedBetweenSnapshots) {
  auto before = snap();
  ASSERT_TRUE(store_->create(secretResource("default", "s")).ok());
  auto after = snap();
  // Same resource object: the MeshTrafficPermission table was not copied.
  EXPECT_EQ(before->get(mtpKey("default", "before")).get(),
            after->get(mtpKey("default", "before")).get());
}

TEST_F(ResourceCacheTest, SubscribersHearOfEveryChange) {
  EventLog log;
  auto handle = cache_->subscribe(log.listener());
  ASSERT_TRUE(store_->create(mtp("default", "x", "Allow")).ok());
  ASSERT_TRUE(store_->remove(meshKey("default")).ok());
  auto events = log.events();
  ASSERT_EQ(events.size(), 4u);  // x created; then x, before and the mesh deleted
  EXPECT_EQ(snap()->count(mtpType()), 0u);
  EXPECT_TRUE(snap()->meshes().empty());
}

}  // namespace
}  // namespace ursa::store
