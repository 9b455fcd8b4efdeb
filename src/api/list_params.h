#pragma once

// Query parameters of list endpoints, as Kuma 2.2 reads them:
//   size    page size, default 100, at most 1000
//   offset  decimal index of the first item
//   name    substring of the name (Kuma 2.5+; harmless before)
//   tag     `key:value`, repeatable: the resource carries the tag (value "*":
//           any value). Dataplanes and ExternalServices have tags.
//   filter[labels.<key>]=<value>  the resource has that label
// and the `next` link: an absolute URL for the following page, or null.

#include <optional>
#include <string>

#include "src/http/server.h"
#include "ursa/model/codec.h"
#include "ursa/store/resource_store.h"

namespace ursa::api {

inline constexpr size_t kDefaultPageSize = 100;
inline constexpr size_t kMaxPageSize = 1000;

// Fills paging and filters of `query`. InvalidArgument with violations at
// `size`, `offset`, `tag` or `filter` for values that do not parse.
absl::Status readListParams(const http::Request& req, store::ListQuery& query);

// The `next` link for `next_offset`, or null when there is no next page.
model::Json nextLink(const http::Request& req, std::optional<size_t> next_offset);

}  // namespace ursa::api
