#pragma once

// Kuma 2.2's "rules" for targetRef policies (MADR-007): the `to` / `from` /
// `default` parts of the policies that select a proxy become an ordered list
// of rules, "for clients (from) or destinations (to) described by this tag
// subset, use this merged configuration". See docs/policies.md.
//
// Everything here is a pure function of its inputs; results are values that
// may be shared between threads once built.

#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "google/protobuf/message.h"
#include "ursa/common/status.h"
#include "ursa/model/codec.h"

namespace ursa::policy {

using Json = model::Json;

inline constexpr std::string_view kServiceTag = "kuma.io/service";

// One condition on a tag: `key == value`, or `key != value` when `negated`
// (a proxy without `key` satisfies a negated tag).
struct Tag {
  std::string key;
  std::string value;
  bool negated = false;
  auto operator<=>(const Tag&) const = default;
};

// A conjunction of tags describing a group of proxies. Empty: every proxy.
// Order is significant for output (Kuma keeps it) but not for matching.
using Subset = std::vector<Tag>;

// True when every proxy described by `other` is also described by `ss`
// (Kuma's `ss.IsSubset(other)`): `ss` empty, or for each tag t of `ss`,
// `other` has t's key and none of its tags on that key contradicts t.
bool isSubset(const Subset& ss, const Subset& other);
int numPositive(const Subset& ss);
// A subset of plain (positive) tags, sorted by key.
Subset subsetFromTags(const std::map<std::string, std::string>& tags);

// Enumerates every combination of `tags` with each tag positive or negated,
// in Kuma's order (tag i is bit i, set = negated; masks 1 .. 2^n-1, then 0),
// simplified key by key and with contradictions (two positive values of one
// key) left out. Precondition: tags with equal keys are adjacent (true once
// sorted). Fails with ResourceExhausted past kMaxCombinations results.
inline constexpr size_t kMaxCombinations = size_t{1} << 20;
absl::StatusOr<std::vector<Subset>> enumerateSubsets(const std::vector<Tag>& tags);

// Which policy a conf came from.
struct PolicyRef {
  std::string type;  // "MeshTrafficPermission"
  std::string mesh;
  std::string name;
  auto operator<=>(const PolicyRef&) const = default;
};

// The part of a TargetRef that rule building reads.
struct TargetRefView {
  std::string kind;
  std::string name;
  std::map<std::string, std::string> tags;
};

// targetRef -> subset: Mesh {}, MeshSubset tags, MeshService
// {kuma.io/service: name}, MeshServiceSubset both. Other kinds are an error.
absl::StatusOr<Subset> subsetOf(const TargetRefView& ref);

// One `to` / `from` entry (or a single `default`), ready for rule building.
struct PolicyItem {
  TargetRefView target_ref;
  // The conf in Kuma's JSON form (field names as Kuma's, unset fields absent).
  Json conf;
  // Default instance of the conf's message type; null when the item was
  // built from JSON only (then rules carry no typed conf).
  const google::protobuf::Message* conf_prototype = nullptr;
  // MeshHTTPRoute: rules grouped by `matches` (see merge.h). Empty otherwise.
  std::string merge_by_key_field;
  PolicyRef origin;
};

struct Rule {
  Subset subset;
  Json conf;  // merged, Kuma's JSON form
  // The merged conf as a message of the items' conf type; null when the
  // items had no prototype.
  std::shared_ptr<const google::protobuf::Message> typed_conf;
  // The distinct policies whose items were merged into `conf`, by name.
  std::vector<PolicyRef> origins;
};
using Rules = std::vector<Rule>;

// Builds rules from `items` taken in the given order (later items win).
// Rules come most positive tags first; equal counts keep enumeration order.
absl::StatusOr<Rules> buildRules(const std::vector<PolicyItem>& items);

// The first rule whose subset describes `subset` (Kuma's Rules.Compute), or
// null.
const Rule* computeRule(const Rules& rules, const Subset& subset);

// An inbound listener of a proxy: `address:port`. The zone egress uses one
// listener with an empty address and port 0 (":0").
struct InboundListener {
  std::string address;
  uint32_t port = 0;
  auto operator<=>(const InboundListener&) const = default;
  std::string toString() const;
};

// Rules per inbound listener, for clients of that inbound (`from`).
struct FromRules {
  std::map<InboundListener, Rules> rules;
};
// Rules for destinations of the proxy's outbounds (`to`).
struct ToRules {
  Rules rules;
  // The rule for outbound service `service` ({kuma.io/service: service}).
  const Rule* forService(std::string_view service) const;
};
// Rules of policies with a single top-level `default` (MeshTrace,
// MeshProxyPatch): one rule with an empty subset when any policy matched.
struct SingleItemRules {
  Rules rules;
};

// Renders rules as Kuma's tests marshal them: a list of
// {Subset: [{Key, Value, Not}], Conf, Origin: [{type, mesh, name}]}.
Json rulesToJson(const Rules& rules);

}  // namespace ursa::policy
