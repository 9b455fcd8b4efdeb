#include "src/cp/control_plane.h"

#include <unistd.h>

#include "src/api/auth/jwt_dataplane_tokens.h"
#include "src/api/auth/localhost_authenticator.h"
#include "src/api/auth/static_access.h"
#include "src/api/auth/user_token_setup.h"
#include "src/common/tls_cert.h"
#include "src/cp/diagnostics.h"
#include "src/cp/store_factory.h"
#include "src/cp/xds_config.h"
#include "src/store/common/instrumented_store.h"
#include "ursa/common/logging.h"
#include "ursa/common/strings.h"
#include "ursa/mesh/v1alpha1/mesh.pb.h"
#include "ursa/model/registry.h"

namespace ursa::cp {
namespace {

// The HTTPS API's certificate: apiServer.https.tls{Cert,Key}File, else
// general.tls{Cert,Key}File (Kuma's fallback), else a self-signed pair
// generated at first start into the work dir and reused afterwards.
absl::StatusOr<http::TlsFiles> apiTlsFiles(const config::CpConfig& c) {
  http::TlsFiles files{c.api_https_cert_file, c.api_https_key_file};
  std::string_view keys = "apiServer.https.tlsCertFile and apiServer.https.tlsKeyFile";
  if (files.cert_file.empty() && files.key_file.empty()) {
    files = {c.tls_cert_file, c.tls_key_file};
    keys = "general.tlsCertFile and general.tlsKeyFile";
  }
  if (files.cert_file.empty() != files.key_file.empty()) {
    return absl::InvalidArgumentError(strCat(keys, " must be set together"));
  }
  if (!files.cert_file.empty()) return files;
  files = {c.work_dir + "/api-server.crt", c.work_dir + "/api-server.key"};
  URSA_ASSIGN_OR_RETURN(bool generated, tls::ensureSelfSignedCert(files.cert_file, files.key_file,
                                                                  tls::localHostNames()));
  if (generated) {
    logger("cp")->info("api: generated a self-signed certificate {}", files.cert_file);
  }
  return files;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ControlPlane>> ControlPlane::start(const config::CpConfig& config) {
  auto log = logger("cp");
  std::unique_ptr<ControlPlane> cp(new ControlPlane(config));
  cp->metrics_ = std::make_shared<Metrics>();

  URSA_ASSIGN_OR_RETURN(auto raw_store, openStore(config.store));
  log->info("store: {} ({})", raw_store->backendName(),
            config.store.type == "sqlite"     ? config.store.sqlite_path
            : config.store.type == "postgres" ? config.store.postgres.host + ":" +
                                                    std::to_string(config.store.postgres.port)
                                              : std::string("in memory; nothing survives exit"));
  cp->store_ = std::make_unique<store::InstrumentedStore>(std::move(raw_store), *cp->metrics_);
  cp->manager_ = std::make_unique<core::ResourceManager>(
      *cp->store_, core::ManagerOptions{.unsafe_delete = config.store.unsafe_delete,
                                      .create_default_policies = !config.skip_default_policies});
  if (!config.skip_mesh_creation) URSA_RETURN_IF_ERROR(cp->ensureDefaultMesh());
  URSA_ASSIGN_OR_RETURN(cp->cache_, store::ResourceCache::start(*cp->store_));
  cp->dataplane_tokens_ = std::make_shared<api::JwtDataplaneTokens>(*cp->manager_);

  cp->ca_ = std::make_unique<ca::CaManager>(ca::CaManager::Options{
      .store = cp->store_.get(), .cache = cp->cache_.get(), .metrics = cp->metrics_});
  URSA_RETURN_IF_ERROR(cp->startDpServer());
  URSA_RETURN_IF_ERROR(cp->startApi());
  ControlPlane* self = cp.get();
  URSA_ASSIGN_OR_RETURN(
      cp->diagnostics_,
      startDiagnostics({.address = "0.0.0.0", .port = static_cast<uint16_t>(config.diagnostics_port)},
                       cp->metrics_, [self] { return self->ready(); }));
  log->info("diagnostics: listening on :{} (/ready, /healthy, /metrics)",
            cp->diagnostics_->port());
  cp->started_ = true;
  return cp;
}

ControlPlane::~ControlPlane() { stop(); }

void ControlPlane::stop() {
  if (!started_.exchange(false) && !diagnostics_) return;
  if (api_) api_->stop();
  api_.reset();
  if (dp_server_) dp_server_->stop();
  dp_server_.reset();
  ca_.reset();
  if (diagnostics_) diagnostics_->stop();
  diagnostics_.reset();
  cache_.reset();
  dataplane_tokens_.reset();  // watches the store
  manager_.reset();
  store_.reset();
}

absl::Status ControlPlane::ready() const {
  if (!started_) return absl::UnavailableError("starting");
  auto probe = store_->list({.type = &model::TypeRegistry::instance().mesh(), .limit = 1});
  if (!probe.ok()) return probe.status();
  return absl::OkStatus();
}

absl::Status ControlPlane::startDpServer() {
  std::string cert = config_.tls_cert_file;
  std::string key = config_.tls_key_file;
  if (cert.empty() != key.empty()) {
    return absl::InvalidArgumentError(
        "general.tlsCertFile and general.tlsKeyFile must be set together");
  }
  if (cert.empty()) {
    cert = config_.work_dir + "/dp-server.crt";
    key = config_.work_dir + "/dp-server.key";
    URSA_ASSIGN_OR_RETURN(bool created, tls::ensureSelfSignedCert(cert, key, tls::localHostNames()));
    if (created) logger("cp")->info("generated the data plane server certificate {}", cert);
  }
  dp_cert_file_ = cert;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  ca::CaManager* cas = ca_.get();
  URSA_ASSIGN_OR_RETURN(
      dp_server_,
      dpserver::DpServer::start(
          {.address = config_.dp_server.interface,
           .port = static_cast<uint16_t>(config_.dp_server.port),
           .cert_file = cert,
           .key_file = key,
           .control_plane_id = strCat(host, "-", getpid()),
           .require_tokens = config_.dp_token_auth,
           .allow_unknown_fields = config_.store.lenient_decoding,
           .deregistration_delay = config_.deregistration_delay,
           .insight_flush_interval = config_.status_flush_interval},
          dpserver::DpServerDeps{
              .manager = *manager_,
              .cache = *cache_,
              .ca = [cas](const model::Resource& mesh) { return cas->forMesh(mesh); },
              .tokens = dataplane_tokens_,
              .metrics = *metrics_,
              .clock = SystemClock::shared()}));
  logger("cp")->info("dp-server: listening on {}:{} (ADS and POST /bootstrap, TLS)",
                     config_.dp_server.interface, dp_server_->port());
  return absl::OkStatus();
}

absl::Status ControlPlane::startApi() {
  if (!config_.api_http.enabled && !config_.api_https.enabled) return absl::OkStatus();
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  api::ApiOptions options{.read_only = config_.api_read_only,
                          .allow_unknown_fields = config_.store.lenient_decoding,
                          .instance_id = std::string(host) + "-" + std::to_string(getpid()),
                          .hostname = host,
                          .config = config_.tree};
  URSA_ASSIGN_OR_RETURN(
      api::UserTokens tokens,
      api::startUserTokens(*manager_, {.enable_issuer = config_.api_token_issuer_enabled,
                                       .bootstrap_admin_token = config_.api_bootstrap_admin_token,
                                       .http_port = config_.api_http.port}));
  dpserver::DpServer* dp = dp_server_.get();
  api::ApiDeps deps{
      .manager = *manager_,
      .authenticator = std::make_shared<api::LocalhostAuthenticator>(
          config_.api_localhost_is_admin, tokens.authenticator),
      .access = std::make_shared<api::StaticAccessControl>(),
      .user_tokens = tokens.issuer,
      .dataplane_tokens = dataplane_tokens_,
      .xds_config = [dp](const std::string& mesh, const std::string& name) {
        return xdsConfigJson(dp->snapshots(), mesh, name);
      },
      .xds_warnings = [dp](const std::string& mesh, const std::string& name) {
        return xdsWarnings(dp->snapshots(), mesh, name);
      }};
  auto handler = std::make_shared<const api::ApiHandler>(std::move(options), std::move(deps));
  std::vector<api::ListenerOptions> listeners;
  if (config_.api_http.enabled) {
    listeners.push_back(
        {config_.api_http.interface, static_cast<uint16_t>(config_.api_http.port), std::nullopt});
  }
  if (config_.api_https.enabled) {
    URSA_ASSIGN_OR_RETURN(http::TlsFiles tls, apiTlsFiles(config_));
    listeners.push_back(
        {config_.api_https.interface, static_cast<uint16_t>(config_.api_https.port), tls});
  }
  URSA_ASSIGN_OR_RETURN(api_, api::ApiServer::start(handler, listeners, 4 << 20));
  size_t next = 0;
  if (config_.api_http.enabled) {
    api_http_port_ = api_->port(next++);
    logger("cp")->info("api: listening on {}:{} (http)", config_.api_http.interface, api_http_port_);
  }
  if (config_.api_https.enabled) {
    api_https_port_ = api_->port(next++);
    logger("cp")->info("api: listening on {}:{} (https)", config_.api_https.interface,
                       api_https_port_);
  }
  return absl::OkStatus();
}

absl::Status ControlPlane::ensureDefaultMesh() {
  const auto& mesh_type = model::TypeRegistry::instance().mesh();
  auto existing = store_->get({&mesh_type, "", "default"});
  if (existing.ok()) return absl::OkStatus();
  if (!absl::IsNotFound(existing.status())) return existing.status();
  model::Resource mesh;
  mesh.type = &mesh_type;
  mesh.meta.name = "default";
  mesh.spec = std::make_shared<ursa::mesh::v1alpha1::Mesh>();
  auto created = manager_->create(mesh);
  if (created.ok()) {
    logger("cp")->info("created mesh \"default\"");
    return absl::OkStatus();
  }
  // Another control plane on the same database may have won the race.
  if (absl::IsAlreadyExists(created.status())) return absl::OkStatus();
  return created.status();
}

}  // namespace ursa::cp
