#pragma once

// What the policy types' tests share: a policy spec decoded strictly and
// validated in one call, and violations as "field: message" lines.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ursa/common/strings.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"

namespace ursa::model::policy_test {

// The registered type `name`; throws when there is none.
inline const ResourceType& typeNamed(std::string_view name) {
  const ResourceType* type = TypeRegistry::instance().byName(name);
  if (type == nullptr) throw std::runtime_error(std::string(name) + " is not registered");
  return *type;
}

// Decodes `yaml` (a spec) strictly and validates it as resource default/p;
// decoding problems are returned as violations too.
inline Violations check(std::string_view type_name, std::string_view yaml) {
  const ResourceType& type = typeNamed(type_name);
  auto doc = parseYaml(yaml);
  if (!doc.ok()) throw std::runtime_error(std::string(doc.status().message()));
  auto spec = decodeSpec(type, *doc);
  if (!spec.ok()) return violationsOf(spec.status());
  Resource r{&type, {"p", "default"}, std::move(*spec)};
  return validateResource(r);
}

using Lines = std::vector<std::string>;

// "field: message" per violation, for readable comparisons.
inline Lines lines(const std::vector<Violation>& list) {
  Lines out;
  for (const auto& v : list) out.push_back(ursa::strCat(v.field, ": ", v.message));
  return out;
}
inline Lines lines(const Violations& v) { return lines(v.list()); }

}  // namespace ursa::model::policy_test
