#pragma once

// AdsDriver: N simulated Envoys, each one ADS stream, multiplexed over a few
// gRPC channels (one TCP+TLS connection each) on gRPC's callback API.
//
// Streams are opened by connectAll() (an "epoch": every proxy starts with
// no configuration) and ended by disconnectAll(). A stream that the server
// ends while its epoch runs is counted as an error and, with `retry`,
// reopened after a second (as Envoy would), still in the same epoch.
//
// Thread-safety: call the public methods from one thread; the hooks run on
// gRPC's threads.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "src/loadsim/ads_stream.h"

namespace ursa::loadsim {

struct DriverOptions {
  std::string target;  // host:port of the data plane server
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  std::string tls_server_name;  // overrides the name the certificate is checked for
  int channels = 4;
  double connect_rate = 0;  // streams opened per second; 0: all at once
  bool retry = true;
  StreamSettings stream;
};

struct DriverTotals {
  uint64_t responses = 0, nacks = 0, bytes = 0;
  uint64_t stream_errors = 0;  // streams the server ended (or that failed) during an epoch
  std::map<std::string, uint64_t> errors_by_message;  // "<code>: <message>" -> count
};

struct ConnectProgress {
  size_t opened = 0, complete = 0, total = 0;
  uint64_t stream_errors = 0;
};

class AdsDriver : private StreamHooks {
 public:
  AdsDriver(DriverOptions options, std::vector<ProxyIdentity> proxies);
  ~AdsDriver() override;

  size_t size() const { return proxies_.size(); }
  // Opens every proxy's stream; completion times run from `epoch_start`.
  void connectAll(SteadyTime epoch_start,
                  const std::function<void(const ConnectProgress&)>& progress = {});
  // Waits until every proxy of the epoch is complete or `deadline`, calling
  // `progress` about once a second. True if all completed.
  bool waitComplete(SteadyTime deadline, const std::function<void(const ConnectProgress&)>& progress);
  // Cancels every stream and waits until all have ended.
  void disconnectAll();

  // Seconds from the epoch start to each complete proxy's completion.
  std::vector<double> completionSeconds() const;
  size_t completeCount() const { return complete_count_.load(); }
  ConnectProgress progress() const;
  DriverTotals totals() const;
  void setProbe(std::shared_ptr<Probe> probe);

 private:
  struct Slot {
    std::unique_ptr<AdsStream> stream;
    bool running = false;         // guarded by mu_
    SteadyTime retry_at{};        // guarded by mu_; set when it must be reopened
    bool retry_pending = false;   // guarded by mu_
    double completed_after = -1;  // guarded by mu_; seconds since epoch start
  };

  void open(size_t i);
  void retryLoop();

  // StreamHooks
  void onComplete(size_t proxy) override;
  void onResponse(size_t proxy, size_t bytes, bool nack) override;
  std::shared_ptr<Probe> probe() override;
  void onStreamDone(size_t proxy, const grpc::Status& status) override;

  DriverOptions options_;
  std::vector<ProxyIdentity> proxies_;
  std::vector<std::unique_ptr<AggregatedDiscoveryService::Stub>> stubs_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Slot> slots_;
  bool epoch_running_ = false;
  bool stopping_ = false;
  SteadyTime epoch_start_{};
  size_t running_ = 0;
  size_t opened_ = 0;
  uint64_t stream_errors_ = 0;
  std::map<std::string, uint64_t> errors_by_message_;

  std::mutex probe_mu_;
  std::shared_ptr<Probe> probe_;

  std::atomic<size_t> complete_count_{0};
  std::atomic<uint64_t> responses_{0}, nacks_{0}, bytes_{0};
  std::thread retry_thread_;
};

}  // namespace ursa::loadsim
