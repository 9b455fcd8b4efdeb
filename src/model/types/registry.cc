#include "ursa/model/registry.h"

#include <array>

#include "src/model/types/types.h"

namespace ursa::model {
namespace {

const std::vector<const ResourceType*>& allTypes() {
  static const std::vector<const ResourceType*> kAll = {
      &types::mesh(),
      &types::dataplane(),
      &types::dataplaneInsight(),
      &types::externalService(),
      &types::zoneIngress(),
      &types::zoneEgress(),
      &types::zone(),
      &types::secret(),
      &types::globalSecret(),
      &types::meshTrafficPermission(),
      &types::meshTimeout(),
      &types::meshRetry(),
      &types::meshHTTPRoute(),
      &types::meshTCPRoute(),
      &types::meshCircuitBreaker(),
      &types::meshHealthCheck(),
      &types::meshRateLimit(),
      &types::meshFaultInjection(),
      &types::meshAccessLog(),
      &types::meshTrace(),
      &types::meshLoadBalancingStrategy(),
      &types::meshProxyPatch(),
  };
  return kAll;
}

const ResourceType* find(std::string_view value, auto&& field) {
  for (const ResourceType* t : allTypes()) {
    if (field(*t) == value) return t;
  }
  return nullptr;
}

}  // namespace

const TypeRegistry& TypeRegistry::instance() {
  static const TypeRegistry kRegistry;
  return kRegistry;
}

std::span<const ResourceType* const> TypeRegistry::all() const { return allTypes(); }

const ResourceType* TypeRegistry::byName(std::string_view type_name) const {
  return find(type_name, [](const ResourceType& t) { return t.name; });
}

const ResourceType* TypeRegistry::byPath(std::string_view rest_path) const {
  return find(rest_path, [](const ResourceType& t) { return t.path; });
}

const ResourceType* TypeRegistry::byCliNoun(std::string_view noun) const {
  if (auto* found = find(noun, [](const ResourceType& t) { return t.cli_plural; })) return found;
  return find(noun, [](const ResourceType& t) { return t.cli_singular; });
}

const ResourceType& TypeRegistry::mesh() const { return types::mesh(); }
const ResourceType& TypeRegistry::dataplane() const { return types::dataplane(); }
const ResourceType& TypeRegistry::secret() const { return types::secret(); }
const ResourceType& TypeRegistry::globalSecret() const { return types::globalSecret(); }

}  // namespace ursa::model
