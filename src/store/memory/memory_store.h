#pragma once

// An in-memory ResourceStore: nothing survives the process. For tests, and
// for `store.type: memory` (Kuma's default in Universal mode).

#include <map>
#include <mutex>

#include "src/store/common/store_support.h"
#include "ursa/common/clock.h"
#include "ursa/store/resource_store.h"

namespace ursa::store {

class MemoryStore : public ResourceStore {
 public:
  explicit MemoryStore(ClockSharedPtr clock = SystemClock::shared());

  // ResourceStore
  absl::StatusOr<ResourcePtr> create(const Resource& r,
                                     const CreateOptions& options = {}) override;
  absl::StatusOr<ResourcePtr> update(const Resource& r) override;
  absl::Status remove(const ResourceKey& key, int64_t expected_version = 0) override;
  absl::StatusOr<ResourcePtr> get(const ResourceKey& key) const override;
  absl::StatusOr<ListResult> list(const ListQuery& query) const override;
  WatchHandlePtr watch(ChangeListener listener) override;
  std::string_view backendName() const override { return "memory"; }

 private:
  struct Row {
    ResourcePtr resource;
    std::optional<ResourceKey> owner;
  };
  // REQUIRES: mu_ held. Every key deleted with `key` (itself first).
  std::vector<ResourceKey> cascadeOf(const ResourceKey& key) const;

  const ClockSharedPtr clock_;
  Watchers watchers_;

  mutable std::mutex mu_;
  // Sorted by (type, mesh, name): one type's rows are contiguous, in list order.
  std::map<ResourceKey, Row> rows_;
  // owner -> what it owns, so a cascade never scans every row.
  std::multimap<ResourceKey, ResourceKey> owned_;
};

}  // namespace ursa::store
