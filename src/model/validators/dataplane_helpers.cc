#include "src/model/validators/dataplane_helpers.h"

#include <arpa/inet.h>

#include <cstring>
#include <regex>
#include <set>
#include <string>

#include "src/model/validators/mesh_helpers.h"
#include "ursa/common/strings.h"
#include "ursa/mesh/v1alpha1/metrics.pb.h"

namespace ursa::model::validators {
namespace {

constexpr IpBytes kLoopback = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
constexpr IpBytes kIpv4Any = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0};
constexpr IpBytes kIpv6Any = {};

// protobuf's limits for google.protobuf.Duration (about 10,000 years).
constexpr int64_t kMaxDurationSeconds = 315'576'000'000;
constexpr int32_t kMaxDurationNanos = 999'999'999;

bool isWildcard(const IpBytes& ip) { return ip == kIpv4Any || ip == kIpv6Any; }

}  // namespace

std::optional<IpBytes> parseIp(std::string_view s) {
  std::string str(s);
  IpBytes ip{};
  unsigned char v4[4];
  if (inet_pton(AF_INET, str.c_str(), v4) == 1) {
    ip[10] = 0xff;
    ip[11] = 0xff;
    std::memcpy(ip.data() + 12, v4, sizeof v4);
    return ip;
  }
  if (inet_pton(AF_INET6, str.c_str(), ip.data()) == 1) return ip;
  return std::nullopt;
}

bool overlapsLoopback(std::string_view address) {
  auto ip = parseIp(address);
  return ip && (isWildcard(*ip) || *ip == kLoopback);
}

void validateProxyAddress(std::string_view address, const FieldPath& at, Violations& out) {
  if (address.empty()) {
    out.add(at, "address can't be empty");
    return;
  }
  if (address == "0.0.0.0" || address == "::") out.add(at, "must not be 0.0.0.0 or ::");
  if (!parseIp(address) && !isDnsName(address)) {
    out.add(at, "address has to be valid IP address or domain name");
  }
}

void validatePositiveDuration(const google::protobuf::Duration& d, const FieldPath& at,
                              Violations& out) {
  bool in_range = d.seconds() >= -kMaxDurationSeconds && d.seconds() <= kMaxDurationSeconds &&
                  d.nanos() >= -kMaxDurationNanos && d.nanos() <= kMaxDurationNanos;
  bool same_sign = !(d.seconds() > 0 && d.nanos() < 0) && !(d.seconds() < 0 && d.nanos() > 0);
  if (!in_range || !same_sign) {
    out.add(at, "must have a valid value");
    return;
  }
  if (d.seconds() == 0 && d.nanos() == 0) out.add(at, "must have a positive value");
}

void validatePrometheusConf(const google::protobuf::Struct& conf, const FieldPath& at,
                            Violations& out) {
  ursa::mesh::v1alpha1::PrometheusMetricsBackendConfig cfg;
  if (!decodeBackendConf(conf, cfg, at, out)) return;
  try {
    std::regex compiled(cfg.envoy().filterregex());
  } catch (const std::regex_error& e) {
    out.add(at.field("envoy").field("filterRegex"),
            ursa::strCat("provided regexp isn't correct: ", e.what()));
    return;
  }
  std::set<std::string> names;
  for (int i = 0; i < cfg.aggregate_size(); ++i) {
    const std::string& name = cfg.aggregate(i).name();
    if (!names.insert(name).second) {
      out.add(at.field("aggregate").index(i).field("name"),
              ursa::strCat("duplicate entry: ", name, ", values have to be unique"));
    }
  }
}

}  // namespace ursa::model::validators
