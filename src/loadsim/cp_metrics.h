#pragma once

// What the simulator can learn of the control plane's own costs:
//  - from its diagnostics endpoint (GET <diagnostics>/metrics, Prometheus
//    text): the quantiles and counts of the xds_generation and xds_delivery
//    summaries, and process_resident_memory_bytes / process_cpu_seconds_total
//    when it exports them;
//  - from /proc/<pid> when the control plane runs on this machine (--cp-pid):
//    resident memory (now and peak) and CPU seconds.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "ursa/common/status.h"
#include "ursa/model/codec.h"

namespace ursa::loadsim {

struct CpSample {
  std::optional<double> rss_bytes, peak_rss_bytes, cpu_seconds;
  // "<metric>{quantile=\"0.99\"}" / "<metric>_count" / "<metric>_sum" -> value,
  // for xds_generation and xds_delivery.
  std::map<std::string, double> summaries;
};

// Parses the metrics of interest out of a Prometheus text exposition.
CpSample parsePrometheus(std::string_view text);
// Fills rss/peak/cpu from /proc/<pid>; false if the process is not readable.
bool readProc(int pid, CpSample& sample);

class CpMetrics {
 public:
  // Either source may be absent (empty address, pid 0).
  CpMetrics(std::string diagnostics_address, int pid);
  bool enabled() const { return !address_.empty() || pid_ > 0; }
  // A sample now; fields stay unset when their source is unavailable.
  CpSample sample() const;

 private:
  std::string address_;
  int pid_;
};

// {"rss_mb", "peak_rss_mb", "cpu_seconds", "xds_generation": {...}, ...}.
model::Json toJson(const CpSample& s);

}  // namespace ursa::loadsim
