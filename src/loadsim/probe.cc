#include "src/loadsim/probe.h"

namespace ursa::loadsim {

Probe::Probe(xds::TypeIndex type, std::string resource, Predicate holds,
             const std::vector<size_t>& expected, size_t proxies)
    : type_(type),
      resource_(std::move(resource)),
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
  seen_[proxy] = 1;
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
