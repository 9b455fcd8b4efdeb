#pragma once

// A Clock that moves only when a test says so, and scratch directories.

#include <atomic>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>

#include "ursa/common/clock.h"

namespace ursa::test {

class FakeClock : public Clock {
 public:
  // Starts at a whole microsecond so that every backend stores it exactly.
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1'700'000'000)) : now_(start) {}
  absl::Time now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  void advance(absl::Duration d) {
    std::lock_guard lock(mu_);
    now_ += d;
  }

 private:
  mutable std::mutex mu_;
  absl::Time now_;
};

// A fresh, empty directory under the system temp dir, unique per call.
inline std::filesystem::path scratchDir(const std::string& prefix) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() /
             ("ursa-" + prefix + "-" + std::to_string(rd()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace ursa::test
