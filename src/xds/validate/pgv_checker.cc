// The traversal: messages, fields, repeated fields, maps, wrappers, Any,
// Duration and Timestamp. String and bytes rules are in pgv_strings.cc.

#include "src/xds/validate/pgv_checker.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>

#include "envoy/config/bootstrap/v3/bootstrap.pb.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/config/route/v3/route.pb.h"
#include "envoy/extensions/access_loggers/file/v3/file.pb.h"
#include "envoy/extensions/access_loggers/open_telemetry/v3/logs_service.pb.h"
#include "envoy/extensions/filters/http/fault/v3/fault.pb.h"
#include "envoy/extensions/filters/http/grpc_stats/v3/config.pb.h"
#include "envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.pb.h"
#include "envoy/extensions/filters/http/rbac/v3/rbac.pb.h"
#include "envoy/extensions/filters/http/router/v3/router.pb.h"
#include "envoy/extensions/filters/listener/original_dst/v3/original_dst.pb.h"
#include "envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"
#include "envoy/extensions/filters/network/local_ratelimit/v3/local_rate_limit.pb.h"
#include "envoy/extensions/filters/network/rbac/v3/rbac.pb.h"
#include "envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/secret.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "envoy/extensions/upstreams/http/v3/http_protocol_options.pb.h"
#include "google/protobuf/descriptor.h"
#include "src/xds/validate/pgv_internal.h"
#include "ursa/common/strings.h"

namespace ursa::xds::validate {

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using ::validate::FieldRules;

// Types whose Anys must resolve: referencing them links their generated code
// (and so their descriptors) into every binary that links the checker.
void linkKnownTypes() {
  static const std::vector<const Message*> kTypes = {
      &envoy::config::bootstrap::v3::Bootstrap::default_instance(),
      &envoy::config::listener::v3::Listener::default_instance(),
      &envoy::config::cluster::v3::Cluster::default_instance(),
      &envoy::config::endpoint::v3::ClusterLoadAssignment::default_instance(),
      &envoy::config::route::v3::RouteConfiguration::default_instance(),
      &envoy::extensions::transport_sockets::tls::v3::Secret::default_instance(),
      &envoy::extensions::transport_sockets::tls::v3::DownstreamTlsContext::default_instance(),
      &envoy::extensions::transport_sockets::tls::v3::UpstreamTlsContext::default_instance(),
      &envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager::
          default_instance(),
      &envoy::extensions::filters::network::tcp_proxy::v3::TcpProxy::default_instance(),
      &envoy::extensions::filters::network::rbac::v3::RBAC::default_instance(),
      &envoy::extensions::filters::network::local_ratelimit::v3::LocalRateLimit::default_instance(),
      &envoy::extensions::filters::http::router::v3::Router::default_instance(),
      &envoy::extensions::filters::http::rbac::v3::RBAC::default_instance(),
      &envoy::extensions::filters::http::rbac::v3::RBACPerRoute::default_instance(),
      &envoy::extensions::filters::http::fault::v3::HTTPFault::default_instance(),
      &envoy::extensions::filters::http::local_ratelimit::v3::LocalRateLimit::default_instance(),
      &envoy::extensions::filters::http::grpc_stats::v3::FilterConfig::default_instance(),
      &envoy::extensions::filters::listener::tls_inspector::v3::TlsInspector::default_instance(),
      &envoy::extensions::filters::listener::original_dst::v3::OriginalDst::default_instance(),
      &envoy::extensions::access_loggers::file::v3::FileAccessLog::default_instance(),
      &envoy::extensions::access_loggers::open_telemetry::v3::OpenTelemetryAccessLogConfig::
          default_instance(),
      &envoy::extensions::upstreams::http::v3::HttpProtocolOptions::default_instance(),
      &::validate::FieldRules::default_instance(),
  };
  (void)kTypes;
}

std::string join(const std::string& path, const std::string& name) {
  return path.empty() ? name : strCat(path, ".", name);
}

// One scalar value, read by reflection (index < 0: the singular field).
struct Scalar {
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  bool b = false;
  std::string s;  // strings and bytes
  // For `unique` and map-key paths.
  std::string key;
};

Scalar read(const Message& m, const FieldDescriptor* f, int index) {
  const Reflection* r = m.GetReflection();
  bool rep = index >= 0;
  Scalar v;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      v.i = rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f);
      v.key = std::to_string(v.i);
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      v.i = rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f);
      v.key = std::to_string(v.i);
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      v.u = rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f);
      v.key = std::to_string(v.u);
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      v.u = rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f);
      v.key = std::to_string(v.u);
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      v.d = rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f);
      v.key = std::to_string(v.d);
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      v.d = rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f);
      v.key = std::to_string(v.d);
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      v.b = rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f);
      v.key = v.b ? "true" : "false";
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      v.i = rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f);
      v.key = std::to_string(v.i);
      break;
    case FieldDescriptor::CPPTYPE_STRING:
      v.s = rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
      v.key = strCat("\"", v.s, "\"");
      break;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
  return v;
}

