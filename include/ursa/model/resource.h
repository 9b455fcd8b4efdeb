#pragma once

// The resource model: one ResourceType descriptor per Kuma type drives its
// name, REST path, scope, CLI noun, wire layout and validation; a Resource is
// an immutable (meta, spec) pair shared by pointer between the store, the
// caches and the xDS pipeline.
//
// Thread-safety: descriptors are immutable globals; Resource objects are
// immutable once published, so a ResourcePtr may be read from any thread.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "ursa/model/validation.h"

namespace ursa::model {

enum class Scope {
  Global,  // lives at /{path}; no mesh (Mesh, Zone, ZoneIngress, GlobalSecret, ...)
  Mesh,    // lives at /meshes/{mesh}/{path}; owned by (and deleted with) its mesh
};

// How the spec appears in YAML/JSON.
enum class SpecLayout {
  Flattened,  // Kuma's protobuf types: spec fields beside type/name/mesh
  Nested,     // targetRef policies: spec under `spec:`
};

struct ResourceType;

// Everything a validator may consult beyond the spec itself.
struct ValidationContext {
  const ResourceType& type;
  std::string_view name;
  std::string_view mesh;
};

using ValidateFn = void (*)(const google::protobuf::Message& spec, const ValidationContext& ctx,
                            Violations& out);
// Fills in defaults Kuma applies on create and update (for example the
// Prometheus backend port of a Mesh). May be null.
using DefaultFn = void (*)(google::protobuf::Message& spec);
// The tag sets a resource carries (one per Dataplane inbound, the tags of an
// ExternalService, ...), for tag filters in lists. May be null: no tags.
using TagSets = std::vector<std::map<std::string, std::string>>;
using TagsFn = TagSets (*)(const google::protobuf::Message& spec);

struct ResourceType {
  std::string_view name;            // "MeshTrafficPermission"
  Scope scope;
  std::string_view path;            // REST plural: "meshtrafficpermissions"
  std::string_view cli_singular;    // `ursactl get <cli_singular> NAME`
  std::string_view cli_plural;      // `ursactl get <cli_plural>`
  SpecLayout layout;
  const google::protobuf::Message* spec_prototype;  // default instance of the spec message
  ValidateFn validate;
  DefaultFn apply_defaults;
  bool is_policy = false;           // a targetRef or legacy policy
  bool read_only = false;           // computed by the control plane (insights)
  bool admin_only = false;          // Secret / GlobalSecret: admin callers only
  bool is_target_ref_policy = false;
  TagsFn tags = nullptr;

  // Root of violation paths: "spec" for nested specs, the resource for flattened ones.
  FieldPath specRoot() const {
    return layout == SpecLayout::Nested ? FieldPath::rootedAt("spec") : FieldPath();
  }
  std::unique_ptr<google::protobuf::Message> newSpec() const {
    return std::unique_ptr<google::protobuf::Message>(spec_prototype->New());
  }
};

struct ResourceMeta {
  std::string name;
  std::string mesh;  // empty for Scope::Global
  int64_t version = 0;  // 0 = never stored; the store sets 1 on create and bumps on update
  absl::Time creation_time = absl::UnixEpoch();
  absl::Time modification_time = absl::UnixEpoch();
  std::map<std::string, std::string> labels;
};

struct Resource {
  const ResourceType* type = nullptr;
  ResourceMeta meta;
  std::shared_ptr<const google::protobuf::Message> spec;
};
using ResourcePtr = std::shared_ptr<const Resource>;

// Identity of a resource: its type, mesh (empty when global) and name.
struct ResourceKey {
  const ResourceType* type = nullptr;
  std::string mesh;
  std::string name;

  static ResourceKey of(const Resource& r) { return {r.type, r.meta.mesh, r.meta.name}; }
  auto operator<=>(const ResourceKey&) const = default;
  std::string toString() const;  // "Dataplane default/web-1", "Mesh default"
};

// Validates name and mesh (Kuma 2.2 rules: non-empty, [0-9a-z-_], at most 253
// characters) and then the spec. Violations are in Kuma's paths.
Violations validateResource(const Resource& r);
Violations validateName(std::string_view field, std::string_view name);

}  // namespace ursa::model
