#pragma once

// One simulated Envoy's ADS stream on gRPC's callback API (no thread per
// stream). It behaves as Envoy does: subscribes to CDS and LDS (wildcard),
// then to the EDS, SDS and RDS names its clusters and listeners refer to,
// and acknowledges every response (version_info + response_nonce, or the
// nonce alone in delta), rejecting a seeded fraction of updates (never the
// first response of a type, so every proxy can complete).
//
// Each stream starts with no configuration (a restarted proxy: no
// initial_resource_versions). Reactions run on gRPC's threads; a stream's
// state is guarded by its own mutex. The stream reports through
// StreamHooks; its owner may destroy it once onStreamDone has been called.

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "src/loadsim/probe.h"
#include "src/loadsim/proxy_config.h"

namespace ursa::loadsim {

// Who a stream speaks for.
struct ProxyIdentity {
  std::string node_id;  // "<mesh>.<name>"
  std::string service;  // node.cluster
  std::string token;    // dataplane token; empty: none sent
};

struct StreamSettings {
  bool delta = false;
  double nack_fraction = 0;
  uint64_t seed = 1;
  std::string envoy_version = "1.26.4";  // Kuma 2.2's Envoy
};

// What streams tell their driver. Called on gRPC threads.
class StreamHooks {
 public:
  virtual ~StreamHooks() = default;
  // Proxy `proxy` has complete configuration for the first time on this stream.
  virtual void onComplete(size_t proxy) = 0;
  // A response arrived (`bytes`: its size) and was ACKed or NACKed.
  virtual void onResponse(size_t proxy, size_t bytes, bool nack) = 0;
  // The probe in force, or null.
  virtual std::shared_ptr<Probe> probe() = 0;
  // The stream ended (after every other hook call of this stream).
  virtual void onStreamDone(size_t proxy, const grpc::Status& status) = 0;
};

using envoy::service::discovery::v3::AggregatedDiscoveryService;

class AdsStream {
 public:
  virtual ~AdsStream() = default;
  // Sends the first requests and starts the call.
  virtual void start(AggregatedDiscoveryService::Stub& stub) = 0;
  // Ends the stream (onStreamDone follows).
  virtual void cancel() = 0;
};

std::unique_ptr<AdsStream> makeAdsStream(size_t proxy, const ProxyIdentity& identity,
                                         const StreamSettings& settings, StreamHooks& hooks);

}  // namespace ursa::loadsim
