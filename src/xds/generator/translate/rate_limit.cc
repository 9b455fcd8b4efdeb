// MeshRateLimit -> Envoy local rate limit configs (Kuma 2.2's meshratelimit
// plugin and its RateLimitConfiguration). Envoy only: gRPC's xDS server
// takes no rate limit filter.

#include "src/xds/generator/translate/translate.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen::translate {

namespace {

using envoy::config::core::v3::HeaderValueOption;
using envoy::config::core::v3::RuntimeFractionalPercent;
using Mrl = ursa::policies::meshratelimit::v1alpha1::MeshRateLimit;
namespace http_rl = envoy::extensions::filters::http::local_ratelimit::v3;
namespace tcp_rl = envoy::extensions::filters::network::local_ratelimit::v3;

// Envoy refuses fill intervals under 50ms.
constexpr absl::Duration kMinInterval = absl::Milliseconds(50);
// Envoy's limit on response_headers_to_add.
constexpr int kMaxResponseHeaders = 10;

// Whether `rate` can become a token bucket; warns when it cannot.
bool usable(const Mrl::Rate& rate, const std::string& what, const Warn& warn) {
  if (rate.num() == 0) {
    warn(strCat("MeshRateLimit ", what, ".num is 0; no rate limit"));
    return false;
  }
  if (!rate.has_interval() || toAbsl(rate.interval()) < kMinInterval) {
    warn(strCat("MeshRateLimit ", what, ".interval is under 50ms; no rate limit"));
    return false;
  }
  return true;
}

void setBucket(envoy::type::v3::TokenBucket* bucket, const Mrl::Rate& rate) {
  bucket->set_max_tokens(rate.num());
  bucket->mutable_tokens_per_fill()->set_value(rate.num());
  setDuration(bucket->mutable_fill_interval(), toAbsl(rate.interval()));
}

void setAll(RuntimeFractionalPercent* out, const char* runtime_key) {
  out->set_runtime_key(runtime_key);
  out->mutable_default_value()->set_numerator(100);
  out->mutable_default_value()->set_denominator(envoy::type::v3::FractionalPercent::HUNDRED);
}

void addResponseHeaders(const Mrl::HeaderModifier& headers, http_rl::LocalRateLimit& out,
                        const Warn& warn) {
  auto add = [&](const ursa::common::v1alpha1::HeaderValue& h,
                 HeaderValueOption::HeaderAppendAction action) {
    if (out.response_headers_to_add_size() == kMaxResponseHeaders) {
      warn(strCat("MeshRateLimit onRateLimit.headers: Envoy takes at most ", kMaxResponseHeaders,
                  " headers; \"", h.name(), "\" left out"));
      return;
    }
    auto* o = out.add_response_headers_to_add();
    o->mutable_header()->set_key(h.name());
    o->mutable_header()->set_value(h.value());
    o->set_append_action(action);
  };
  for (const auto& h : headers.set()) add(h, HeaderValueOption::OVERWRITE_IF_EXISTS_OR_ADD);
  for (const auto& h : headers.add()) add(h, HeaderValueOption::APPEND_IF_EXISTS_OR_ADD);
}

}  // namespace

std::optional<http_rl::LocalRateLimit> httpRateLimit(const Mrl::LocalHttp& http,
                                                     const Warn& warn) {
  if (http.disabled() || !http.has_request_rate()) return std::nullopt;
  if (!usable(http.request_rate(), "local.http.requestRate", warn)) return std::nullopt;
  http_rl::LocalRateLimit out;
  out.set_stat_prefix(kHttpRateLimitStatPrefix);
  setBucket(out.mutable_token_bucket(), http.request_rate());
  setAll(out.mutable_filter_enabled(), "local_rate_limit_enabled");
  setAll(out.mutable_filter_enforced(), "local_rate_limit_enforced");
  const auto& on = http.on_rate_limit();
  if (on.has_status()) {
    // Envoy takes only the codes its HttpStatus enum names.
    const auto* code = envoy::type::v3::StatusCode_descriptor()->FindValueByNumber(
        static_cast<int>(on.status()));
    if (code != nullptr && code->number() != 0) {
      out.mutable_status()->set_code(static_cast<envoy::type::v3::StatusCode>(code->number()));
    } else {
      warn(strCat("MeshRateLimit onRateLimit.status ", on.status(),
                  ": not an HTTP status Envoy knows; 429 instead"));
    }
  }
  addResponseHeaders(on.headers(), out, warn);
  return out;
}

std::optional<tcp_rl::LocalRateLimit> tcpRateLimit(const Mrl::LocalTcp& tcp, const Warn& warn) {
  if (tcp.disabled() || !tcp.has_connection_rate()) return std::nullopt;
  if (!usable(tcp.connection_rate(), "local.tcp.connectionRate", warn)) return std::nullopt;
  tcp_rl::LocalRateLimit out;
  out.set_stat_prefix(kTcpRateLimitStatPrefix);
  setBucket(out.mutable_token_bucket(), tcp.connection_rate());
  return out;
}

}  // namespace ursa::xds::gen::translate
