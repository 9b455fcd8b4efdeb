#pragma once

// Which targetRef policies select a proxy, in which order, and the rules
// they produce (Kuma 2.2's pkg/plugins/policies/matchers). See
// docs/policies.md for the semantics.
//
// Inputs are ursa resources (model::Resource with the policy's spec message);
// every function reads the spec by protobuf reflection (fields `target_ref`,
// `to`, `from`, `default`), so all targetRef policy types share the code.

#include <map>
#include <string>
#include <vector>

#include "ursa/model/resource.h"
#include "ursa/policy/rules.h"

namespace ursa::policy {

// --- Reading policies -------------------------------------------------------

// The top-level targetRef of a policy; InvalidArgument when the spec has none.
absl::StatusOr<TargetRefView> topTargetRef(const model::Resource& policy);

enum class Section { To, From };
// True when the policy's type has that list (`to` / `from`) or a single
// top-level `default` (hasSingleItem).
bool hasSection(const model::ResourceType& type, Section section);
bool hasSingleItem(const model::ResourceType& type);

// The items of one section of `policy`, in spec order, each with its conf in
// Kuma's JSON form and the policy as origin.
absl::StatusOr<std::vector<PolicyItem>> itemsOf(const model::Resource& policy, Section section);
// The single `default` of MeshTrace / MeshProxyPatch as an item whose
// targetRef is Mesh (the top-level one only picks the proxies).
absl::StatusOr<PolicyItem> singleItemOf(const model::Resource& policy);

// --- Order ---------------------------------------------------------------

// Kuma's precedence of top-level kinds: Mesh 1, MeshSubset 2, MeshService 3,
// MeshServiceSubset 4, MeshGatewayRoute 5; unknown kinds 0.
int kindRank(std::string_view kind);
// Sorts policies by kind rank, then name (byte order). Later entries win
// when confs are merged, so a tie goes to the greater name (Kuma 2.2-2.5).
void sortByPrecedence(std::vector<model::ResourcePtr>& policies);

// --- Builtin gateways -------------------------------------------------------

// A MeshGateway, as far as policy matching needs it (ursa has no MeshGateway
// resource type yet; whoever has one fills this in).
struct MeshGatewayInfo {
  std::string name;
  absl::Time creation_time = absl::UnixEpoch();
  std::vector<std::map<std::string, std::string>> selectors;  // each `selectors[].match`
  std::map<std::string, std::string> tags;
  struct Listener {
    uint32_t port = 0;
    std::map<std::string, std::string> tags;
  };
  std::vector<Listener> listeners;
};

// The gateway a builtin-gateway Dataplane uses: the one with the best-ranked
// selector matching the Dataplane's gateway or inbound tags (rank: matched
// tags, then exact over `*`; an empty selector ranks 0; ties go to the most
// recently created, then to the smaller name). Null when none matches.
const MeshGatewayInfo* selectGateway(const model::Resource& dataplane,
                                     const std::vector<MeshGatewayInfo>& gateways);

// --- Matching ----------------------------------------------------------------

struct MatchedPolicies {
  // Every policy selecting the proxy, in precedence order.
  std::vector<model::ResourcePtr> dataplane_policies;
  // The policies selecting each inbound listener, in precedence order.
  std::map<InboundListener, std::vector<model::ResourcePtr>> by_inbound;
  FromRules from_rules;
  ToRules to_rules;
  SingleItemRules single_item_rules;
};

// The policies in `policies` (all of one type, one mesh) that select
// `dataplane`, and their rules. A policy selects an inbound when its
// top-level subset matches that inbound's tags (per inbound; tags of several
// inbounds never add up); builtin gateways match per listener of `gateway`
// (see selectGateway). MeshGatewayRoute selects nothing (as in Kuma 2.2).
absl::StatusOr<MatchedPolicies> matchDataplane(const model::Resource& dataplane,
                                               const std::vector<model::ResourcePtr>& policies,
                                               const MeshGatewayInfo* gateway = nullptr);

// Rules for the zone egress acting for `external_service`: policies with
// `from` give from-rules; policies with `to` give from-rules too, made of
// their `to` items that select the service, each turned into an item whose
// targetRef is the policy's top-level one (the clients). Result under ":0".
// A type with both `from` and `to` is an error, as in Kuma.
absl::StatusOr<FromRules> matchEgress(const model::Resource& external_service,
                                      const std::vector<model::ResourcePtr>& policies);

// Inbound tag sets and their listeners of a Dataplane (gateway listeners
// included when `gateway` is given).
struct InboundTags {
  InboundListener listener;
  std::map<std::string, std::string> tags;
};
std::vector<InboundTags> inboundsOf(const model::Resource& dataplane,
                                    const MeshGatewayInfo* gateway);

// Kuma's TagSelector.Matches: every selector key present with an equal
// value, or the value `*`. An empty selector matches everything.
bool selectorMatches(const std::map<std::string, std::string>& selector,
                     const std::map<std::string, std::string>& tags);

}  // namespace ursa::policy
