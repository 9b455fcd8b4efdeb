#pragma once

// Validation building blocks shared by resource types, with Kuma 2.2's
// messages (pkg/core/validators/messages.go and friends).

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/map.h"
#include "ursa/common/v1alpha1/common.pb.h"
#include "ursa/model/validation.h"

namespace ursa::model::validators {

inline constexpr std::string_view kMustBeDefined = "must be defined";
inline constexpr std::string_view kMustNotBeDefined = "must not be defined";
inline constexpr std::string_view kMustNotBeEmpty = "must not be empty";
inline constexpr std::string_view kGreaterThanZero = "must be greater than 0";
inline constexpr std::string_view kDefinedAndGreaterThanZero =
    "must be defined and greater than zero";
inline constexpr std::string_view kNonNegativeWhenDefined = "must not be negative when defined";
inline constexpr std::string_view kGreaterThanZeroWhenDefined =
    "must be greater than zero when defined";
inline constexpr std::string_view kPercentageRange = "has to be in [0.0 - 100.0] range";
inline constexpr std::string_view kUintPercentageRange = "has to be in [0 - 100] range";
inline constexpr std::string_view kValidPathWhenDefined = "has to be a valid path when defined";
inline constexpr std::string_view kValidNumber = "string has to be a valid number";

// "<entity> must have only one type defined: a, b"
std::string mustHaveOnlyOne(std::string_view entity, std::initializer_list<std::string_view> names);
// "<entity> must have exactly one defined: a, b"
std::string mustHaveExactlyOne(std::string_view entity,
                               std::initializer_list<std::string_view> names);
// "must have at least one defined: a, b"
std::string mustHaveAtLeastOne(std::initializer_list<std::string_view> names);

// --- targetRef ---------------------------------------------------------------

enum class RefKind { Mesh, MeshSubset, MeshService, MeshServiceSubset, MeshGatewayRoute };
std::optional<RefKind> parseRefKind(std::string_view kind);

// Kuma's ValidateTargetRef: kind set and among `supported`, name required or
// forbidden, tags and mesh forbidden, as the kind demands. Paths are relative
// to `at` (the targetRef itself).
void validateTargetRef(const ursa::common::v1alpha1::TargetRef& ref,
                       std::initializer_list<RefKind> supported, const FieldPath& at,
                       Violations& out);

// --- durations and numbers ---------------------------------------------------

absl::Duration toDuration(const google::protobuf::Duration& d);
// Kuma's decimal strings ("50", "99.5") and IntOrString percentages.
std::optional<double> parseDecimal(std::string_view s);
// Adds `kPercentageRange` / `kValidNumber` violations for a percentage.
void validatePercentage(const ursa::common::v1alpha1::IntOrString& v, const FieldPath& at,
                        Violations& out);

// --- tags --------------------------------------------------------------------

bool isValidTagName(std::string_view name);   // [a-zA-Z0-9.\-_:/]+
bool isValidTagValue(std::string_view value); // [a-zA-Z0-9.\-_:]+
// Tags on a Dataplane inbound, an ExternalService, ...: kuma.io/service
// required, names and values in Kuma's charset, kuma.io/protocol known.
void validateTags(const google::protobuf::Map<std::string, std::string>& tags,
                  const FieldPath& at, Violations& out);

// --- addresses ---------------------------------------------------------------

bool isValidIp(std::string_view s);
bool isValidHostname(std::string_view s);  // RFC 1123 host names

}  // namespace ursa::model::validators
