#pragma once

// Checks shared by the MeshAccessLog, MeshTrace, MeshFaultInjection,
// MeshLoadBalancingStrategy, MeshHTTPRoute, MeshTCPRoute and MeshProxyPatch
// validators: string enums, Kuma's URL and file path tests, inline backend
// references and embedded Envoy resources.

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "google/protobuf/message.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "src/model/validators/common.h"
#include "ursa/common/v1alpha1/common.pb.h"
#include "ursa/model/validation.h"

namespace ursa::model::validators {

// --- string enums ------------------------------------------------------------

// For the string enums Kuma leaves to its schema: kMustBeDefined when empty
// and `required`; "unknown value \"x\"; allowed values: a, b" when set to
// anything else than `allowed`.
void checkEnum(std::string_view value, std::initializer_list<std::string_view> allowed,
               bool required, const FieldPath& at, Violations& out);

// --- addresses and paths -----------------------------------------------------

// What Kuma accepts as a URL for log and trace collectors (govalidator's
// IsURL): an optional scheme among ftp, tcp, udp, ws, wss, http, https; an
// optional user; a host name, IPv4 or [IPv6] address; an optional port of up
// to 5 digits; an optional path, query or fragment. Without a scheme, a bare
// name needs a port or a dot ("logs:5000", "logs.svc", not "logs").
bool isCollectorUrl(std::string_view s);

// An absolute file path as Kuma's govalidator.IsFilePath accepts it: Unix
// ("/var/log/x", no NUL byte) or Windows ("C:\logs\x").
bool isAbsoluteFilePath(std::string_view s);

// A URL split as Go's url.ParseRequestURI does: an absolute URI
// (scheme://[user@]host[:port][/path][?query]) or an absolute path. Fragments
// are not split off (a request URI has none).
struct RequestUri {
  std::string scheme;  // lower-cased
  bool has_user = false;
  std::string host;
  std::string port;  // digits only, possibly empty
  std::string path;
  std::string query;
};
// Nullopt when Go's parser would refuse `s`.
std::optional<RequestUri> parseRequestUri(std::string_view s);

// --- backend references --------------------------------------------------------

// The targetRef written inline in a route's backendRef (kind, name, tags,
// mesh beside weight).
template <typename Ref>
ursa::common::v1alpha1::TargetRef inlineTargetRef(const Ref& ref) {
  ursa::common::v1alpha1::TargetRef out;
  out.set_kind(ref.kind());
  out.set_name(ref.name());
  out.set_mesh(ref.mesh());
  for (const auto& [k, v] : ref.tags()) (*out.mutable_tags())[k] = v;
  return out;
}

// Each backendRef must be a valid MeshService or MeshServiceSubset reference;
// paths are `at[i].kind` and so on.
template <typename Ref>
void validateBackendRefs(const google::protobuf::RepeatedPtrField<Ref>& refs, const FieldPath& at,
                         Violations& out) {
  for (int i = 0; i < refs.size(); ++i) {
    validateTargetRef(inlineTargetRef(refs[i]), {RefKind::MeshService, RefKind::MeshServiceSubset},
                      at.index(static_cast<size_t>(i)), out);
  }
}

// --- embedded Envoy resources ----------------------------------------------------

// Reads `text` (YAML or JSON, protobuf JSON names) into `into`, refusing
// unknown fields. Returns the parser's error, or nullopt when it parsed.
// Types named by `@type` in Any fields must be linked into the binary.
std::optional<std::string> envoyResourceError(std::string_view text,
                                              google::protobuf::Message& into);

}  // namespace ursa::model::validators
