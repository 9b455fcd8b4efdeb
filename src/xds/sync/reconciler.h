#pragma once

// Reconciler: keeps the Snapshot of every connected proxy up to date, driven
// by the store's change events, never by polling.
//
// Pipeline (one coordinating worker thread):
//   ResourceCache change events are collected; after a short quiet period
//   (`debounce`, but never later than `max_delay` after the first event) the
//   worker takes the newest ResourceSnapshot and
//    1. updates the MeshContext of every mesh touched (only the services a
//       Dataplane change touches are rebuilt);
//    2. picks the affected proxies: those whose own Dataplane changed, those
//       that reach a service whose endpoints changed, every proxy of a mesh
//       whose Mesh resource, CA or set of services changed, new proxies, and
//       proxies whose certificate is due for renewal;
//    3. regenerates each one and sets its snapshot, when it differs: the
//       certificates are issued on the worker, then the generation runs on
//       a WorkerPool of `generation_threads` (the worker among them), each
//       proxy's snapshot set as soon as it is ready, so its stream starts
//       sending while the others are still being generated.
//   With nothing changed and no certificate due, the worker sleeps.
//
// A proxy's identity certificate outlives its streams: when the proxy
// disconnects, its certificate is kept (until it is due for renewal, or its
// Dataplane is deleted) and handed back if the proxy reconnects, so a
// reconnect storm re-signs nothing.
//
// Thread-safety: addProxy/removeProxy may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "src/store/cache/resource_cache.h"
#include "src/xds/cache/snapshot_cache.h"
#include "src/xds/generator/generator.h"
#include "ursa/common/clock.h"
#include "ursa/common/metrics.h"
#include "ursa/common/worker_pool.h"

namespace ursa::xds {

struct ReconcilerOptions {
  std::chrono::milliseconds debounce{5};
  std::chrono::milliseconds max_delay{50};
  // Threads generating proxies' configuration after a change; 0: one per CPU
  // the process may run on (its affinity mask).
  size_t generation_threads = 0;
};

// Returns the CA of a mesh (nullptr without mTLS); may create its root.
using CaProvider = std::function<absl::StatusOr<ca::MeshCaConstSharedPtr>(const model::Resource&)>;

class Reconciler {
 public:
  Reconciler(store::ResourceCache& resources, SnapshotCache& snapshots, CaProvider ca,
             Metrics& metrics, ClockSharedPtr clock, ReconcilerOptions options = {});
  ~Reconciler();

  // A proxy connected: its snapshot is generated at once and kept up to date.
  // Calling it again for a connected proxy updates its capabilities.
  void addProxy(const std::string& node_id, gen::ClientCapabilities caps);
  // Its last stream closed: stop updating it and drop its snapshot.
  void removeProxy(const std::string& node_id);

  // Called on the worker thread with every certificate issued to a proxy
  // (for DataplaneInsight). Set before proxies connect.
  using CertificateListener =
      std::function<void(const std::string& node_id, const ca::IssuedCertificate& cert)>;
  void onCertificate(CertificateListener listener) { on_certificate_ = std::move(listener); }

  // Test support: blocks until every event queued before the call is applied.
  void flushForTest();

 private:
  struct Proxy;
  struct Batch;
  struct KeptCertificate;
  struct Job;
  class Metrics_;

  void run();
  void onChange(const store::ResourceChange& change);
  void reconcile(Batch batch);
  std::set<std::string> updateMeshes(const store::ResourceSnapshot& snap, const Batch& batch,
                                     std::set<std::string>& services_changed);
  void regenerateAll(const std::set<std::string>& nodes, const store::ResourceSnapshot& snap,
                     absl::Time change_time);
  // Worker thread: what generating `proxy` needs (its certificate issued).
  Job prepare(const std::string& node_id, Proxy& proxy, const store::ResourceSnapshot& snap,
              absl::Time change_time);
  // Any pool thread: generates the job's proxy and sets its snapshot.
  void generate(Job& job);
  // Worker thread: the consumers index and the renewal schedule.
  void finish(const Job& job);
  std::shared_ptr<const ca::IssuedCertificate> certificateFor(const std::string& node_id,
                                                              Proxy& proxy,
                                                              const gen::ProxyContext& ctx);
  void keepCertificate(const std::string& node_id, const Proxy& proxy);
  void restoreCertificate(const std::string& node_id, Proxy& proxy);
  void dropKeptCertificates(const store::ResourceSnapshot& snap, const Batch& batch);

  store::ResourceCache& resources_;
  SnapshotCache& snapshots_;
  CaProvider ca_;
  ClockSharedPtr clock_;
  ReconcilerOptions options_;
  std::unique_ptr<Metrics_> metrics_;
  CertificateListener on_certificate_;
  store::WatchHandlePtr watch_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                          // guarded by mu_
  std::set<model::ResourceKey> changed_;           // guarded by mu_
  bool resync_ = false;                            // guarded by mu_
  std::set<std::string> added_;                    // guarded by mu_
  std::set<std::string> removed_;                  // guarded by mu_
  std::map<std::string, gen::ClientCapabilities> caps_;  // guarded by mu_
  std::optional<std::chrono::steady_clock::time_point> first_event_;  // guarded by mu_
  absl::Time first_event_time_;                    // guarded by mu_
  uint64_t requested_ = 0, applied_ = 0;           // flushForTest; guarded by mu_

  // Owned by the worker thread only:
  std::map<std::string, std::unique_ptr<Proxy>> proxies_;
  std::map<std::string, gen::MeshContextConstSharedPtr> meshes_;
  std::map<std::string, std::set<std::string>> consumers_;  // "mesh/service" -> node ids
  // (renew_at, node id) of every proxy holding a certificate, soonest first.
  std::set<std::pair<absl::Time, std::string>> renewals_;
  // Certificates of disconnected proxies, and their (renew_at, node id), soonest first.
  std::map<std::string, KeptCertificate> kept_;
  std::set<std::pair<absl::Time, std::string>> kept_until_;

  WorkerPool pool_;
  std::thread worker_;
};

}  // namespace ursa::xds
