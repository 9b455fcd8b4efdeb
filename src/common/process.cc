#include "ursa/common/process.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "ursa/common/files.h"
#include "ursa/common/status.h"
#include "ursa/common/strings.h"

namespace ursa {
namespace {

constexpr size_t kProcFileMax = 64 << 10;

// The value of "<key>:" in /proc/stat-like text ("btime 1700000000"), or -1.
double valueAfter(const std::string& text, std::string_view key) {
  size_t at = 0;
  while ((at = text.find(key, at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == '\n') return std::strtod(text.c_str() + at + key.size(), nullptr);
    at += key.size();
  }
  return -1;
}

// Fields of /proc/self/stat after the command name, numbered as in proc(5)
// (field 3 is the state).
absl::Status readStat(ProcessStats& out) {
  URSA_ASSIGN_OR_RETURN(std::string stat, readFile("/proc/self/stat", kProcFileMax));
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 > stat.size()) {
    return absl::UnavailableError("/proc/self/stat: unexpected format");
  }
  std::istringstream fields(stat.substr(paren + 2));
  std::string f;
  double utime = 0, stime = 0, start_ticks = 0;
  for (int i = 3; fields >> f && i <= 22; ++i) {
    if (i == 14) utime = std::strtod(f.c_str(), nullptr);
    if (i == 15) stime = std::strtod(f.c_str(), nullptr);
    if (i == 22) start_ticks = std::strtod(f.c_str(), nullptr);
  }
  double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  out.cpu_seconds = (utime + stime) / ticks;
  URSA_ASSIGN_OR_RETURN(std::string system, readFile("/proc/stat", kProcFileMax));
  double boot = valueAfter(system, "btime ");
  if (boot < 0) return absl::UnavailableError("/proc/stat: no btime");
  out.start_time_seconds = boot + start_ticks / ticks;
  return absl::OkStatus();
}

absl::Status readStatus(ProcessStats& out) {
  URSA_ASSIGN_OR_RETURN(std::string status, readFile("/proc/self/status", kProcFileMax));
  double kb = valueAfter(status, "VmRSS:");
  if (kb < 0) return absl::UnavailableError("/proc/self/status: no VmRSS");
  out.resident_bytes = kb * 1024;
  return absl::OkStatus();
}

absl::Status countFds(ProcessStats& out) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return absl::UnavailableError(strCat("/proc/self/fd: ", std::strerror(errno)));
  size_t n = 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  out.open_fds = static_cast<double>(n > 0 ? n - 1 : 0);  // less the directory's own descriptor
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) out.max_fds = static_cast<double>(limit.rlim_cur);
  return absl::OkStatus();
}

void gauge(std::string& out, std::string_view name, std::string_view type, std::string_view help,
           double value) {
  std::ostringstream v;
  v.precision(15);
  v << value;
  out += strCat("# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n", name, " ", v.str(), "\n");
}

}  // namespace

absl::StatusOr<ProcessStats> readProcessStats() {
  ProcessStats s;
  URSA_RETURN_IF_ERROR(readStat(s));
  URSA_RETURN_IF_ERROR(readStatus(s));
  URSA_RETURN_IF_ERROR(countFds(s));
  return s;
}

std::string renderProcessMetrics(const ProcessStats& s) {
  std::string out;
  gauge(out, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
        s.cpu_seconds);
  gauge(out, "process_open_fds", "gauge", "Number of open file descriptors.", s.open_fds);
  gauge(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.", s.max_fds);
  gauge(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
        s.resident_bytes);
  gauge(out, "process_start_time_seconds", "gauge",
        "Start time of the process since unix epoch in seconds.", s.start_time_seconds);
  return out;
}

absl::StatusOr<FileLimit> raiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return absl::UnavailableError(strCat("getrlimit(RLIMIT_NOFILE): ", std::strerror(errno)));
  }
  FileLimit out{.previous = limit.rlim_cur, .current = limit.rlim_cur, .hard = limit.rlim_max};
  if (limit.rlim_cur == limit.rlim_max) return out;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return absl::UnavailableError(strCat("setrlimit(RLIMIT_NOFILE, ", limit.rlim_max, "): ",
                                         std::strerror(errno)));
  }
  out.current = limit.rlim_max;
  return out;
}

}  // namespace ursa
