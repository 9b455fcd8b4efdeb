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
#include "src/api/auth/dataplane_tokens.h"
#include "src/ca/ca_manager.h"
#include "src/config/cp_config.h"
#include "src/dpserver/dp_server.h"
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
  // Issues and validates dataplane tokens (POST /tokens/dataplane, the data
  // plane server). Uses the store: holders must drop it before stop().
  api::DataplaneTokensSharedPtr dataplaneTokens() const { return dataplane_tokens_; }
  // The data plane server port as bound; its certificate (PEM file), which
  // proxies use to verify the control plane (ursa-dp --ca-cert-file).
  uint16_t dpServerPort() const { return dp_server_ ? dp_server_->port() : 0; }
  const std::string& dpServerCertFile() const { return dp_cert_file_; }
  dpserver::DpServer* dpServer() { return dp_server_.get(); }

 private:
  explicit ControlPlane(config::CpConfig config) : config_(std::move(config)) {}
  absl::Status ensureDefaultMesh();
  absl::Status startApi();
  absl::Status startDpServer();

  config::CpConfig config_;
  MetricsSharedPtr metrics_;
  store::ResourceStorePtr store_;
  std::unique_ptr<core::ResourceManager> manager_;
  std::unique_ptr<store::ResourceCache> cache_;
  api::DataplaneTokensSharedPtr dataplane_tokens_;
  http::ServerPtr diagnostics_;
  std::unique_ptr<ca::CaManager> ca_;
  std::unique_ptr<dpserver::DpServer> dp_server_;
  std::string dp_cert_file_;
  std::unique_ptr<api::ApiServer> api_;
  uint16_t api_http_port_ = 0;
  uint16_t api_https_port_ = 0;
  std::atomic<bool> started_{false};
};

}  // namespace ursa::cp
