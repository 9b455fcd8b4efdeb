#include "src/xds/cache/snapshot_cache.h"

namespace ursa::xds {

void SnapshotCache::set(const std::string& node, SnapshotConstSharedPtr snapshot) {
  std::lock_guard lock(mu_);
  Entry& e = entries_[node];
  e.snapshot = std::move(snapshot);
  for (const auto& [_, w] : e.watchers) w(e.snapshot);
}

void SnapshotCache::clear(const std::string& node) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(node);
  if (it == entries_.end()) return;
  it->second.snapshot.reset();
  if (it->second.watchers.empty()) entries_.erase(it);
}

SnapshotConstSharedPtr SnapshotCache::get(const std::string& node) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(node);
  return it == entries_.end() ? nullptr : it->second.snapshot;
}

SnapshotCache::WatchHandlePtr SnapshotCache::watch(const std::string& node, Watcher watcher) {
  std::lock_guard lock(mu_);
  uint64_t id = next_id_++;
  Entry& e = entries_[node];
  if (e.snapshot) watcher(e.snapshot);
  e.watchers.emplace(id, std::move(watcher));
  return std::make_unique<WatchHandle>(*this, node, id);
}

void SnapshotCache::unwatch(const std::string& node, uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(node);
  if (it == entries_.end()) return;
  it->second.watchers.erase(id);
  if (it->second.watchers.empty() && !it->second.snapshot) entries_.erase(it);
}

size_t SnapshotCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace ursa::xds
