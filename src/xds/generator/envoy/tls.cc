// Mesh mTLS contexts (Kuma 2.2's pkg/xds/envoy/tls/v3): both sides take the
// proxy's identity from SDS secret identity_cert:secret:<mesh> and the trust
// anchors from mesh_ca:secret:<mesh>, both over ADS (see secrets.h).

#include "src/xds/generator/envoy/envoy_internal.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen::envoy_profile {

namespace {

using envoy::extensions::transport_sockets::tls::v3::CommonTlsContext;
using envoy::extensions::transport_sockets::tls::v3::DownstreamTlsContext;
using envoy::extensions::transport_sockets::tls::v3::SdsSecretConfig;
using envoy::extensions::transport_sockets::tls::v3::SubjectAltNameMatcher;
using envoy::extensions::transport_sockets::tls::v3::UpstreamTlsContext;

void setSdsSecret(SdsSecretConfig* config, const std::string& name) {
  config->set_name(name);
  setAds(config->mutable_sds_config());
}

// The identity and the mesh CA by SDS; returns the SAN matcher to fill.
envoy::type::matcher::v3::StringMatcher* meshCommonTls(CommonTlsContext* common,
                                                       const std::string& mesh) {
  auto* combined = common->mutable_combined_validation_context();
  auto* san = combined->mutable_default_validation_context()->add_match_typed_subject_alt_names();
  san->set_san_type(SubjectAltNameMatcher::URI);
  setSdsSecret(combined->mutable_validation_context_sds_secret_config(), names::meshCaSecret(mesh));
  setSdsSecret(common->add_tls_certificate_sds_secret_configs(), names::identitySecret(mesh));
  return san->mutable_matcher();
}

}  // namespace

DownstreamTlsContext downstreamTls(const std::string& mesh) {
  DownstreamTlsContext tls;
  meshCommonTls(tls.mutable_common_tls_context(), mesh)->set_prefix(strCat("spiffe://", mesh, "/"));
  tls.mutable_require_client_certificate()->set_value(true);
  return tls;
}

UpstreamTlsContext upstreamTls(const std::string& mesh, const std::string& service) {
  UpstreamTlsContext tls;
  auto* common = tls.mutable_common_tls_context();
  meshCommonTls(common, mesh)->set_exact(names::spiffeId(mesh, service));
  common->add_alpn_protocols(kKumaAlpn);
  tls.set_sni(meshSni(service, mesh));
  return tls;
}

void setTlsTransportSocket(envoy::config::core::v3::TransportSocket* socket,
                           const google::protobuf::Message& context) {
  socket->set_name(kTlsTransportSocket);
  pack(context, socket->mutable_typed_config());
}

std::string meshSni(const std::string& service, const std::string& mesh) {
  return strCat(service, "{mesh=", mesh, "}");
}

}  // namespace ursa::xds::gen::envoy_profile
