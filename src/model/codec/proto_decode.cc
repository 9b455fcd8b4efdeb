// JSON tree -> protobuf message, by reflection, collecting every problem
// with its path instead of stopping at the first.

#include <cmath>
#include <limits>

#include "absl/strings/escaping.h"
#include "ursa/common/strings.h"

#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "src/model/codec/well_known.h"
#include "ursa/model/codec.h"
#include "ursa/model/list_presence.h"

namespace ursa::model {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

const char* jsonTypeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "a list";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::null: return "null";
    case Json::value_t::number_float: return "a number";
    default: return "an integer";
  }
}

const FieldDescriptor* findField(const Descriptor& d, const std::string& key) {
  for (int i = 0; i < d.field_count(); ++i) {
    const FieldDescriptor* f = d.field(i);
    if (f->json_name() == key || f->name() == key) return f;
  }
  return nullptr;
}

// Reads an integer from a JSON number or a numeric string (protobuf JSON
// writes 64-bit integers as strings).
std::optional<long double> integerOf(const Json& v) {
  if (v.is_number_integer()) {
    return v.is_number_unsigned() ? static_cast<long double>(v.get<uint64_t>())
                                  : static_cast<long double>(v.get<int64_t>());
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::isfinite(d) && std::floor(d) == d) return d;
    return std::nullopt;
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty()) return std::nullopt;
    size_t used = 0;
    try {
      long double d = std::stold(s, &used);
      if (used == s.size() && std::floor(d) == d) return d;
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

class Decoder {
 public:
  Decoder(const DecodeOptions& options, Violations& out) : options_(options), out_(out) {}

  void message(const Json& v, Message& m, const FieldPath& at) {
    if (v.is_null()) return;
    if (decodeWellKnown(v, m, at)) return;
    if (!v.is_object()) {
      out_.add(at, ursa::strCat("must be an object, not ", jsonTypeName(v)));
      return;
    }
    const Descriptor& d = *m.GetDescriptor();
    for (const auto& [key, item] : v.items()) {
      const FieldDescriptor* f = findField(d, key);
      if (f == nullptr) {
        if (!options_.allow_unknown_fields) {
          out_.add(at.field(key), unknownFieldMessage(d, key));
        }
        continue;
      }
      field(item, m, *f, at.field(f->json_name()));
    }
  }

 private:
  static std::string unknownFieldMessage(const Descriptor& d, const std::string& key) {
    std::vector<std::string> known;
    for (int i = 0; i < d.field_count(); ++i) known.push_back(d.field(i)->json_name());
    return ursa::strCat("unknown field \"", key, "\"; known fields: ", ursa::strJoin(known, ", "));
  }

  void field(const Json& v, Message& m, const FieldDescriptor& f, const FieldPath& at) {
    if (v.is_null()) return;  // null means "not set", as in Kuma's decoders.
    if (f.is_map()) return mapField(v, m, f, at);
    if (f.is_repeated()) {
      if (!v.is_array()) {
        out_.add(at, ursa::strCat("must be a list, not ", jsonTypeName(v)));
        return;
      }
      if (v.empty() && hasListPresence(f)) markExplicitlyEmpty(m, f);
      for (size_t i = 0; i < v.size(); ++i) element(v[i], m, f, at.index(i));
      return;
    }
    element(v, m, f, at);
  }

  void mapField(const Json& v, Message& m, const FieldDescriptor& f, const FieldPath& at) {
    if (!v.is_object()) {
      out_.add(at, ursa::strCat("must be an object, not ", jsonTypeName(v)));
      return;
    }
    const Reflection& r = *m.GetReflection();
    const FieldDescriptor* key_field = f.message_type()->map_key();
    const FieldDescriptor* value_field = f.message_type()->map_value();
    for (const auto& [key, item] : v.items()) {
      Message* entry = r.AddMessage(&m, &f);
      entry->GetReflection()->SetString(entry, key_field, key);
      // A null value is the value type's zero (YAML `key:` with nothing after
      // it is an empty string), as Kuma's decoder reads it; validators then
      // report empty values with their own messages.
      if (item.is_null()) continue;
      element(item, *entry, *value_field, at.key(key));
    }
  }

  // One value of field `f` (a singular field, or one element of a repeated one).
  void element(const Json& v, Message& m, const FieldDescriptor& f, const FieldPath& at) {
    const Reflection& r = *m.GetReflection();
    switch (f.cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        Message* sub = f.is_repeated() ? r.AddMessage(&m, &f) : r.MutableMessage(&m, &f);
        message(v, *sub, at);
        return;
      }
      case FieldDescriptor::CPPTYPE_STRING:
        return stringField(v, m, f, at);
      case FieldDescriptor::CPPTYPE_BOOL:
        if (!v.is_boolean()) {
          out_.add(at, ursa::strCat("must be a boolean, not ", jsonTypeName(v)));
          return;
        }
        f.is_repeated() ? r.AddBool(&m, &f, v.get<bool>()) : r.SetBool(&m, &f, v.get<bool>());
        return;
      case FieldDescriptor::CPPTYPE_ENUM:
        return enumField(v, m, f, at);
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT:
        return floatField(v, m, f, at);
      default:
        return integerField(v, m, f, at);
    }
  }

  void stringField(const Json& v, Message& m, const FieldDescriptor& f, const FieldPath& at) {
    const Reflection& r = *m.GetReflection();
    if (!v.is_string()) {
      out_.add(at, ursa::strCat("must be a string, not ", jsonTypeName(v)));
      return;
    }
    std::string s = v.get<std::string>();
    if (f.type() == FieldDescriptor::TYPE_BYTES) {
      std::string raw;
      if (!absl::Base64Unescape(s, &raw) && !absl::WebSafeBase64Unescape(s, &raw)) {
        out_.add(at, "must be base64-encoded");
        return;
      }
      s = std::move(raw);
    }
    f.is_repeated() ? r.AddString(&m, &f, std::move(s)) : r.SetString(&m, &f, std::move(s));
  }

  void enumField(const Json& v, Message& m, const FieldDescriptor& f, const FieldPath& at) {
    const Reflection& r = *m.GetReflection();
    const auto* e = f.enum_type();
    const google::protobuf::EnumValueDescriptor* value = nullptr;
    if (v.is_string()) {
      value = e->FindValueByName(v.get<std::string>());
    } else if (v.is_number_integer()) {
      value = e->FindValueByNumber(v.get<int>());
    }
    if (value == nullptr) {
      std::vector<std::string> names;
      for (int i = 0; i < e->value_count(); ++i) names.push_back(e->value(i)->name());
      out_.add(at, ursa::strCat("unknown value ", v.dump(), "; allowed values: ",
                                ursa::strJoin(names, ", ")));
      return;
    }
    f.is_repeated() ? r.AddEnum(&m, &f, value) : r.SetEnum(&m, &f, value);
  }

  void floatField(const Json& v, Message& m, const FieldDescriptor& f, const FieldPath& at) {
    const Reflection& r = *m.GetReflection();
    double d = 0;
    if (v.is_number()) {
      d = v.get<double>();
    } else if (v.is_string() && !v.get_ref<const std::string&>().empty()) {
      const auto& s = v.get_ref<const std::string&>();
      size_t used = 0;
      try {
        d = std::stod(s, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != s.size()) {
        out_.add(at, ursa::strCat("must be a number, not \"", s, "\""));
        return;
      }
    } else {
      out_.add(at, ursa::strCat("must be a number, not ", jsonTypeName(v)));
      return;
    }
    if (f.cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
      f.is_repeated() ? r.AddFloat(&m, &f, static_cast<float>(d))
                      : r.SetFloat(&m, &f, static_cast<float>(d));
    } else {
      f.is_repeated() ? r.AddDouble(&m, &f, d) : r.SetDouble(&m, &f, d);
    }
  }

  template <typename T>
  bool inRange(long double n, const FieldPath& at) {
    if (n < static_cast<long double>(std::numeric_limits<T>::min()) ||
        n > static_cast<long double>(std::numeric_limits<T>::max())) {
      out_.add(at, ursa::strCat("must be in the range [", std::numeric_limits<T>::min(), ", ",
                                std::numeric_limits<T>::max(), "]"));
      return false;
    }
    return true;
  }

  void integerField(const Json& v, Message& m, const FieldDescriptor& f, const FieldPath& at) {
    const Reflection& r = *m.GetReflection();
    auto n = integerOf(v);
    if (!n) {
      out_.add(at, ursa::strCat("must be an integer, not ",
                                v.is_string() ? "\"" + v.get<std::string>() + "\""
                                              : std::string(jsonTypeName(v))));
      return;
    }
    bool rep = f.is_repeated();
    switch (f.cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        if (inRange<int32_t>(*n, at)) {
          auto x = static_cast<int32_t>(*n);
          rep ? r.AddInt32(&m, &f, x) : r.SetInt32(&m, &f, x);
        }
        return;
      case FieldDescriptor::CPPTYPE_UINT32:
        if (inRange<uint32_t>(*n, at)) {
          auto x = static_cast<uint32_t>(*n);
          rep ? r.AddUInt32(&m, &f, x) : r.SetUInt32(&m, &f, x);
        }
        return;
      case FieldDescriptor::CPPTYPE_INT64:
        if (inRange<int64_t>(*n, at)) {
          auto x = static_cast<int64_t>(*n);
          rep ? r.AddInt64(&m, &f, x) : r.SetInt64(&m, &f, x);
        }
        return;
      case FieldDescriptor::CPPTYPE_UINT64:
        if (inRange<uint64_t>(*n, at)) {
          auto x = static_cast<uint64_t>(*n);
          rep ? r.AddUInt64(&m, &f, x) : r.SetUInt64(&m, &f, x);
        }
        return;
      default:
        out_.add(at, "unsupported field type");
    }
  }

  // Types whose JSON form is not an object of fields. Returns false for
  // ordinary messages.
  bool decodeWellKnown(const Json& v, Message& m, const FieldPath& at) {
    const std::string& name = m.GetDescriptor()->full_name();
    if (name == "google.protobuf.Duration") {
      auto d = v.is_string() ? parseDurationString(v.get<std::string>())
                             : absl::InvalidArgumentError("");
      if (!d.ok()) {
        out_.add(at, ursa::strCat("must be a duration such as \"5s\" or \"1h30m\", not ",
                                  v.is_string() ? "\"" + v.get<std::string>() + "\""
                                                : std::string(jsonTypeName(v))));
        return true;
      }
      setDuration(*d, static_cast<google::protobuf::Duration&>(m));
      return true;
    }
    if (name == "google.protobuf.Timestamp") {
      absl::Time t;
      std::string err;
      if (!v.is_string() || !absl::ParseTime(absl::RFC3339_full, v.get<std::string>(), &t, &err)) {
        out_.add(at, "must be an RFC 3339 time such as \"2024-01-02T15:04:05Z\"");
        return true;
      }
      auto& ts = static_cast<google::protobuf::Timestamp&>(m);
      ts.set_seconds(absl::ToUnixSeconds(t));
      ts.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(ts.seconds())) /
                                        absl::Nanoseconds(1)));
      return true;
    }
    if (isWrapperType(name)) {
      element(v, m, *m.GetDescriptor()->field(0), at);
      return true;
    }
    if (name == "google.protobuf.Struct") {
      if (!v.is_object()) {
        out_.add(at, ursa::strCat("must be an object, not ", jsonTypeName(v)));
        return true;
      }
      jsonToStruct(v, static_cast<google::protobuf::Struct&>(m));
      return true;
    }
    if (name == "google.protobuf.Value") {
      jsonToValue(v, static_cast<google::protobuf::Value&>(m));
      return true;
    }
    if (name == "google.protobuf.ListValue") {
      if (!v.is_array()) {
        out_.add(at, ursa::strCat("must be a list, not ", jsonTypeName(v)));
        return true;
      }
      auto& list = static_cast<google::protobuf::ListValue&>(m);
      for (const auto& item : v) jsonToValue(item, *list.add_values());
      return true;
    }
    if (name == kIntOrStringType) {
      decodeIntOrString(v, m, at);
      return true;
    }
    return false;
  }

  void decodeIntOrString(const Json& v, Message& m, const FieldPath& at) {
    const Descriptor& d = *m.GetDescriptor();
    const Reflection& r = *m.GetReflection();
    if (v.is_number_integer()) {
      r.SetInt64(&m, d.FindFieldByName("int_value"), v.get<int64_t>());
    } else if (v.is_string()) {
      r.SetString(&m, d.FindFieldByName("string_value"), v.get<std::string>());
    } else if (v.is_number_float()) {
      r.SetString(&m, d.FindFieldByName("string_value"), v.dump());
    } else {
      out_.add(at, ursa::strCat("must be a number or a string, not ", jsonTypeName(v)));
    }
  }

  const DecodeOptions& options_;
  Violations& out_;
};

}  // namespace

void decodeMessage(const Json& value, Message& msg, const FieldPath& at,
                   const DecodeOptions& options, Violations& out) {
  Decoder(options, out).message(value, msg, at);
}

}  // namespace ursa::model
