#pragma once

// One state-of-the-world ADS stream (StreamAggregatedResources).
//
// Protocol, per type URL:
//  - a request whose nonce is not the last one sent is stale and ignored;
//  - a request carrying error_detail NACKs the last response: the resources
//    that response changed are marked rejected, and later responses send the
//    last ACKed version of each instead (so one bad resource does not block
//    every other update), until the resource's content changes again;
//  - after a response the stream waits for that type's ACK or NACK before
//    sending the type again (flow control, as go-control-plane does);
//  - LDS and CDS with no names (or "*") subscribe to everything; other types
//    send only the names asked for;
//  - a type is sent when the proxy's snapshot changes what it would receive,
//    never when nothing changed; several types are sent in kPushOrder.

#include <map>
#include <set>

#include "envoy/service/discovery/v3/discovery.pb.h"
#include "src/xds/server/stream_base.h"

namespace ursa::xds {

class SotwStream : public StreamBase<envoy::service::discovery::v3::DiscoveryRequest> {
 public:
  SotwStream(grpc::CallbackServerContext* context, uint64_t id, SnapshotCache& cache,
             StreamCallbacks& callbacks)
      : StreamBase(context, id, /*delta=*/false, cache, callbacks) {}

 private:
  using Request = envoy::service::discovery::v3::DiscoveryRequest;

  using ResourcesByName = std::map<std::string, ResourcePtr, std::less<>>;
  struct TypeState {
    bool subscribed = false;
    bool wildcard = false;
    std::set<std::string, std::less<>> names;
    bool awaiting_ack = false;  // a response is out; wait for its ACK/NACK
    bool force = false;         // send even if the version did not change
    std::string last_version;   // version of the last response sent
    std::string last_nonce;
    // The last response's resources, and the last ACKed ones (never null; an
    // ACK shares the sent map rather than copying it).
    std::shared_ptr<const ResourcesByName> sent = std::make_shared<const ResourcesByName>();
    std::shared_ptr<const ResourcesByName> acked = sent;
    std::set<uint64_t> rejected;  // hashes of resources the proxy NACKed
    absl::Time sent_change_time = absl::InfinitePast();  // of the response in flight
  };

  absl::Status handle(const Request& req, TypeIndex type) override;
  void due() override;
  // The encoded DiscoveryResponse due for `type`, if any.
  std::optional<grpc::ByteBuffer> buildResponse(TypeIndex type, TypeState& state);

  std::array<TypeState, kTypeCount> types_;  // guarded by mu_
};

}  // namespace ursa::xds
