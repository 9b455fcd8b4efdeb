#include "src/dp/control_plane.h"

#include <algorithm>
#include <cctype>

#include "grpcpp/security/tls_certificate_verifier.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "src/dp/dataplane_file.h"
#include "ursa/common/strings.h"

namespace ursa::dp {
namespace {

absl::Status badAddress(std::string_view url, std::string_view why) {
  return absl::InvalidArgumentError(strCat("--cp-address \"", url, "\" is invalid: ", why));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool isBase64Url(std::string_view part) {
  return !part.empty() && std::all_of(part.begin(), part.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '=';
  });
}

}  // namespace

std::string CpAddress::baseUrl() const { return strCat(tls ? "https://" : "http://", grpcTarget()); }

std::string CpAddress::grpcTarget() const {
  bool v6 = host.find(':') != std::string::npos;
  return v6 ? strCat("[", host, "]:", port) : strCat(host, ":", port);
}

absl::StatusOr<CpAddress> parseCpAddress(std::string_view url) {
  CpAddress out;
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    out.tls = false;
    rest.remove_prefix(7);
  } else {
    return badAddress(url, "it must start with https:// (or http://)");
  }
  while (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) return badAddress(url, "it must not have a path");
  std::string_view port;
  if (rest.starts_with('[')) {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return badAddress(url, "unclosed '[' in the host");
    out.host = std::string(rest.substr(1, close - 1));
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (!after.starts_with(':')) return badAddress(url, "unexpected text after the host");
      port = after.substr(1);
    }
  } else {
    size_t colon = rest.rfind(':');
    out.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (out.host.empty()) return badAddress(url, "it has no host");
  if (!port.empty() || rest.ends_with(':')) {
    int value = 0;
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c)) || value > 65535) {
        return badAddress(url, "the port is not a number");
      }
      value = value * 10 + (c - '0');
    }
    if (port.empty() || value < 1 || value > 65535) {
      return badAddress(url, "the port must be within 1-65535");
    }
    out.port = static_cast<uint16_t>(value);
  }
  return out;
}

absl::StatusOr<std::string> parseToken(std::string_view content, std::string_view source) {
  std::string_view token = trim(content);
  if (token.empty()) return absl::InvalidArgumentError(strCat(source, " is empty"));
  size_t first = token.find('.');
  size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  bool jwt = second != std::string_view::npos && token.find('.', second + 1) == std::string_view::npos &&
             isBase64Url(token.substr(0, first)) &&
             isBase64Url(token.substr(first + 1, second - first - 1)) &&
             isBase64Url(token.substr(second + 1));
  if (!jwt) {
    return absl::InvalidArgumentError(strCat(
        source,
        " does not hold a dataplane token (a JWT: three base64url parts separated by dots); "
        "generate one with `ursactl generate dataplane-token --name NAME --mesh MESH`"));
  }
  return std::string(token);
}

absl::StatusOr<std::string> readTokenFile(const std::string& path) {
  URSA_ASSIGN_OR_RETURN(std::string content, readFile("dataplane token file", path));
  return parseToken(content, strCat("dataplane token file \"", path, "\""));
}

TokenSource tokenFromFile(std::string path) {
  return [path = std::move(path)] { return readTokenFile(path); };
}

TokenSource fixedToken(std::string token) {
  return [token = std::move(token)]() -> absl::StatusOr<std::string> { return token; };
}

std::shared_ptr<grpc::Channel> makeCpChannel(const CpAddress& address, const std::string& ca_pem) {
  std::shared_ptr<grpc::ChannelCredentials> creds;
  if (!address.tls) {
    creds = grpc::InsecureChannelCredentials();
  } else if (!ca_pem.empty()) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ca_pem;
    creds = grpc::SslCredentials(ssl);
  } else {
    grpc::experimental::TlsChannelCredentialsOptions tls;
    tls.set_verify_server_certs(false);
    tls.set_check_call_host(false);
    tls.set_certificate_verifier(std::make_shared<grpc::experimental::NoOpCertificateVerifier>());
    creds = grpc::experimental::TlsCredentials(tls);
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);  // a proxy's configuration can be large
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 60'000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20'000);
  // Reconnect quickly after a control plane restart.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 500);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5'000);
  return grpc::CreateCustomChannel(address.grpcTarget(), creds, args);
}

void stampNode(envoy::config::core::v3::Node& node, const ProxyIdentity& identity) {
  node.set_id(identity.node_id);
  (*node.mutable_metadata()->mutable_fields())["ursa.proxy"].set_string_value(identity.proxy);
}

}  // namespace ursa::dp
