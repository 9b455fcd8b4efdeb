#pragma once

// CowMap: a string-keyed map whose copies share storage, for values that
// successive immutable versions of a large structure mostly have in common.
//
// Entries live in kShards shards chosen by the key's hash; each shard is an
// immutable std::map held by shared_ptr. Copying a CowMap copies kShards
// pointers; a write copies only the one shard it touches (when another copy
// still shares it). So deriving a new version with k changed keys from one
// with n entries costs O(kShards + k·n/kShards), not O(n).
//
// Iteration (forEach) visits every entry once, in no particular order.
// Not thread-safe for writes; a CowMap that is no longer written may be read
// from any thread, and its copies written independently.

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace ursa::xds::gen {

template <typename V>
class CowMap {
 public:
  static constexpr size_t kShards = 64;

  // The value of `key`, or nullptr.
  const V* find(const std::string& key) const {
    const auto& shard = shards_[shardOf(key)];
    if (!shard) return nullptr;
    auto it = shard->find(key);
    return it == shard->end() ? nullptr : &it->second;
  }
  bool contains(const std::string& key) const { return find(key) != nullptr; }

  // The value of `key` for writing, default-constructed when absent. The
  // reference stays valid until the next write to this map.
  V& mutableAt(const std::string& key) { return (*writable(shardOf(key)))[key]; }

  void erase(const std::string& key) {
    size_t i = shardOf(key);
    if (!shards_[i] || !shards_[i]->contains(key)) return;
    writable(i)->erase(key);
  }

  size_t size() const {
    size_t n = 0;
    for (const auto& s : shards_) n += s ? s->size() : 0;
    return n;
  }

  // Calls fn(key, value) for every entry.
  template <typename Fn>
  void forEach(Fn&& fn) const {
    for (const auto& s : shards_) {
      if (!s) continue;
      for (const auto& [k, v] : *s) fn(k, v);
    }
  }

 private:
  using Shard = std::map<std::string, V>;

  static size_t shardOf(const std::string& key) { return std::hash<std::string>{}(key) % kShards; }

  // Shard `i`, copied first when another CowMap shares it.
  Shard* writable(size_t i) {
    auto& s = shards_[i];
    if (!s) {
      s = std::make_shared<Shard>();
    } else if (s.use_count() > 1) {
      s = std::make_shared<Shard>(*s);
    }
    // Only this map holds the shard now: writing to it is safe.
    return const_cast<Shard*>(s.get());
  }

  std::array<std::shared_ptr<const Shard>, kShards> shards_;
};

}  // namespace ursa::xds::gen
