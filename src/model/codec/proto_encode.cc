// Protobuf message -> JSON tree, by reflection, in Kuma's conventions.

#include <algorithm>
#include <cmath>

#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/timestamp.pb.h"
#include "src/model/codec/well_known.h"
#include "ursa/model/codec.h"
#include "ursa/model/list_presence.h"

namespace ursa::model {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

class Encoder {
 public:
  explicit Encoder(const EncodeOptions& options) : options_(options) {}

  Json message(const Message& m) {
    if (auto wk = wellKnown(m)) return std::move(*wk);
    Json out = Json::object();
    const auto& d = *m.GetDescriptor();
    const Reflection& r = *m.GetReflection();
    for (int i = 0; i < d.field_count(); ++i) {
      const FieldDescriptor& f = *d.field(i);
      if (f.is_repeated()) {
        if (r.FieldSize(m, &f) == 0) {
          if (isExplicitlyEmpty(m, f)) out[f.json_name()] = Json::array();
          continue;
        }
        out[f.json_name()] = f.is_map() ? map(m, f) : list(m, f);
      } else if (r.HasField(m, &f)) {
        out[f.json_name()] = singular(m, f, -1);
      }
    }
    return out;
  }

 private:
  Json list(const Message& m, const FieldDescriptor& f) {
    Json out = Json::array();
    int n = m.GetReflection()->FieldSize(m, &f);
    for (int i = 0; i < n; ++i) out.push_back(singular(m, f, i));
    return out;
  }

  Json map(const Message& m, const FieldDescriptor& f) {
    const Reflection& r = *m.GetReflection();
    std::vector<std::pair<std::string, const Message*>> entries;
    const FieldDescriptor* key = f.message_type()->map_key();
    const FieldDescriptor* value = f.message_type()->map_value();
    for (int i = 0; i < r.FieldSize(m, &f); ++i) {
      const Message& entry = r.GetRepeatedMessage(m, &f, i);
      entries.emplace_back(entry.GetReflection()->GetString(entry, key), &entry);
    }
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    Json out = Json::object();
    for (const auto& [k, entry] : entries) out[k] = singular(*entry, *value, -1);
    return out;
  }

  // The value of a singular field (index < 0) or of one element of a repeated one.
  Json singular(const Message& m, const FieldDescriptor& f, int index) {
    const Reflection& r = *m.GetReflection();
    bool rep = index >= 0;
    switch (f.cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return message(rep ? r.GetRepeatedMessage(m, &f, index) : r.GetMessage(m, &f));
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string s = rep ? r.GetRepeatedString(m, &f, index) : r.GetString(m, &f);
        if (f.type() == FieldDescriptor::TYPE_BYTES) return absl::Base64Escape(s);
        return s;
      }
      case FieldDescriptor::CPPTYPE_BOOL:
        return rep ? r.GetRepeatedBool(m, &f, index) : r.GetBool(m, &f);
      case FieldDescriptor::CPPTYPE_ENUM:
        return (rep ? r.GetRepeatedEnum(m, &f, index) : r.GetEnum(m, &f))->name();
      case FieldDescriptor::CPPTYPE_INT32:
        return rep ? r.GetRepeatedInt32(m, &f, index) : r.GetInt32(m, &f);
      case FieldDescriptor::CPPTYPE_UINT32:
        return rep ? r.GetRepeatedUInt32(m, &f, index) : r.GetUInt32(m, &f);
      case FieldDescriptor::CPPTYPE_INT64:
        return rep ? r.GetRepeatedInt64(m, &f, index) : r.GetInt64(m, &f);
      case FieldDescriptor::CPPTYPE_UINT64:
        return rep ? r.GetRepeatedUInt64(m, &f, index) : r.GetUInt64(m, &f);
      case FieldDescriptor::CPPTYPE_FLOAT:
        return number(rep ? r.GetRepeatedFloat(m, &f, index) : r.GetFloat(m, &f));
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return number(rep ? r.GetRepeatedDouble(m, &f, index) : r.GetDouble(m, &f));
    }
    return nullptr;
  }

  static Json number(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    return d;
  }

  std::optional<Json> wellKnown(const Message& m) {
    const std::string& name = m.GetDescriptor()->full_name();
    if (name == "google.protobuf.Duration") {
      return formatDuration(static_cast<const google::protobuf::Duration&>(m), options_.durations);
    }
    if (name == "google.protobuf.Timestamp") {
      const auto& ts = static_cast<const google::protobuf::Timestamp&>(m);
      absl::Time t = absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
      return absl::FormatTime(kRfc3339Utc, t, absl::UTCTimeZone());
    }
    if (isWrapperType(name)) return singular(m, *m.GetDescriptor()->field(0), -1);
    if (name == "google.protobuf.Struct") {
      return structToJson(static_cast<const google::protobuf::Struct&>(m));
    }
    if (name == "google.protobuf.Value") {
      return valueToJson(static_cast<const google::protobuf::Value&>(m));
    }
    if (name == "google.protobuf.ListValue") {
      Json out = Json::array();
      for (const auto& v : static_cast<const google::protobuf::ListValue&>(m).values()) {
        out.push_back(valueToJson(v));
      }
      return out;
    }
    if (name == kIntOrStringType) {
      const auto& d = *m.GetDescriptor();
      const Reflection& r = *m.GetReflection();
      const FieldDescriptor* s = d.FindFieldByName("string_value");
      if (r.HasField(m, s)) return r.GetString(m, s);
      return r.GetInt64(m, d.FindFieldByName("int_value"));
    }
    return std::nullopt;
  }

  const EncodeOptions& options_;
};

}  // namespace

Json encodeMessage(const Message& msg, const EncodeOptions& options) {
  return Encoder(options).message(msg);
}

}  // namespace ursa::model
