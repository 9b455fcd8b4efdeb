#pragma once

// One TCP access-log collector as ursa-dp's access log relay sees it
// (access_log_relay.h): a bounded queue of lines and a thread that connects
// lazily, writes the lines in order, and reconnects with exponential backoff
// when the collector is down or closes the connection.
//
// Delivery is best effort: enqueue() never waits for the network; when the
// queue would exceed its byte bound the oldest lines are dropped (counted,
// and logged at most once per `warn_every`). A line whose write fails is
// written again, whole, on the next connection; bytes the kernel accepted
// before a collector died are lost, as with any plain TCP log shipper.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/time.h"

namespace ursa::dp {

// Allows one message per period and counts the ones it held back.
class RateLimitedWarning {
 public:
  explicit RateLimitedWarning(absl::Duration every) : every_(every) {}
  // True when a message may be logged now; `suppressed` gets how many were
  // held back since the last one allowed.
  bool allow(uint64_t& suppressed);

 private:
  absl::Duration every_;
  absl::Time last_ = absl::InfinitePast();
  uint64_t suppressed_ = 0;
};

struct CollectorOptions {
  std::string address;  // "host:port" or "[v6]:port"
  size_t max_buffered_bytes = 4u << 20;
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration min_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
  absl::Duration warn_every = absl::Seconds(10);
};

class CollectorSender {
 public:
  explicit CollectorSender(CollectorOptions options);  // starts the thread
  ~CollectorSender();                                  // stops without draining
  CollectorSender(const CollectorSender&) = delete;
  CollectorSender& operator=(const CollectorSender&) = delete;

  // Queues one line (newline included). Never blocks on the network.
  void enqueue(std::string line);

  // Asks the thread to send what is queued until `deadline`, then to end.
  void requestStop(absl::Time deadline);
  // Waits for the thread to end (after requestStop) and closes the connection.
  void join();

  uint64_t sent() const { return sent_.load(); }
  uint64_t dropped() const { return dropped_.load(); }
  bool connected() const { return connected_.load(); }

 private:
  void loop();
  // Waits until there is something to send, or stopping; false: end the thread.
  bool waitForWork();
  bool ensureConnected();
  // Writes the queued lines; false when the connection failed.
  bool sendQueued();
  void disconnect(const std::string& why);
  void trimToBoundLocked();
  bool pastDeadline();

  const CollectorOptions o_;
  int fd_ = -1;  // the thread's own
  absl::Duration backoff_;
  absl::Time next_attempt_ = absl::InfinitePast();
  RateLimitedWarning connect_warning_;
  uint64_t dropped_reported_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;  // guarded by mu_
  size_t queued_bytes_ = 0;        // guarded by mu_
  bool stopping_ = false;          // guarded by mu_
  absl::Time deadline_ = absl::InfiniteFuture();  // guarded by mu_
  RateLimitedWarning drop_warning_;               // guarded by mu_

  std::atomic<uint64_t> sent_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<bool> connected_{false};
  std::thread thread_;
};

}  // namespace ursa::dp
