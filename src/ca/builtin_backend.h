#pragma once

// The builtin CA backend: a root the control plane generates on first use
// and keeps as two Secrets of the mesh, named as Kuma names them:
//   <mesh>.ca-builtin-cert-<backend>   Secret.data = the root certificate (PEM)
//   <mesh>.ca-builtin-key-<backend>    Secret.data = its private key (PEM PKCS#8)
// Roots Kuma created (an "RSA PRIVATE KEY" in PKCS#1) are read as they are.
//
// conf (BuiltinCertificateAuthorityConfig): caCert.RSAbits set makes an RSA
// root of that size (0: 2048) and RSA 2048 identity keys; unset, ursa's
// default, an ECDSA P-256 root and identity keys (Kuma's default is RSA).
// caCert.expiration is the root's validity (Kuma's format, default 10y).
// Both apply only when the root is generated: changing them later keeps
// the existing root.
//
// Several control planes may race to create a root on one database. The key
// is created first and the certificate is made from whichever key won, so
// the two Secrets always match: a create that fails with AlreadyExists
// re-reads the winner's Secret, and a key left without its certificate (a
// control plane that stopped in between) gets one from the next caller.

#include <string>
#include <string_view>

#include "src/ca/ca_backend.h"
#include "ursa/store/resource_store.h"

namespace ursa::ca {

std::string builtinCertSecretName(std::string_view mesh, std::string_view backend);
std::string builtinKeySecretName(std::string_view mesh, std::string_view backend);

struct BuiltinSettings {
  KeySpec root_key;
  absl::Duration root_validity = kDefaultRootValidity;
  KeySpec leaf_key;
};
// Reads the backend's conf. FailedPrecondition when it is malformed.
absl::StatusOr<BuiltinSettings> builtinSettings(const CertificateAuthorityBackend& backend);

struct BuiltinContext {
  store::ResourceStore& store;      // where the root is created (and read when `lookup` misses)
  const SecretLookup& lookup;       // the fast read path (a snapshot); may be stale
  const BuiltinSettings& settings;  // the backend's conf
  absl::Time now;                   // the new root's start
};

// The root of (mesh, backend), created in the store when missing.
absl::StatusOr<CaMaterial> resolveBuiltin(const BuiltinContext& ctx, const std::string& mesh,
                                          const std::string& backend);

}  // namespace ursa::ca
