// MeshRetry -> route retry policies (Kuma 2.2's meshretry plugin), for Envoy
// and, reduced to what gRPC's xDS client honours, for proxyless clients.

#include <algorithm>
#include <cctype>
#include <map>

#include "envoy/extensions/retry/host/omit_host_metadata/v3/omit_host_metadata_config.pb.h"
#include "envoy/extensions/retry/host/previous_hosts/v3/previous_hosts.pb.h"
#include "envoy/extensions/retry/priority/previous_priorities/v3/previous_priorities_config.pb.h"
#include "src/xds/generator/translate/translate.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen::translate {

namespace {

using envoy::config::route::v3::RetryPolicy;
using ursa::common::v1alpha1::HeaderMatch;
using ursa::common::v1alpha1::IntOrString;
using ursa::policies::meshretry::v1alpha1::MeshRetry;

constexpr char kHttpDefaultRetryOn[] = "gateway-error,connect-failure,refused-stream";
constexpr char kGrpcDefaultRetryOn[] =
    "cancelled,connect-failure,gateway-error,refused-stream,reset,resource-exhausted,unavailable";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Kuma's HTTP retryOn names -> Envoy's retry_on values.
const std::map<std::string, std::string>& httpConditions() {
  static const auto* m = new std::map<std::string, std::string>{
      {"5xx", "5xx"},
      {"gatewayerror", "gateway-error"},
      {"reset", "reset"},
      {"retriable4xx", "retriable-4xx"},
      {"connectfailure", "connect-failure"},
      {"envoyratelimited", "envoy-ratelimited"},
      {"refusedstream", "refused-stream"},
      {"http3postconnectfailure", "http3-post-connect-failure"},
  };
  return *m;
}

// Kuma's gRPC retryOn names -> gRPC status names (Envoy's x-envoy-retry-grpc-on).
const std::map<std::string, std::string>& grpcConditions() {
  static const auto* m = new std::map<std::string, std::string>{
      {"canceled", "cancelled"},
      {"deadlineexceeded", "deadline-exceeded"},
      {"internal", "internal"},
      {"resourceexhausted", "resource-exhausted"},
      {"unavailable", "unavailable"},
  };
  return *m;
}

std::optional<int64_t> statusCodeOf(const IntOrString& v) {
  if (v.has_int_value()) return v.int_value();
  const std::string& s = v.string_value();
  if (s.empty() || !std::all_of(s.begin(), s.end(), ::isdigit)) return std::nullopt;
  return std::stoll(s);
}

}  // namespace

void setHeaderMatcher(envoy::config::route::v3::HeaderMatcher* out, const HeaderMatch& in) {
  out->set_name(in.name());
  const std::string& type = in.type();
  if (type == "Present") {
    out->set_present_match(true);
  } else if (type == "Absent") {
    out->set_present_match(true);
    out->set_invert_match(true);
  } else if (type == "RegularExpression") {
    out->mutable_string_match()->mutable_safe_regex()->set_regex(in.value());
  } else if (type == "Prefix") {
    out->mutable_string_match()->set_prefix(in.value());
  } else {
    out->mutable_string_match()->set_exact(in.value());
  }
}

namespace {

void setBackOff(RetryPolicy& out, const MeshRetry::BackOff& b) {
  auto* back_off = out.mutable_retry_back_off();
  setDuration(back_off->mutable_base_interval(),
              b.has_base_interval() ? toAbsl(b.base_interval()) : absl::Milliseconds(25));
  if (b.has_max_interval()) setDuration(back_off->mutable_max_interval(), toAbsl(b.max_interval()));
}

void setRateLimitedBackOff(RetryPolicy& out, const MeshRetry::RateLimitedBackOff& b) {
  auto* r = out.mutable_rate_limited_retry_back_off();
  for (const auto& h : b.reset_headers()) {
    auto* header = r->add_reset_headers();
    header->set_name(h.name());
    header->set_format(h.format() == "UnixTimestamp" ? RetryPolicy::UNIX_TIMESTAMP
                                                     : RetryPolicy::SECONDS);
  }
  if (b.has_max_interval()) setDuration(r->mutable_max_interval(), toAbsl(b.max_interval()));
}

// Fields common to the HTTP and gRPC sections.
template <typename Section>
void setCommon(RetryPolicy& out, const Section& s) {
  if (s.has_num_retries()) out.mutable_num_retries()->set_value(s.num_retries());
  if (s.has_per_try_timeout()) setDuration(out.mutable_per_try_timeout(), toAbsl(s.per_try_timeout()));
  if (s.has_back_off()) setBackOff(out, s.back_off());
  if (s.has_rate_limited_back_off()) setRateLimitedBackOff(out, s.rate_limited_back_off());
}

// Kuma's hostSelection: OmitPreviousHosts -> previous_hosts,
// OmitHostsWithTags -> omit_host_metadata on the endpoints' envoy.lb
// metadata (their tags), OmitPreviousPriorities -> retry_priority
// previous_priorities (the last one wins).
void setHostSelection(RetryPolicy& out,
                      const google::protobuf::RepeatedPtrField<MeshRetry::Predicate>& predicates) {
  namespace host = envoy::extensions::retry::host;
  for (const auto& p : predicates) {
    if (p.predicate() == "OmitPreviousHosts") {
      auto* predicate = out.add_retry_host_predicate();
      predicate->set_name("envoy.retry_host_predicates.previous_hosts");
      pack(host::previous_hosts::v3::PreviousHostsPredicate(), predicate->mutable_typed_config());
    } else if (p.predicate() == "OmitHostsWithTags") {
      host::omit_host_metadata::v3::OmitHostMetadataConfig config;
      auto& lb = (*config.mutable_metadata_match()->mutable_filter_metadata())["envoy.lb"];
      for (const auto& [k, v] : p.tags()) (*lb.mutable_fields())[k].set_string_value(v);
      auto* predicate = out.add_retry_host_predicate();
      predicate->set_name("envoy.retry_host_predicates.omit_host_metadata");
      pack(config, predicate->mutable_typed_config());
    } else if (p.predicate() == "OmitPreviousPriorities") {
      envoy::extensions::retry::priority::previous_priorities::v3::PreviousPrioritiesConfig config;
      config.set_update_frequency(p.update_frequency());
      auto* priority = out.mutable_retry_priority();
      priority->set_name("envoy.retry_priorities.previous_priorities");
      pack(config, priority->mutable_typed_config());
    }
  }
}

}  // namespace

