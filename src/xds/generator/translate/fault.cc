// MeshFaultInjection -> envoy.filters.http.fault configs (Kuma 2.2's
// meshfaultinjection plugin): one filter per `http[]` entry.

#include <cmath>
#include <cstdlib>

#include "src/xds/generator/translate/translate.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen::translate {

namespace {

using envoy::extensions::filters::http::fault::v3::HTTPFault;
using envoy::type::v3::FractionalPercent;
using ursa::common::v1alpha1::IntOrString;
using Mfi = ursa::policies::meshfaultinjection::v1alpha1::MeshFaultInjection;

constexpr char kTagsHeader[] = "x-kuma-tags";

// An int is a percentage; a decimal string keeps two decimals (TEN_THOUSAND).
void setPercentage(FractionalPercent* out, const IntOrString& p) {
  if (p.has_int_value()) {
    out->set_numerator(static_cast<uint32_t>(p.int_value()));
    out->set_denominator(FractionalPercent::HUNDRED);
    return;
  }
  double value = std::strtod(p.string_value().c_str(), nullptr);
  out->set_numerator(static_cast<uint32_t>(std::llround(value * 100)));
  out->set_denominator(FractionalPercent::TEN_THOUSAND);
}

// "10kbps", "2mbps", "1gbps" (any case) or a bare number of kbps; 0 when unreadable.
uint64_t kbpsOf(const IntOrString& limit) {
  if (limit.has_int_value()) return static_cast<uint64_t>(limit.int_value());
  const std::string& s = limit.string_value();
  char* end = nullptr;
  uint64_t n = std::strtoull(s.c_str(), &end, 10);
  std::string unit(end);
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (unit == "mbps") return n * 1000;
  if (unit == "gbps") return n * 1000 * 1000;
  return n;
}

std::string quoteRegex(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\.+*?()|[]{}^$").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// Kuma's header matchers for a client subset, on the x-kuma-tags header the
// client sidecar adds ("&key=v1,v2&" per key). ursa also requires the header
// to be present, even for a subset matching every client: proxyless gRPC
// clients send no x-kuma-tags and get the fault in their own configuration
// instead, so they must not be faulted twice.
void addSourceHeaders(HTTPFault& fault, const policy::Subset& source) {
  auto* present = fault.add_headers();
  present->set_name(kTagsHeader);
  present->set_present_match(true);
  for (const auto& tag : source) {
    auto* h = fault.add_headers();
    h->set_name(kTagsHeader);
    h->mutable_string_match()->mutable_safe_regex()->set_regex(
        strCat(".*&", quoteRegex(tag.key), "=[^&]*", quoteRegex(tag.value), "[,&].*"));
    if (tag.negated) h->set_invert_match(true);
  }
}

}  // namespace

std::vector<HTTPFault> faultFilters(const Mfi::Conf& conf, const policy::Subset* source,
                                    bool proxyless, const Warn& warn) {
  std::vector<HTTPFault> out;
  for (const auto& f : conf.http()) {
    HTTPFault fault;
    if (f.has_abort()) {
      fault.mutable_abort()->set_http_status(static_cast<uint32_t>(f.abort().http_status()));
      setPercentage(fault.mutable_abort()->mutable_percentage(), f.abort().percentage());
    }
    if (f.has_delay()) {
      setDuration(fault.mutable_delay()->mutable_fixed_delay(), toAbsl(f.delay().value()));
      setPercentage(fault.mutable_delay()->mutable_percentage(), f.delay().percentage());
    }
    if (f.has_response_bandwidth()) {
      if (proxyless) {
        warn("MeshFaultInjection responseBandwidth: not supported by gRPC xDS clients");
      } else {
        auto* limit = fault.mutable_response_rate_limit();
        limit->mutable_fixed_limit()->set_limit_kbps(kbpsOf(f.response_bandwidth().limit()));
        setPercentage(limit->mutable_percentage(), f.response_bandwidth().percentage());
      }
    }
    if (!fault.has_abort() && !fault.has_delay() && !fault.has_response_rate_limit()) continue;
    if (source != nullptr) addSourceHeaders(fault, *source);
    out.push_back(std::move(fault));
  }
  return out;
}

}  // namespace ursa::xds::gen::translate
