#pragma once

// The xDS configuration of one proxy: an immutable Snapshot of Envoy
// resources per type, each resource kept as its deterministic protobuf bytes
// with a 64-bit hash of them as its version. Identical resources are shared
// between proxies (see ResourceInterner), so a mesh where every proxy reaches
// the same cluster holds that cluster's bytes once.
//
// Thread-safety: Snapshot and Resource are immutable; share them freely.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "google/protobuf/message.h"

namespace ursa::xds {

// The resource types ursa serves, in the order a push sends them: secrets
// before what references them, clusters before their endpoints, listeners
// before their routes (Envoy's make-before-break order).
enum class TypeIndex : uint8_t { Secret, Cluster, Endpoint, Listener, Route };
inline constexpr size_t kTypeCount = 5;
inline constexpr std::array<TypeIndex, kTypeCount> kPushOrder = {
    TypeIndex::Secret, TypeIndex::Cluster, TypeIndex::Endpoint, TypeIndex::Listener,
    TypeIndex::Route};

std::string_view typeUrl(TypeIndex t);
// The index of a type URL; nullopt for types ursa does not serve.
std::optional<TypeIndex> typeIndexOf(std::string_view type_url);
// "Cluster", "Listener", ...: for logs and metric labels.
std::string_view shortName(TypeIndex t);
// Whether an empty subscription means "everything" (LDS and CDS in SotW).
bool isWildcardByDefault(TypeIndex t);

struct Resource {
  std::string name;
  std::string bytes;  // the resource message, serialized deterministically
  uint64_t hash = 0;  // xxh3 of `bytes`: the resource's version
  std::string version() const;  // `hash` in hex
};
using ResourcePtr = std::shared_ptr<const Resource>;

class Snapshot {
 public:
  // Resources of `t`, sorted by name.
  const std::vector<ResourcePtr>& resources(TypeIndex t) const {
    return types_[static_cast<size_t>(t)].items;
  }
  ResourcePtr find(TypeIndex t, std::string_view name) const;
  // A version for the whole type: changes iff a name or a resource changes.
  const std::string& version(TypeIndex t) const { return types_[static_cast<size_t>(t)].version; }
  // Bytes held by this snapshot's resources (shared ones counted in full).
  size_t byteSize() const;
  // When the change this snapshot answers happened (for `xds_delivery`:
  // change to ACK). Unset (InfinitePast) when unknown.
  absl::Time changeTime() const { return change_time_; }
  // What the generator could not translate as asked (a policy field the
  // client cannot honour, a timeout given headroom, ...), sorted and
  // distinct: for inspection. Not part of any type's version.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  friend class SnapshotBuilder;
  struct TypeResources {
    std::vector<ResourcePtr> items;
    std::string version;
  };
  std::array<TypeResources, kTypeCount> types_;
  absl::Time change_time_ = absl::InfinitePast();
  std::vector<std::string> warnings_;
};
using SnapshotConstSharedPtr = std::shared_ptr<const Snapshot>;

// Builds a Snapshot. add() serializes each message once and interns the
// bytes. A later add() with a name already present replaces it.
class SnapshotBuilder {
 public:
  SnapshotBuilder& add(TypeIndex t, std::string name, const google::protobuf::Message& m);
  SnapshotBuilder& add(TypeIndex t, ResourcePtr r);
  SnapshotBuilder& setChangeTime(absl::Time t) {
    change_time_ = t;
    return *this;
  }
  // Records a warning (see Snapshot::warnings).
  SnapshotBuilder& addWarning(std::string warning) {
    warnings_.push_back(std::move(warning));
    return *this;
  }
  SnapshotConstSharedPtr build();

 private:
  std::array<std::vector<ResourcePtr>, kTypeCount> items_;
  std::vector<std::string> warnings_;
  absl::Time change_time_ = absl::InfinitePast();
};

// Serializes `m` deterministically and returns the shared Resource holding
// those bytes: the same bytes under the same name always yield the same object.
ResourcePtr internResource(std::string name, const google::protobuf::Message& m);

}  // namespace ursa::xds
