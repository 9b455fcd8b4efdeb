#include "src/core/resource_manager.h"

#include "src/core/default_policies.h"
#include "ursa/common/logging.h"
#include "ursa/common/strings.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"

namespace ursa::core {

using model::Resource;
using model::ResourcePtr;

absl::StatusOr<Resource> ResourceManager::prepare(const Resource& r) {
  if (r.type == nullptr || !r.spec) return absl::InvalidArgumentError("resource has no type or spec");
  Resource out = r;
  if (r.type->apply_defaults) {
    std::shared_ptr<google::protobuf::Message> spec(r.spec->New());
    spec->CopyFrom(*r.spec);
    r.type->apply_defaults(*spec);
    out.spec = std::move(spec);
  }
  model::Violations violations = model::validateResource(out);
  if (!violations.empty()) {
    return model::invalidArgument(strCat(r.type->name, " is not valid"), violations);
  }
  return out;
}

absl::StatusOr<ResourcePtr> ResourceManager::create(const Resource& r,
                                                    const store::CreateOptions& options) {
  URSA_ASSIGN_OR_RETURN(Resource prepared, prepare(r));
  URSA_ASSIGN_OR_RETURN(ResourcePtr created, store_.create(prepared, options));
  afterMeshCreated(*created);
  return created;
}

absl::StatusOr<ResourcePtr> ResourceManager::update(const Resource& r) {
  URSA_ASSIGN_OR_RETURN(Resource prepared, prepare(r));
  return store_.update(prepared);
}

absl::StatusOr<UpsertResult> ResourceManager::upsert(const Resource& r) {
  URSA_ASSIGN_OR_RETURN(Resource prepared, prepare(r));
  constexpr int kAttempts = 5;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    auto current = store_.get(model::ResourceKey::of(prepared));
    if (absl::IsNotFound(current.status())) {
      auto created = store_.create(prepared);
      if (created.ok()) {
        afterMeshCreated(**created);
        return UpsertResult{*created, UpsertOutcome::Created};
      }
      if (absl::IsAlreadyExists(created.status())) continue;  // lost a race: update instead
      return created.status();
    }
    if (!current.ok()) return current.status();
    prepared.meta.version = (*current)->meta.version;
    auto updated = store_.update(prepared);
    if (updated.ok()) return UpsertResult{*updated, UpsertOutcome::Updated};
    if (!absl::IsAborted(updated.status()) && !absl::IsNotFound(updated.status())) {
      return updated.status();
    }
  }
  return absl::AbortedError(strCat(model::ResourceKey::of(r).toString(),
                                   " kept changing under concurrent writes; try again"));
}

void ResourceManager::afterMeshCreated(const Resource& mesh) {
  if (!options_.create_default_policies || mesh.type != &model::TypeRegistry::instance().mesh()) {
    return;
  }
  for (const Resource& policy : defaultPoliciesFor(mesh.meta.name)) {
    auto created = create(policy);
    if (created.ok()) {
      logger("core")->info("mesh \"{}\": created default policy {} {}", mesh.meta.name,
                           policy.type->name, policy.meta.name);
    } else if (!absl::IsAlreadyExists(created.status())) {
      logger("core")->error("mesh \"{}\": cannot create default policy {} {}: {}",
                            mesh.meta.name, policy.type->name, policy.meta.name,
                            created.status().ToString());
    }
  }
}

absl::Status ResourceManager::remove(const model::ResourceKey& key) {
  const auto& registry = model::TypeRegistry::instance();
  if (key.type == &registry.mesh() && !options_.unsafe_delete) {
    auto dataplanes = store_.list({.type = &registry.dataplane(), .mesh = key.name, .limit = 1});
    if (!dataplanes.ok()) return dataplanes.status();
    if (dataplanes->total > 0) {
      return absl::FailedPreconditionError(strCat(
          "mesh \"", key.name, "\" still has ", dataplanes->total,
          " dataplane(s); delete them first, or set store.unsafeDelete to delete anyway"));
    }
  }
  return store_.remove(key);
}

}  // namespace ursa::core
