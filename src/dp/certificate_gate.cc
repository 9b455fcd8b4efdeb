#include "src/dp/certificate_gate.h"

#include <utility>
#include <vector>

#include "absl/time/clock.h"

namespace ursa::dp {

CertificateGate::CertificateGate(absl::Duration max_hold) : max_hold_(max_hold) {
  thread_ = std::thread([this] { run(); });
}

CertificateGate::~CertificateGate() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  thread_.join();
}

void CertificateGate::filesWritten(bool replaced) {
  std::lock_guard lock(mu_);
  if (open_) return;
  if (replaced && was_open_ && provider_refresh_ > absl::ZeroDuration()) {
    opens_at_ = std::min(opens_at_, absl::Now() + 2 * provider_refresh_);
  } else {
    open_ = was_open_ = true;
    opens_at_ = absl::InfiniteFuture();
  }
  cv_.notify_all();
}

void CertificateGate::setProviderRefresh(absl::Duration refresh) {
  std::lock_guard lock(mu_);
  provider_refresh_ = refresh;
}

void CertificateGate::filesOutdated() {
  std::lock_guard lock(mu_);
  open_ = false;
  opens_at_ = absl::InfiniteFuture();
}

bool CertificateGate::isOpen() const {
  std::lock_guard lock(mu_);
  return open_;
}

std::optional<uint64_t> CertificateGate::waitUnlessOpen(Waiter waiter) {
  std::lock_guard lock(mu_);
  if (open_) return std::nullopt;
  uint64_t id = ++next_id_;
  pending_.emplace(id, Pending{std::move(waiter), absl::Now() + max_hold_});
  cv_.notify_all();  // the thread may need an earlier wake-up
  return id;
}

void CertificateGate::cancel(uint64_t id) {
  std::lock_guard lock(mu_);
  pending_.erase(id);
}

// Opens the gate when a delayed opening is due; calls due waiters outside
// the lock: all of them when the gate is open, else those whose deadline
// passed; then sleeps until the next deadline or opening, or a change.
void CertificateGate::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    absl::Time now = absl::Now();
    if (opens_at_ <= now) {
      open_ = was_open_ = true;
      opens_at_ = absl::InfiniteFuture();
    }
    struct Due {
      uint64_t id;
      Waiter waiter;
      Release why;
    };
    std::vector<Due> due;
    absl::Time next = opens_at_;
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (open_ || it->second.deadline <= now) {
        due.push_back({it->first, std::move(it->second.waiter),
                       open_ ? Release::kFilesWritten : Release::kTimedOut});
        it = pending_.erase(it);
      } else {
        next = std::min(next, it->second.deadline);
        ++it;
      }
    }
    if (!due.empty()) {
      lock.unlock();
      for (Due& d : due) d.waiter(d.id, d.why);
      lock.lock();
      continue;
    }
    if (next == absl::InfiniteFuture()) {
      cv_.wait(lock);
    } else {
      cv_.wait_for(lock, absl::ToChronoNanoseconds(next - now));
    }
  }
}

}  // namespace ursa::dp
