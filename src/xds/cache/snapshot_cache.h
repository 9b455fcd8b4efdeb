#pragma once

// Snapshots by proxy (node id), and the streams waiting for them.
//
// The reconciler set()s a proxy's new Snapshot; every stream watching that
// proxy is told at once, on the setter's thread (watchers must be quick: they
// queue work for their stream). A proxy may have several streams (a reconnect
// overlapping the old stream's end).
//
// Thread-safety: every method may be called from any thread.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "ursa/xds/snapshot.h"

namespace ursa::xds {

class SnapshotCache {
 public:
  using Watcher = std::function<void(const SnapshotConstSharedPtr&)>;

  class WatchHandle {
   public:
    WatchHandle(SnapshotCache& cache, std::string node, uint64_t id)
        : cache_(cache), node_(std::move(node)), id_(id) {}
    ~WatchHandle() { cache_.unwatch(node_, id_); }

   private:
    SnapshotCache& cache_;
    std::string node_;
    uint64_t id_;
  };
  using WatchHandlePtr = std::unique_ptr<WatchHandle>;

  void set(const std::string& node, SnapshotConstSharedPtr snapshot);
  void clear(const std::string& node);
  SnapshotConstSharedPtr get(const std::string& node) const;
  // Calls `watcher` with the current snapshot (if any) before returning, then
  // on every set(). Destroying the handle stops the calls.
  WatchHandlePtr watch(const std::string& node, Watcher watcher);
  size_t size() const;

 private:
  void unwatch(const std::string& node, uint64_t id);

  struct Entry {
    SnapshotConstSharedPtr snapshot;
    std::map<uint64_t, Watcher> watchers;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;
  uint64_t next_id_ = 1;
};

}  // namespace ursa::xds
