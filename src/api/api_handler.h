#pragma once

// The REST API (Kuma 2.2's paths and shapes, see router.h and rest.h) as one
// HTTP handler: authenticate, route, check access, serve.
//
// Writes go through core::ResourceManager (defaults, validation, Kuma's
// rules); reads go to the store. PUT creates (201) or updates (200) and
// answers with an empty body, as Kuma 2.2 does; DELETE answers 200.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "src/api/auth/user.h"
#include "src/api/router.h"
#include "src/core/resource_manager.h"
#include "src/http/server.h"

namespace ursa::api {

class UserTokenIssuer;

// The xDS configuration the control plane serves the proxy of Dataplane
// (mesh, name), as JSON; NotFound (with a message saying why) when that
// proxy is not connected.
using XdsConfigSource =
    std::function<absl::StatusOr<nlohmann::ordered_json>(const std::string& mesh,
                                                        const std::string& name)>;
// The generator warnings (xds::Snapshot::warnings: what the proxy cannot
// take as the policies ask) of the configuration served to the proxy of
// Dataplane (mesh, name); nullopt when that proxy is not connected.
using XdsWarningsSource = std::function<std::optional<std::vector<std::string>>(
    const std::string& mesh, const std::string& name)>;
class DataplaneTokens;

struct ApiOptions {
  size_t max_body_bytes = 4 << 20;
  bool read_only = false;            // apiServer.readOnly
  bool allow_unknown_fields = false;  // store.allowUnknownFields
  std::string instance_id;
  std::string hostname;
  nlohmann::ordered_json config;  // served at /config (secrets already redacted)
};

struct ApiDeps {
  core::ResourceManager& manager;
  AuthenticatorSharedPtr authenticator;
  AccessControlSharedPtr access;
  // Issues user tokens for POST /tokens/user; null: the endpoint answers 501.
  std::shared_ptr<UserTokenIssuer> user_tokens;
  // Issues dataplane tokens for POST /tokens/dataplane; null: the endpoint answers 501.
  std::shared_ptr<const DataplaneTokens> dataplane_tokens;
  // Serves GET /meshes/{mesh}/dataplanes/{name}/xds; null: that endpoint answers 501.
  XdsConfigSource xds_config;
  // Adds generator warnings to .../{name}/policies and /rules; null: none shown.
  XdsWarningsSource xds_warnings;
};

class ApiHandler {
 public:
  ApiHandler(ApiOptions options, ApiDeps deps);
  http::Response handle(const http::Request& req) const;

 private:
  http::Response dispatch(const http::Request& req, const Route& route, const User& user) const;
  http::Response list(const http::Request& req, const Route& route, const User& user) const;
  http::Response get(const http::Request& req, const Route& route, const User& user) const;
  http::Response put(const http::Request& req, const Route& route, const User& user) const;
  http::Response remove(const http::Request& req, const Route& route, const User& user) const;
  http::Response overviews(const http::Request& req, const Route& route) const;
  http::Response overview(const http::Request& req, const Route& route) const;
  http::Response index(const http::Request& req) const;
  http::Response policies(const http::Request& req) const;
  http::Response globalInsights(const http::Request& req) const;
  http::Response userToken(const http::Request& req, const User& user) const;
  http::Response dataplaneToken(const http::Request& req, const User& user) const;
  // inspect_endpoints.cc
  http::Response inspect(const http::Request& req, const Route& route, const User& user) const;
  http::Response dataplaneXds(const http::Request& req, const Route& route) const;
  http::Response explain(const http::Request& req, const Route& route, const User& user) const;

  ApiOptions options_;
  ApiDeps deps_;
};

}  // namespace ursa::api
