#pragma once

// The embedded default ResourceStore: one SQLite file in WAL mode.
//
// Durability: a write returns only after its transaction commits with
// synchronous=FULL, so every acknowledged write survives kill -9 and power
// loss. One process owns the file (exclusive locking): a second ursa-cp on the
// same file fails to open it with a clear error instead of silently missing
// the first one's change events.

#include <memory>
#include <mutex>
#include <string>

#include "src/store/common/store_support.h"
#include "src/store/sqlite/sqlite_db.h"
#include "ursa/common/clock.h"
#include "ursa/store/resource_store.h"

namespace ursa::store {

class SqliteStore : public ResourceStore {
 public:
  struct Options {
    std::string path;           // the database file; created with its directory if missing
    bool synchronous_full = true;  // false: synchronous=NORMAL (survives kill -9, not power loss)
    ClockSharedPtr clock = SystemClock::shared();
  };
  static absl::StatusOr<std::unique_ptr<SqliteStore>> open(const Options& options);

  // ResourceStore
  absl::StatusOr<ResourcePtr> create(const Resource& r,
                                     const CreateOptions& options = {}) override;
  absl::StatusOr<ResourcePtr> update(const Resource& r) override;
  absl::Status remove(const ResourceKey& key, int64_t expected_version = 0) override;
  absl::StatusOr<ResourcePtr> get(const ResourceKey& key) const override;
  absl::StatusOr<ListResult> list(const ListQuery& query) const override;
  WatchHandlePtr watch(ChangeListener listener) override;
  std::string_view backendName() const override { return "sqlite"; }

 private:
  SqliteStore(std::unique_ptr<sqlite::Database> db, ClockSharedPtr clock)
      : db_(std::move(db)), clock_(std::move(clock)) {}

  // All REQUIRE mu_ held.
  absl::StatusOr<ResourcePtr> readRow(const sqlite::Statement& s, const ResourceType& type,
                                      int first_column) const;
  absl::StatusOr<bool> exists(const ResourceKey& key) const;
  absl::StatusOr<int64_t> versionOf(const ResourceKey& key) const;
  absl::StatusOr<std::vector<ResourceKey>> dependentsOf(const ResourceKey& key) const;
  absl::Status deleteRow(const ResourceKey& key);
  template <typename Fn>
  absl::Status inTransaction(Fn&& body);
  absl::StatusOr<std::vector<ResourcePtr>> selectAll(const ListQuery& query, bool paged) const;
  absl::StatusOr<size_t> count(const ListQuery& query) const;

  mutable std::mutex mu_;
  std::unique_ptr<sqlite::Database> db_;  // guarded by mu_
  const ClockSharedPtr clock_;
  Watchers watchers_;
};

}  // namespace ursa::store
