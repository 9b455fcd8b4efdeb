#pragma once

// ResourceMemo: generated resources by a key naming every input they depend
// on, so proxies that need the same resource (the admin cluster on the same
// port, a service's cluster under the same policy confs, ...) share one
// serialized, interned Resource and only the first of them builds it.
//
// Contract: `key` must determine the built Resource and its warnings
// completely; two builds for one key must be interchangeable. Entries hold
// weak pointers (a resource lives while a snapshot holds it) and are swept
// as the table grows, so memory follows the live snapshots.
//
// Thread-safety: get() may be called from any thread; `build` runs without
// the lock held (two threads may build the same key once each).

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "ursa/xds/snapshot.h"

namespace ursa::xds {

class ResourceMemo {
 public:
  struct Entry {
    ResourcePtr resource;
    std::vector<std::string> warnings;  // what building it reported
  };
  // The entry of `key`, built by `build` when absent or no longer held.
  Entry get(const std::string& key, const std::function<Entry()>& build);

  // Lookups answered without building, for tests and benchmarks.
  uint64_t hits() const;

 private:
  struct Stored {
    std::weak_ptr<const Resource> resource;
    std::vector<std::string> warnings;
  };
  void sweep();  // REQUIRES: mu_ held

  mutable std::mutex mu_;
  std::unordered_map<std::string, Stored> table_;
  uint64_t inserts_ = 0;
  uint64_t hits_ = 0;
};

}  // namespace ursa::xds
