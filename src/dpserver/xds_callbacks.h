#pragma once

// XdsCallbacks: the control plane's side of every ADS stream.
//  - Authentication: in `dpToken` mode a stream must carry exactly one
//    `authorization` metadata value, a dataplane token valid for the node's
//    mesh that may act as the node's Dataplane (which must exist: registered
//    through POST /bootstrap or the API). Anything else ends the stream with
//    UNAUTHENTICATED / PERMISSION_DENIED / FAILED_PRECONDITION and a log line.
//  - Lifecycle: the first stream of a proxy registers it with the
//    Reconciler; the last one to close unregisters it and, for a Dataplane
//    that registered itself through bootstrap, deletes it after
//    `deregistration_delay` unless the proxy came back (Kuma's
//    dataplaneDeregistrationDelay).
//  - Status: DataplaneInsight through InsightRecorder, and Kuma's metrics
//    xds_requests_received{type_url,confirmation}, xds_responses_sent{type_url},
//    xds_streams_active, xds_delivery (change to ACK, seconds).

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "src/api/auth/dataplane_tokens.h"
#include "src/dpserver/insights.h"
#include "src/xds/server/stream_callbacks.h"
#include "src/xds/sync/reconciler.h"
#include "ursa/common/metrics.h"

namespace ursa::dpserver {

struct XdsCallbacksOptions {
  bool require_tokens = true;  // dpServer.authn.dpProxy.type: dpToken (false: none)
  absl::Duration deregistration_delay = absl::Seconds(10);
};

class XdsCallbacks : public xds::StreamCallbacks {
 public:
  XdsCallbacks(store::ResourceStore& store, xds::Reconciler& reconciler,
               InsightRecorder& insights, api::DataplaneTokensSharedPtr tokens, Metrics& metrics,
               XdsCallbacksOptions options);
  ~XdsCallbacks() override;

  // The Dataplane was created by POST /bootstrap: delete it once its proxy
  // has been gone for the deregistration delay.
  void markSelfRegistered(const std::string& node_id);

  // xds::StreamCallbacks
  absl::Status onStreamOpen(const xds::StreamInfo& info) override;
  void onStreamClosed(const xds::StreamInfo& info) override;
  void onRequest(const xds::StreamInfo& info, xds::TypeIndex type, xds::RequestKind kind,
                 std::string_view version, std::string_view error_detail,
                 std::optional<absl::Duration> since_change) override;
  void onResponse(const xds::StreamInfo& info, xds::TypeIndex type, std::string_view version,
                  size_t resources, size_t bytes) override;

 private:
  class Metrics_;
  absl::Status authenticate(const xds::StreamInfo& info, const model::Resource& dataplane) const;
  void deregistrationLoop();

  store::ResourceStore& store_;
  xds::Reconciler& reconciler_;
  InsightRecorder& insights_;
  api::DataplaneTokensSharedPtr tokens_;
  XdsCallbacksOptions options_;
  std::unique_ptr<Metrics_> metrics_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> streams_;            // node id -> open streams
  // node id -> capabilities of the application's latest stream (not ursa-dp's
  // own certificate stream), so the order streams (re)connect in does not
  // matter.
  std::map<std::string, xds::gen::ClientCapabilities> app_caps_;
  std::set<std::string> self_registered_;
  std::map<std::string, absl::Time> leaving_;     // node id -> delete at
  bool stopping_ = false;
  std::thread deregistration_;
};

}  // namespace ursa::dpserver
