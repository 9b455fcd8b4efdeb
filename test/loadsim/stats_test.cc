// Latency statistics: nearest-rank percentiles, summaries and formatting.

#include "src/loadsim/stats.h"

#include <gtest/gtest.h>

namespace ursa::loadsim {
namespace {

TEST(StatsTest, NearestRankPercentiles) {
  Distribution d;
  for (int i = 100; i >= 1; --i) d.add(i / 1000.0);  // 1..100 ms, unsorted
  EXPECT_DOUBLE_EQ(d.percentile(0.5), 0.050);
  EXPECT_DOUBLE_EQ(d.percentile(0.9), 0.090);
  EXPECT_DOUBLE_EQ(d.percentile(0.99), 0.099);
  EXPECT_DOUBLE_EQ(d.percentile(1.0), 0.100);
  EXPECT_DOUBLE_EQ(d.percentile(0.001), 0.001);
}

TEST(StatsTest, SmallSamplesTakeTheSampleAtOrAboveTheRank) {
  Distribution d;
  d.addAll({0.3, 0.1, 0.2});
  EXPECT_DOUBLE_EQ(d.percentile(0.5), 0.2);   // rank ceil(1.5) = 2
  EXPECT_DOUBLE_EQ(d.percentile(0.9), 0.3);   // rank 3
  EXPECT_DOUBLE_EQ(d.percentile(0.34), 0.2);  // rank ceil(1.02) = 2
  Distribution one;
  one.add(0.007);
  Summary s = one.summarize();
  EXPECT_EQ(s.count, 1u);
  EXPECT_DOUBLE_EQ(s.p50, 0.007);
  EXPECT_DOUBLE_EQ(s.p99, 0.007);
  EXPECT_DOUBLE_EQ(s.max, 0.007);
}

TEST(StatsTest, SummaryOfNothingIsZero) {
  Summary s = Distribution().summarize();
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.p99, 0);
  EXPECT_EQ(s.max, 0);
  EXPECT_EQ(toText(s), "(no samples)");
  EXPECT_EQ(Distribution().percentile(0.5), 0);
}

TEST(StatsTest, SummaryHasMeanAndMax) {
  Distribution d;
  d.addAll({0.001, 0.002, 0.003, 0.010});
  Summary s = d.summarize();
  EXPECT_DOUBLE_EQ(s.mean, 0.004);
  EXPECT_DOUBLE_EQ(s.max, 0.010);
  EXPECT_DOUBLE_EQ(s.p50, 0.002);
  auto j = toJson(s);
  EXPECT_EQ(j["count"], 4);
  EXPECT_DOUBLE_EQ(j["p50_ms"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(j["max_ms"].get<double>(), 10.0);
  EXPECT_EQ(toText(s), "p50 2.0ms  p90 10.0ms  p99 10.0ms  max 10.0ms  (n=4)");
}

TEST(StatsTest, FormatsDurationsAndSizesForPeople) {
  EXPECT_EQ(formatSeconds(2.5), "2.50s");
  EXPECT_EQ(formatSeconds(0.25), "250ms");
  EXPECT_EQ(formatSeconds(0.0123), "12.3ms");
  EXPECT_EQ(formatSeconds(0.00085), "850us");
  EXPECT_EQ(formatBytes(512), "512 B");
  EXPECT_EQ(formatBytes(1536), "1.5 kB");
  EXPECT_EQ(formatBytes(2.5e6), "2.5 MB");
}

}  // namespace
}  // namespace ursa::loadsim
