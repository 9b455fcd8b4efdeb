#pragma once

// ResourceStore: the durable home of every resource, behind one contract with
// three implementations (memory, SQLite, PostgreSQL) that pass one conformance
// suite (test/store/store_conformance.h).
//
// Semantics every implementation keeps:
//  - Optimistic concurrency: each resource has a version, 1 on create and
//    bumped by every update; an update or delete naming a stale version fails
//    with Aborted and changes nothing.
//  - The store sets creation and modification times from its Clock.
//  - A mesh-scoped resource can only be created in an existing Mesh
//    (FailedPrecondition otherwise), and deleting a Mesh deletes everything
//    that lives in it. A resource created with an owner is deleted with that
//    owner. Both cascades are atomic with the delete.
//  - Lists are sorted by (mesh, name) and paged by offset.
//  - Every committed change is announced to watchers (ChangeListener) after
//    it is durable, in commit order for changes made through this store.
//
// Thread-safety: all methods may be called from any thread concurrently.
// Errors: NotFound, AlreadyExists, Aborted (version conflict),
// FailedPrecondition (missing mesh or owner), InvalidArgument (bad query),
// Unavailable (database unreachable: retry later).

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ursa/common/status.h"
#include "ursa/model/resource.h"

namespace ursa::store {

using model::Resource;
using model::ResourceKey;
using model::ResourcePtr;
using model::ResourceType;

struct CreateOptions {
  // The resource is deleted when `owner` is (for example a DataplaneInsight
  // owned by its Dataplane). The owner must exist.
  std::optional<ResourceKey> owner;
};

struct ListQuery {
  const ResourceType* type = nullptr;  // required
  std::optional<std::string> mesh;     // only this mesh (mesh-scoped types); all meshes if unset
  std::string name_contains;           // substring of the name
  std::map<std::string, std::string> labels;  // every label must match exactly
  // Every tag must be carried by the resource (for types with tags, such as a
  // Dataplane's inbounds or an ExternalService); value "*" matches any value.
  std::map<std::string, std::string> tags;
  size_t offset = 0;
  size_t limit = 0;  // 0: no limit
};

struct ListResult {
  std::vector<ResourcePtr> items;
  size_t total = 0;                   // matches before paging
  std::optional<size_t> next_offset;  // set when more items follow
};

// The latest state of one resource, announced after a committed change.
struct ResourceChange {
  enum class Kind {
    Upserted,  // created or updated: `resource` is its state now
    Deleted,   // `resource` is null
    Resync,    // changes may have been missed (connection lost): re-read everything
  };
  Kind kind = Kind::Upserted;
  ResourceKey key;
  ResourcePtr resource;
};

// Called for every change. Must be quick and must not call back into the
// store; it may run on a store-owned thread or on the writer's thread.
using ChangeListener = std::function<void(const ResourceChange&)>;

// Destroying the handle unsubscribes; once the destructor returns the
// listener is never called again.
class WatchHandle {
 public:
  virtual ~WatchHandle() = default;
};
using WatchHandlePtr = std::unique_ptr<WatchHandle>;

class ResourceStore {
 public:
  virtual ~ResourceStore() = default;

  // Stores a new resource (its meta.version is ignored) and returns it as
  // stored: version 1, times set.
  virtual absl::StatusOr<ResourcePtr> create(const Resource& r,
                                             const CreateOptions& options = {}) = 0;
  // Replaces spec and labels. `r.meta.version` must equal the stored version.
  virtual absl::StatusOr<ResourcePtr> update(const Resource& r) = 0;
  // Deletes the resource and everything it owns. `expected_version` 0 means any.
  virtual absl::Status remove(const ResourceKey& key, int64_t expected_version = 0) = 0;
  virtual absl::StatusOr<ResourcePtr> get(const ResourceKey& key) const = 0;
  virtual absl::StatusOr<ListResult> list(const ListQuery& query) const = 0;
  virtual WatchHandlePtr watch(ChangeListener listener) = 0;

  // A short name for logs and metrics: "memory", "sqlite", "postgres".
  virtual std::string_view backendName() const = 0;
};
using ResourceStorePtr = std::unique_ptr<ResourceStore>;
using ResourceStoreSharedPtr = std::shared_ptr<ResourceStore>;

}  // namespace ursa::store
