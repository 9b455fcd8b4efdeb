#pragma once

// A Probe watches for one change reaching the proxies: the change is in a
// response when `holds` is true of the named resource's bytes in it (null
// when the response removes the resource, or a state-of-the-world response
// omits it). A proxy counts as delivered when it ACKs (or NACKs, reported
// apart) the first response of the probe's type that holds; its delay runs
// from start() to that ACK. Only the proxies in `expected` are waited for;
// others that see the change are counted as unexpected.
//
// Thread-safety: record() and the readers may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "ursa/xds/snapshot.h"

namespace ursa::loadsim {

using SteadyTime = std::chrono::steady_clock::time_point;

class Probe {
 public:
  using Predicate = std::function<bool(const std::string* bytes)>;
  Probe(xds::TypeIndex type, std::string resource, Predicate holds,
        const std::vector<size_t>& expected, size_t proxies);
  // One resource name per proxy (`resources[proxy]`), e.g. each proxy's
  // inbound listener.
  Probe(xds::TypeIndex type, std::vector<std::string> resources, Predicate holds,
        const std::vector<size_t>& expected, size_t proxies);

  xds::TypeIndex type() const { return type_; }
  // The resource watched on proxy `proxy`'s stream.
  const std::string& resource(size_t proxy) const {
    return resources_.size() == 1 ? resources_.front() : resources_[proxy];
  }
  bool holds(const std::string* bytes) const { return holds_(bytes); }

  // The change is applied now: delays are measured from here.
  void start();
  // Proxy `proxy` acknowledged (nack: rejected) a response that holds.
  void record(size_t proxy, bool nack);
  // Waits until every expected proxy is delivered or `deadline`; true if all were.
  bool waitAll(SteadyTime deadline);

  size_t expectedCount() const { return expected_count_; }
  size_t deliveredCount() const;
  size_t nackCount() const;
  // The expected proxies that ACKed (not NACKed) the change, in order.
  std::vector<size_t> acknowledged() const;
  size_t unexpectedCount() const;
  // Seconds from start() to each expected proxy's delivery.
  std::vector<double> delays() const;
  // When the last expected delivery happened, in seconds after start(); -1 if not all.
  double allDeliveredAfter() const;

 private:
  const xds::TypeIndex type_;
  const std::vector<std::string> resources_;  // one for all, or one per proxy
  const Predicate holds_;
  std::vector<char> expected_;  // per proxy
  size_t expected_count_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  SteadyTime started_{};
  static constexpr char kAcked = 1, kNacked = 2;
  std::vector<char> seen_;  // per proxy: 0, kAcked or kNacked
  std::vector<double> delays_;
  size_t nacks_ = 0, unexpected_ = 0;
  double last_ = 0;
};

}  // namespace ursa::loadsim
