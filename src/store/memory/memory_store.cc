#include "src/store/memory/memory_store.h"

#include <set>

#include "ursa/common/strings.h"
#include "ursa/model/registry.h"

namespace ursa::store {

MemoryStore::MemoryStore(ClockSharedPtr clock) : clock_(std::move(clock)) {}

absl::StatusOr<ResourcePtr> MemoryStore::create(const Resource& r, const CreateOptions& options) {
  URSA_RETURN_IF_ERROR(checkWritable(r));
  std::lock_guard lock(mu_);
  ResourceKey key = ResourceKey::of(r);
  if (rows_.contains(key)) return absl::AlreadyExistsError(strCat(key.toString(), " already exists"));
  if (r.type->scope == model::Scope::Mesh &&
      !rows_.contains(ResourceKey{&model::TypeRegistry::instance().mesh(), "", r.meta.mesh})) {
    return absl::FailedPreconditionError(strCat("mesh \"", r.meta.mesh, "\" does not exist"));
  }
  if (options.owner && !rows_.contains(*options.owner)) {
    return absl::FailedPreconditionError(strCat("owner ", options.owner->toString(), " does not exist"));
  }
  auto stored = std::make_shared<Resource>(r);
  stored->meta.version = 1;
  stored->meta.creation_time = stored->meta.modification_time = clock_->now();
  rows_[key] = Row{stored, options.owner};
  if (options.owner) owned_.emplace(*options.owner, key);
  watchers_.notify({ResourceChange::Kind::Upserted, key, stored});
  return ResourcePtr(stored);
}

absl::StatusOr<ResourcePtr> MemoryStore::update(const Resource& r) {
  URSA_RETURN_IF_ERROR(checkWritable(r));
  std::lock_guard lock(mu_);
  ResourceKey key = ResourceKey::of(r);
  auto it = rows_.find(key);
  if (it == rows_.end()) return absl::NotFoundError(strCat(key.toString(), " not found"));
  const Resource& current = *it->second.resource;
  if (current.meta.version != r.meta.version) {
    return absl::AbortedError(strCat(key.toString(), " was changed (version ",
                                     current.meta.version, ", update names version ",
                                     r.meta.version, ")"));
  }
  auto stored = std::make_shared<Resource>(r);
  stored->meta.version = current.meta.version + 1;
  stored->meta.creation_time = current.meta.creation_time;
  stored->meta.modification_time = clock_->now();
  it->second.resource = stored;
  watchers_.notify({ResourceChange::Kind::Upserted, key, stored});
  return ResourcePtr(stored);
}

std::vector<ResourceKey> MemoryStore::cascadeOf(const ResourceKey& key) const {
  const ResourceType* mesh_type = &model::TypeRegistry::instance().mesh();
  std::vector<ResourceKey> out = {key};
  std::set<ResourceKey> seen = {key};
  auto add = [&](const ResourceKey& d) {
    if (seen.insert(d).second) out.push_back(d);
  };
  for (size_t i = 0; i < out.size(); ++i) {
    const ResourceKey k = out[i];
    auto [begin, end] = owned_.equal_range(k);
    for (auto it = begin; it != end; ++it) add(it->second);
    if (k.type != mesh_type) continue;
    // Everything in the mesh: one range of rows per mesh-scoped type.
    for (const ResourceType* t : model::TypeRegistry::instance().all()) {
      if (t->scope != model::Scope::Mesh) continue;
      for (auto it = rows_.lower_bound({t, k.name, ""});
           it != rows_.end() && it->first.type == t && it->first.mesh == k.name; ++it) {
        add(it->first);
      }
    }
  }
  return out;
}

absl::Status MemoryStore::remove(const ResourceKey& key, int64_t expected_version) {
  std::lock_guard lock(mu_);
  auto it = rows_.find(key);
  if (it == rows_.end()) return absl::NotFoundError(strCat(key.toString(), " not found"));
  if (expected_version != 0 && it->second.resource->meta.version != expected_version) {
    return absl::AbortedError(strCat(key.toString(), " was changed (version ",
                                     it->second.resource->meta.version, ")"));
  }
  for (const ResourceKey& k : cascadeOf(key)) {
    auto row = rows_.find(k);
    if (row != rows_.end() && row->second.owner) {
      auto [begin, end] = owned_.equal_range(*row->second.owner);
      for (auto o = begin; o != end; ++o) {
        if (o->second == k) {
          owned_.erase(o);
          break;
        }
      }
    }
    rows_.erase(k);
    watchers_.notify({ResourceChange::Kind::Deleted, k, nullptr});
  }
  return absl::OkStatus();
}

absl::StatusOr<ResourcePtr> MemoryStore::get(const ResourceKey& key) const {
  std::lock_guard lock(mu_);
  auto it = rows_.find(key);
  if (it == rows_.end()) return absl::NotFoundError(strCat(key.toString(), " not found"));
  return it->second.resource;
}

absl::StatusOr<ListResult> MemoryStore::list(const ListQuery& query) const {
  URSA_RETURN_IF_ERROR(checkQuery(query));
  std::vector<ResourcePtr> matches;
  {
    std::lock_guard lock(mu_);
    for (auto it = rows_.lower_bound(ResourceKey{query.type, "", ""});
         it != rows_.end() && it->first.type == query.type; ++it) {
      if (matchesFilters(*it->second.resource, query)) matches.push_back(it->second.resource);
    }
  }
  return pageOf(std::move(matches), query);
}

WatchHandlePtr MemoryStore::watch(ChangeListener listener) {
  return watchers_.add(std::move(listener));
}

}  // namespace ursa::store
