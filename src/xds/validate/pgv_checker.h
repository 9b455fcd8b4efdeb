#pragma once

// A protoc-gen-validate checker: walks any protobuf message by reflection and
// checks the `(validate.rules)` field options, `(validate.required)` oneof
// options and `(validate.disabled)` / `(validate.ignored)` message options
// its .proto declares: the rules Envoy enforces before it accepts a resource.
// It exists so tests can prove generated configuration would be accepted; it
// is far too slow for the generation path.
//
// Covered: numbers (const, lt, lte, gt, gte, in, not_in, ignore_empty, with
// PGV's exclusive ranges when lt < gt), bool const, strings (const, len,
// min_len/max_len in characters, len_bytes/min_bytes/max_bytes, pattern (RE2),
// prefix, suffix, contains, not_contains, in, not_in, and the well-known
// formats email, hostname, ip, ipv4, ipv6, uri, uri_ref, address, uuid,
// HTTP header name/value with `strict`), bytes (const, len, min_len, max_len,
// pattern, prefix, suffix, contains, in, not_in, ip, ipv4, ipv6), enums
// (const, defined_only, in, not_in), messages (required, skip), repeated
// fields (min_items, max_items, unique, items), maps (min_pairs, max_pairs,
// keys, values), wrappers (the scalar rules apply to the wrapped value when
// set), Any (required, in, not_in), Duration and Timestamp (required, const,
// ranges, in, not_in; lt_now, gt_now, within).
//
// Recursion follows PGV: every set message field, repeated element and map
// value is validated unless its rules say `skip`; an Any is unpacked when its
// type is in the generated descriptor pool (the common Envoy resource and
// extension types are linked in by this library), and an Any of an unknown
// type is itself a violation (Envoy would reject it too).

#include <string>
#include <string_view>
#include <vector>

#include "google/protobuf/message.h"

namespace ursa::xds::validate {

struct Violation {
  // Path from the checked message: `filter_chains[0].filters[1].typed_config
  // .(envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy).stat_prefix`,
  // map entries as `filter_metadata["io.kuma.tags"]`.
  std::string field;
  std::string message;
};

// Every violation in `m` and what it contains, sorted by field path.
std::vector<Violation> check(const google::protobuf::Message& m);

// Parses `bytes` as the message `type_url` names (type.googleapis.com/<name>)
// and checks it. An unknown type or unparsable bytes is one violation.
std::vector<Violation> checkSerialized(std::string_view type_url, std::string_view bytes);

// "field: message" lines, one per violation.
std::string format(const std::vector<Violation>& violations);

}  // namespace ursa::xds::validate
