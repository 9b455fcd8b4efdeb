#pragma once

// The data plane server (port 5678, as Kuma's): ADS for every proxy (gRPC,
// state-of-the-world and delta) and `POST /bootstrap` (HTTPS), on one TLS
// port. Connections are told apart by the protocols their TLS ClientHello
// offers: HTTP/2 ("h2") goes to gRPC, which terminates TLS itself, anything
// else to the HTTPS bootstrap endpoint. No bytes are proxied.
//
// The server's certificate is general.tlsCertFile/tlsKeyFile, or one
// generated once into {workDir}/dp-server.{crt,key}; proxies verify it with
// that certificate (ursa-dp --ca-cert-file).

#include <memory>
#include <string>

#include "src/api/auth/dataplane_tokens.h"
#include "src/core/resource_manager.h"
#include "src/dpserver/bootstrap.h"
#include "src/dpserver/insights.h"
#include "src/dpserver/xds_callbacks.h"
#include "src/http/server.h"
#include "src/xds/cache/snapshot_cache.h"
#include "src/xds/server/ads_server.h"
#include "src/xds/sync/reconciler.h"

namespace ursa::dpserver {

struct DpServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 5678;
  std::string cert_file;  // TLS certificate (PEM); required
  std::string key_file;
  std::string control_plane_id;
  bool require_tokens = true;
  bool allow_unknown_fields = false;  // decoding Dataplanes sent to /bootstrap
  absl::Duration deregistration_delay = absl::Seconds(10);
  absl::Duration insight_flush_interval = absl::Seconds(10);
};

struct DpServerDeps {
  core::ResourceManager& manager;
  store::ResourceCache& cache;
  xds::CaProvider ca;
  api::DataplaneTokensSharedPtr tokens;  // null: tokens cannot be checked (require_tokens=false)
  Metrics& metrics;
  ClockSharedPtr clock;
};

class DpServer {
 public:
  static absl::StatusOr<std::unique_ptr<DpServer>> start(const DpServerOptions& options,
                                                         DpServerDeps deps);
  ~DpServer();

  uint16_t port() const { return https_ ? https_->port() : 0; }
  void stop();

  // For tests and benchmarks.
  xds::SnapshotCache& snapshots() { return snapshots_; }
  xds::Reconciler& reconciler() { return *reconciler_; }
  InsightRecorder& insights() { return *insights_; }

 private:
  DpServer(const DpServerOptions& options, DpServerDeps deps);
  http::Response handle(const http::Request& req);
  http::Response bootstrap(const http::Request& req);
  absl::StatusOr<model::ResourcePtr> registerDataplane(const BootstrapRequest& req,
                                                       const api::DataplaneIdentity* identity);

  DpServerOptions options_;
  DpServerDeps deps_;
  std::string ca_pem_;  // the server certificate, which proxies trust
  xds::SnapshotCache snapshots_;
  std::unique_ptr<xds::Reconciler> reconciler_;
  std::unique_ptr<InsightRecorder> insights_;
  std::unique_ptr<XdsCallbacks> callbacks_;
  std::unique_ptr<xds::AdsServer> ads_;
  http::ServerPtr https_;
};

}  // namespace ursa::dpserver
