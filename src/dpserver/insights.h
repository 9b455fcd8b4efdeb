#pragma once

// InsightRecorder: keeps each proxy's DataplaneInsight (Kuma's shape: up to
// two subscriptions, newest last, each with connect/disconnect times and
// per-type responses sent / acknowledged / rejected; the mTLS section with
// certificate expiry and regenerations) and writes it to the store, owned by
// its Dataplane (deleted with it).
//
// Writes happen on one background thread: at once after a connect or
// disconnect, otherwise every `flush_interval` for insights whose counters
// moved. The xDS threads only update memory.
//
// Thread-safety: every method may be called from any thread.

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "src/xds/server/stream_callbacks.h"
#include "ursa/ca/certificate_authority.h"
#include "ursa/common/clock.h"
#include "ursa/mesh/v1alpha1/dataplane_insight.pb.h"
#include "ursa/store/resource_store.h"

namespace ursa::dpserver {

class InsightRecorder {
 public:
  InsightRecorder(store::ResourceStore& store, std::string control_plane_id, ClockSharedPtr clock,
                  absl::Duration flush_interval = absl::Seconds(10));
  ~InsightRecorder();

  void connected(const xds::StreamInfo& info);
  void disconnected(const xds::StreamInfo& info);
  void request(const xds::StreamInfo& info, xds::TypeIndex type, xds::RequestKind kind);
  void response(const xds::StreamInfo& info, xds::TypeIndex type);
  void certificate(const std::string& node_id, const ca::IssuedCertificate& cert);

  // Test support: writes every pending insight now.
  void flushForTest();

 private:
  using Insight = ursa::mesh::v1alpha1::DataplaneInsight;
  void run();
  void flush(const std::set<std::string>& nodes);
  void write(const std::string& node_id, const Insight& insight);
  // REQUIRES: mu_ held. The subscription of stream `id`, if still kept.
  ursa::mesh::v1alpha1::DiscoverySubscription* subscription(const std::string& node, uint64_t id);

  store::ResourceStore& store_;
  const std::string control_plane_id_;
  const ClockSharedPtr clock_;
  const absl::Duration flush_interval_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Insight> insights_;  // node id -> insight; guarded by mu_
  std::set<std::string> dirty_;              // guarded by mu_
  bool urgent_ = false;                      // a connect or disconnect waits; guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  uint64_t flush_requests_ = 0, flushed_ = 0;
  std::thread worker_;
};

}  // namespace ursa::dpserver
