#pragma once

// The registry of every resource type ursa knows, in one explicit list
// (src/model/types/registry.cc). Lookups accept the names users type: the type
// name ("MeshTimeout"), the REST path ("meshtimeouts") and the CLI nouns
// ("meshtimeout", "meshtimeouts").

#include <span>
#include <string_view>

#include "ursa/model/resource.h"

namespace ursa::model {

class TypeRegistry {
 public:
  static const TypeRegistry& instance();

  std::span<const ResourceType* const> all() const;
  const ResourceType* byName(std::string_view type_name) const;
  const ResourceType* byPath(std::string_view rest_path) const;
  const ResourceType* byCliNoun(std::string_view noun) const;  // singular or plural

  // Shorthands for types the core refers to by name.
  const ResourceType& mesh() const;
  const ResourceType& dataplane() const;
  const ResourceType& secret() const;
  const ResourceType& globalSecret() const;
};

}  // namespace ursa::model
