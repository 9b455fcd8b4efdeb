#include "src/xds/generator/snapshot_editor.h"

namespace ursa::xds::gen {

SnapshotEditor::SnapshotEditor(const Snapshot& base)
    : warnings_(base.warnings()), change_time_(base.changeTime()) {
  for (TypeIndex t : kPushOrder) {
    auto& items = types_[static_cast<size_t>(t)];
    for (const auto& r : base.resources(t)) items.emplace(r->name, r);
  }
}

bool SnapshotEditor::read(TypeIndex t, const std::string& name,
                          google::protobuf::Message& out) const {
  const auto& items = resources(t);
  auto it = items.find(name);
  return it != items.end() && out.ParseFromString(it->second->bytes);
}

void SnapshotEditor::put(TypeIndex t, const std::string& name, const google::protobuf::Message& m) {
  types_[static_cast<size_t>(t)][name] = internResource(name, m);
}

void SnapshotEditor::remove(TypeIndex t, const std::string& name) {
  types_[static_cast<size_t>(t)].erase(name);
}

SnapshotConstSharedPtr SnapshotEditor::build() {
  SnapshotBuilder out;
  out.setChangeTime(change_time_);
  for (TypeIndex t : kPushOrder) {
    for (auto& [name, r] : types_[static_cast<size_t>(t)]) out.add(t, std::move(r));
  }
  for (auto& w : warnings_) out.addWarning(std::move(w));
  types_ = {};
  warnings_.clear();
  return out.build();
}

}  // namespace ursa::xds::gen
