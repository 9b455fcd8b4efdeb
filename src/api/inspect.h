#pragma once

// What the inspection endpoints compute, as pure functions of one mesh's
// resources (a MeshView). See docs/policies.md, "Inspection and explain".
//
//   dataplanePolicies  GET /meshes/{mesh}/dataplanes/{name}/policies
//   dataplaneRules     GET /meshes/{mesh}/dataplanes/{name}/rules
//   policyDataplanes   GET /meshes/{mesh}/{policy-path}/{name}/dataplanes
//
// Every rule carries the policies that produced it (its origins). References
// to services that no Dataplane inbound, gateway or ExternalService of the
// mesh provides are reported in `warnings`, never as errors.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ursa/model/codec.h"
#include "ursa/model/resource.h"
#include "ursa/policy/matching.h"
#include "ursa/store/resource_store.h"

namespace ursa::api {

using model::Json;

// One mesh as the inspection endpoints read it.
struct MeshView {
  model::ResourcePtr mesh;
  std::vector<model::ResourcePtr> dataplanes;
  // Every targetRef policy type of the registry, in registry order, with the
  // mesh's policies of that type (possibly none).
  std::vector<std::pair<const model::ResourceType*, std::vector<model::ResourcePtr>>> policies;
  // kuma.io/service values provided in the mesh (inbounds, gateways,
  // ExternalServices).
  std::set<std::string> services;

  bool mtlsEnabled() const;
  const std::vector<model::ResourcePtr>& policiesOf(std::string_view type_name) const;
};

// Reads `mesh` from the store; NotFound when the Mesh does not exist.
absl::StatusOr<MeshView> loadMeshView(store::ResourceStore& store, const std::string& mesh);

// The policies of every type that select `dataplane`, with their rules.
struct DataplaneMatch {
  const model::ResourceType* type;
  policy::MatchedPolicies matched;
};
absl::StatusOr<std::vector<DataplaneMatch>> matchAllTypes(const MeshView& view,
                                                          const model::Resource& dataplane);

// The services a Dataplane's outbounds reach: its explicit outbounds, plus
// with transparent proxying every service of the mesh (narrowed by
// reachableServices), minus its own.
std::vector<std::string> outboundServices(const MeshView& view, const model::Resource& dataplane);

// Warnings for targetRefs of `policy` naming services the mesh lacks.
std::vector<std::string> unknownServiceWarnings(const MeshView& view,
                                                const model::Resource& policy);

// Rendering of rules and origins shared with explain.
Json subsetJson(const policy::Subset& subset);
Json originsJson(const std::vector<policy::PolicyRef>& origins);
Json ruleJson(const policy::Rule& rule);

// {kind: SidecarDataplane, total, items: [{type: dataplane|inbound|service,
//  name, service, matchedPolicies: {<Type>: [resource...]}}], rules, warnings}
absl::StatusOr<Json> dataplanePolicies(const MeshView& view, const model::Resource& dataplane);
// {total, items: [{type: ClientSubset|DestinationSubset|SingleItem, name,
//  service, policyType, subset, conf, origins}], warnings}
absl::StatusOr<Json> dataplaneRules(const MeshView& view, const model::Resource& dataplane);
// {total, items: [{kind: SidecarDataplane, dataplane: {mesh, name},
//  attachments: [{type, name, service}]}], warnings}
absl::StatusOr<Json> policyDataplanes(const MeshView& view, const model::Resource& policy);

}  // namespace ursa::api
