#include "src/loadsim/stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "ursa/common/strings.h"

namespace ursa::loadsim {
namespace {

double nearestRank(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  double rank = std::ceil(q * static_cast<double>(sorted.size()));
  size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

double ms(double seconds) { return std::round(seconds * 1e6) / 1e3; }  // 3 decimals

}  // namespace

double Distribution::percentile(double q) const {
  std::vector<double> sorted = samples_;
  std::sort(sorted.begin(), sorted.end());
  return nearestRank(sorted, q);
}

Summary Distribution::summarize() const {
  Summary s;
  s.count = samples_.size();
  if (samples_.empty()) return s;
  std::vector<double> sorted = samples_;
  std::sort(sorted.begin(), sorted.end());
  s.mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / static_cast<double>(s.count);
  s.p50 = nearestRank(sorted, 0.5);
  s.p90 = nearestRank(sorted, 0.9);
  s.p99 = nearestRank(sorted, 0.99);
  s.max = sorted.back();
  return s;
}

std::string formatSeconds(double seconds) {
  if (seconds >= 1) return strCat(fixed(seconds, 2), "s");
  if (seconds >= 1e-3) return strCat(fixed(seconds * 1e3, seconds >= 0.1 ? 0 : 1), "ms");
  return strCat(fixed(seconds * 1e6, 0), "us");
}

std::string formatBytes(double bytes) {
  if (bytes >= 1e9) return strCat(fixed(bytes / 1e9, 2), " GB");
  if (bytes >= 1e6) return strCat(fixed(bytes / 1e6, 1), " MB");
  if (bytes >= 1e3) return strCat(fixed(bytes / 1e3, 1), " kB");
  return strCat(fixed(bytes, 0), " B");
}

model::Json toJson(const Summary& s) {
  return {{"count", s.count},   {"mean_ms", ms(s.mean)}, {"p50_ms", ms(s.p50)},
          {"p90_ms", ms(s.p90)}, {"p99_ms", ms(s.p99)},  {"max_ms", ms(s.max)}};
}

std::string toText(const Summary& s) {
  if (s.count == 0) return "(no samples)";
  return strCat("p50 ", formatSeconds(s.p50), "  p90 ", formatSeconds(s.p90), "  p99 ",
                formatSeconds(s.p99), "  max ", formatSeconds(s.max), "  (n=", s.count, ")");
}

}  // namespace ursa::loadsim
