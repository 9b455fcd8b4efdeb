#include "src/dp/collector_sender.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "ursa/common/logging.h"
#include "ursa/common/strings.h"

namespace ursa::dp {
namespace {

constexpr int kPollSliceMs = 100;  // how often blocking waits look at the stop request
constexpr size_t kBatchLines = 256;

auto log() { return logger("access-log-relay"); }

// "host:port" or "[v6]:port" split; false when there is no port.
bool splitHostPort(const std::string& address, std::string& host, std::string& port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) return false;
  host = address.substr(0, colon);
  port = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return true;
}

// Waits for `events` on `fd` for up to `ms`; the revents, 0 on timeout.
short pollOne(int fd, short events, int ms) {
  pollfd p{fd, events, 0};
  int n = ::poll(&p, 1, ms);
  return n > 0 ? p.revents : 0;
}

// A non-blocking connect to one resolved address, bounded by `deadline` and
// abandoned when `give_up` says so. The connected socket, or -1 (errno set).
template <typename GiveUp>
int connectOne(const addrinfo& ai, absl::Time deadline, GiveUp give_up) {
  int fd = ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
  if (fd < 0) return -1;
  if (::connect(fd, ai.ai_addr, ai.ai_addrlen) == 0) return fd;
  if (errno != EINPROGRESS) {
    int err = errno;
    ::close(fd);
    errno = err;
    return -1;
  }
  while (absl::Now() < deadline && !give_up()) {
    if (pollOne(fd, POLLOUT, kPollSliceMs) == 0) continue;
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err == 0) return fd;
    ::close(fd);
    errno = err;
    return -1;
  }
  ::close(fd);
  errno = ETIMEDOUT;
  return -1;
}

// True when the collector closed the connection or it failed. Collectors
// send nothing, so anything readable is read and ignored.
bool peerClosed(int fd) {
  if (pollOne(fd, POLLIN | POLLRDHUP, 0) == 0) return false;
  char buf[512];
  ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

}  // namespace

bool RateLimitedWarning::allow(uint64_t& suppressed) {
  absl::Time now = absl::Now();
  if (now - last_ < every_) {
    ++suppressed_;
    return false;
  }
  last_ = now;
  suppressed = suppressed_;
  suppressed_ = 0;
  return true;
}

CollectorSender::CollectorSender(CollectorOptions options)
    : o_(std::move(options)),
      backoff_(o_.min_backoff),
      connect_warning_(o_.warn_every),
      drop_warning_(o_.warn_every) {
  thread_ = std::thread([this] { loop(); });
}

CollectorSender::~CollectorSender() {
  requestStop(absl::InfinitePast());
  join();
}

void CollectorSender::enqueue(std::string line) {
  std::lock_guard lock(mu_);
  queued_bytes_ += line.size();
  queue_.push_back(std::move(line));
  trimToBoundLocked();
  cv_.notify_one();
}

void CollectorSender::trimToBoundLocked() {
  uint64_t dropped_now = 0;
  while (queued_bytes_ > o_.max_buffered_bytes && !queue_.empty()) {
    queued_bytes_ -= queue_.front().size();
    queue_.pop_front();
    ++dropped_now;
  }
  if (dropped_now == 0) return;
  uint64_t total = dropped_.fetch_add(dropped_now) + dropped_now;
  uint64_t suppressed = 0;
  if (drop_warning_.allow(suppressed)) {
    log()->warn(
        "access log collector {} is not keeping up (connected: {}): dropped the oldest "
        "buffered lines to stay within {} bytes ({} dropped so far)",
        o_.address, connected_.load(), o_.max_buffered_bytes, total);
  }
}

void CollectorSender::requestStop(absl::Time deadline) {
  std::lock_guard lock(mu_);
  stopping_ = true;
  deadline_ = std::min(deadline_, deadline);
  cv_.notify_all();
}

void CollectorSender::join() {
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  connected_.store(false);
}

bool CollectorSender::pastDeadline() {
  std::lock_guard lock(mu_);
  return stopping_ && absl::Now() >= deadline_;
}

