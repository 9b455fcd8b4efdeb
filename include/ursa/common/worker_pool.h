#pragma once

// WorkerPool: runs the iterations of a loop on several threads, for work
// that splits into independent items (generating many proxies' configuration
// after one change).
//
// forEach(n, fn) calls fn(i) exactly once for every i in [0, n), spread over
// the pool's threads and the calling thread, and returns when every call has
// returned. Items are handed out one at a time in index order, so uneven
// items balance themselves. fn must be safe to call concurrently for
// different i; an exception escaping fn terminates the process (as it would
// on any thread).
//
// Thread-safety: forEach() may be called from one thread at a time.

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ursa {

// CPUs this process may run on (its affinity mask), at least 1.
size_t usableCpus();

class WorkerPool {
 public:
  // `threads` in total, the caller of forEach() included: a pool of 1 runs
  // everything on the caller and starts no thread.
  explicit WorkerPool(size_t threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  size_t threads() const { return helpers_.size() + 1; }
  void forEach(size_t n, const std::function<void(size_t)>& fn);

 private:
  void helperLoop();
  // Runs items of the current job until none is left.
  void drain(const std::function<void(size_t)>& fn, size_t n);

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                           // guarded by mu_
  uint64_t job_ = 0;                                // guarded by mu_
  const std::function<void(size_t)>* fn_ = nullptr; // guarded by mu_
  size_t n_ = 0;                                    // guarded by mu_
  size_t next_ = 0;                                 // guarded by mu_
  size_t running_ = 0;  // helpers inside the current job; guarded by mu_
  std::vector<std::thread> helpers_;
};

}  // namespace ursa
