#pragma once

// The time source, injected wherever time is read so that tests can control it.

#include <memory>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace ursa {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time now() const = 0;
};
using ClockSharedPtr = std::shared_ptr<const Clock>;

class SystemClock : public Clock {
 public:
  absl::Time now() const override { return absl::Now(); }
  static ClockSharedPtr shared() {
    static const ClockSharedPtr kClock = std::make_shared<SystemClock>();
    return kClock;
  }
};

}  // namespace ursa
