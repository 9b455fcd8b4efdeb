// MeshRetry: validation as Kuma 2.2's
// pkg/plugins/policies/meshretry/api/v1alpha1/validator.go. Kuma reports
// problems of a `default` under `default.conf.`; so does ursa.

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "src/model/validators/policy_helpers_a.h"
#include "ursa/common/strings.h"
#include "ursa/policies/meshretry/v1alpha1/meshretry.pb.h"

namespace ursa::model::types {
namespace {

using ursa::common::v1alpha1::IntOrString;
using ursa::policies::meshretry::v1alpha1::MeshRetry;
namespace v = validators;

constexpr std::array<std::string_view, 17> kHttpRetryOn = {
    "5xx", "GatewayError", "Reset", "Retriable4xx", "ConnectFailure", "EnvoyRatelimited",
    "RefusedStream", "Http3PostConnectFailure", "HttpMethodConnect", "HttpMethodDelete",
    "HttpMethodGet", "HttpMethodHead", "HttpMethodOptions", "HttpMethodPatch", "HttpMethodPost",
    "HttpMethodPut", "HttpMethodTrace"};
constexpr std::array<std::string_view, 5> kGrpcRetryOn = {
    "Canceled", "DeadlineExceeded", "Internal", "ResourceExhausted", "Unavailable"};

// The status codes Go's net/http names (http.StatusText is not empty): what
// Kuma accepts as a numeric retryOn item.
bool isKnownStatusCode(int64_t code) {
  static constexpr std::array<int64_t, 25> kSingles = {
      100, 101, 102, 103, 226, 300, 301, 302, 303, 304, 305, 307, 308,
      421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 510, 511};
  if ((code >= 200 && code <= 208) || (code >= 400 && code <= 418) ||
      (code >= 500 && code <= 508)) {
    return true;
  }
  return std::find(kSingles.begin(), kSingles.end(), code) != kSingles.end();
}

// A string item read as Go's strconv.Atoi does: optional sign, then digits.
std::optional<int64_t> parseCode(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

std::string itemText(const IntOrString& item) {
  return item.has_string_value() ? item.string_value() : std::to_string(item.int_value());
}

template <size_t N>
bool isNamed(const IntOrString& item, const std::array<std::string_view, N>& names) {
  return item.has_string_value() &&
         std::find(names.begin(), names.end(), item.string_value()) != names.end();
}

void validateHttpRetryOn(const google::protobuf::RepeatedPtrField<IntOrString>& items,
                         const FieldPath& at, Violations& out) {
  for (int i = 0; i < items.size(); ++i) {
    const IntOrString& item = items[i];
    if (isNamed(item, kHttpRetryOn)) continue;
    auto code = item.has_string_value() ? parseCode(item.string_value())
                                        : std::optional<int64_t>(item.int_value());
    if (code && isKnownStatusCode(*code)) continue;
    out.add(at.index(static_cast<size_t>(i)), ursa::strCat("unknown item '", itemText(item), "'"));
  }
}

void validateGrpcRetryOn(const google::protobuf::RepeatedPtrField<IntOrString>& items,
                         const FieldPath& at, Violations& out) {
  for (int i = 0; i < items.size(); ++i) {
    if (isNamed(items[i], kGrpcRetryOn)) continue;
    out.add(at.index(static_cast<size_t>(i)),
            ursa::strCat("unknown item '", itemText(items[i]), "'"));
  }
}

void validateBackOff(const MeshRetry::BackOff& b, const FieldPath& at, Violations& out) {
  if (!b.has_base_interval() && !b.has_max_interval()) {
    out.add(at, std::string(v::kMustNotBeEmpty));
  }
}

void validateRateLimitedBackOff(const MeshRetry::RateLimitedBackOff& b, const FieldPath& at,
                                Violations& out) {
  if (b.has_max_interval()) v::durationPositive(b.max_interval(), at.field("maxInterval"), out);
  const FieldPath headers = at.field("resetHeaders");
  if (b.reset_headers().empty()) {
    out.add(headers, std::string(v::kMustBeDefined));
    return;
  }
  for (int i = 0; i < b.reset_headers_size(); ++i) {
    const auto& header = b.reset_headers(i);
    const FieldPath item = headers.index(static_cast<size_t>(i));
    v::stringDefined(header.name(), item.field("name"), out);
    // Kuma leaves the format to its schema; an empty one is read as Seconds.
    if (!header.format().empty()) {
      v::oneOf(header.format(), {"Seconds", "UnixTimestamp"}, item.field("format"), out);
    }
  }
}

void validateHostSelection(const google::protobuf::RepeatedPtrField<MeshRetry::Predicate>& list,
                           const FieldPath& at, Violations& out) {
  bool priority_seen = false;
  for (int i = 0; i < list.size(); ++i) {
    const auto& p = list[i];
    const FieldPath item = at.index(static_cast<size_t>(i));
    if (p.predicate() == "OmitHostsWithTags") {
      if (p.tags().empty()) out.add(item.field("tags"), std::string(v::kMustBeDefined));
    } else if (p.predicate() == "OmitPreviousPriorities") {
      if (priority_seen) {
        out.add(item.field("predicate"), "OmitPreviousPriorities must only be specified once");
      }
      if (p.update_frequency() <= 0) {
        out.add(item.field("updateFrequency"), std::string(v::kDefinedAndGreaterThanZero));
      }
      priority_seen = true;
    } else if (p.predicate() != "OmitPreviousHosts") {
      out.add(item.field("predicate"),
              ursa::strCat("unknown predicate type '", p.predicate(), "'"));
    }
  }
}

// Kuma does not count hostSelectionMaxAttempts here.
bool isEmpty(const MeshRetry::Http& h) {
  return !h.has_num_retries() && !h.has_per_try_timeout() && !h.has_back_off() &&
         h.retry_on().empty() && h.retriable_request_headers().empty() &&
         h.retriable_response_headers().empty() && !h.has_rate_limited_back_off() &&
         h.host_selection().empty();
}

void validateHttp(const MeshRetry::Http& http, const FieldPath& at, Violations& out) {
  if (isEmpty(http)) out.add(at, std::string(v::kMustNotBeEmpty));
  if (http.has_back_off()) validateBackOff(http.back_off(), at.field("backOff"), out);
  if (http.has_rate_limited_back_off()) {
    validateRateLimitedBackOff(http.rate_limited_back_off(), at.field("rateLimitedBackOff"), out);
  }
  validateHttpRetryOn(http.retry_on(), at.field("retryOn"), out);
  validateHostSelection(http.host_selection(), at.field("hostSelection"), out);
}

void validateGrpc(const MeshRetry::Grpc& grpc, const FieldPath& at, Violations& out) {
  if (!grpc.has_num_retries() && !grpc.has_per_try_timeout() && !grpc.has_back_off() &&
      grpc.retry_on().empty() && !grpc.has_rate_limited_back_off()) {
    out.add(at, std::string(v::kMustNotBeEmpty));
  }
  if (grpc.has_back_off()) validateBackOff(grpc.back_off(), at.field("backOff"), out);
  if (grpc.has_rate_limited_back_off()) {
    validateRateLimitedBackOff(grpc.rate_limited_back_off(), at.field("rateLimitedBackOff"), out);
  }
  validateGrpcRetryOn(grpc.retry_on(), at.field("retryOn"), out);
}

void validateConf(const MeshRetry::Conf& conf, const FieldPath& item, Violations& out) {
  const FieldPath at = item.field("default").field("conf");
  if (!conf.has_tcp() && !conf.has_http() && !conf.has_grpc()) {
    out.add(at, "at least one of the 'tcp', 'http', 'grpc' must be specified");
  }
  if (conf.has_tcp() && !conf.tcp().has_max_connect_attempt()) {
    out.add(at.field("tcp"), std::string(v::kMustNotBeEmpty));
  }
  if (conf.has_http()) validateHttp(conf.http(), at.field("http"), out);
  if (conf.has_grpc()) validateGrpc(conf.grpc(), at.field("grpc"), out);
}

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  const auto& spec = static_cast<const MeshRetry&>(msg);
  const FieldPath root = FieldPath::rootedAt("spec");
  v::validateTopTargetRef(spec.target_ref(), root.field("targetRef"), out);
  if (spec.to().empty()) out.add(root.field("to"), "needs at least one item");
  v::validateItems(spec.to(), "to", root, out, v::validateToTargetRef, validateConf);
}

}  // namespace

const ResourceType& meshRetry() {
  static const ResourceType kType{
      .name = "MeshRetry",
      .scope = Scope::Mesh,
      .path = "meshretries",
      .cli_singular = "meshretry",
      .cli_plural = "meshretries",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshRetry::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
