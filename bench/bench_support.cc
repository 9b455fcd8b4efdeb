#include "bench/bench_support.h"

#include <sched.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "ursa/common/strings.h"

namespace ursa::bench {

namespace {

// Nearest-rank percentile of sorted values: the smallest value with at least
// p% of the values at or below it.
int64_t percentile(const std::vector<int64_t>& sorted, double p) {
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

std::string threeDigits(double v, std::string_view unit) {
  char buf[32];
  const char* format = v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f";
  std::snprintf(buf, sizeof buf, format, v);
  return strCat(buf, " ", unit);
}

std::string trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

// The value of the first "key : value" line of a /proc file whose key is `key`.
std::string procField(const char* file, std::string_view key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    if (trim(line.substr(0, colon)) == key) return trim(line.substr(colon + 1));
  }
  return "unknown";
}

}  // namespace

int64_t Recorder::threadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

Summary summarize(const Recorder& r) {
  std::vector<int64_t> sorted = r.latenciesNs();
  std::sort(sorted.begin(), sorted.end());
  Summary s;
  s.ops = sorted.size();
  s.total_s = static_cast<double>(r.totalNs()) / 1e9;
  s.ops_per_s = s.total_s > 0 ? static_cast<double>(s.ops) / s.total_s : 0;
  s.p50_s = static_cast<double>(percentile(sorted, 50)) / 1e9;
  s.p99_s = static_cast<double>(percentile(sorted, 99)) / 1e9;
  s.cpu_per_op_s = static_cast<double>(r.cpuNs()) / 1e9 / static_cast<double>(s.ops);
  return s;
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

Summary medianOf(const std::vector<Summary>& runs) {
  auto field = [&](double Summary::*member) {
    std::vector<double> v;
    for (const Summary& s : runs) v.push_back(s.*member);
    return median(std::move(v));
  };
  Summary out;
  out.ops = runs.front().ops;
  out.total_s = field(&Summary::total_s);
  out.ops_per_s = field(&Summary::ops_per_s);
  out.p50_s = field(&Summary::p50_s);
  out.p99_s = field(&Summary::p99_s);
  out.cpu_per_op_s = field(&Summary::cpu_per_op_s);
  return out;
}

std::string formatDuration(double seconds) {
  if (seconds < 1e-6) return threeDigits(seconds * 1e9, "ns");
  if (seconds < 1e-3) return threeDigits(seconds * 1e6, "µs");
  if (seconds < 1) return threeDigits(seconds * 1e3, "ms");
  return threeDigits(seconds, "s");
}

std::string formatRate(double per_second) {
  if (per_second < 100) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", per_second);
    return buf;
  }
  std::string digits = std::to_string(static_cast<int64_t>(std::llround(per_second)));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

Machine describeMachine() {
  Machine m;
  m.cpu_model = procField("/proc/cpuinfo", "model name");
  m.online_cpus = static_cast<unsigned>(sysconf(_SC_NPROCESSORS_ONLN));
  cpu_set_t set;
  CPU_ZERO(&set);
  m.usable_cpus = sched_getaffinity(0, sizeof set, &set) == 0
                      ? static_cast<unsigned>(CPU_COUNT(&set))
                      : m.online_cpus;
  utsname u{};
  m.kernel = uname(&u) == 0 ? strCat(u.sysname, " ", u.release) : "unknown";
  std::ifstream loadavg("/proc/loadavg");
  std::string a, b, c;
  loadavg >> a >> b >> c;
  m.load_average = strCat(a, " ", b, " ", c);
  std::istringstream kib(procField("/proc/meminfo", "MemTotal"));
  double mem_kib = 0;
  kib >> mem_kib;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", mem_kib / (1024.0 * 1024.0));
  m.memory = buf;
  return m;
}

std::string filesystemType(const std::filesystem::path& path) {
  struct statfs fs {};
  if (statfs(path.c_str(), &fs) != 0) return "unknown";
  switch (static_cast<uint64_t>(fs.f_type)) {
    case 0xEF53: return "ext4";
    case 0x01021994: return "tmpfs";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x794C7630: return "overlayfs";
    case 0x2FC12FC1: return "zfs";
    case 0x6969: return "nfs";
    default: break;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(fs.f_type));
  return buf;
}

std::string shellQuote(std::string_view s) {
  bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-_./=:,@%+").find(c) !=
                                                             std::string_view::npos;
  });
  if (plain) return std::string(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  out.push_back('\'');
  return out;
}

std::string commandLine(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    if (i > 0) out.push_back(' ');
    out += shellQuote(argv[i]);
  }
  return out;
}

}  // namespace ursa::bench