RetryPolicy httpRetryPolicy(const MeshRetry::Http& http) {
  RetryPolicy out;
  setCommon(out, http);
  std::vector<std::string> conditions;
  for (const auto& item : http.retry_on()) {
    if (auto code = statusCodeOf(item)) {
      out.add_retriable_status_codes(static_cast<uint32_t>(*code));
      continue;
    }
    const std::string& name = item.string_value();
    if (name.rfind("HttpMethod", 0) == 0) {
      auto* header = out.add_retriable_request_headers();
      header->set_name(":method");
      std::string method = name.substr(10);
      std::transform(method.begin(), method.end(), method.begin(),
                     [](unsigned char c) { return std::toupper(c); });
      header->mutable_string_match()->set_exact(method);
      continue;
    }
    auto it = httpConditions().find(lower(name));
    if (it != httpConditions().end()) conditions.push_back(it->second);
  }
  if (out.retriable_status_codes_size() > 0) conditions.push_back("retriable-status-codes");
  out.set_retry_on(http.retry_on().empty() ? kHttpDefaultRetryOn : strJoin(conditions, ","));
  for (const auto& h : http.retriable_response_headers()) {
    setHeaderMatcher(out.add_retriable_headers(), h);
  }
  for (const auto& h : http.retriable_request_headers()) {
    setHeaderMatcher(out.add_retriable_request_headers(), h);
  }
  setHostSelection(out, http.host_selection());
  if (http.has_host_selection_max_attempts()) {
    out.set_host_selection_retry_max_attempts(http.host_selection_max_attempts());
  }
  return out;
}

RetryPolicy grpcRetryPolicy(const MeshRetry::Grpc& grpc) {
  RetryPolicy out;
  setCommon(out, grpc);
  std::vector<std::string> conditions;
  for (const auto& item : grpc.retry_on()) {
    auto it = grpcConditions().find(lower(item.string_value()));
    if (it != grpcConditions().end()) conditions.push_back(it->second);
  }
  out.set_retry_on(grpc.retry_on().empty() ? kGrpcDefaultRetryOn : strJoin(conditions, ","));
  return out;
}

RetryPolicy proxylessRetryPolicy(const MeshRetry::Grpc& grpc, const Warn& warn) {
  RetryPolicy out;
  if (grpc.has_num_retries()) out.mutable_num_retries()->set_value(grpc.num_retries());
  if (grpc.has_back_off()) setBackOff(out, grpc.back_off());
  std::vector<std::string> conditions;
  for (const auto& item : grpc.retry_on()) {
    auto it = grpcConditions().find(lower(item.string_value()));
    if (it != grpcConditions().end()) conditions.push_back(it->second);
  }
  // Kuma's default minus the conditions only Envoy knows.
  out.set_retry_on(grpc.retry_on().empty() ? "cancelled,resource-exhausted,unavailable"
                                           : strJoin(conditions, ","));
  if (grpc.has_per_try_timeout()) warn("MeshRetry grpc.perTryTimeout: not supported by gRPC xDS clients");
  if (grpc.has_rate_limited_back_off()) {
    warn("MeshRetry grpc.rateLimitedBackOff: not supported by gRPC xDS clients");
  }
  if (grpc.has_num_retries() && grpc.num_retries() > 4) {
    warn(strCat("MeshRetry grpc.numRetries ", grpc.num_retries(),
                ": gRPC makes at most 5 attempts (4 retries)"));
  }
  return out;
}

}  // namespace ursa::xds::gen::translate
