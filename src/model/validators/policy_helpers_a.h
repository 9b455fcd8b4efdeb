#pragma once

// Checks shared by the MeshTimeout, MeshRetry, MeshCircuitBreaker,
// MeshHealthCheck and MeshRateLimit validators, with Kuma 2.2's messages
// (its pkg/core/validators "...OrNil" family). A `set` flag stands for Kuma's
// non-nil pointer: unset values are never checked.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "src/model/validators/common.h"
#include "ursa/common/v1alpha1/common.pb.h"
#include "ursa/model/validation.h"

namespace ursa::model::validators {

// --- targetRef ---------------------------------------------------------------

// The kinds these five policies accept: at the top level, Mesh, MeshSubset,
// MeshService and MeshServiceSubset; in `to`, Mesh and MeshService; in
// `from`, Mesh only.
void validateTopTargetRef(const ursa::common::v1alpha1::TargetRef& ref, const FieldPath& at,
                          Violations& out);
void validateToTargetRef(const ursa::common::v1alpha1::TargetRef& ref, const FieldPath& at,
                         Violations& out);
void validateFromTargetRef(const ursa::common::v1alpha1::TargetRef& ref, const FieldPath& at,
                           Violations& out);

// For each item of the `list` field under `root` (`spec.to[i]`): its
// targetRef, then `checkDefault(item.default_(), itemPath, out)`.
template <typename Item, typename CheckDefault>
void validateItems(const google::protobuf::RepeatedPtrField<Item>& items, std::string_view list,
                   const FieldPath& root, Violations& out,
                   void (*checkRef)(const ursa::common::v1alpha1::TargetRef&, const FieldPath&,
                                    Violations&),
                   CheckDefault checkDefault) {
  for (int i = 0; i < items.size(); ++i) {
    const FieldPath at = root.field(list).index(static_cast<size_t>(i));
    checkRef(items[i].target_ref(), at.field("targetRef"), out);
    checkDefault(items[i].default_(), at, out);
  }
}

// --- durations -----------------------------------------------------------------

// kGreaterThanZeroWhenDefined unless unset or > 0.
void durationPositiveWhenSet(bool set, const google::protobuf::Duration& d, const FieldPath& at,
                             Violations& out);
// kNonNegativeWhenDefined unless unset or >= 0.
void durationNonNegativeWhenSet(bool set, const google::protobuf::Duration& d,
                                const FieldPath& at, Violations& out);
// kDefinedAndGreaterThanZero unless > 0 (the value is required).
void durationPositive(const google::protobuf::Duration& d, const FieldPath& at, Violations& out);
// "must be greater than: 50ms" (the bound written as Go writes durations)
// unless d > min.
void durationGreaterThan(const google::protobuf::Duration& d, absl::Duration min,
                         const FieldPath& at, Violations& out);

// --- numbers -------------------------------------------------------------------

// "must be greater than 0" unless v > 0 (Kuma's check for its uint32 fields).
void uintPositive(uint32_t v, const FieldPath& at, Violations& out);
void uintPositiveWhenSet(bool set, uint32_t v, const FieldPath& at, Violations& out);
// kDefinedAndGreaterThanZero unless unset or v > 0 (Kuma's int32 check).
void intPositiveWhenSet(bool set, int32_t v, const FieldPath& at, Violations& out);
// kUintPercentageRange unless unset or in [0, 100].
void uintPercentageWhenSet(bool set, uint32_t v, const FieldPath& at, Violations& out);
void intPercentageWhenSet(bool set, int32_t v, const FieldPath& at, Violations& out);
// "must be in range [100, 600)" unless an HTTP status code.
void statusCode(int32_t v, const FieldPath& at, Violations& out);

// --- strings -------------------------------------------------------------------

// kMustBeDefined when empty.
void stringDefined(std::string_view v, const FieldPath& at, Violations& out);
// An absolute file path, as Kuma's govalidator.IsFilePath accepts: Unix
// ("/var/log/x", no NUL byte) or Windows ("C:\logs\x").
bool isFilePath(std::string_view s);
// kValidPathWhenDefined unless unset or isFilePath.
void filePathWhenSet(bool set, std::string_view v, const FieldPath& at, Violations& out);
// For string enums Kuma leaves to its schema: "unknown value \"x\"; allowed
// values: a, b" unless v is one of `allowed`.
void oneOf(std::string_view v, std::initializer_list<std::string_view> allowed,
           const FieldPath& at, Violations& out);

}  // namespace ursa::model::validators
