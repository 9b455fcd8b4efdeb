#pragma once

// ResourceSnapshot: an immutable, consistent view of every resource at one
// moment, shared by pointer. The xDS pipeline reads snapshots, never the
// store; two snapshots share every table that did not change between them.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ursa/model/resource.h"

namespace ursa::store {

class ResourceSnapshot {
 public:
  // name -> resource, sorted by name.
  using NameTable = std::map<std::string, model::ResourcePtr, std::less<>>;
  // mesh ('' for global types) -> names.
  using TypeTable = std::map<std::string, std::shared_ptr<const NameTable>, std::less<>>;

  // Increases with every published change.
  uint64_t revision() const { return revision_; }

  model::ResourcePtr get(const model::ResourceKey& key) const;
  // Every resource of `type` in `mesh` (or in every mesh), sorted by mesh, name.
  std::vector<model::ResourcePtr> list(const model::ResourceType& type,
                                       std::optional<std::string_view> mesh = std::nullopt) const;
  size_t count(const model::ResourceType& type) const;
  // The names of the meshes that exist.
  std::vector<std::string> meshes() const;

 private:
  friend class ResourceCache;
  uint64_t revision_ = 0;
  std::map<const model::ResourceType*, std::shared_ptr<const TypeTable>> types_;
};
using ResourceSnapshotConstSharedPtr = std::shared_ptr<const ResourceSnapshot>;

}  // namespace ursa::store
