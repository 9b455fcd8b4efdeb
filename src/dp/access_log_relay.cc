#include "src/dp/access_log_relay.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "nlohmann/json.hpp"
#include "ursa/common/logging.h"
#include "ursa/common/strings.h"

namespace ursa::dp {
namespace {

auto log() { return logger("access-log-relay"); }

absl::Status pathError(const std::string& what, const std::string& path) {
  return absl::UnavailableError(
      strCat("access log relay: cannot ", what, " ", path, ": ", std::strerror(errno)));
}

// Removes a stale file, FIFO or socket at `path` and makes its directory.
absl::Status clearPath(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) {
    return absl::UnavailableError(
        strCat("access log relay: cannot create ", parent.string(), ": ", ec.message()));
  }
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? absl::OkStatus() : pathError("inspect", path);
  }
  if (S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        strCat("access log relay: ", path, " is a directory; remove it"));
  }
  log()->info("removing the stale {}", path);
  return ::unlink(path.c_str()) == 0 ? absl::OkStatus() : pathError("remove the stale", path);
}

}  // namespace

absl::StatusOr<std::unique_ptr<AccessLogRelay>> AccessLogRelay::start(
    AccessLogRelayOptions options) {
  std::unique_ptr<AccessLogRelay> relay(new AccessLogRelay(std::move(options)));
  URSA_RETURN_IF_ERROR(relay->open());
  relay->reader_ = std::thread([r = relay.get()] { r->readLoop(); });
  log()->info("relaying access logs written to {} to their TCP collectors", relay->path());
  return relay;
}

absl::Status AccessLogRelay::open() {
  URSA_RETURN_IF_ERROR(clearPath(o_.path));
  if (::mkfifo(o_.path.c_str(), 0600) != 0) return pathError("create the FIFO", o_.path);
  struct stat st{};
  ::lstat(o_.path.c_str(), &st);
  fifo_dev_ = st.st_dev;  // stop() removes the path only while it is this FIFO
  fifo_ino_ = st.st_ino;
  fifo_fd_ = ::open(o_.path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fifo_fd_ < 0) return pathError("open", o_.path);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) return pathError("make an eventfd for", o_.path);
  return absl::OkStatus();
}

AccessLogRelay::~AccessLogRelay() { stop(); }

void AccessLogRelay::stop() {
  std::call_once(stopped_, [this] {
    if (reader_.joinable()) {
      uint64_t one = 1;
      if (::write(wake_fd_, &one, sizeof one) < 0) log()->warn("cannot wake the reader");
      reader_.join();
    }
    std::lock_guard lock(mu_);
    absl::Time deadline = absl::Now() + o_.drain_timeout;
    for (auto& [address, sender] : collectors_) sender->requestStop(deadline);
    for (auto& [address, sender] : collectors_) sender->join();
    struct stat st{};
    bool ours = ::lstat(o_.path.c_str(), &st) == 0 && st.st_dev == fifo_dev_ &&
                st.st_ino == fifo_ino_;
    if (ours) ::unlink(o_.path.c_str());
    if (fifo_fd_ >= 0) ::close(fifo_fd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
    fifo_fd_ = wake_fd_ = -1;
  });
}

AccessLogRelayStats AccessLogRelay::stats() const {
  AccessLogRelayStats s;
  s.lines = lines_.load();
  s.malformed = malformed_.load();
  s.dropped = overflow_dropped_.load();
  std::lock_guard lock(mu_);
  for (const auto& [address, sender] : collectors_) {
    s.sent += sender->sent();
    s.dropped += sender->dropped();
  }
  s.collectors = collectors_.size();
  return s;
}

void AccessLogRelay::readLoop() {
  while (true) {
    pollfd fds[2] = {{fifo_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      log()->error("access log relay stopped reading {}: poll: {}", o_.path, std::strerror(errno));
      return;
    }
    if (!readAvailable()) return;
    if (fds[1].revents != 0) return;  // stop(): what Envoy wrote is read
  }
}

bool AccessLogRelay::readAvailable() {
  char buf[64 * 1024];
  while (true) {
    ssize_t n = ::read(fifo_fd_, buf, sizeof buf);
    if (n > 0) {
      pending_.append(buf, static_cast<size_t>(n));
      consumeBuffered();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    // n == 0 cannot happen while the relay holds a write end itself.
    log()->error("access log relay stopped reading {}: {}", o_.path,
                 n == 0 ? "end of file" : std::strerror(errno));
    return false;
  }
}

void AccessLogRelay::consumeBuffered() {
  size_t start = 0;
  for (size_t nl = pending_.find('\n'); nl != std::string::npos;
       nl = pending_.find('\n', start)) {
    std::string_view line(pending_.data() + start, nl - start);
    start = nl + 1;
    lines_.fetch_add(1);
    if (discarding_) {
      discarding_ = false;  // the end of an over-long line, already counted
      continue;
    }
    handleLine(line);
  }
  pending_.erase(0, start);
  if (pending_.size() > o_.max_line_bytes) {
    if (!discarding_) skip(strCat("it is longer than ", o_.max_line_bytes, " bytes"));
    discarding_ = true;
    pending_.clear();
  }
}

void AccessLogRelay::skip(std::string_view why) {
  uint64_t total = malformed_.fetch_add(1) + 1;
  uint64_t suppressed = 0;
  if (malformed_warning_.allow(suppressed)) {
    log()->warn(
        "skipped an access log line in {}: {} (expected {{\"address\": \"host:port\", "
        "\"message\": ...}}; {} skipped so far)",
        o_.path, why, total);
  }
}

void AccessLogRelay::handleLine(std::string_view line) {
  if (line.size() > o_.max_line_bytes) {
    return skip(strCat("it is longer than ", o_.max_line_bytes, " bytes"));
  }
  auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return skip("it is not a JSON object");
  auto address = json.find("address");
  if (address == json.end() || !address->is_string() || address->get_ref<const std::string&>().empty()) {
    return skip("\"address\" is missing or not a non-empty string");
  }
  auto message = json.find("message");
  if (message == json.end()) return skip("\"message\" is missing");
  std::string text = message->is_string() ? message->get<std::string>() : message->dump();
  if (text.empty() || text.back() != '\n') text.push_back('\n');
  CollectorSender* sender = collectorFor(address->get<std::string>());
  if (sender != nullptr) sender->enqueue(std::move(text));
}

CollectorSender* AccessLogRelay::collectorFor(const std::string& address) {
  std::lock_guard lock(mu_);
  auto it = collectors_.find(address);
  if (it != collectors_.end()) return it->second.get();
  if (collectors_.size() >= o_.max_collectors) {
    if (overflow_dropped_.fetch_add(1) == 0) {
      log()->warn("access log relay: more than {} collector addresses; lines for {} and further "
                  "new addresses are dropped",
                  o_.max_collectors, address);
    }
    return nullptr;
  }
  auto sender = std::make_unique<CollectorSender>(CollectorOptions{
      .address = address,
      .max_buffered_bytes = o_.max_buffered_bytes,
      .connect_timeout = o_.connect_timeout,
      .min_backoff = o_.min_backoff,
      .max_backoff = o_.max_backoff,
      .warn_every = o_.warn_every,
  });
  return collectors_.emplace(address, std::move(sender)).first->second.get();
}

}  // namespace ursa::dp
