#pragma once

// Helpers for the message types whose JSON form is not an object of fields:
// protobuf's well-known types and ursa's IntOrString.

#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/struct.pb.h"
#include "ursa/common/status.h"
#include "ursa/model/codec.h"

namespace ursa::model {

inline constexpr std::string_view kIntOrStringType = "ursa.common.v1alpha1.IntOrString";
// RFC 3339 in UTC with a "Z" and only the fractional digits needed, as Go's
// time.Time marshals to JSON ("2026-01-02T15:04:05.5Z").
inline constexpr char kRfc3339Utc[] = "%Y-%m-%dT%H:%M:%E*SZ";

bool isWrapperType(std::string_view full_name);

// Accepts Go's syntax ("1h30m", "250ms", "-5s") and protobuf's ("3600s", "0.5s").
absl::StatusOr<absl::Duration> parseDurationString(std::string_view s);
void setDuration(absl::Duration d, google::protobuf::Duration& out);
absl::Duration toAbslDuration(const google::protobuf::Duration& d);
std::string formatDuration(const google::protobuf::Duration& d, DurationStyle style);

void jsonToStruct(const Json& v, google::protobuf::Struct& out);
void jsonToValue(const Json& v, google::protobuf::Value& out);
Json structToJson(const google::protobuf::Struct& s);
Json valueToJson(const google::protobuf::Value& v);

}  // namespace ursa::model
