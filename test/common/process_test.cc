#include "ursa/common/process.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ursa/common/metrics.h"

namespace ursa {
namespace {

using ::testing::HasSubstr;

double nowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

TEST(ProcessStatsTest, FiguresArePlausible) {
  auto s = readProcessStats();
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_GT(s->resident_bytes, 1 << 20);
  EXPECT_LT(s->resident_bytes, 8.0 * (1ull << 30));
  EXPECT_GE(s->open_fds, 3);  // stdin, stdout, stderr at least
  EXPECT_LE(s->open_fds, s->max_fds);
  EXPECT_LE(s->start_time_seconds, nowSeconds() + 1);
  EXPECT_GT(s->start_time_seconds, nowSeconds() - 3600);
}

TEST(ProcessStatsTest, CountsOpenedDescriptors) {
  auto before = readProcessStats();
  ASSERT_TRUE(before.ok());
  std::vector<int> fds;
  for (int i = 0; i < 5; ++i) fds.push_back(open("/dev/null", O_RDONLY));
  auto during = readProcessStats();
  for (int fd : fds) close(fd);
  ASSERT_TRUE(during.ok());
  EXPECT_EQ(during->open_fds, before->open_fds + 5);
}

TEST(ProcessStatsTest, CpuSecondsGrowWithWork) {
  auto before = readProcessStats();
  ASSERT_TRUE(before.ok());
  // Spin until the kernel's own clock shows 150 ms of this process's CPU (on
  // a loaded machine that takes longer than 150 ms of wall clock).
  auto cpuSeconds = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
  };
  double start = cpuSeconds();
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  volatile double sink = 0;
  while (cpuSeconds() - start < 0.15 && std::chrono::steady_clock::now() < give_up) {
    sink = sink + std::sqrt(sink + 2.0);
  }
  auto after = readProcessStats();
  ASSERT_TRUE(after.ok());
  EXPECT_GE(after->cpu_seconds - before->cpu_seconds, 0.05);
}

TEST(ProcessStatsTest, ResidentMemoryFollowsTouchedPages) {
  auto before = readProcessStats();
  ASSERT_TRUE(before.ok());
  std::vector<char> block(64 << 20, 1);  // touched: resident
  auto after = readProcessStats();
  ASSERT_TRUE(after.ok());
  EXPECT_GE(after->resident_bytes - before->resident_bytes, 60 << 20);
  EXPECT_EQ(block[12345], 1);
}

TEST(ProcessMetricsTest, RendersPrometheusNamesAndValues) {
  std::string text = renderProcessMetrics({.resident_bytes = 123456789,
                                           .cpu_seconds = 12.5,
                                           .open_fds = 42,
                                           .max_fds = 1024,
                                           .start_time_seconds = 1764000000.25});
  EXPECT_THAT(text, HasSubstr("# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 12.5\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 123456789\n"));
  EXPECT_THAT(text, HasSubstr("\nprocess_open_fds 42\n"));
  EXPECT_THAT(text, HasSubstr("\nprocess_max_fds 1024\n"));
  EXPECT_THAT(text, HasSubstr("\nprocess_start_time_seconds 1764000000.25\n"));
}

TEST(ProcessMetricsTest, MetricsRenderIncludesProcessFigures) {
  Metrics metrics;
  std::string text = metrics.render();
  EXPECT_THAT(text, HasSubstr("\nprocess_resident_memory_bytes "));
  EXPECT_THAT(text, HasSubstr("\nprocess_cpu_seconds_total "));
  EXPECT_THAT(text, HasSubstr("\nprocess_open_fds "));
  EXPECT_THAT(text, HasSubstr("\nprocess_start_time_seconds "));
}

TEST(OpenFileLimitTest, RaisesSoftLimitToHard) {
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  rlim_t lowered = limit.rlim_max > 256 ? 256 : limit.rlim_max;
  rlimit low{.rlim_cur = lowered, .rlim_max = limit.rlim_max};
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  auto raised = raiseOpenFileLimit();
  ASSERT_TRUE(raised.ok()) << raised.status();
  EXPECT_EQ(raised->previous, lowered);
  EXPECT_EQ(raised->current, limit.rlim_max);
  EXPECT_EQ(raised->hard, limit.rlim_max);
  rlimit now{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_EQ(now.rlim_cur, limit.rlim_max);
}

}  // namespace
}  // namespace ursa
