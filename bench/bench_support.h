#pragma once

// Helpers shared by ursa's benchmark programs: per-operation latency samples
// and their summary, medians across repeated runs, number formatting for
// Markdown tables, and a description of the machine and command for the
// report. Benchmarks are programs, not timed tests: they print figures for
// docs/benchmarks.md and pass or fail nothing on timing.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ursa::bench {

using SteadyClock = std::chrono::steady_clock;

// The latencies of one operation, each measured alone with steady_clock; a
// total; and the CPU time the calling thread spent.
//  - When start() and stop() bracket the loop, the total is the loop's wall
//    time (so it includes the loop's own bookkeeping) and the CPU time is
//    the thread's over the loop.
//  - Otherwise (loops that do untimed work between operations) both are
//    sums over the timed calls alone.
// CPU time excludes other threads and processes (a database server, a
// store's listener thread); on a busy machine it stays near the work done
// while wall time grows with the time spent waiting for a CPU.
class Recorder {
 public:
  explicit Recorder(size_t expected_ops) { latencies_ns_.reserve(expected_ops); }

  // Starts the loop's clocks. Call before the first time(), or never.
  void start() {
    looped_ = true;
    cpu_start_ns_ = threadCpuNs();
    loop_start_ = SteadyClock::now();
  }
  // Stops the loop's clocks; call once, after the last operation.
  void stop() {
    loop_ns_ = nanosSince(loop_start_);
    cpu_ns_ = threadCpuNs() - cpu_start_ns_;
  }

  // Runs `fn` once and records how long it took. Returns what fn returns.
  template <typename Fn>
  auto time(Fn&& fn) {
    int64_t cpu0 = looped_ ? 0 : threadCpuNs();
    auto t0 = SteadyClock::now();
    auto result = fn();
    latencies_ns_.push_back(nanosSince(t0));
    if (!looped_) cpu_ns_ += threadCpuNs() - cpu0;
    return result;
  }

  const std::vector<int64_t>& latenciesNs() const { return latencies_ns_; }
  int64_t totalNs() const {
    if (looped_) return loop_ns_;
    int64_t sum = 0;
    for (int64_t ns : latencies_ns_) sum += ns;
    return sum;
  }
  int64_t cpuNs() const { return cpu_ns_; }

 private:
  static int64_t nanosSince(SteadyClock::time_point t0) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - t0).count();
  }
  // CLOCK_THREAD_CPUTIME_ID: this thread's CPU time.
  static int64_t threadCpuNs();

  bool looped_ = false;
  SteadyClock::time_point loop_start_{};
  int64_t loop_ns_ = 0;
  int64_t cpu_start_ns_ = 0;
  int64_t cpu_ns_ = 0;
  std::vector<int64_t> latencies_ns_;
};

// One operation's figures, in seconds (or operations per second).
struct Summary {
  size_t ops = 0;
  double total_s = 0;
  double ops_per_s = 0;  // ops / total_s
  double p50_s = 0;      // nearest-rank percentiles of the per-op latencies
  double p99_s = 0;
  double cpu_per_op_s = 0;  // the calling thread's CPU time per op (mean)
};

// REQUIRES: at least one latency recorded, and stop() called if start() was.
Summary summarize(const Recorder& r);
// Each field's median across runs, taken independently (so the medians may
// come from different runs). REQUIRES: runs non-empty.
Summary medianOf(const std::vector<Summary>& runs);
// The median of `values` (mean of the two middle ones for an even count); 0
// when empty.
double median(std::vector<double> values);

// "850 ns", "12.3 µs", "4.56 ms", "1.23 s": three significant digits.
std::string formatDuration(double seconds);
// "12,345" at 100/s and above, one decimal below.
std::string formatRate(double per_second);

struct Machine {
  std::string cpu_model;     // /proc/cpuinfo "model name" (first CPU)
  unsigned online_cpus = 0;  // sysconf(_SC_NPROCESSORS_ONLN)
  unsigned usable_cpus = 0;  // CPUs in this process's affinity mask (taskset)
  std::string kernel;        // uname -sr
  std::string load_average;  // /proc/loadavg, first three fields
  std::string memory;        // MemTotal from /proc/meminfo, in GiB
};
Machine describeMachine();

// The file system type holding `path` ("ext4", "tmpfs", "xfs", ...; a magic
// number in hex when unknown).
std::string filesystemType(const std::filesystem::path& path);

// `s` quoted for a POSIX shell when it needs to be.
std::string shellQuote(std::string_view s);
// argv as one shell command line.
std::string commandLine(int argc, char** argv);

}  // namespace ursa::bench
