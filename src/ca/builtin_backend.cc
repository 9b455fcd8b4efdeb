#include "src/ca/builtin_backend.h"

#include "src/model/validators/mesh_helpers.h"
#include "ursa/common/logging.h"
#include "ursa/common/strings.h"
#include "ursa/mesh/v1alpha1/ca_config.pb.h"
#include "ursa/model/registry.h"
#include "ursa/system/v1alpha1/secret.pb.h"

namespace ursa::ca {
namespace {

using ursa::mesh::v1alpha1::BuiltinCertificateAuthorityConfig;

model::ResourceKey secretKey(const std::string& mesh, const std::string& name) {
  return {&model::TypeRegistry::instance().secret(), mesh, name};
}

// The Secret, or nullptr when it does not exist.
absl::StatusOr<model::ResourcePtr> getOrNull(store::ResourceStore& store,
                                             const model::ResourceKey& key) {
  auto r = store.get(key);
  if (absl::IsNotFound(r.status())) return model::ResourcePtr();
  return r;
}

// Creates the Secret `name` holding `data`; when another control plane
// created it first, returns theirs. Logs a creation.
absl::StatusOr<model::ResourcePtr> createOrReadWinner(store::ResourceStore& store,
                                                      const std::string& mesh,
                                                      const std::string& name, std::string data) {
  auto spec = std::make_shared<ursa::system::v1alpha1::Secret>();
  spec->set_data(std::move(data));
  model::Resource r;
  r.type = &model::TypeRegistry::instance().secret();
  r.meta.mesh = mesh;
  r.meta.name = name;
  r.spec = std::move(spec);
  auto created = store.create(r);
  if (created.ok()) logger("ca")->info("mesh \"{}\": created Secret \"{}\"", mesh, name);
  if (!absl::IsAlreadyExists(created.status())) return created;
  auto winner = store.get(secretKey(mesh, name));
  if (absl::IsNotFound(winner.status())) {
    return absl::AbortedError(
        strCat("Secret \"", name, "\" was deleted while being created; retry"));
  }
  return winner;
}

std::string describeSecret(const std::string& name) { return strCat("Secret \"", name, "\""); }

// Creates whichever Secret is missing; returns both.
absl::StatusOr<std::pair<model::ResourcePtr, model::ResourcePtr>> ensureRoot(
    const BuiltinContext& ctx, const std::string& mesh, const std::string& cert_name,
    const std::string& key_name) {
  URSA_ASSIGN_OR_RETURN(model::ResourcePtr key, getOrNull(ctx.store, secretKey(mesh, key_name)));
  URSA_ASSIGN_OR_RETURN(model::ResourcePtr cert, getOrNull(ctx.store, secretKey(mesh, cert_name)));
  if (cert && key) return std::make_pair(cert, key);
  if (cert && !key) {
    return absl::FailedPreconditionError(strCat(describeSecret(cert_name), " exists without ",
                                                describeSecret(key_name),
                                                "; delete it to have a new root generated"));
  }
  const BuiltinSettings& settings = ctx.settings;
  if (!key) {
    URSA_ASSIGN_OR_RETURN(tls::PkeyPtr pkey, generateKey(settings.root_key));
    URSA_ASSIGN_OR_RETURN(std::string pem, tls::keyToPkcs8Pem(pkey.get()));
    URSA_ASSIGN_OR_RETURN(key, createOrReadWinner(ctx.store, mesh, key_name, std::move(pem)));
  }
  // The certificate is made for the stored key, ours or the winner's.
  auto pkey = tls::parsePrivateKeyPem(secretData(*key));
  if (!pkey.ok()) {
    return absl::FailedPreconditionError(
        strCat(describeSecret(key_name), ": ", fromAbsl(pkey.status().message())));
  }
  URSA_ASSIGN_OR_RETURN(std::string cert_pem,
                        makeRootCertPem(mesh, pkey->get(), settings.root_validity, ctx.now));
  URSA_ASSIGN_OR_RETURN(cert, createOrReadWinner(ctx.store, mesh, cert_name, std::move(cert_pem)));
  return std::make_pair(cert, key);
}

}  // namespace

std::string builtinCertSecretName(std::string_view mesh, std::string_view backend) {
  return strCat(mesh, ".ca-builtin-cert-", backend);
}

std::string builtinKeySecretName(std::string_view mesh, std::string_view backend) {
  return strCat(mesh, ".ca-builtin-key-", backend);
}

absl::StatusOr<BuiltinSettings> builtinSettings(const CertificateAuthorityBackend& backend) {
  BuiltinCertificateAuthorityConfig conf;
  URSA_RETURN_IF_ERROR(decodeConf(backend, conf));
  BuiltinSettings out;
  if (conf.cacert().has_rsabits()) {
    uint32_t bits = conf.cacert().rsabits().value();
    int rsa_bits =
        bits == 0 ? kDefaultRsaBits : static_cast<int>(std::min<uint32_t>(bits, 1u << 30));
    if (rsa_bits < kMinRsaBits || rsa_bits > kMaxRsaBits) {
      return absl::FailedPreconditionError(strCat("conf.caCert.RSAbits ", bits, " is outside [",
                                                  kMinRsaBits, ", ", kMaxRsaBits, "]"));
    }
    out.root_key = KeySpec::rsa(rsa_bits);
    out.leaf_key = KeySpec::rsa(kDefaultRsaBits);
  }
  const std::string& expiration = conf.cacert().expiration();
  if (!expiration.empty()) {
    auto validity = model::validators::parseKumaDuration(expiration);
    if (!validity || *validity <= absl::ZeroDuration()) {
      return absl::FailedPreconditionError(strCat("conf.caCert.expiration \"", expiration,
                                                  "\" is not a positive duration such as \"10y\""));
    }
    out.root_validity = *validity;
  }
  return out;
}

absl::StatusOr<CaMaterial> resolveBuiltin(const BuiltinContext& ctx, const std::string& mesh,
                                          const std::string& backend) {
  const std::string cert_name = builtinCertSecretName(mesh, backend);
  const std::string key_name = builtinKeySecretName(mesh, backend);
  URSA_ASSIGN_OR_RETURN(model::ResourcePtr cert, ctx.lookup(mesh, cert_name));
  URSA_ASSIGN_OR_RETURN(model::ResourcePtr key, ctx.lookup(mesh, key_name));
  if (!cert || !key) {
    URSA_ASSIGN_OR_RETURN(auto pair, ensureRoot(ctx, mesh, cert_name, key_name));
    cert = std::move(pair.first);
    key = std::move(pair.second);
  }
  CaMaterial out;
  out.cert = {describeSecret(cert_name), cert, {}};
  out.key = {describeSecret(key_name), key, {}};
  out.fingerprint = strCat(secretFingerprint(*cert), secretFingerprint(*key));
  return out;
}

}  // namespace ursa::ca
