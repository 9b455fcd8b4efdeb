#include "src/xds/generator/secrets.h"

#include "envoy/extensions/transport_sockets/tls/v3/secret.pb.h"

namespace ursa::xds::gen {

using envoy::extensions::transport_sockets::tls::v3::Secret;

void addSecrets(const ProxyContext& ctx, SnapshotBuilder& out) {
  if (!ctx.mesh->mtlsEnabled() || !ctx.certificate) return;
  const std::string& mesh = ctx.mesh->name();

  Secret identity;
  identity.set_name(names::identitySecret(mesh));
  auto* cert = identity.mutable_tls_certificate();
  cert->mutable_certificate_chain()->set_inline_bytes(ctx.certificate->cert_pem);
  cert->mutable_private_key()->set_inline_bytes(ctx.certificate->key_pem);
  out.add(TypeIndex::Secret, identity.name(), identity);

  Secret ca;
  ca.set_name(names::meshCaSecret(mesh));
  ca.mutable_validation_context()->mutable_trusted_ca()->set_inline_bytes(ctx.mesh->ca()->rootsPem());
  out.add(TypeIndex::Secret, ca.name(), ca);
}

}  // namespace ursa::xds::gen
