#pragma once

// Envoy's admin interface, as ursa-dp uses it.

#include <cstdint>

#include "absl/time/time.h"
#include "ursa/common/status.h"

namespace ursa::dp {

// Tells the Envoy whose admin interface listens on 127.0.0.1:`admin_port` to
// fail its health checks and start draining its listeners (POST
// /healthcheck/fail), as kuma-dp 2.2 does when it is asked to stop.
// Unavailable when nothing answered, Internal when Envoy answered other than
// 200.
absl::Status failEnvoyHealthChecks(uint32_t admin_port,
                                   absl::Duration timeout = absl::Seconds(2));

}  // namespace ursa::dp
