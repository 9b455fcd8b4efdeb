#pragma once

// The diagnostics endpoint (port 5680, as Kuma's): /healthy answers 200 while
// the process runs; /ready answers 200 once every component has started and
// the store answers, 503 otherwise; /metrics serves Prometheus text (every
// registered metric, then the process_* figures of ursa/common/process.h).

#include <atomic>
#include <functional>

#include "src/http/server.h"
#include "ursa/common/metrics.h"

namespace ursa::cp {

struct DiagnosticsOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 5680;
};

// `ready` is asked on every /ready request; it must be quick.
absl::StatusOr<http::ServerPtr> startDiagnostics(const DiagnosticsOptions& options,
                                                 MetricsSharedPtr metrics,
                                                 std::function<absl::Status()> ready);

}  // namespace ursa::cp
