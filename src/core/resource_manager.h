#pragma once

// ResourceManager: the one door through which users' writes reach the store.
// It decodes nothing (that is the codec's job) but applies Kuma's rules
// around a write:
//  - defaults are applied and the resource validated; InvalidArgument
//    carries every violation (model::violationsOf);
//  - `upsert` creates or updates, retrying on version conflicts, and reports
//    which one happened (the REST API answers 201 or 200);
//  - deleting a Mesh that still has Dataplanes is refused unless
//    store.unsafeDelete is set (FailedPrecondition), as in Kuma;
//  - a Mesh it creates gets Kuma's default policies (create_default_policies).
//
// Thread-safety: as the underlying store.

#include <memory>

#include "ursa/store/resource_store.h"

namespace ursa::core {

struct ManagerOptions {
  bool unsafe_delete = false;
  // Creating a Mesh also creates its default policies (default_policies.h),
  // those not present yet; failing to is logged, the Mesh stays created.
  bool create_default_policies = false;
};

enum class UpsertOutcome { Created, Updated };

struct UpsertResult {
  model::ResourcePtr resource;
  UpsertOutcome outcome;
};

class ResourceManager {
 public:
  ResourceManager(store::ResourceStore& store, ManagerOptions options)
      : store_(store), options_(options) {}

  // Validates and stores `r` (meta.version ignored: last writer wins, retried
  // on conflicts). Use update() for compare-and-swap.
  absl::StatusOr<UpsertResult> upsert(const model::Resource& r);
  absl::StatusOr<model::ResourcePtr> create(const model::Resource& r,
                                            const store::CreateOptions& options = {});
  // Compare-and-swap on r.meta.version.
  absl::StatusOr<model::ResourcePtr> update(const model::Resource& r);
  absl::Status remove(const model::ResourceKey& key);

  store::ResourceStore& store() { return store_; }

  // Defaults then validation, as every write does. Exposed for dry runs.
  static absl::StatusOr<model::Resource> prepare(const model::Resource& r);

 private:
  // Called after `mesh` was created by this manager.
  void afterMeshCreated(const model::Resource& mesh);

  store::ResourceStore& store_;
  ManagerOptions options_;
};

}  // namespace ursa::core
