#pragma once

// One incremental ADS stream (DeltaAggregatedResources).
//
// Per type URL the stream tracks what the proxy has (name -> version, from
// `initial_resource_versions` on reconnect and from every ACKed response) and
// what it subscribed to (names, or everything for a wildcard subscription:
// LDS and CDS when the first request names nothing, or "*"). A response
// carries only resources whose version differs from what the proxy has, and
// `removed_resources` for names it has that no longer exist; nothing is sent
// when nothing changed. As in SotW: stale nonces are ignored, one response per
// type is in flight until ACKed or NACKed, and a NACKed resource is not sent
// again until its content changes.

#include <map>
#include <set>

#include "envoy/service/discovery/v3/discovery.pb.h"
#include "src/xds/server/stream_base.h"

namespace ursa::xds {

class DeltaStream : public StreamBase<envoy::service::discovery::v3::DeltaDiscoveryRequest> {
 public:
  DeltaStream(grpc::CallbackServerContext* context, uint64_t id, SnapshotCache& cache,
              StreamCallbacks& callbacks)
      : StreamBase(context, id, /*delta=*/true, cache, callbacks) {}

 private:
  using Request = envoy::service::discovery::v3::DeltaDiscoveryRequest;

  struct TypeState {
    bool subscribed = false;
    bool wildcard = false;
    std::set<std::string, std::less<>> names;
    // What the proxy holds: name -> resource hash (0: a version we did not send).
    std::map<std::string, uint64_t, std::less<>> has;
    // The response in flight: what it would make the proxy hold.
    std::map<std::string, uint64_t, std::less<>> pending;
    std::set<std::string, std::less<>> pending_removals;
    bool awaiting_ack = false;
    std::string last_nonce;
    std::set<uint64_t> rejected;
    absl::Time sent_change_time = absl::InfinitePast();  // of the response in flight
  };

  absl::Status handle(const Request& req, TypeIndex type) override;
  void due() override;
  void updateSubscription(const Request& req, TypeIndex type, TypeState& t);
  // The encoded DeltaDiscoveryResponse due for `type`, if any.
  std::optional<grpc::ByteBuffer> buildResponse(TypeIndex type, TypeState& t);
  bool wants(const TypeState& t, std::string_view name) const;

  std::array<TypeState, kTypeCount> types_;  // guarded by mu_
  uint64_t system_version_ = 0;
};

}  // namespace ursa::xds
