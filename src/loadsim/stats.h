#pragma once

// Latency statistics: a bag of samples (seconds) summarised by count, mean,
// nearest-rank percentiles (p50/p90/p99) and max. Not thread-safe: collect
// per thread or under a lock, then summarise.

#include <string>
#include <vector>

#include "ursa/model/codec.h"

namespace ursa::loadsim {

struct Summary {
  size_t count = 0;
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;  // seconds; 0 when empty
};

class Distribution {
 public:
  void add(double seconds) { samples_.push_back(seconds); }
  void addAll(const std::vector<double>& seconds) {
    samples_.insert(samples_.end(), seconds.begin(), seconds.end());
  }
  size_t count() const { return samples_.size(); }
  // The nearest-rank percentile: the smallest sample with at least q of the
  // samples at or below it (q in (0, 1]); 0 when empty.
  double percentile(double q) const;
  Summary summarize() const;

 private:
  std::vector<double> samples_;
};

// "12.3ms", "1.52s", "850us": a duration for people.
std::string formatSeconds(double seconds);
// "1.4 MB", "512 B".
std::string formatBytes(double bytes);
// {"count", "mean_ms", "p50_ms", "p90_ms", "p99_ms", "max_ms"}.
model::Json toJson(const Summary& s);
// "p50 1.2ms  p90 3.4ms  p99 5.0ms  max 7.1ms  (n=200)".
std::string toText(const Summary& s);

}  // namespace ursa::loadsim
