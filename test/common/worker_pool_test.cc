#include "ursa/common/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace ursa {
namespace {

TEST(WorkerPoolTest, CallsEveryIndexExactlyOnce) {
  WorkerPool pool(3);
  for (size_t n : {0, 1, 2, 7, 1000}) {
    std::vector<std::atomic<int>> calls(n);
    pool.forEach(n, [&](size_t i) { calls[i].fetch_add(1); });
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(calls[i].load(), 1) << "n=" << n << " i=" << i;
  }
}

TEST(WorkerPoolTest, ReturnsOnlyWhenEveryItemHasFinished) {
  WorkerPool pool(3);
  for (int round = 0; round < 50; ++round) {
    std::atomic<int> done{0};
    pool.forEach(6, [&](size_t) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      done.fetch_add(1);
    });
    ASSERT_EQ(done.load(), 6) << "round " << round;
  }
}

TEST(WorkerPoolTest, SpreadsItemsOverItsThreads) {
  WorkerPool pool(3);
  std::mutex mu;
  std::set<std::thread::id> seen;
  pool.forEach(60, [&](size_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // leave work for the others
    std::lock_guard lock(mu);
    seen.insert(std::this_thread::get_id());
  });
  EXPECT_GT(seen.size(), 1u);
  EXPECT_LE(seen.size(), 3u);
}

TEST(WorkerPoolTest, PoolOfOneRunsOnTheCaller) {
  WorkerPool pool(1);
  EXPECT_EQ(pool.threads(), 1u);
  std::set<std::thread::id> seen;
  pool.forEach(10, [&](size_t) { seen.insert(std::this_thread::get_id()); });
  EXPECT_EQ(seen, std::set<std::thread::id>{std::this_thread::get_id()});
}

TEST(WorkerPoolTest, UsableCpusFollowsTheAffinityMask) {
  size_t cpus = usableCpus();
  EXPECT_GE(cpus, 1u);
  EXPECT_LE(cpus, std::max<size_t>(1, std::thread::hardware_concurrency()));
}

}  // namespace
}  // namespace ursa
