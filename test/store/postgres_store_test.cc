// PostgreSQL-specific guarantees: several control planes on one database see
// each other's changes, a lost listener connection is announced as Resync,
// and migrations run once.

#include <gtest/gtest.h>

#include <thread>

#include "src/store/cache/resource_cache.h"
#include "test/store/store_fixture.h"

namespace ursa::store {
namespace {

using namespace std::chrono_literals;

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto admin = test::postgresAdminDsn();
    if (!admin) GTEST_SKIP() << test::postgresMissingReason();
    db_ = std::make_unique<test::ScratchDatabase>(*admin);
    ASSERT_TRUE(db_->ok());
  }
  std::unique_ptr<PostgresStore> open() {
    auto s = PostgresStore::open({.dsn = db_->dsn()});
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }
  std::unique_ptr<test::ScratchDatabase> db_;
};

TEST_F(PostgresStoreTest, TwoControlPlanesSeeEachOthersChanges) {
  auto a = open();
  auto b = open();  // migrations already applied: must be a no-op
  EventLog seen_by_b;
  auto handle = b->watch(seen_by_b.listener());
  ASSERT_TRUE(a->create(meshResource("default")).ok());
  ASSERT_TRUE(a->create(mtp("default", "from-a", "Allow")).ok());
  ASSERT_TRUE(seen_by_b.waitFor([](const auto& events) {
    for (const auto& e : events) {
      if (e.key.name == "from-a" && e.kind == ResourceChange::Kind::Upserted) return true;
    }
    return false;
  })) << "control plane B never heard of A's write";
  auto got = b->get(mtpKey("default", "from-a"));
  ASSERT_TRUE(got.ok()) << got.status();
}

TEST_F(PostgresStoreTest, ConflictingUpdatesFromTwoControlPlanes) {
  auto a = open();
  auto b = open();
  ASSERT_TRUE(a->create(meshResource("default")).ok());
  ASSERT_TRUE(a->create(mtp("default", "x", "Allow")).ok());
  Resource from_a = mtp("default", "x", "Deny");
  from_a.meta.version = 1;
  Resource from_b = mtp("default", "x", "AllowWithShadowDeny");
  from_b.meta.version = 1;
  ASSERT_TRUE(a->update(from_a).ok());
  EXPECT_TRUE(absl::IsAborted(b->update(from_b).status()));
  EXPECT_EQ(actionOf(**b->get(mtpKey("default", "x"))), "Deny");
}

TEST_F(PostgresStoreTest, ALostListenerConnectionIsAnnouncedAsResync) {
  auto store = open();
  EventLog log;
  auto handle = store->watch(log.listener());
  // Kill every other session on this database, the listener's included.
  ASSERT_TRUE(db_->run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
                       db_->name() + "' AND pid <> pg_backend_pid()"));
  // One Resync when the connection drops, another once it listens again.
  ASSERT_TRUE(log.waitFor([](const auto& events) {
    int resyncs = 0;
    for (const auto& e : events) resyncs += e.kind == ResourceChange::Kind::Resync;
    return resyncs >= 2;
  }));
  // And it listens again: a later write is announced. (The pool's killed
  // connections are replaced on first use, so retry the write briefly.)
  bool written = false;
  for (int i = 0; i < 50 && !written; ++i) {
    written = store->create(meshResource("default")).ok() || store->get(meshKey("default")).ok();
    if (!written) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(written);
  ASSERT_TRUE(log.waitFor([](const auto& events) {
    for (const auto& e : events) {
      if (e.key.name == "default" && e.kind == ResourceChange::Kind::Upserted) return true;
    }
    return false;
  }));
}

TEST_F(PostgresStoreTest, CacheFollowsWritesFromAnotherControlPlane) {
  auto a = open();
  auto b = open();
  auto cache = ResourceCache::start(*b);
  ASSERT_TRUE(cache.ok()) << cache.status();
  EventLog log;
  auto handle = (*cache)->subscribe(log.listener());
  ASSERT_TRUE(a->create(meshResource("default")).ok());
  ASSERT_TRUE(log.waitFor([](const auto& events) { return !events.empty(); }));
  auto snap = (*cache)->current();
  ASSERT_TRUE(snap.ok());
  EXPECT_NE((*snap)->get(meshKey("default")), nullptr);
}

TEST_F(PostgresStoreTest, AnUnreachableServerIsUnavailable) {
  auto s = PostgresStore::open({.dsn = "host=127.0.0.1 port=1 user=nobody connect_timeout=2"});
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(absl::IsUnavailable(s.status())) << s.status();
}

}  // namespace
}  // namespace ursa::store
