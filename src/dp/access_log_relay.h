#pragma once

// ursa-dp's access log relay (Envoy mode): MeshAccessLog `tcp` backends make
// Envoy's file access logger append lines to one path per proxy
// (model::accessLogSocketPath), each the JSON
//   {"address": "<host:port>", "message": <string or object>}
// and the relay sends each message to its collector over TCP, one line each,
// as Kuma 2.2's kuma-dp does.
//
// The path is a FIFO (mkfifo, mode 0600: only this user's Envoy may feed it),
// as in Kuma. start() removes whatever non-directory sits there, creates the
// directory when missing, and opens the FIFO read-write: reads then never
// see end-of-file when Envoy closes or reopens it, and Envoy's open for
// writing never blocks (a FIFO with no reader blocks the opener). So start
// the relay before Envoy, and stop it after Envoy ended.
//
// Envoy's file logger appends to an in-memory buffer on its workers and
// writes it to the path from a flush thread (every --file-flush-interval-msec,
// 10 s by default, or past 64 KiB), holding a lock shared by all its log
// files. A reader that stalls would block that thread in write(2) and let
// Envoy's buffers grow, so the relay's reader never waits on a collector:
// it parses each line and queues the message for that collector's sender
// (collector_sender.h: one lazily opened connection per address, reconnects
// with backoff, a byte-bounded queue that drops its oldest lines, counted,
// while the collector is down or slow).
//
// A line that is not that JSON (or longer than `max_line_bytes`) is skipped
// with a warning (at most one per `warn_every`, counting the others); the
// relay keeps going. Messages are sent as they are, with '\n' appended
// unless they already end with one (Kuma 2.2 appends it always, leaving a
// blank line after every plain-format entry). Kuma's older "address;message"
// TrafficLog lines are not accepted: ursa-cp never writes them.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "src/dp/collector_sender.h"
#include "ursa/common/status.h"

namespace ursa::dp {

struct AccessLogRelayOptions {
  std::string path;
  size_t max_buffered_bytes = 4u << 20;  // per collector
  size_t max_line_bytes = 1u << 20;
  size_t max_collectors = 64;  // lines for further addresses are dropped
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration min_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
  absl::Duration drain_timeout = absl::Seconds(1);  // at stop, for what is queued
  absl::Duration warn_every = absl::Seconds(10);
};

struct AccessLogRelayStats {
  uint64_t lines = 0;      // complete lines read from the path
  uint64_t malformed = 0;  // skipped: not the JSON above, or too long
  uint64_t sent = 0;       // written to a collector's connection
  uint64_t dropped = 0;    // buffer bound, or past max_collectors
  size_t collectors = 0;   // addresses seen
};

class AccessLogRelay {
 public:
  // Creates the FIFO and starts reading. Errors name the path and the cause.
  static absl::StatusOr<std::unique_ptr<AccessLogRelay>> start(AccessLogRelayOptions options);
  ~AccessLogRelay();  // stop()
  AccessLogRelay(const AccessLogRelay&) = delete;
  AccessLogRelay& operator=(const AccessLogRelay&) = delete;

  // Reads what Envoy already wrote, gives collectors `drain_timeout` to take
  // what is queued, closes everything and removes the FIFO (when it is still
  // the one start() made). Idempotent.
  void stop();

  const std::string& path() const { return o_.path; }
  AccessLogRelayStats stats() const;

 private:
  explicit AccessLogRelay(AccessLogRelayOptions options) : o_(std::move(options)) {}
  absl::Status open();
  void readLoop();
  // Reads what is available; false at a read error.
  bool readAvailable();
  void consumeBuffered();
  void handleLine(std::string_view line);
  void skip(std::string_view why);
  CollectorSender* collectorFor(const std::string& address);

  const AccessLogRelayOptions o_;
  int fifo_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: stop() wakes the reader
  uint64_t fifo_dev_ = 0, fifo_ino_ = 0;
  std::string pending_;    // bytes after the last newline (reader thread)
  bool discarding_ = false;  // inside an over-long line (reader thread)
  RateLimitedWarning malformed_warning_{o_.warn_every};
  std::thread reader_;
  std::once_flag stopped_;

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<CollectorSender>> collectors_;  // guarded by mu_
  std::atomic<uint64_t> lines_{0};
  std::atomic<uint64_t> malformed_{0};
  std::atomic<uint64_t> overflow_dropped_{0};
};

}  // namespace ursa::dp
