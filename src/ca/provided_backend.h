#pragma once

// The provided CA backend: the user supplies the CA certificate (one or more
// PEM certificates; the first signs) and its private key as DataSources in
// conf (ProvidedCertificateAuthorityConfig {cert, key}):
//   secret        a Secret of the same mesh (its data is the PEM)
//   file          a file on the control plane's host, read on every call
//   inline        the bytes (base64 in YAML/JSON)
//   inlineString  the PEM as a string
// The pair is checked as Kuma checks it (certificates.h, loadSigningPair);
// identity certificates get ECDSA P-256 keys whatever the CA's key type.

#include <string>

#include "src/ca/ca_backend.h"
#include "ursa/mesh/v1alpha1/ca_config.pb.h"

namespace ursa::ca {

using ursa::mesh::v1alpha1::ProvidedCertificateAuthorityConfig;

// Reads the backend's conf. FailedPrecondition when it does not fit.
absl::StatusOr<ProvidedCertificateAuthorityConfig> providedConf(
    const CertificateAuthorityBackend& backend);

// Reads both DataSources. FailedPrecondition naming the DataSource when one
// is missing or empty, names a Secret that does not exist or a file that
// cannot be read. The fingerprint covers Secrets and files (inline data is
// part of the backend's settings).
absl::StatusOr<CaMaterial> resolveProvided(const SecretLookup& lookup, const std::string& mesh,
                                           const ProvidedCertificateAuthorityConfig& conf);

}  // namespace ursa::ca
