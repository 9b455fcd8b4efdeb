#pragma once

// Validation building blocks for Kuma's protobuf ("legacy") resource types
// Mesh and ExternalService, with Kuma 2.2's messages. Several reproduce a Go
// library function Kuma relies on (net.SplitHostPort, url.ParseRequestURI,
// govalidator.IsDNSName, Kuma's access log format parser) closely enough to
// accept and refuse the same inputs.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "google/protobuf/map.h"
#include "google/protobuf/message.h"
#include "google/protobuf/struct.pb.h"
#include "ursa/model/validation.h"
#include "ursa/system/v1alpha1/datasource.pb.h"

namespace ursa::model::validators {

// --- strings -----------------------------------------------------------------

// `s` in double quotes with Go's escapes, as Go's %q prints it.
std::string goQuote(std::string_view s);

// --- addresses ---------------------------------------------------------------

// "port must be in the range [1, 65535]" unless 1 <= port <= 65535.
void validatePort(uint64_t port, const FieldPath& at, Violations& out);

struct HostPort {
  std::string host;  // without the brackets of an IPv6 address
  std::string port;
};
// Go's net.SplitHostPort: "host:port" or "[host]:port"; nullopt when malformed.
// Either part may be empty.
std::optional<HostPort> splitHostPort(std::string_view address);

// govalidator.IsDNSName, which Kuma uses for ExternalService hosts: labels of
// letters, digits, '_' and '-' (not first), at most 63 long; not an IP.
bool isDnsName(std::string_view s);

// Go's url.ParseRequestURI as far as validation needs it: nullopt when the
// URL is refused, otherwise its explicit port ("" when it has none).
std::optional<std::string> requestUriPort(std::string_view url);

// --- values ------------------------------------------------------------------

// Kuma's own duration strings (certificate lifetimes): "0" or digits followed
// by one of y, w, d, h, m, s, ms ("10y", "24h"). nullopt when malformed.
std::optional<absl::Duration> parseKumaDuration(std::string_view s);

// A DataSource that is present must name something: a secret, a file or
// non-empty inline data. Callers skip absent ones.
void validateDataSource(const ursa::system::v1alpha1::DataSource& ds, const FieldPath& at,
                        Violations& out);

// Reads a backend's untyped `conf` as `typed`, ignoring unknown keys as Kuma
// does. On failure adds "could not parse config: ..." at `at` (Kuma reports
// the whole conf, not the key at fault) and returns false.
bool decodeBackendConf(const google::protobuf::Struct& conf, google::protobuf::Message& typed,
                       const FieldPath& at, Violations& out);

// Checks an Envoy access log format string the way Kuma parses it; returns
// Kuma's error text, or nullopt when the format is valid.
std::optional<std::string> accessLogFormatError(std::string_view format);

// --- tags --------------------------------------------------------------------

struct TagMapRules {
  bool require_at_least_one = false;  // "must have at least one tag"
  bool require_service = false;       // kuma.io/service must be present
  bool selector = false;              // values are selectors: '/' allowed, or exactly "*"
};
// Kuma's tag map checks (validateTagKeyValues): names and values non-empty
// and in Kuma's charsets, keys visited in sorted order.
void validateTagMap(const google::protobuf::Map<std::string, std::string>& tags,
                    const FieldPath& at, const TagMapRules& rules, Violations& out);

// Kuma's check of a kuma.io/protocol tag, when present, against the known
// protocols (grpc, http, http2, kafka, tcp).
void validateProtocolTag(const google::protobuf::Map<std::string, std::string>& tags,
                         const FieldPath& at, Violations& out);

}  // namespace ursa::model::validators
