#pragma once

// The control plane process, assembled from its configuration: the store,
// the resource manager and cache, the default mesh, and the servers. The
// only place (with app/ursa-cp) where concrete implementations are chosen.
//
// Lifecycle: start() returns once everything serves; stop() shuts the
// servers first (no new requests), then the cache and the store. stop() is
// idempotent and also runs on destruction.

#include <memory>

#include "src/api/api_server.h"
#include "src/config/cp_config.h"
#include "src/core/resource_manager.h"
#include "src/http/server.h"
#include "src/store/cache/resource_cache.h"
#include "ursa/common/metrics.h"

namespace ursa::cp {

class ControlPlane {
 public:
  static absl::StatusOr<std::unique_ptr<ControlPlane>> start(const config::CpConfig& config);
  ~ControlPlane();

  void stop();
  // Ready once started and the store answers.
  absl::Status ready() const;

  uint16_t diagnosticsPort() const { return diagnostics_ ? diagnostics_->port() : 0; }
  // The plain-HTTP API port as bound (0 when apiServer.http is disabled).
  uint16_t apiHttpPort() const { return api_http_port_; }
  // The HTTPS API port as bound (0 when apiServer.https is disabled).
  uint16_t apiHttpsPort() const { return api_https_port_; }
  core::ResourceManager& manager() { return *manager_; }
  store::ResourceCache& cache() { return *cache_; }
  Metrics& metrics() { return *metrics_; }

 private:
  explicit ControlPlane(config::CpConfig config) : config_(std::move(config)) {}
  absl::Status ensureDefaultMesh();
  absl::Status startApi();

  config::CpConfig config_;
  MetricsSharedPtr metrics_;
  store::ResourceStorePtr store_;
  std::unique_ptr<core::ResourceManager> manager_;
  std::unique_ptr<store::ResourceCache> cache_;
  http::ServerPtr diagnostics_;
  std::unique_ptr<api::ApiServer> api_;
  uint16_t api_http_port_ = 0;
  uint16_t api_https_port_ = 0;
  std::atomic<bool> started_{false};
};

}  // namespace ursa::cp
