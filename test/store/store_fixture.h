#pragma once

// The fixture behind the store conformance suite: one store per test on the
// backend under test, a controllable clock, a Mesh "default", and builders
// for the resources the tests store.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>

#include "src/store/memory/memory_store.h"
#include "src/store/postgres/postgres_store.h"
#include "src/store/sqlite/sqlite_store.h"
#include "test/support/fake_clock.h"
#include "test/support/postgres.h"
#include "ursa/mesh/v1alpha1/dataplane.pb.h"
#include "ursa/mesh/v1alpha1/mesh.pb.h"
#include "ursa/model/registry.h"
#include "ursa/policies/meshtrafficpermission/v1alpha1/meshtrafficpermission.pb.h"
#include "ursa/system/v1alpha1/secret.pb.h"

namespace ursa::store {

enum class Backend { Memory, Sqlite, Postgres };

inline std::string backendName(const ::testing::TestParamInfo<Backend>& info) {
  switch (info.param) {
    case Backend::Memory: return "Memory";
    case Backend::Sqlite: return "Sqlite";
    case Backend::Postgres: return "Postgres";
  }
  return "Unknown";
}

inline const ResourceType& mtpType() {
  return *model::TypeRegistry::instance().byName("MeshTrafficPermission");
}

inline Resource mtp(const std::string& mesh, const std::string& name, const std::string& action) {
  using ursa::policies::meshtrafficpermission::v1alpha1::MeshTrafficPermission;
  auto spec = std::make_shared<MeshTrafficPermission>();
  spec->mutable_target_ref()->set_kind("Mesh");
  auto* from = spec->add_from();
  from->mutable_target_ref()->set_kind("Mesh");
  from->mutable_default_()->set_action(action);
  Resource r;
  r.type = &mtpType();
  r.meta.mesh = mesh;
  r.meta.name = name;
  r.spec = spec;
  return r;
}

inline std::string actionOf(const Resource& r) {
  using ursa::policies::meshtrafficpermission::v1alpha1::MeshTrafficPermission;
  return static_cast<const MeshTrafficPermission&>(*r.spec).from(0).default_().action();
}

inline model::ResourceKey mtpKey(const std::string& mesh, const std::string& name) {
  return {&mtpType(), mesh, name};
}

inline Resource meshResource(const std::string& name) {
  Resource r;
  r.type = &model::TypeRegistry::instance().mesh();
  r.meta.name = name;
  r.spec = std::make_shared<ursa::mesh::v1alpha1::Mesh>();
  return r;
}

inline model::ResourceKey meshKey(const std::string& name) {
  return {&model::TypeRegistry::instance().mesh(), "", name};
}

inline Resource secretResource(const std::string& mesh, const std::string& name) {
  auto spec = std::make_shared<ursa::system::v1alpha1::Secret>();
  spec->set_data("s3cr3t");
  Resource r;
  r.type = &model::TypeRegistry::instance().secret();
  r.meta.mesh = mesh;
  r.meta.name = name;
  r.spec = spec;
  return r;
}

// A Dataplane with one inbound per tag set.
inline Resource dataplaneResource(const std::string& mesh, const std::string& name,
                                  const std::vector<std::map<std::string, std::string>>& inbounds) {
  auto spec = std::make_shared<ursa::mesh::v1alpha1::Dataplane>();
  spec->mutable_networking()->set_address("10.0.0.1");
  uint32_t port = 8080;
  for (const auto& tags : inbounds) {
    auto* in = spec->mutable_networking()->add_inbound();
    in->set_port(port++);
    for (const auto& [k, v] : tags) (*in->mutable_tags())[k] = v;
  }
  Resource r;
  r.type = &model::TypeRegistry::instance().dataplane();
  r.meta.mesh = mesh;
  r.meta.name = name;
  r.spec = spec;
  return r;
}

inline Resource globalSecretResource(const std::string& name) {
  Resource r = secretResource("", name);
  r.type = &model::TypeRegistry::instance().globalSecret();
  return r;
}

// Collects change events from any thread; waitFor() polls a predicate.
class EventLog {
 public:
  ChangeListener listener() {
    return [this](const ResourceChange& c) {
      std::lock_guard lock(mu_);
      events_.push_back(c);
      cv_.notify_all();
    };
  }
  std::vector<ResourceChange> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  bool waitFor(const std::function<bool(const std::vector<ResourceChange>&)>& done,
               std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return done(events_); });
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ResourceChange> events_;
};

class StoreFixture : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<test::FakeClock>();
    switch (GetParam()) {
      case Backend::Memory:
        store_ = std::make_unique<MemoryStore>(clock_);
        break;
      case Backend::Sqlite: {
        dir_ = test::scratchDir("store");
        auto s = SqliteStore::open({.path = (dir_ / "ursa.db").string(), .clock = clock_});
        ASSERT_TRUE(s.ok()) << s.status();
        store_ = std::move(*s);
        break;
      }
      case Backend::Postgres: {
        auto admin = test::postgresAdminDsn();
        if (!admin) GTEST_SKIP() << test::postgresMissingReason();
        db_ = std::make_unique<test::ScratchDatabase>(*admin);
        ASSERT_TRUE(db_->ok()) << "cannot create database " << db_->name();
        auto s = PostgresStore::open({.dsn = db_->dsn(), .clock = clock_});
        ASSERT_TRUE(s.ok()) << s.status();
        store_ = std::move(*s);
        break;
      }
    }
    ASSERT_TRUE(store_->create(meshResource("default")).ok());
  }

  void TearDown() override {
    store_.reset();
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  Backend backend() const { return GetParam(); }
  ResourceStore& store() { return *store_; }
  test::FakeClock& clock() { return *clock_; }

  std::shared_ptr<test::FakeClock> clock_;
  std::unique_ptr<ResourceStore> store_;
  std::unique_ptr<test::ScratchDatabase> db_;
  std::filesystem::path dir_;
};

}  // namespace ursa::store
