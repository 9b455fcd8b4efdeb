#pragma once

// How ursa-dp reaches the control plane: its address (`--cp-address`), the
// credentials of the gRPC channel its ADS streams use (TLS verified with
// `--ca-cert-file`), the dataplane token every stream presents as
// `authorization` metadata, and the node identity every stream announces.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "envoy/config/core/v3/base.pb.h"
#include "grpcpp/grpcpp.h"
#include "ursa/common/status.h"

namespace ursa::dp {

// `--cp-address`: "https://host[:port]" (the data plane server: POST
// /bootstrap and ADS on one port, 5678 by default). "http://" is accepted for
// tests and plaintext control planes.
struct CpAddress {
  bool tls = true;
  std::string host;     // without brackets for IPv6
  uint16_t port = 5678;
  std::string baseUrl() const;     // "https://host:port"
  std::string grpcTarget() const;  // "host:port" ("[::1]:5678")
};

// InvalidArgument naming the problem for anything but http(s)://host[:port][/].
absl::StatusOr<CpAddress> parseCpAddress(std::string_view url);

// A dataplane token given as text (`--dataplane-token`): `content` without
// surrounding whitespace. InvalidArgument naming `source` when it is empty or
// not a JWT (three base64url parts separated by dots).
absl::StatusOr<std::string> parseToken(std::string_view content, std::string_view source);

// Reads a dataplane token file: the token is the file's content without
// surrounding whitespace. NotFound for a missing file, InvalidArgument when
// the content is empty or not a JWT (three base64url parts separated by dots).
absl::StatusOr<std::string> readTokenFile(const std::string& path);

// Where the token comes from, asked anew for every stream (so a token file
// rotated on disk is picked up by the next stream).
using TokenSource = std::function<absl::StatusOr<std::string>()>;
TokenSource tokenFromFile(std::string path);
TokenSource fixedToken(std::string token);

// A channel to the control plane's ADS server. With TLS, the server is
// verified against `ca_pem`; an empty `ca_pem` skips verification (as kuma-dp
// does without --ca-cert-file; the caller warns).
std::shared_ptr<grpc::Channel> makeCpChannel(const CpAddress& address, const std::string& ca_pem);

// The identity a proxy announces on every ADS stream ursa-dp opens or relays.
struct ProxyIdentity {
  std::string node_id;        // "<mesh>.<name>"
  std::string proxy = "grpc";  // node metadata "ursa.proxy"
};

// Forces `node`'s id and its "ursa.proxy" metadata; keeps everything else
// (user agent, client features, locality).
void stampNode(envoy::config::core::v3::Node& node, const ProxyIdentity& identity);

// The gRPC metadata key of the dataplane token (Kuma's: the raw token, no
// "Bearer" prefix).
inline constexpr char kAuthorizationKey[] = "authorization";

}  // namespace ursa::dp
