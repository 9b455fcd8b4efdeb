#pragma once

// A scripted ADS client for protocol tests: it opens a real gRPC stream to the
// server, sends exactly the requests a test writes, and collects responses on
// a reader thread so that a test can wait for one with a deadline (and prove
// that none arrives).

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace ursa::xds::test {

using envoy::service::discovery::v3::AggregatedDiscoveryService;

template <typename Req, typename Res>
class ScriptedStream {
 public:
  using Opener = std::function<std::unique_ptr<grpc::ClientReaderWriter<Req, Res>>(
      AggregatedDiscoveryService::Stub&, grpc::ClientContext*)>;

  ScriptedStream(std::shared_ptr<grpc::Channel> channel, Opener open,
                 const std::multimap<std::string, std::string>& metadata = {})
      : stub_(AggregatedDiscoveryService::NewStub(channel)) {
    for (const auto& [k, v] : metadata) context_.AddMetadata(k, v);
    stream_ = open(*stub_, &context_);
    reader_ = std::thread([this] { readLoop(); });
  }
  ~ScriptedStream() {
    context_.TryCancel();
    reader_.join();
  }

  bool send(const Req& req) { return stream_->Write(req); }

  // The next response, or nullopt if none arrives within `timeout`.
  std::optional<Res> next(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return !responses_.empty() || done_; });
    if (responses_.empty()) return std::nullopt;
    Res r = std::move(responses_.front());
    responses_.pop_front();
    return r;
  }

  // Waits for the server to end the stream; returns its status.
  std::optional<grpc::Status> status(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return done_; })) return std::nullopt;
    return final_status_;
  }

  void closeSend() { stream_->WritesDone(); }

 private:
  void readLoop() {
    Res r;
    while (stream_->Read(&r)) {
      std::lock_guard lock(mu_);
      responses_.push_back(r);
      cv_.notify_all();
    }
    grpc::Status s = stream_->Finish();
    std::lock_guard lock(mu_);
    final_status_ = s;
    done_ = true;
    cv_.notify_all();
  }

  std::unique_ptr<AggregatedDiscoveryService::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<Req, Res>> stream_;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Res> responses_;
  bool done_ = false;
  grpc::Status final_status_;
};

using SotwClient = ScriptedStream<envoy::service::discovery::v3::DiscoveryRequest,
                                  envoy::service::discovery::v3::DiscoveryResponse>;
using DeltaClient = ScriptedStream<envoy::service::discovery::v3::DeltaDiscoveryRequest,
                                   envoy::service::discovery::v3::DeltaDiscoveryResponse>;

inline std::unique_ptr<SotwClient> openSotw(std::shared_ptr<grpc::Channel> channel,
                                            const std::multimap<std::string, std::string>& md = {}) {
  return std::make_unique<SotwClient>(
      channel,
      [](AggregatedDiscoveryService::Stub& stub, grpc::ClientContext* ctx) {
        return stub.StreamAggregatedResources(ctx);
      },
      md);
}

inline std::unique_ptr<DeltaClient> openDelta(std::shared_ptr<grpc::Channel> channel,
                                              const std::multimap<std::string, std::string>& md = {}) {
  return std::make_unique<DeltaClient>(
      channel,
      [](AggregatedDiscoveryService::Stub& stub, grpc::ClientContext* ctx) {
        return stub.DeltaAggregatedResources(ctx);
      },
      md);
}

}  // namespace ursa::xds::test