template <typename T, typename List>
bool listed(const List& list, T v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// Numbers: const, in, not_in, and PGV's ranges (lt < gt: outside the range).
template <typename Rules, typename T>
void checkNumber(const Rules& r, T v, std::vector<std::string>& problems) {
  if (r.ignore_empty() && v == T{}) return;
  if (r.has_const_() && v != static_cast<T>(r.const_())) {
    problems.push_back(strCat("value must equal ", r.const_()));
  }
  bool has_lower = r.has_gt() || r.has_gte();
  bool has_upper = r.has_lt() || r.has_lte();
  auto above = [&] {
    return r.has_gt() ? v > static_cast<T>(r.gt()) : v >= static_cast<T>(r.gte());
  };
  auto below = [&] {
    return r.has_lt() ? v < static_cast<T>(r.lt()) : v <= static_cast<T>(r.lte());
  };
  std::string lower =
      r.has_gt() ? strCat("greater than ", r.gt()) : strCat("greater than or equal to ", r.gte());
  std::string upper =
      r.has_lt() ? strCat("less than ", r.lt()) : strCat("less than or equal to ", r.lte());
  if (has_lower && has_upper) {
    T lo = static_cast<T>(r.has_gt() ? r.gt() : r.gte());
    T hi = static_cast<T>(r.has_lt() ? r.lt() : r.lte());
    if (hi >= lo && !(above() && below())) {
      problems.push_back(strCat("value must be ", lower, " and ", upper));
    } else if (hi < lo && !(above() || below())) {
      problems.push_back(strCat("value must be ", upper, " or ", lower));
    }
  } else if (has_lower && !above()) {
    problems.push_back(strCat("value must be ", lower));
  } else if (has_upper && !below()) {
    problems.push_back(strCat("value must be ", upper));
  }
  if (r.in_size() > 0 && !listed(r.in(), v))
    problems.push_back("value must be in the listed values");
  if (listed(r.not_in(), v)) problems.push_back("value must not be in the listed values");
}

// Durations and timestamps as nanoseconds (their range fits in 128 bits).
using Nanos = __int128;
Nanos nanosOf(const Message& m) {
  const Reflection* r = m.GetReflection();
  const Descriptor* d = m.GetDescriptor();
  return static_cast<Nanos>(r->GetInt64(m, d->FindFieldByNumber(1))) * 1000000000 +
         r->GetInt32(m, d->FindFieldByNumber(2));
}
std::string describe(Nanos n) {
  long double seconds = static_cast<long double>(n) / 1e9L;
  return strCat(std::to_string(static_cast<double>(seconds)), "s");
}

// Duration and Timestamp rules share their shape.
template <typename Rules>
void checkTime(const Rules& r, Nanos v, std::vector<std::string>& problems) {
  if (r.has_const_() && v != nanosOf(r.const_()))
    problems.push_back(strCat("value must equal ", describe(nanosOf(r.const_()))));
  bool has_lower = r.has_gt() || r.has_gte();
  bool has_upper = r.has_lt() || r.has_lte();
  Nanos lo = r.has_gt() ? nanosOf(r.gt()) : nanosOf(r.gte());
  Nanos hi = r.has_lt() ? nanosOf(r.lt()) : nanosOf(r.lte());
  bool above = r.has_gt() ? v > lo : v >= lo;
  bool below = r.has_lt() ? v < hi : v <= hi;
  std::string lower =
      strCat(r.has_gt() ? "greater than " : "greater than or equal to ", describe(lo));
  std::string upper = strCat(r.has_lt() ? "less than " : "less than or equal to ", describe(hi));
  if (has_lower && has_upper) {
    if (hi >= lo && !(above && below))
      problems.push_back(strCat("value must be ", lower, " and ", upper));
    if (hi < lo && !(above || below))
      problems.push_back(strCat("value must be ", upper, " or ", lower));
  } else if (has_lower && !above) {
    problems.push_back(strCat("value must be ", lower));
  } else if (has_upper && !below) {
    problems.push_back(strCat("value must be ", upper));
  }
}

bool isWrapper(const Descriptor* d) {
  static const std::set<std::string> kWrappers = {
      "google.protobuf.DoubleValue", "google.protobuf.FloatValue",  "google.protobuf.Int64Value",
      "google.protobuf.UInt64Value", "google.protobuf.Int32Value",  "google.protobuf.UInt32Value",
      "google.protobuf.BoolValue",   "google.protobuf.StringValue", "google.protobuf.BytesValue"};
  return kWrappers.contains(d->full_name());
}

bool requiresPresence(const FieldRules& r) {
  return r.message().required() || (r.has_duration() && r.duration().required()) ||
         (r.has_timestamp() && r.timestamp().required()) || (r.has_any() && r.any().required());
}

class Checker {
 public:
  std::vector<Violation> take() {
    std::stable_sort(out_.begin(), out_.end(),
                     [](const Violation& a, const Violation& b) { return a.field < b.field; });
    return std::move(out_);
  }

  void add(const std::string& path, std::string text) { out_.push_back({path, std::move(text)}); }

  void message(const Message& m, const std::string& path) {
    const Descriptor* d = m.GetDescriptor();
    const auto& options = d->options();
    if (options.GetExtension(::validate::disabled) || options.GetExtension(::validate::ignored))
      return;
    if (d->full_name() == "google.protobuf.Any") return any(m, path);
    const Reflection* r = m.GetReflection();
    for (int i = 0; i < d->oneof_decl_count(); ++i) {
      const auto* oneof = d->oneof_decl(i);
      if (oneof->is_synthetic()) continue;
      if (oneof->options().GetExtension(::validate::required) && !r->HasOneof(m, oneof)) {
        add(join(path, oneof->name()), "value is required: one of its fields must be set");
      }
    }
    for (int i = 0; i < d->field_count(); ++i) field(m, d->field(i), path);
  }

 private:
  void field(const Message& m, const FieldDescriptor* f, const std::string& path) {
    const Reflection* r = m.GetReflection();
    const auto& options = f->options();
    const FieldRules* rules = options.HasExtension(::validate::rules)
                                  ? &options.GetExtension(::validate::rules)
                                  : nullptr;
    std::string p = join(path, f->name());
    if (f->is_map()) return map(m, f, rules, p);
    if (f->is_repeated()) return repeated(m, f, rules, p);
    if (f->real_containing_oneof() != nullptr && !r->HasField(m, f))
      return;  // another member is set
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (!r->HasField(m, f)) {
        if (rules != nullptr && requiresPresence(*rules)) add(p, "value is required");
        return;
      }
      return messageValue(rules, r->GetMessage(m, f), p);
    }
    if (f->has_presence() && !r->HasField(m, f)) return;  // unset proto3 optional
    if (rules != nullptr) scalar(*rules, f, read(m, f, -1), p);
  }

  void repeated(const Message& m, const FieldDescriptor* f, const FieldRules* rules,
                const std::string& p) {
    const Reflection* r = m.GetReflection();
    int n = r->FieldSize(m, f);
    const FieldRules* items = nullptr;
    if (rules != nullptr && rules->has_repeated()) {
      const auto& rr = rules->repeated();
      if (rr.has_items()) items = &rr.items();
      if (!(rr.ignore_empty() && n == 0)) {
        auto size = static_cast<uint64_t>(n);
        if (rr.has_min_items() && size < rr.min_items()) {
          add(p, strCat("value must contain at least ", rr.min_items(), " item(s)"));
        }
        if (rr.has_max_items() && size > rr.max_items()) {
          add(p, strCat("value must contain no more than ", rr.max_items(), " item(s)"));
        }
        if (rr.unique() && f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
          std::set<std::string> seen;
          for (int i = 0; i < n; ++i) {
            if (!seen.insert(read(m, f, i).key).second) {
              add(strCat(p, "[", i, "]"), "repeated value must contain unique items");
            }
          }
        }
      }
    }
    for (int i = 0; i < n; ++i) {
      std::string pi = strCat(p, "[", i, "]");
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        messageValue(items, r->GetRepeatedMessage(m, f, i), pi);
      } else if (items != nullptr) {
        scalar(*items, f, read(m, f, i), pi);
      }
    }
  }

  void map(const Message& m, const FieldDescriptor* f, const FieldRules* rules,
           const std::string& p) {
    const Reflection* r = m.GetReflection();
    int n = r->FieldSize(m, f);
    const FieldRules* keys = nullptr;
    const FieldRules* values = nullptr;
    if (rules != nullptr && rules->has_map()) {
      const auto& mr = rules->map();
      if (mr.has_keys()) keys = &mr.keys();
      if (mr.has_values()) values = &mr.values();
      if (!(mr.ignore_empty() && n == 0)) {
        auto size = static_cast<uint64_t>(n);
        if (mr.has_min_pairs() && size < mr.min_pairs()) {
          add(p, strCat("value must contain at least ", mr.min_pairs(), " pair(s)"));
        }
        if (mr.has_max_pairs() && size > mr.max_pairs()) {
          add(p, strCat("value must contain no more than ", mr.max_pairs(), " pair(s)"));
        }
      }
    }
    const FieldDescriptor* key_f = f->message_type()->map_key();
    const FieldDescriptor* value_f = f->message_type()->map_value();
    for (int i = 0; i < n; ++i) {
      const Message& entry = r->GetRepeatedMessage(m, f, i);
      Scalar key = read(entry, key_f, -1);
      std::string pk = strCat(p, "[", key.key, "]");
      if (keys != nullptr) scalar(*keys, key_f, key, strCat(pk, " (key)"));
      if (value_f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        messageValue(values, entry.GetReflection()->GetMessage(entry, value_f), pk);
      } else if (values != nullptr) {
        scalar(*values, value_f, read(entry, value_f, -1), pk);
      }
    }
  }

  // A present message: its type-specific rules, then its own fields.
  void messageValue(const FieldRules* rules, const Message& value, const std::string& p) {
    if (rules != nullptr) {
      std::vector<std::string> problems;
      const Descriptor* d = value.GetDescriptor();
      if (rules->has_duration()) {
        checkTime(rules->duration(), nanosOf(value), problems);
        durationList(rules->duration(), nanosOf(value), problems);
      } else if (rules->has_timestamp()) {
        timestamp(rules->timestamp(), nanosOf(value), problems);
      } else if (rules->has_any()) {
        const std::string& url = value.GetReflection()->GetString(value, d->FindFieldByNumber(1));
        if (rules->any().in_size() > 0 && !listed(rules->any().in(), url)) {
          problems.push_back(strCat("type URL ", url, " must be in the listed types"));
        }
        if (listed(rules->any().not_in(), url)) {
          problems.push_back(strCat("type URL ", url, " must not be in the listed types"));
        }
      } else if (isWrapper(d) && rules->type_case() != FieldRules::TYPE_NOT_SET) {
        const FieldDescriptor* inner = d->FindFieldByNumber(1);
        scalar(*rules, inner, read(value, inner, -1), p);
      }
      for (auto& problem : problems) add(p, std::move(problem));
      if (rules->message().skip()) return;
    }
    message(value, p);
  }

  void scalar(const FieldRules& rules, const FieldDescriptor* f, const Scalar& v,
              const std::string& p) {
    std::vector<std::string> problems;
    switch (rules.type_case()) {
      case FieldRules::kFloat:
        checkNumber(rules.float_(), static_cast<float>(v.d), problems);
        break;
      case FieldRules::kDouble:
        checkNumber(rules.double_(), v.d, problems);
        break;
      case FieldRules::kInt32:
        checkNumber(rules.int32(), static_cast<int32_t>(v.i), problems);
        break;
      case FieldRules::kSint32:
        checkNumber(rules.sint32(), static_cast<int32_t>(v.i), problems);
        break;
      case FieldRules::kSfixed32:
        checkNumber(rules.sfixed32(), static_cast<int32_t>(v.i), problems);
        break;
      case FieldRules::kInt64:
        checkNumber(rules.int64(), v.i, problems);
        break;
      case FieldRules::kSint64:
        checkNumber(rules.sint64(), v.i, problems);
        break;
      case FieldRules::kSfixed64:
        checkNumber(rules.sfixed64(), v.i, problems);
        break;
      case FieldRules::kUint32:
        checkNumber(rules.uint32(), static_cast<uint32_t>(v.u), problems);
        break;
      case FieldRules::kFixed32:
        checkNumber(rules.fixed32(), static_cast<uint32_t>(v.u), problems);
        break;
      case FieldRules::kUint64:
        checkNumber(rules.uint64(), v.u, problems);
        break;
      case FieldRules::kFixed64:
        checkNumber(rules.fixed64(), v.u, problems);
        break;
      case FieldRules::kBool:
        if (rules.bool_().has_const_() && v.b != rules.bool_().const_()) {
          problems.push_back(
              strCat("value must equal ", rules.bool_().const_() ? "true" : "false"));
        }
        break;
      case FieldRules::kString:
        internal::checkString(rules.string(), v.s, problems);
        break;
      case FieldRules::kBytes:
        internal::checkBytes(rules.bytes(), v.s, problems);
        break;
      case FieldRules::kEnum:
        enumValue(rules.enum_(), f, static_cast<int>(v.i), problems);
        break;
      default:
        break;  // message-kind rules on a scalar: nothing applies
    }
    for (auto& problem : problems) add(p, std::move(problem));
  }

  static void enumValue(const ::validate::EnumRules& r, const FieldDescriptor* f, int v,
                        std::vector<std::string>& problems) {
    if (r.has_const_() && v != r.const_())
      problems.push_back(strCat("value must equal ", r.const_()));
    if (r.defined_only() && f->enum_type() != nullptr &&
        f->enum_type()->FindValueByNumber(v) == nullptr) {
      problems.push_back(strCat("value must be one of the defined enum values (got ", v, ")"));
    }
    if (r.in_size() > 0 && !listed(r.in(), v))
      problems.push_back("value must be in the listed values");
    if (listed(r.not_in(), v)) problems.push_back(strCat("value must not be ", v));
  }

  static void durationList(const ::validate::DurationRules& r, Nanos v,
                           std::vector<std::string>& problems) {
    bool in = r.in_size() == 0;
    for (const auto& d : r.in()) in = in || nanosOf(d) == v;
    if (!in) problems.push_back("value must be in the listed durations");
    for (const auto& d : r.not_in()) {
      if (nanosOf(d) == v) problems.push_back(strCat("value must not be ", describe(v)));
    }
  }

  static void timestamp(const ::validate::TimestampRules& r, Nanos v,
                        std::vector<std::string>& problems) {
    checkTime(r, v, problems);
    auto now = static_cast<Nanos>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
    if (r.lt_now() && v >= now) problems.push_back("value must be before now");
    if (r.gt_now() && v <= now) problems.push_back("value must be after now");
    if (r.has_within()) {
      Nanos within = nanosOf(r.within());
      Nanos delta = v > now ? v - now : now - v;
      if (delta > within)
        problems.push_back(strCat("value must be within ", describe(within), " of now"));
    }
  }

  void any(const Message& m, const std::string& path) {
    const Reflection* r = m.GetReflection();
    const Descriptor* d = m.GetDescriptor();
    std::string url = r->GetString(m, d->FindFieldByNumber(1));
    if (url.empty()) return;
    std::string name = url.substr(url.rfind('/') + 1);
    const Descriptor* type =
        google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(name);
    if (type == nullptr) {
      add(path, strCat("type ", url, " is unknown (not linked into this binary)"));
      return;
    }
    std::unique_ptr<Message> unpacked(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
    if (!unpacked->ParseFromString(r->GetString(m, d->FindFieldByNumber(2)))) {
      add(path, strCat("value does not parse as ", name));
      return;
    }
    message(*unpacked, path.empty() ? strCat("(", name, ")") : strCat(path, ".(", name, ")"));
  }

  std::vector<Violation> out_;
};

}  // namespace

std::vector<Violation> check(const Message& m) {
  linkKnownTypes();
  Checker checker;
  checker.message(m, "");
  return checker.take();
}

std::vector<Violation> checkSerialized(std::string_view type_url, std::string_view bytes) {
  linkKnownTypes();
  std::string url(type_url);
  std::string name = url.substr(url.rfind('/') + 1);
  const Descriptor* type =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(name);
  if (type == nullptr)
    return {{"", strCat("type ", url, " is unknown (not linked into this binary)")}};
  std::unique_ptr<Message> m(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
  if (!m->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return {{"", strCat("bytes do not parse as ", name)}};
  }
  return check(*m);
}

std::string format(const std::vector<Violation>& violations) {
  std::string out;
  for (const auto& v : violations)
    out += strCat(v.field.empty() ? "<root>" : v.field, ": ", v.message, "\n");
  return out;
}

}  // namespace ursa::xds::validate
