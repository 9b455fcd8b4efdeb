#pragma once

// What the ADS server tells the rest of the control plane about its streams,
// and asks of it: who may connect (authentication), who connected (to start
// generating their configuration), and what each proxy ACKs and NACKs (for
// DataplaneInsight and metrics). The server itself knows nothing of meshes.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "envoy/config/core/v3/base.pb.h"
#include "ursa/common/status.h"
#include "ursa/xds/snapshot.h"

namespace ursa::xds {

struct StreamInfo {
  uint64_t id = 0;
  bool delta = false;
  std::string node_id;                      // "<mesh>.<name>" for dataplanes
  envoy::config::core::v3::Node node;       // from the stream's first request
  std::multimap<std::string, std::string> metadata;  // gRPC initial metadata
  std::string peer;
};

enum class RequestKind {
  Initial,  // first request for a type (or a subscription change)
  Ack,
  Nack,
};

class StreamCallbacks {
 public:
  virtual ~StreamCallbacks() = default;
  // With the first request. A non-OK status ends the stream with it
  // (UNAUTHENTICATED for a bad token, INVALID_ARGUMENT for a bad node id).
  virtual absl::Status onStreamOpen(const StreamInfo& info) = 0;
  // After onStreamOpen succeeded, once the stream has ended.
  virtual void onStreamClosed(const StreamInfo& info) = 0;
  // `since_change`: for an ACK or NACK, the time from the change that the
  // acknowledged response carried to now (the `xds_delivery` metric), when known.
  virtual void onRequest(const StreamInfo& info, TypeIndex type, RequestKind kind,
                         std::string_view version, std::string_view error_detail,
                         std::optional<absl::Duration> since_change) = 0;
  virtual void onResponse(const StreamInfo& info, TypeIndex type, std::string_view version,
                          size_t resources, size_t bytes) = 0;
};

}  // namespace ursa::xds
