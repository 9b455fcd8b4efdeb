#pragma once

// Merging the `default` confs of targetRef policies, as Kuma 2.2 does
// (pkg/core/xds/merge.go), on the confs' JSON form so that every policy type
// shares one implementation:
//
// 1. RFC 7386 JSON merge patch, in order: objects merge key by key, scalars
//    and lists are replaced wholesale by the later conf, `null` deletes.
// 2. A list whose key starts with "append" followed by an upper-case letter
//    (Go fields named Append..., e.g. MeshProxyPatch `appendModifications`)
//    is the concatenation of that list over all confs, in order. Only lists
//    reached through objects count (not those inside list elements).
// 3. Merge by key (Kuma's `policyMerge:"mergeValuesByKey"`; in 2.2 only
//    MeshHTTPRoute `rules`, keyed by `matches`): the top-level list
//    `field` is the concatenation over all confs, then entries with equal
//    keys are grouped (first-seen order) and each group's `default` confs are
//    merged by these same rules.

#include <string>
#include <string_view>
#include <vector>

#include "ursa/model/codec.h"

namespace ursa::policy {

// RFC 7386: applies `patch` to `target` and returns the result.
model::Json applyMergePatch(model::Json target, const model::Json& patch);

struct MergeByKey {
  std::string field;                  // "rules"
  std::string key_field = "matches";  // entries are grouped by equal keys
  std::string default_field = "default";
};

// Merges `confs` in order (later wins). An empty list gives null.
model::Json mergeConfs(const std::vector<model::Json>& confs, const MergeByKey* by_key = nullptr);

// True for keys of lists that are concatenated rather than replaced.
bool isAppendKey(std::string_view key);

}  // namespace ursa::policy
