// Builtin roots across control planes: created once and reused by every
// CaManager on one database (SQLite, PostgreSQL), and exactly one root when
// several race to create it (one shared memory store, PostgreSQL).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <latch>
#include <thread>

#include "src/ca/builtin_backend.h"
#include "src/ca/ca_manager.h"
#include "src/store/memory/memory_store.h"
#include "src/store/postgres/postgres_store.h"
#include "src/store/sqlite/sqlite_store.h"
#include "test/ca/ca_manager_fixture.h"
#include "test/ca/ca_test_support.h"
#include "test/support/fake_clock.h"
#include "test/support/postgres.h"

namespace ursa::ca {
namespace {

using namespace testing;  // NOLINT: the CA test helpers

enum class Backend { Memory, Sqlite, Postgres };

std::string backendName(const ::testing::TestParamInfo<Backend>& info) {
  switch (info.param) {
    case Backend::Memory: return "Memory";
    case Backend::Sqlite: return "Sqlite";
    case Backend::Postgres: return "Postgres";
  }
  return "Unknown";
}

// Opens stores on one database, as several control planes would.
class SharedDatabase : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::Postgres) {
      auto admin = test::postgresAdminDsn();
      if (!admin) GTEST_SKIP() << test::postgresMissingReason();
      db_ = std::make_unique<test::ScratchDatabase>(*admin);
      ASSERT_TRUE(db_->ok()) << "cannot create a scratch database";
    }
    dir_ = test::scratchDir("ca-store");
    auto first = openStore();
    ASSERT_NE(first, nullptr);
    ASSERT_TRUE(first->create(meshWith("default", std::nullopt)).ok());
    stores_.push_back(std::move(first));
  }
  void TearDown() override {
    stores_.clear();
    memory_.reset();
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // A new connection to the database (the one store, for Memory).
  std::shared_ptr<store::ResourceStore> openStore() {
    switch (GetParam()) {
      case Backend::Memory:
        if (!memory_) memory_ = std::make_shared<store::MemoryStore>();
        return memory_;
      case Backend::Sqlite: {
        auto s = store::SqliteStore::open({.path = (dir_ / "ursa.db").string()});
        EXPECT_TRUE(s.ok()) << s.status();
        return s.ok() ? std::shared_ptr<store::ResourceStore>(std::move(*s)) : nullptr;
      }
      case Backend::Postgres: {
        auto s = store::PostgresStore::open({.dsn = db_->dsn()});
        EXPECT_TRUE(s.ok()) << s.status();
        return s.ok() ? std::shared_ptr<store::ResourceStore>(std::move(*s)) : nullptr;
      }
    }
    return nullptr;
  }

  void expectOneRoot(store::ResourceStore& s, const std::string& roots) {
    auto cert = s.get(secretKey("default", "default.ca-builtin-cert-ca-1"));
    auto key = s.get(secretKey("default", "default.ca-builtin-key-ca-1"));
    ASSERT_TRUE(cert.ok() && key.ok());
    EXPECT_EQ((*cert)->meta.version, 1);
    EXPECT_EQ((*key)->meta.version, 1);
    EXPECT_EQ(secretDataOf(s, "default", "default.ca-builtin-cert-ca-1"), roots);
    // The two Secrets are one pair.
    EXPECT_TRUE(loadSigningPair(roots, secretDataOf(s, "default", "default.ca-builtin-key-ca-1"),
                                "cert", "key")
                    .ok());
    auto all = s.list({.type = &model::TypeRegistry::instance().secret()});
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->items.size(), 2u);
  }

  std::unique_ptr<test::ScratchDatabase> db_;
  std::filesystem::path dir_;
  std::shared_ptr<store::MemoryStore> memory_;
  std::vector<std::shared_ptr<store::ResourceStore>> stores_;
};

class RootReuse : public SharedDatabase {};

TEST_P(RootReuse, CreatedOnceAndReusedByEveryManager) {
  auto mesh = meshWith("default", builtinBackend());
  std::string roots;
  for (int i = 0; i < 3; ++i) {
    // The previous control plane stops (SQLite admits one at a time) and
    // another starts on the same database.
    stores_.clear();
    stores_.push_back(openStore());
    CaManager manager({.store = stores_[0].get()});
    auto ca = manager.forMesh(mesh);
    ASSERT_TRUE(ca.ok()) << ca.status();
    if (i == 0) roots = (*ca)->rootsPem();
    EXPECT_EQ((*ca)->rootsPem(), roots);
    auto leaf = (*ca)->issue({.mesh = "default", .services = {"web"}});
    ASSERT_TRUE(leaf.ok());
    EXPECT_EQ(verifyLeaf(leaf->cert_pem, roots, absl::Now(), X509_PURPOSE_SSL_SERVER), "");
  }
  expectOneRoot(*stores_[0], roots);
}

INSTANTIATE_TEST_SUITE_P(Stores, RootReuse, ::testing::Values(Backend::Sqlite, Backend::Postgres),
                         backendName);

class RootRace : public SharedDatabase {};

TEST_P(RootRace, ManagersRacingOnOneDatabaseEndWithOneRoot) {
  constexpr int kManagers = 2;
  constexpr int kThreadsPerManager = 4;
  constexpr int kRounds = 3;  // meshes raced in turn
  for (int round = 0; round < kRounds; ++round) {
    std::string name = round == 0 ? "default" : "mesh-" + std::to_string(round);
    if (round > 0) {
      ASSERT_TRUE(stores_[0]->create(meshWith(name, std::nullopt)).ok());
    }
    auto mesh = meshWith(name, builtinBackend());
    std::vector<std::shared_ptr<store::ResourceStore>> stores;
    std::vector<std::unique_ptr<CaManager>> managers;
    for (int m = 0; m < kManagers; ++m) {
      stores.push_back(openStore());
      managers.push_back(std::make_unique<CaManager>(CaManager::Options{.store = stores[m].get()}));
    }
    std::latch start(kManagers * kThreadsPerManager);
    std::vector<absl::StatusOr<MeshCaConstSharedPtr>> results(kManagers * kThreadsPerManager);
    std::vector<std::thread> threads;
    for (int t = 0; t < kManagers * kThreadsPerManager; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        results[t] = managers[t % kManagers]->forMesh(mesh);
      });
    }
    for (auto& t : threads) t.join();
    ASSERT_TRUE(results[0].ok()) << results[0].status();
    const std::string roots = (*results[0])->rootsPem();
    for (const auto& r : results) {
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ((*r)->rootsPem(), roots);
    }
    auto cert = stores_[0]->get(secretKey(name, name + ".ca-builtin-cert-ca-1"));
    auto key = stores_[0]->get(secretKey(name, name + ".ca-builtin-key-ca-1"));
    ASSERT_TRUE(cert.ok() && key.ok());
    EXPECT_EQ((*cert)->meta.version, 1);
    EXPECT_EQ(secretDataOf(*stores_[0], name, name + ".ca-builtin-cert-ca-1"), roots);
    EXPECT_TRUE(loadSigningPair(roots,
                                secretDataOf(*stores_[0], name, name + ".ca-builtin-key-ca-1"),
                                "cert", "key")
                    .ok());
    managers.clear();
    stores.clear();
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, RootRace, ::testing::Values(Backend::Memory, Backend::Postgres),
                         backendName);

}  // namespace
}  // namespace ursa::ca
