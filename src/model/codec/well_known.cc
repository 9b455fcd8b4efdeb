#include "src/model/codec/well_known.h"

#include <cmath>
#include <cstdio>
#include <set>

#include "ursa/common/strings.h"

namespace ursa::model {

bool isWrapperType(std::string_view full_name) {
  static const std::set<std::string_view> kWrappers = {
      "google.protobuf.BoolValue",   "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
      "google.protobuf.Int64Value",  "google.protobuf.UInt64Value", "google.protobuf.FloatValue",
      "google.protobuf.DoubleValue", "google.protobuf.StringValue", "google.protobuf.BytesValue"};
  return kWrappers.contains(full_name);
}

absl::StatusOr<absl::Duration> parseDurationString(std::string_view s) {
  // Go spells microseconds "us", "µs" (U+00B5) or "μs" (U+03BC); absl only "us".
  std::string text(s);
  for (std::string_view micro : {"\u00B5s", "\u03BCs"}) {
    for (size_t at = text.find(micro); at != std::string::npos; at = text.find(micro, at)) {
      text.replace(at, micro.size(), "us");
    }
  }
  absl::Duration d;
  if (text.empty() || text == "inf" || text == "-inf" || !absl::ParseDuration(text, &d)) {
    return absl::InvalidArgumentError(ursa::strCat("invalid duration \"", s, "\""));
  }
  return d;
}

void setDuration(absl::Duration d, google::protobuf::Duration& out) {
  int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &d);
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(d)));
}

absl::Duration toAbslDuration(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

namespace {

// `value / unit` written exactly, without trailing zeros: decimal(1500, 1000) == "1.5".
std::string decimal(int64_t value, int64_t unit) {
  std::string out = strCat(value / unit);
  int64_t frac = value % unit;
  if (frac == 0) return out;
  std::string digits = strCat(frac + unit).substr(1);  // zero-padded to the unit's width
  while (digits.back() == '0') digits.pop_back();
  return out + "." + digits;
}

// Go's time.Duration.String(): "1h30m0s", "1.5s", "250ms", "1.5µs", "0s".
std::string goStyle(absl::Duration d) {
  if (d == absl::ZeroDuration()) return "0s";
  std::string sign;
  if (d < absl::ZeroDuration()) {
    sign = "-";
    d = -d;
  }
  int64_t ns = absl::ToInt64Nanoseconds(d);
  if (ns < 1'000'000'000) {
    // Sub-second: the largest unit that keeps an integer part, exactly.
    if (ns < 1'000) return sign + strCat(ns, "ns");
    if (ns < 1'000'000) return sign + decimal(ns, 1'000) + "\u00B5s";  // "µs", as Go writes it
    return sign + decimal(ns, 1'000'000) + "ms";
  }
  int64_t hours = ns / 3'600'000'000'000LL;
  ns -= hours * 3'600'000'000'000LL;
  int64_t minutes = ns / 60'000'000'000LL;
  ns -= minutes * 60'000'000'000LL;
  std::string s = decimal(ns, 1'000'000'000);
  std::string out = sign;
  if (hours > 0) out += ursa::strCat(hours, "h");
  if (hours > 0 || minutes > 0) out += ursa::strCat(minutes, "m");
  return out + s + "s";
}

// protobuf JSON: seconds with 0, 3, 6 or 9 fractional digits.
std::string protoStyle(const google::protobuf::Duration& d) {
  std::string out = ursa::strCat(d.seconds() < 0 || d.nanos() < 0 ? "-" : "",
                                 std::llabs(d.seconds()));
  int32_t nanos = std::abs(d.nanos());
  if (nanos != 0) {
    char buf[16];
    if (nanos % 1'000'000 == 0) {
      std::snprintf(buf, sizeof buf, ".%03d", nanos / 1'000'000);
    } else if (nanos % 1'000 == 0) {
      std::snprintf(buf, sizeof buf, ".%06d", nanos / 1'000);
    } else {
      std::snprintf(buf, sizeof buf, ".%09d", nanos);
    }
    out += buf;
  }
  return out + "s";
}

}  // namespace

std::string formatDuration(const google::protobuf::Duration& d, DurationStyle style) {
  return style == DurationStyle::Go ? goStyle(toAbslDuration(d)) : protoStyle(d);
}

void jsonToValue(const Json& v, google::protobuf::Value& out) {
  switch (v.type()) {
    case Json::value_t::null:
      out.set_null_value(google::protobuf::NULL_VALUE);
      return;
    case Json::value_t::boolean:
      out.set_bool_value(v.get<bool>());
      return;
    case Json::value_t::string:
      out.set_string_value(v.get<std::string>());
      return;
    case Json::value_t::object:
      jsonToStruct(v, *out.mutable_struct_value());
      return;
    case Json::value_t::array:
      for (const auto& item : v) jsonToValue(item, *out.mutable_list_value()->add_values());
      out.mutable_list_value();
      return;
    default:
      out.set_number_value(v.get<double>());
      return;
  }
}

void jsonToStruct(const Json& v, google::protobuf::Struct& out) {
  for (const auto& [k, item] : v.items()) jsonToValue(item, (*out.mutable_fields())[k]);
}

Json valueToJson(const google::protobuf::Value& v) {
  switch (v.kind_case()) {
    case google::protobuf::Value::kBoolValue:
      return v.bool_value();
    case google::protobuf::Value::kStringValue:
      return v.string_value();
    case google::protobuf::Value::kNumberValue: {
      double d = v.number_value();
      if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9e15) {
        return static_cast<int64_t>(d);
      }
      return d;
    }
    case google::protobuf::Value::kStructValue:
      return structToJson(v.struct_value());
    case google::protobuf::Value::kListValue: {
      Json out = Json::array();
      for (const auto& item : v.list_value().values()) out.push_back(valueToJson(item));
      return out;
    }
    default:
      return nullptr;
  }
}

Json structToJson(const google::protobuf::Struct& s) {
  std::map<std::string, const google::protobuf::Value*> sorted;
  for (const auto& [k, v] : s.fields()) sorted[k] = &v;
  Json out = Json::object();
  for (const auto& [k, v] : sorted) out[k] = valueToJson(*v);
  return out;
}

}  // namespace ursa::model
