#pragma once

// The running process's own figures, read from /proc/self (Linux), and the
// open-file limit a process serving thousands of connections needs raised.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace ursa {

struct ProcessStats {
  double resident_bytes = 0;      // VmRSS
  double cpu_seconds = 0;         // user + system, all threads
  double open_fds = 0;            // entries of /proc/self/fd
  double max_fds = 0;             // RLIMIT_NOFILE soft limit
  double start_time_seconds = 0;  // since the Unix epoch
};

// Unavailable (naming the file) when /proc cannot be read.
absl::StatusOr<ProcessStats> readProcessStats();

// Prometheus text for the standard process collector's names:
// process_resident_memory_bytes, process_cpu_seconds_total,
// process_open_fds, process_max_fds, process_start_time_seconds.
std::string renderProcessMetrics(const ProcessStats& stats);

struct FileLimit {
  uint64_t previous = 0;  // soft limit before the call
  uint64_t current = 0;   // soft limit after it
  uint64_t hard = 0;
};

// Raises the RLIMIT_NOFILE soft limit to the hard limit (each connection,
// proxy stream socket or store file needs a descriptor).
absl::StatusOr<FileLimit> raiseOpenFileLimit();

}  // namespace ursa
