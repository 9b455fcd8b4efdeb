#include "src/cli/resource_nouns.h"

#include <algorithm>

#include "ursa/model/registry.h"

namespace ursa::cli {
namespace {

std::vector<std::string> nouns(std::string_view model::ResourceType::*field) {
  std::vector<std::string> out;
  for (const model::ResourceType* t : model::TypeRegistry::instance().all()) {
    if (!(t->*field).empty()) out.emplace_back(t->*field);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

NounMatch findNoun(std::string_view noun) {
  if (noun.empty()) return {};
  for (const model::ResourceType* t : model::TypeRegistry::instance().all()) {
    if (t->cli_plural == noun) return {t, true};
  }
  for (const model::ResourceType* t : model::TypeRegistry::instance().all()) {
    if (t->cli_singular == noun) return {t, false};
  }
  return {};
}

std::vector<std::string> singularNouns() { return nouns(&model::ResourceType::cli_singular); }
std::vector<std::string> pluralNouns() { return nouns(&model::ResourceType::cli_plural); }

}  // namespace ursa::cli
