#pragma once

// Edits a generated Snapshot after the fact (the passes that, as Kuma's
// policy plugins, modify the finished resource set: access logs, tracing,
// MeshProxyPatch). Copy-on-write: resources are read from the base
// snapshot's shared bytes and an edited one is serialized anew under its
// name; the base snapshot, and every other proxy sharing its resources, is
// never changed.

#include <map>
#include <string>

#include "google/protobuf/message.h"
#include "ursa/xds/snapshot.h"

namespace ursa::xds::gen {

class SnapshotEditor {
 public:
  // Starts from `base`: its resources, warnings and change time.
  explicit SnapshotEditor(const Snapshot& base);

  // The current resources of `t` by name.
  const std::map<std::string, ResourcePtr>& resources(TypeIndex t) const {
    return types_[static_cast<size_t>(t)];
  }
  // Parses the current resource `name` of `t` into `out`; false when absent
  // or unreadable.
  bool read(TypeIndex t, const std::string& name, google::protobuf::Message& out) const;
  // Adds or replaces resource `name` of `t`.
  void put(TypeIndex t, const std::string& name, const google::protobuf::Message& m);
  void remove(TypeIndex t, const std::string& name);
  void addWarning(std::string warning) { warnings_.push_back(std::move(warning)); }

  SnapshotConstSharedPtr build();

 private:
  std::array<std::map<std::string, ResourcePtr>, kTypeCount> types_;
  std::vector<std::string> warnings_;
  absl::Time change_time_;
};

}  // namespace ursa::xds::gen
