#include "src/model/validators/policy_helpers_a.h"

#include <algorithm>
#include <cctype>

#include "src/model/codec/well_known.h"
#include "ursa/common/strings.h"

namespace ursa::model::validators {

using ursa::common::v1alpha1::TargetRef;

void validateTopTargetRef(const TargetRef& ref, const FieldPath& at, Violations& out) {
  validateTargetRef(
      ref, {RefKind::Mesh, RefKind::MeshSubset, RefKind::MeshService, RefKind::MeshServiceSubset},
      at, out);
}

void validateToTargetRef(const TargetRef& ref, const FieldPath& at, Violations& out) {
  validateTargetRef(ref, {RefKind::Mesh, RefKind::MeshService}, at, out);
}

void validateFromTargetRef(const TargetRef& ref, const FieldPath& at, Violations& out) {
  validateTargetRef(ref, {RefKind::Mesh}, at, out);
}

void durationPositiveWhenSet(bool set, const google::protobuf::Duration& d, const FieldPath& at,
                             Violations& out) {
  if (set && toDuration(d) <= absl::ZeroDuration()) {
    out.add(at, std::string(kGreaterThanZeroWhenDefined));
  }
}

void durationNonNegativeWhenSet(bool set, const google::protobuf::Duration& d,
                                const FieldPath& at, Violations& out) {
  if (set && toDuration(d) < absl::ZeroDuration()) {
    out.add(at, std::string(kNonNegativeWhenDefined));
  }
}

void durationPositive(const google::protobuf::Duration& d, const FieldPath& at, Violations& out) {
  if (toDuration(d) <= absl::ZeroDuration()) out.add(at, std::string(kDefinedAndGreaterThanZero));
}

void durationGreaterThan(const google::protobuf::Duration& d, absl::Duration min,
                         const FieldPath& at, Violations& out) {
  if (toDuration(d) > min) return;
  google::protobuf::Duration bound;
  setDuration(min, bound);
  out.add(at, ursa::strCat("must be greater than: ", formatDuration(bound, DurationStyle::Go)));
}

void uintPositive(uint32_t v, const FieldPath& at, Violations& out) {
  if (v == 0) out.add(at, std::string(kGreaterThanZero));
}

void uintPositiveWhenSet(bool set, uint32_t v, const FieldPath& at, Violations& out) {
  if (set) uintPositive(v, at, out);
}

void intPositiveWhenSet(bool set, int32_t v, const FieldPath& at, Violations& out) {
  if (set && v <= 0) out.add(at, std::string(kDefinedAndGreaterThanZero));
}

void uintPercentageWhenSet(bool set, uint32_t v, const FieldPath& at, Violations& out) {
  if (set && v > 100) out.add(at, std::string(kUintPercentageRange));
}

void intPercentageWhenSet(bool set, int32_t v, const FieldPath& at, Violations& out) {
  if (set && (v < 0 || v > 100)) out.add(at, std::string(kUintPercentageRange));
}

void statusCode(int32_t v, const FieldPath& at, Violations& out) {
  if (v < 100 || v >= 600) out.add(at, "must be in range [100, 600)");
}

void stringDefined(std::string_view v, const FieldPath& at, Violations& out) {
  if (v.empty()) out.add(at, std::string(kMustBeDefined));
}

namespace {

// "C:\dir\file": a drive letter, then backslash-separated names free of the
// characters Windows forbids.
bool isWindowsPath(std::string_view s) {
  if (s.size() < 3 || !std::isalpha(static_cast<unsigned char>(s[0])) || s[1] != ':' ||
      s[2] != '\\') {
    return false;
  }
  std::string_view rest = s.substr(3);
  if (rest.size() > 32767) return false;
  constexpr std::string_view kForbidden = "/:*?\"<>|\r\n";
  bool empty_name = true;
  for (char c : rest) {
    if (c == '\\') {
      if (empty_name) return false;  // "C:\\a" or "C:\a\\b": empty directory name
      empty_name = true;
      continue;
    }
    if (kForbidden.find(c) != std::string_view::npos) return false;
    empty_name = false;
  }
  return true;
}

}  // namespace

bool isFilePath(std::string_view s) {
  if (isWindowsPath(s)) return true;
  return !s.empty() && s.front() == '/' && s.find('\0') == std::string_view::npos;
}

void filePathWhenSet(bool set, std::string_view v, const FieldPath& at, Violations& out) {
  if (set && !isFilePath(v)) out.add(at, std::string(kValidPathWhenDefined));
}

void oneOf(std::string_view v, std::initializer_list<std::string_view> allowed,
           const FieldPath& at, Violations& out) {
  if (std::find(allowed.begin(), allowed.end(), v) != allowed.end()) return;
  out.add(at, ursa::strCat("unknown value \"", v, "\"; allowed values: ",
                           ursa::strJoin(allowed, ", ")));
}

}  // namespace ursa::model::validators
