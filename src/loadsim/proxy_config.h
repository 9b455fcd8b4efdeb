#pragma once

// One simulated Envoy's configuration: the names it holds per type, the
// Refs of its clusters and listeners, and from them the EDS, SDS and RDS
// names it subscribes to. Protocol-agnostic: SotW responses replace a type,
// delta responses update it. Not thread-safe (one stream owns it).

#include <array>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "src/loadsim/envoy_refs.h"

namespace ursa::loadsim {

class ProxyConfig {
 public:
  // An accepted SotW response: `resources` is now all the proxy has of `type`.
  void replace(xds::TypeIndex type, const std::vector<Inspected>& resources);
  // An accepted delta response: `added` are added or updated, `removed` dropped.
  void update(xds::TypeIndex type, const std::vector<Inspected>& added,
              const std::vector<std::string>& removed);

  // The names the proxy wants of `type` (EDS, SDS or RDS), from its clusters
  // and listeners. Empty for CDS and LDS (wildcard).
  std::set<std::string> wanted(xds::TypeIndex type) const;
  const std::set<std::string>& held(xds::TypeIndex type) const {
    return held_[static_cast<size_t>(type)];
  }
  // Complete: clusters and listeners accepted at least once, and every
  // wanted EDS, SDS and RDS name held.
  bool complete() const;

 private:
  std::map<std::string, Refs>* refsOf(xds::TypeIndex type);

  std::map<std::string, Refs> clusters_, listeners_;
  std::array<std::set<std::string>, xds::kTypeCount> held_;
  std::array<bool, xds::kTypeCount> accepted_{};
};

}  // namespace ursa::loadsim
