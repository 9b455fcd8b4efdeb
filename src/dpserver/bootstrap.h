#pragma once

// The data plane server's bootstrap endpoint, Kuma 2.2's `POST /bootstrap`
// (kuma-surface.md §4.4), over HTTPS on the data plane server port.
//
// Request (JSON):
//   {mesh, name, proxyType: "dataplane", dataplaneToken,
//    dataplaneResource: "<Dataplane as JSON or YAML>",  // optional: self-registration
//    version: {kumaDp: {version}, envoy: {version}},    // informative
//    caCert: "<PEM the proxy uses to verify the control plane>",
//    ursa: {proxy: "envoy" | "grpc",                    // ursa's extension; default envoy
//           xdsServerUri: "127.0.0.1:5679",             // grpc: where the app's xDS client dials
//           certificateDir: "/run/ursa/web-1"}}          // grpc: identity.pem, ca.pem
// Response:
//   with `Accept: application/json`: {"bootstrap": "<base64>", "kumaSidecarConfiguration": {...}}
//   otherwise the bootstrap itself (YAML for Envoy, JSON for gRPC), header
//   `kuma-bootstrap-version: 3`.
//   Envoy: a v3 bootstrap (node id "<mesh>.<name>", ADS over TLS to the
//   control plane with the token as `authorization` metadata, admin on
//   127.0.0.1:<admin port>).
//   gRPC: a gRPC xDS bootstrap (xds_servers -> `xdsServerUri`, insecure
//   channel: ursa-dp relays to the control plane over TLS with the token;
//   node with metadata "ursa.proxy": "grpc"; the file_watcher certificate
//   provider "default" reading `certificateDir` (identity.pem as both the
//   certificate and the key file, ca.pem as the roots); the server listener
//   template "grpc/server?xds.resource.listening_address=%s").
// Errors (plain text body naming the problem): 401 bad token, 403 the token
// may not act as this Dataplane, 400 bad request, 404 Dataplane not found
// (when no dataplaneResource is given), 422 invalid Dataplane (with Kuma's
// causes), 500 otherwise.

#include <optional>
#include <string>

#include "src/http/server.h"
#include "ursa/common/status.h"

namespace ursa::dpserver {

struct BootstrapRequest {
  std::string mesh;
  std::string name;
  std::string proxy_type = "dataplane";
  std::string dataplane_token;
  std::string dataplane_resource;  // empty: the Dataplane must exist
  std::string ca_cert;
  std::string envoy_version;
  std::string proxy = "envoy";     // "envoy" | "grpc"
  std::string xds_server_uri;      // grpc
  std::string certificate_dir;     // grpc
  uint32_t admin_port = 9901;
};

// Parses the request body; InvalidArgument naming the field at fault.
absl::StatusOr<BootstrapRequest> parseBootstrapRequest(std::string_view body);

// Where proxies reach the control plane's xDS server.
struct XdsEndpoint {
  std::string host;
  uint16_t port = 5678;
  std::string ca_pem;  // what the proxy verifies the server with (Envoy profile)
};

// The Envoy v3 bootstrap, as YAML.
std::string envoyBootstrap(const BootstrapRequest& req, const XdsEndpoint& xds,
                           const std::string& service);
// The gRPC xDS bootstrap, as JSON.
std::string grpcBootstrap(const BootstrapRequest& req, const std::string& service);

}  // namespace ursa::dpserver
