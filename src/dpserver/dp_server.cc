#include "src/dpserver/dp_server.h"

#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "ursa/common/logging.h"
#include "ursa/common/strings.h"
#include "ursa/mesh/v1alpha1/dataplane.pb.h"
#include "ursa/model/codec.h"
#include "ursa/common/files.h"
#include "ursa/model/registry.h"

namespace ursa::dpserver {

namespace {


http::Response plain(int status, std::string message) {
  return http::Response::text(status, message + "\n");
}

// The status code and message of a failed step, as Kuma's bootstrap answers.
http::Response failure(const absl::Status& s) {
  std::string message(fromAbsl(s.message()));
  switch (s.code()) {
    case absl::StatusCode::kUnauthenticated: return plain(401, message);
    case absl::StatusCode::kPermissionDenied: return plain(403, message);
    case absl::StatusCode::kNotFound: return plain(404, message);
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition: return plain(422, message);
    case absl::StatusCode::kUnavailable: return plain(503, message);
    default: return plain(500, message);
  }
}

std::string serviceOf(const model::Resource& dataplane) {
  const auto& net = static_cast<const ursa::mesh::v1alpha1::Dataplane&>(*dataplane.spec).networking();
  for (const auto& in : net.inbound()) {
    auto it = in.tags().find("kuma.io/service");
    if (it != in.tags().end()) return it->second;
  }
  auto it = net.gateway().tags().find("kuma.io/service");
  return it != net.gateway().tags().end() ? it->second : "";
}

// The host a proxy used to reach us, without the port.
std::string hostOf(const http::Request& req) {
  std::string host = req.header("host");
  if (host.empty()) return "127.0.0.1";
  if (host.front() == '[') return host.substr(1, host.find(']') - 1);
  return host.substr(0, host.rfind(':') == std::string::npos ? host.size() : host.rfind(':'));
}

}  // namespace

DpServer::DpServer(const DpServerOptions& options, DpServerDeps deps)
    : options_(options), deps_(std::move(deps)) {}

absl::StatusOr<std::unique_ptr<DpServer>> DpServer::start(const DpServerOptions& options,
                                                          DpServerDeps deps) {
  std::unique_ptr<DpServer> s(new DpServer(options, std::move(deps)));
  URSA_ASSIGN_OR_RETURN(s->ca_pem_, readFile(options.cert_file));
  s->reconciler_ = std::make_unique<xds::Reconciler>(s->deps_.cache, s->snapshots_, s->deps_.ca,
                                                     s->deps_.metrics, s->deps_.clock);
  s->insights_ = std::make_unique<InsightRecorder>(s->deps_.manager.store(),
                                                   options.control_plane_id, s->deps_.clock,
                                                   options.insight_flush_interval);
  s->reconciler_->onCertificate([r = s->insights_.get()](const std::string& node,
                                                         const ca::IssuedCertificate& cert) {
    r->certificate(node, cert);
  });
  s->callbacks_ = std::make_unique<XdsCallbacks>(
      s->deps_.manager.store(), *s->reconciler_, *s->insights_, s->deps_.tokens, s->deps_.metrics,
      XdsCallbacksOptions{.require_tokens = options.require_tokens,
                          .deregistration_delay = options.deregistration_delay});
  xds::AdsServerOptions ads{.tls = xds::TlsCredentialFiles{options.cert_file, options.key_file},
                            .external_connections_only = true};
  URSA_ASSIGN_OR_RETURN(s->ads_, xds::AdsServer::start(ads, s->snapshots_, *s->callbacks_));

  http::ServerOptions https;
  https.name = "dp-server";
  https.address = options.address;
  https.port = options.port;
  https.tls = http::TlsFiles{options.cert_file, options.key_file};
  https.max_connections = 100'000;  // every proxy keeps one ADS connection open
  https.handoff_alpn = "h2";
  https.handoff = [ads = s->ads_.get()](int fd, std::string bytes) {
    ads->handleConnection(fd, std::move(bytes));
  };
  DpServer* self = s.get();
  URSA_ASSIGN_OR_RETURN(s->https_, http::Server::start(https, [self](const http::Request& r) {
                          return self->handle(r);
                        }));
  return s;
}

DpServer::~DpServer() { stop(); }

void DpServer::stop() {
  if (https_) https_->stop();
  if (ads_) ads_->stop();
}

http::Response DpServer::handle(const http::Request& req) {
  if (req.path == "/bootstrap") {
    if (req.method != "POST") return plain(405, "use POST /bootstrap");
    return bootstrap(req);
  }
  return plain(404, strCat("no endpoint at ", req.path, "; proxies use POST /bootstrap and ADS"));
}

absl::StatusOr<model::ResourcePtr> DpServer::registerDataplane(
    const BootstrapRequest& req, const api::DataplaneIdentity* identity) {
  auto doc = model::parseYaml(req.dataplane_resource);  // JSON is YAML
  if (!doc.ok()) {
    return absl::InvalidArgumentError(
        strCat("dataplaneResource: ", fromAbsl(doc.status().message())));
  }
  auto decoded = model::decodeResource(
      *doc, {.allow_unknown_fields = options_.allow_unknown_fields});
  if (!decoded.ok()) return decoded.status();
  if (decoded->type != &model::TypeRegistry::instance().dataplane() ||
      decoded->meta.name != req.name || decoded->meta.mesh != req.mesh) {
    return absl::InvalidArgumentError(strCat(
        "dataplaneResource must be the Dataplane \"", req.name, "\" of mesh \"", req.mesh, "\""));
  }
  if (identity) URSA_RETURN_IF_ERROR(api::authorizeDataplane(*identity, *decoded));
  URSA_ASSIGN_OR_RETURN(auto result, deps_.manager.upsert(*decoded));
  callbacks_->markSelfRegistered(strCat(req.mesh, ".", req.name));
  return result.resource;
}

http::Response DpServer::bootstrap(const http::Request& req) {
  auto parsed = parseBootstrapRequest(req.body);
  if (!parsed.ok()) return plain(400, std::string(fromAbsl(parsed.status().message())));
  const BootstrapRequest& r = *parsed;
  std::optional<api::DataplaneIdentity> identity;
  if (options_.require_tokens) {
    if (r.dataplane_token.empty()) return plain(401, "dataplaneToken is required");
    if (!deps_.tokens) return plain(401, "dataplane tokens are not available");
    auto validated = deps_.tokens->validate(r.dataplane_token, r.mesh);
    if (!validated.ok()) return failure(validated.status());
    identity = *validated;
  }
  model::ResourcePtr dataplane;
  if (!r.dataplane_resource.empty()) {
    auto registered = registerDataplane(r, identity ? &*identity : nullptr);
    if (!registered.ok()) {
      std::string message(fromAbsl(registered.status().message()));
      return failure(absl::Status(registered.status().code(), message));
    }
    dataplane = *registered;
  } else {
    auto existing =
        deps_.manager.store().get({&model::TypeRegistry::instance().dataplane(), r.mesh, r.name});
    if (!existing.ok()) return failure(existing.status());
    if (identity) {
      if (auto s = api::authorizeDataplane(*identity, **existing); !s.ok()) return failure(s);
    }
    dataplane = *existing;
  }
  std::string service = serviceOf(*dataplane);
  std::string body = r.proxy == "grpc"
                         ? grpcBootstrap(r, service)
                         : envoyBootstrap(r, XdsEndpoint{hostOf(req), port(), ca_pem_}, service);
  logger("xds")->info("bootstrap for {}.{} ({})", r.mesh, r.name, r.proxy);
  if (req.header("accept").find("application/json") != std::string::npos) {
    model::Json out = {{"bootstrap", absl::Base64Escape(body)},
                       {"kumaSidecarConfiguration",
                        {{"networking", {{"isUsingTransparentProxy", false}}},
                         {"metrics", {{"aggregate", model::Json::array()}}}}}};
    http::Response res = http::Response::json(200, out.dump());
    res.headers.emplace_back("kuma-bootstrap-version", "3");
    return res;
  }
  http::Response res{200, r.proxy == "grpc" ? "application/json" : "text/x-yaml", body, {}};
  res.headers.emplace_back("kuma-bootstrap-version", "3");
  return res;
}

}  // namespace ursa::dpserver
