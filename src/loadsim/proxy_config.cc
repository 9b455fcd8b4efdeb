#include "src/loadsim/proxy_config.h"

#include <algorithm>

namespace ursa::loadsim {

using xds::TypeIndex;

std::map<std::string, Refs>* ProxyConfig::refsOf(TypeIndex type) {
  if (type == TypeIndex::Cluster) return &clusters_;
  if (type == TypeIndex::Listener) return &listeners_;
  return nullptr;
}

void ProxyConfig::replace(TypeIndex type, const std::vector<Inspected>& resources) {
  auto& held = held_[static_cast<size_t>(type)];
  held.clear();
  auto* refs = refsOf(type);
  if (refs) refs->clear();
  for (const auto& r : resources) {
    held.insert(r.name);
    if (refs) (*refs)[r.name] = r.refs;
  }
  accepted_[static_cast<size_t>(type)] = true;
}

void ProxyConfig::update(TypeIndex type, const std::vector<Inspected>& added,
                         const std::vector<std::string>& removed) {
  auto& held = held_[static_cast<size_t>(type)];
  auto* refs = refsOf(type);
  for (const auto& r : added) {
    held.insert(r.name);
    if (refs) (*refs)[r.name] = r.refs;
  }
  for (const auto& name : removed) {
    held.erase(name);
    if (refs) refs->erase(name);
  }
  accepted_[static_cast<size_t>(type)] = true;
}

std::set<std::string> ProxyConfig::wanted(TypeIndex type) const {
  std::set<std::string> out;
  auto collect = [&](const std::map<std::string, Refs>& from) {
    for (const auto& [_, refs] : from) {
      const auto& names = type == TypeIndex::Endpoint ? refs.endpoints
                          : type == TypeIndex::Secret ? refs.secrets
                                                      : refs.routes;
      out.insert(names.begin(), names.end());
    }
  };
  if (type == TypeIndex::Endpoint || type == TypeIndex::Secret || type == TypeIndex::Route) {
    collect(clusters_);
    collect(listeners_);
  }
  return out;
}

bool ProxyConfig::complete() const {
  if (!accepted_[static_cast<size_t>(TypeIndex::Cluster)] ||
      !accepted_[static_cast<size_t>(TypeIndex::Listener)]) {
    return false;
  }
  for (TypeIndex t : {TypeIndex::Endpoint, TypeIndex::Secret, TypeIndex::Route}) {
    auto want = wanted(t);
    const auto& have = held(t);
    if (!std::includes(have.begin(), have.end(), want.begin(), want.end())) return false;
  }
  return true;
}

}  // namespace ursa::loadsim