void CollectorSender::loop() {
  while (waitForWork()) {
    if (!ensureConnected()) continue;
    if (peerClosed(fd_)) {
      disconnect("the collector closed the connection");
      next_attempt_ = absl::InfinitePast();
      continue;
    }
    if (sendQueued()) continue;
    if (pastDeadline()) break;  // stopping, and the collector is not taking lines
    disconnect(strCat("writing failed: ", std::strerror(errno)));
  }
  std::lock_guard lock(mu_);
  if (!queue_.empty()) {
    dropped_.fetch_add(queue_.size());
    log()->warn("stopped with {} lines not sent to access log collector {}", queue_.size(),
                o_.address);
    queue_.clear();
    queued_bytes_ = 0;
  }
}

bool CollectorSender::waitForWork() {
  std::unique_lock lock(mu_);
  while (true) {
    if (stopping_ && (queue_.empty() || absl::Now() >= deadline_)) return false;
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    if (fd_ >= 0 || absl::Now() >= next_attempt_) return true;
    absl::Time wake = stopping_ ? std::min(next_attempt_, deadline_) : next_attempt_;
    cv_.wait_for(lock, absl::ToChronoMilliseconds(std::max(wake - absl::Now(),
                                                           absl::ZeroDuration())));
  }
}

bool CollectorSender::ensureConnected() {
  if (fd_ >= 0) return true;
  std::string host, port;
  std::string problem = "the address is not host:port";
  if (splitHostPort(o_.address, host, port)) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
    if (rc != 0) problem = ::gai_strerror(rc);
    absl::Time deadline = absl::Now() + o_.connect_timeout;
    for (addrinfo* ai = found; ai != nullptr && fd_ < 0; ai = ai->ai_next) {
      fd_ = connectOne(*ai, deadline, [this] { return pastDeadline(); });
      if (fd_ < 0) problem = std::strerror(errno);
    }
    if (found != nullptr) ::freeaddrinfo(found);
  }
  if (fd_ >= 0) {
    connected_.store(true);
    backoff_ = o_.min_backoff;
    uint64_t dropped = dropped_.load();
    log()->info("connected to access log collector {}{}", o_.address,
                dropped > dropped_reported_
                    ? strCat(" (", dropped - dropped_reported_,
                             " lines dropped while it was unreachable or slow)")
                    : std::string());
    dropped_reported_ = dropped;
    return true;
  }
  uint64_t suppressed = 0;
  if (connect_warning_.allow(suppressed)) {
    log()->warn("cannot connect to access log collector {}: {}; retrying in {}{}", o_.address,
                problem, absl::FormatDuration(backoff_),
                suppressed > 0 ? strCat(" (", suppressed, " similar failures not logged)")
                               : std::string());
  }
  next_attempt_ = absl::Now() + backoff_;
  backoff_ = std::min(backoff_ * 2, o_.max_backoff);
  return false;
}

bool CollectorSender::sendQueued() {
  std::vector<std::string> batch;
  {
    std::lock_guard lock(mu_);
    while (!queue_.empty() && batch.size() < kBatchLines) {
      queued_bytes_ -= queue_.front().size();
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
  }
  size_t done = 0;  // lines written whole
  size_t offset = 0;  // bytes of batch[done] written
  bool ok = true;
  while (done < batch.size()) {
    const std::string& line = batch[done];
    ssize_t n = ::send(fd_, line.data() + offset, line.size() - offset, MSG_NOSIGNAL);
    if (n >= 0) {
      offset += static_cast<size_t>(n);
      if (offset == line.size()) {
        ++done;
        offset = 0;
      }
      continue;
    }
    if (errno == EINTR) continue;
    if ((errno == EAGAIN || errno == EWOULDBLOCK) && !pastDeadline()) {
      pollOne(fd_, POLLOUT, kPollSliceMs);
      continue;
    }
    ok = false;
    break;
  }
  sent_.fetch_add(done);
  if (done < batch.size()) {  // back to the front, whole, in order
    std::lock_guard lock(mu_);
    for (size_t i = batch.size(); i > done; --i) {
      queued_bytes_ += batch[i - 1].size();
      queue_.push_front(std::move(batch[i - 1]));
    }
    trimToBoundLocked();
  }
  return ok;
}

void CollectorSender::disconnect(const std::string& why) {
  log()->warn("access log collector {}: {}; reconnecting", o_.address, why);
  ::close(fd_);
  fd_ = -1;
  connected_.store(false);
}

}  // namespace ursa::dp
