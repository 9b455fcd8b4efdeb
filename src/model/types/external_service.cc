// ExternalService: descriptor and validation as Kuma 2.2's
// pkg/core/resources/apis/mesh/external_service_validator.go.

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "src/model/validators/mesh_helpers.h"
#include "ursa/mesh/v1alpha1/external_service.pb.h"

namespace ursa::model::types {
namespace {

using ursa::mesh::v1alpha1::ExternalService;

// Go's strconv.ParseUint(port, 10, 32), which Kuma uses: digits only. A
// value too large reads as the largest uint32, as in Go.
std::optional<uint64_t> parsePort(std::string_view port) {
  if (port.empty()) return std::nullopt;
  uint64_t n = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
    n = std::min<uint64_t>(n * 10 + static_cast<uint64_t>(c - '0'), UINT32_MAX);
  }
  return n;
}

void validateAddress(const std::string& address, const FieldPath& at, Violations& out) {
  if (address.empty()) {
    out.add(at, "address can't be empty");
    return;
  }
  auto hp = validators::splitHostPort(address);
  if (!hp) out.add(at, "unable to parse address");
  const std::string host = hp ? hp->host : "";
  if (!validators::isValidIp(host) && !validators::isDnsName(host)) {
    out.add(at, "address has to be a valid IP address or a domain name");
  }
  auto port = parsePort(hp ? hp->port : "");
  if (!port) out.add(at, "unable to parse port in address");
  validators::validatePort(port.value_or(0), at, out);
}

void validateTls(const ExternalService::Networking::TLS& tls, const FieldPath& at,
                 Violations& out) {
  if (tls.has_server_name() && tls.server_name().value().empty()) {
    out.add(at.field("serverName"), "cannot be empty");
  }
  if (tls.has_ca_cert()) validators::validateDataSource(tls.ca_cert(), at.field("caCert"), out);
  if (tls.has_client_cert()) {
    validators::validateDataSource(tls.client_cert(), at.field("clientCert"), out);
  }
  if (tls.has_client_key()) {
    validators::validateDataSource(tls.client_key(), at.field("clientKey"), out);
  }
}

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  const auto& spec = static_cast<const ExternalService&>(msg);
  const FieldPath networking = FieldPath::rootedAt("networking");
  if (!spec.has_networking()) {
    out.add(networking, "should have networking");
  } else {
    validateAddress(spec.networking().address(), networking.field("address"), out);
  }
  validateTls(spec.networking().tls(), networking.field("tls"), out);
  const FieldPath tags = FieldPath::rootedAt("tags");
  // Kuma reports the protocol before the other tag problems.
  validators::validateProtocolTag(spec.tags(), tags, out);
  validators::validateTagMap(spec.tags(), tags, {.require_service = true}, out);
}

TagSets tagsOf(const google::protobuf::Message& msg) {
  const auto& spec = static_cast<const ExternalService&>(msg);
  return {std::map<std::string, std::string>(spec.tags().begin(), spec.tags().end())};
}

}  // namespace

const ResourceType& externalService() {
  static const ResourceType kType{
      .name = "ExternalService",
      .scope = Scope::Mesh,
      .path = "external-services",
      .cli_singular = "external-service",
      .cli_plural = "external-services",
      .layout = SpecLayout::Flattened,
      .spec_prototype = &ExternalService::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .tags = tagsOf,
  };
  return kType;
}

}  // namespace ursa::model::types
