#include <algorithm>
#include <cstdio>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "ursa/xds/snapshot.h"
#include "xxhash.h"

namespace ursa::xds {
namespace {

constexpr std::array<std::string_view, kTypeCount> kTypeUrls = {
    "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret",
    "type.googleapis.com/envoy.config.cluster.v3.Cluster",
    "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment",
    "type.googleapis.com/envoy.config.listener.v3.Listener",
    "type.googleapis.com/envoy.config.route.v3.RouteConfiguration",
};
constexpr std::array<std::string_view, kTypeCount> kShortNames = {
    "Secret", "Cluster", "ClusterLoadAssignment", "Listener", "RouteConfiguration"};

std::string hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string serializeDeterministic(const google::protobuf::Message& m) {
  std::string out;
  out.reserve(m.ByteSizeLong());
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  m.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

// Shares Resources with equal (name, bytes). Entries hold weak pointers; the
// table sweeps dead ones as it grows.
class Interner {
 public:
  ResourcePtr intern(std::string name, std::string bytes) {
    uint64_t h = XXH3_64bits(bytes.data(), bytes.size());
    uint64_t key = XXH3_64bits_withSeed(name.data(), name.size(), h);
    std::lock_guard lock(mu_);
    auto [begin, end] = table_.equal_range(key);
    for (auto it = begin; it != end; ++it) {
      if (auto live = it->second.lock(); live && live->name == name && live->bytes == bytes) {
        return live;
      }
    }
    auto r = std::make_shared<const Resource>(Resource{std::move(name), std::move(bytes), h});
    table_.emplace(key, r);
    if (++inserts_ % 4096 == 0) sweep();
    return r;
  }

 private:
  void sweep() {
    for (auto it = table_.begin(); it != table_.end();) {
      it = it->second.expired() ? table_.erase(it) : std::next(it);
    }
  }
  std::mutex mu_;
  std::unordered_multimap<uint64_t, std::weak_ptr<const Resource>> table_;
  uint64_t inserts_ = 0;
};

Interner& interner() {
  static Interner* kInterner = new Interner();  // never destroyed: used until exit
  return *kInterner;
}

}  // namespace

std::string_view typeUrl(TypeIndex t) { return kTypeUrls[static_cast<size_t>(t)]; }
std::string_view shortName(TypeIndex t) { return kShortNames[static_cast<size_t>(t)]; }

std::optional<TypeIndex> typeIndexOf(std::string_view type_url) {
  for (size_t i = 0; i < kTypeCount; ++i) {
    if (kTypeUrls[i] == type_url) return static_cast<TypeIndex>(i);
  }
  return std::nullopt;
}

bool isWildcardByDefault(TypeIndex t) { return t == TypeIndex::Listener || t == TypeIndex::Cluster; }

std::string Resource::version() const { return hex(hash); }

ResourcePtr Snapshot::find(TypeIndex t, std::string_view name) const {
  const auto& items = resources(t);
  auto it = std::lower_bound(items.begin(), items.end(), name,
                             [](const ResourcePtr& r, std::string_view n) { return r->name < n; });
  return it != items.end() && (*it)->name == name ? *it : nullptr;
}

size_t Snapshot::byteSize() const {
  size_t n = 0;
  for (const auto& t : types_) {
    for (const auto& r : t.items) n += r->bytes.size() + r->name.size();
  }
  return n;
}

ResourcePtr internResource(std::string name, const google::protobuf::Message& m) {
  return interner().intern(std::move(name), serializeDeterministic(m));
}

SnapshotBuilder& SnapshotBuilder::add(TypeIndex t, std::string name,
                                      const google::protobuf::Message& m) {
  return add(t, internResource(std::move(name), m));
}

SnapshotBuilder& SnapshotBuilder::add(TypeIndex t, ResourcePtr r) {
  items_[static_cast<size_t>(t)].push_back(std::move(r));
  return *this;
}

SnapshotConstSharedPtr SnapshotBuilder::build() {
  auto snap = std::make_shared<Snapshot>();
  for (size_t i = 0; i < kTypeCount; ++i) {
    auto& items = items_[i];
    // Sort by name, the last add() of a name winning.
    std::stable_sort(items.begin(), items.end(),
                     [](const ResourcePtr& a, const ResourcePtr& b) { return a->name < b->name; });
    std::vector<ResourcePtr> unique;
    for (auto& r : items) {
      if (!unique.empty() && unique.back()->name == r->name) {
        unique.back() = std::move(r);
      } else {
        unique.push_back(std::move(r));
      }
    }
    XXH3_state_t* state = XXH3_createState();
    XXH3_64bits_reset(state);
    for (const auto& r : unique) {
      XXH3_64bits_update(state, r->name.data(), r->name.size());
      XXH3_64bits_update(state, &r->hash, sizeof r->hash);
    }
    snap->types_[i].version = hex(XXH3_64bits_digest(state));
    XXH3_freeState(state);
    snap->types_[i].items = std::move(unique);
  }
  snap->change_time_ = change_time_;
  std::sort(warnings_.begin(), warnings_.end());
  warnings_.erase(std::unique(warnings_.begin(), warnings_.end()), warnings_.end());
  snap->warnings_ = std::exchange(warnings_, {});
  items_ = {};
  change_time_ = absl::InfinitePast();
  return snap;
}

}  // namespace ursa::xds
