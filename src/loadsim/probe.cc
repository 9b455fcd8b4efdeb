#include "src/loadsim/probe.h"

namespace ursa::loadsim {

Probe::Probe(xds::TypeIndex type, std::string resource, Predicate holds,
             const std::vector<size_t>& expected, size_t proxies)
    : Probe(type, std::vector<std::string>{std::move(resource)}, std::move(holds), expected,
            proxies) {}

Probe::Probe(xds::TypeIndex type, std::vector<std::string> resources, Predicate holds,
             const std::vector<size_t>& expected, size_t proxies)
    : type_(type),
      resources_(std::move(resources)),
      holds_(std::move(holds)),
      expected_(proxies, 0),
      seen_(proxies, 0) {
  for (size_t p : expected) {
    if (p < proxies && !expected_[p]) {
      expected_[p] = 1;
      ++expected_count_;
    }
  }
}

void Probe::start() {
  std::lock_guard lock(mu_);
  started_ = std::chrono::steady_clock::now();
}

void Probe::record(size_t proxy, bool nack) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  if (proxy >= seen_.size() || seen_[proxy]) return;
  seen_[proxy] = nack ? kNacked : kAcked;
  if (!expected_[proxy]) {
    ++unexpected_;
    return;
  }
  double delay = std::chrono::duration<double>(now - started_).count();
  delays_.push_back(delay);
  if (nack) ++nacks_;
  last_ = std::max(last_, delay);
  if (delays_.size() == expected_count_) cv_.notify_all();
}

bool Probe::waitAll(SteadyTime deadline) {
  std::unique_lock lock(mu_);
  return cv_.wait_until(lock, deadline, [&] { return delays_.size() == expected_count_; });
}

size_t Probe::deliveredCount() const {
  std::lock_guard lock(mu_);
  return delays_.size();
}

std::vector<size_t> Probe::acknowledged() const {
  std::lock_guard lock(mu_);
  std::vector<size_t> out;
  for (size_t i = 0; i < seen_.size(); ++i) {
    if (expected_[i] && seen_[i] == kAcked) out.push_back(i);
  }
  return out;
}

size_t Probe::nackCount() const {
  std::lock_guard lock(mu_);
  return nacks_;
}

size_t Probe::unexpectedCount() const {
  std::lock_guard lock(mu_);
  return unexpected_;
}

std::vector<double> Probe::delays() const {
  std::lock_guard lock(mu_);
  return delays_;
}

double Probe::allDeliveredAfter() const {
  std::lock_guard lock(mu_);
  return delays_.size() == expected_count_ ? last_ : -1;
}

}  // namespace ursa::loadsim
