#pragma once

// ResourceCache follows a ResourceStore and publishes ResourceSnapshots.
//
// It loads every resource once, then applies the store's change events.
// Events are queued as they arrive (the store's listener must stay quick)
// and folded into a new snapshot on the next current() call, so a burst of
// changes costs one snapshot, and only the (type, mesh) tables that changed
// are copied. A Resync event makes the next current() reload everything.
//
// Subscribers hear of every change right after it is queued, on the store's
// notifying thread; they typically schedule work that later calls current().
//
// Thread-safety: every method may be called from any thread.

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "src/store/common/store_support.h"
#include "ursa/store/resource_snapshot.h"
#include "ursa/store/resource_store.h"

namespace ursa::store {

class ResourceCache {
 public:
  // Subscribes to `store` and loads it. `store` must outlive the cache.
  static absl::StatusOr<std::unique_ptr<ResourceCache>> start(ResourceStore& store);

  // The newest snapshot, with every change announced so far applied.
  // Unavailable only when a reload after Resync fails (the previous snapshot
  // is kept and the reload retried on the next call).
  absl::StatusOr<ResourceSnapshotConstSharedPtr> current();

  // Called for each change (Resync included) after it is queued.
  WatchHandlePtr subscribe(ChangeListener listener);

 private:
  explicit ResourceCache(ResourceStore& store) : store_(store) {}
  absl::StatusOr<std::shared_ptr<ResourceSnapshot>> loadAll() const;
  void onChange(const ResourceChange& change);

  ResourceStore& store_;
  Watchers subscribers_;
  WatchHandlePtr watch_;

  std::mutex build_mu_;  // serialises current(); taken before mu_
  std::mutex mu_;
  std::vector<ResourceChange> pending_;      // guarded by mu_
  bool reload_ = false;                      // guarded by mu_
  ResourceSnapshotConstSharedPtr snapshot_;  // guarded by mu_
};

}  // namespace ursa::store
