#include "src/store/cache/resource_cache.h"

#include "ursa/model/registry.h"

namespace ursa::store {

using model::ResourceKey;
using model::ResourcePtr;

// --- ResourceSnapshot ---------------------------------------------------------

ResourcePtr ResourceSnapshot::get(const ResourceKey& key) const {
  auto t = types_.find(key.type);
  if (t == types_.end()) return nullptr;
  auto m = t->second->find(key.mesh);
  if (m == t->second->end()) return nullptr;
  auto n = m->second->find(key.name);
  return n == m->second->end() ? nullptr : n->second;
}

std::vector<ResourcePtr> ResourceSnapshot::list(const model::ResourceType& type,
                                                std::optional<std::string_view> mesh) const {
  std::vector<ResourcePtr> out;
  auto t = types_.find(&type);
  if (t == types_.end()) return out;
  for (const auto& [m, names] : *t->second) {
    if (mesh && m != *mesh) continue;
    for (const auto& [_, r] : *names) out.push_back(r);
  }
  return out;
}

size_t ResourceSnapshot::count(const model::ResourceType& type) const {
  size_t n = 0;
  auto t = types_.find(&type);
  if (t == types_.end()) return 0;
  for (const auto& [_, names] : *t->second) n += names->size();
  return n;
}

std::vector<std::string> ResourceSnapshot::meshes() const {
  std::vector<std::string> out;
  for (const auto& r : list(model::TypeRegistry::instance().mesh())) out.push_back(r->meta.name);
  return out;
}

// --- ResourceCache ------------------------------------------------------------

absl::StatusOr<std::unique_ptr<ResourceCache>> ResourceCache::start(ResourceStore& store) {
  std::unique_ptr<ResourceCache> cache(new ResourceCache(store));
  // Subscribe before loading: changes made during the load are queued and
  // applied on top of it, which converges because every event carries the
  // key's latest state.
  cache->watch_ = store.watch([c = cache.get()](const ResourceChange& ch) { c->onChange(ch); });
  URSA_ASSIGN_OR_RETURN(auto loaded, cache->loadAll());
  std::lock_guard lock(cache->mu_);
  cache->snapshot_ = std::move(loaded);
  return cache;
}

absl::StatusOr<std::shared_ptr<ResourceSnapshot>> ResourceCache::loadAll() const {
  auto snap = std::make_shared<ResourceSnapshot>();
  for (const model::ResourceType* type : model::TypeRegistry::instance().all()) {
    URSA_ASSIGN_OR_RETURN(ListResult all, store_.list(ListQuery{.type = type}));
    auto table = std::make_shared<ResourceSnapshot::TypeTable>();
    std::map<std::string, std::shared_ptr<ResourceSnapshot::NameTable>> building;
    for (auto& r : all.items) {
      auto& names = building[r->meta.mesh];
      if (!names) names = std::make_shared<ResourceSnapshot::NameTable>();
      (*names)[r->meta.name] = r;
    }
    for (auto& [mesh, names] : building) (*table)[mesh] = std::move(names);
    snap->types_[type] = std::move(table);
  }
  return snap;
}

void ResourceCache::onChange(const ResourceChange& change) {
  {
    std::lock_guard lock(mu_);
    if (change.kind == ResourceChange::Kind::Resync) {
      reload_ = true;
      pending_.clear();
    } else {
      pending_.push_back(change);
    }
  }
  subscribers_.notify(change);
}

absl::StatusOr<ResourceSnapshotConstSharedPtr> ResourceCache::current() {
  std::lock_guard building(build_mu_);  // one builder at a time
  std::unique_lock lock(mu_);
  if (reload_) {
    reload_ = false;
    lock.unlock();
    auto loaded = loadAll();
    lock.lock();
    if (!loaded.ok()) {
      reload_ = true;
      return loaded.status();
    }
    (*loaded)->revision_ = snapshot_->revision() + 1;
    snapshot_ = std::move(*loaded);
    // Changes queued while reloading are applied below, on top of it.
  }
  if (pending_.empty()) return snapshot_;

  auto next = std::make_shared<ResourceSnapshot>(*snapshot_);  // shares every table
  // Copy each touched (type, mesh) table once, then apply changes in order.
  std::map<std::pair<const model::ResourceType*, std::string>,
           std::shared_ptr<ResourceSnapshot::NameTable>>
      copies;
  for (const auto& ch : pending_) {
    auto key = std::make_pair(ch.key.type, ch.key.mesh);
    auto& names = copies[key];
    if (!names) {
      auto t = next->types_.find(ch.key.type);
      std::shared_ptr<const ResourceSnapshot::NameTable> old;
      if (t != next->types_.end()) {
        auto m = t->second->find(ch.key.mesh);
        if (m != t->second->end()) old = m->second;
      }
      names = old ? std::make_shared<ResourceSnapshot::NameTable>(*old)
                  : std::make_shared<ResourceSnapshot::NameTable>();
    }
    if (ch.kind == ResourceChange::Kind::Upserted) {
      (*names)[ch.key.name] = ch.resource;
    } else {
      names->erase(ch.key.name);
    }
  }
  for (auto& [key, names] : copies) {
    auto& type_table = next->types_[key.first];
    auto table = type_table ? std::make_shared<ResourceSnapshot::TypeTable>(*type_table)
                            : std::make_shared<ResourceSnapshot::TypeTable>();
    if (names->empty()) {
      table->erase(key.second);
    } else {
      (*table)[key.second] = std::move(names);
    }
    type_table = std::move(table);
  }
  next->revision_ = snapshot_->revision() + 1;
  pending_.clear();
  snapshot_ = std::move(next);
  return snapshot_;
}

WatchHandlePtr ResourceCache::subscribe(ChangeListener listener) {
  return subscribers_.add(std::move(listener));
}

}  // namespace ursa::store
