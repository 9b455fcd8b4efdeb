#pragma once

// The resource nouns users type (kumactl's): every registered type with CLI
// nouns, as `cli_plural` (get lists) and `cli_singular` (get one, delete).
// Types without nouns (insights) are not addressable from the CLI.

#include <string>
#include <string_view>
#include <vector>

#include "ursa/model/resource.h"

namespace ursa::cli {

struct NounMatch {
  const model::ResourceType* type = nullptr;  // null: unknown noun
  bool plural = false;
};
NounMatch findNoun(std::string_view noun);

// Sorted.
std::vector<std::string> singularNouns();
std::vector<std::string> pluralNouns();

}  // namespace ursa::cli
