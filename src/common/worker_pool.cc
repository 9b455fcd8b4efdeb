#include "ursa/common/worker_pool.h"

#include <sched.h>

namespace ursa {

size_t usableCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) {
    return std::max<size_t>(1, std::thread::hardware_concurrency());
  }
  return std::max(1, CPU_COUNT(&set));
}

WorkerPool::WorkerPool(size_t threads) {
  for (size_t i = 1; i < threads; ++i) helpers_.emplace_back([this] { helperLoop(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : helpers_) t.join();
}

void WorkerPool::forEach(size_t n, const std::function<void(size_t)>& fn) {
  if (helpers_.empty() || n <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  {
    std::lock_guard lock(mu_);
    fn_ = &fn;
    n_ = n;
    next_ = 0;
    ++job_;
  }
  cv_.notify_all();
  drain(fn, n);
  std::unique_lock lock(mu_);
  // Every item is handed out; wait for the helpers still running one.
  cv_.wait(lock, [&] { return running_ == 0; });
  fn_ = nullptr;
}

void WorkerPool::drain(const std::function<void(size_t)>& fn, size_t n) {
  for (;;) {
    size_t i;
    {
      std::lock_guard lock(mu_);
      if (next_ >= n) return;
      i = next_++;
    }
    fn(i);
  }
}

void WorkerPool::helperLoop() {
  uint64_t seen = 0;
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || (job_ != seen && fn_ != nullptr); });
    if (stopping_) return;
    seen = job_;
    const auto* fn = fn_;
    size_t n = n_;
    ++running_;
    lock.unlock();
    drain(*fn, n);
    lock.lock();
    if (--running_ == 0) cv_.notify_all();
  }
}

}  // namespace ursa
