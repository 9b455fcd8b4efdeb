#pragma once

// The control plane's Prometheus metrics, named as Kuma names them
// (kuma-surface.md §7) so that existing dashboards keep working. Every metric
// carries the constant label zone="Standalone" as Kuma's do in standalone mode.

#include <memory>
#include <string>

#include "prometheus/registry.h"

namespace ursa {

class Metrics {
 public:
  Metrics();
  prometheus::Registry& registry() { return *registry_; }
  const prometheus::Labels& constantLabels() const { return constant_; }
  // Every metric in the Prometheus text exposition format, followed by the
  // process_* figures of this process (ursa/common/process.h).
  std::string render() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Labels constant_;
};
using MetricsSharedPtr = std::shared_ptr<Metrics>;

}  // namespace ursa
