#pragma once

// Validation building blocks for the proxy resource types (Dataplane,
// ZoneIngress, ZoneEgress), with Kuma 2.2's messages.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "google/protobuf/duration.pb.h"
#include "google/protobuf/struct.pb.h"
#include "ursa/model/validation.h"

namespace ursa::model::validators {

// An IP address in its 16-byte form; IPv4 addresses are IPv4-mapped
// (::ffff:a.b.c.d), so "127.0.0.1" and "::ffff:127.0.0.1" compare equal.
using IpBytes = std::array<uint8_t, 16>;

// Go's net.ParseIP: dotted IPv4 or IPv6 text, no zone; nullopt otherwise.
std::optional<IpBytes> parseIp(std::string_view s);

// Whether a listener bound to `address` would receive traffic sent to
// 127.0.0.1: it is that address or a wildcard (0.0.0.0, ::). A host name never
// overlaps. Kuma uses this to keep the Envoy admin port off the ports a proxy
// serves.
bool overlapsLoopback(std::string_view address);

// Kuma's check of a proxy's own address: set, not a wildcard, and an IP or a
// DNS name. Violations are reported at `at`.
void validateProxyAddress(std::string_view address, const FieldPath& at, Violations& out);

// Kuma's check of a duration that must be positive: "must have a valid
// value" outside protobuf's range, "must have a positive value" when zero.
void validatePositiveDuration(const google::protobuf::Duration& d, const FieldPath& at,
                              Violations& out);

// A Prometheus backend's untyped `conf` (Kuma's validatePrometheusConfig):
// it must read as a PrometheusMetricsBackendConfig, its Envoy filter regex
// must compile, and aggregate names must be unique. `at` is the conf itself.
void validatePrometheusConf(const google::protobuf::Struct& conf, const FieldPath& at,
                            Violations& out);

}  // namespace ursa::model::validators
