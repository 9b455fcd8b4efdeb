#pragma once

// What the CA backends (builtin_backend.h, provided_backend.h) hand the
// CaManager: the CA material of one mesh backend and a fingerprint of where
// it came from, so that the manager rebuilds a CA only when the fingerprint
// changes. Resolving is cheap (Secrets are read from a snapshot when there is
// one); parsing and checking the PEM is left to the manager, on a miss.

#include <functional>
#include <string>
#include <string_view>

#include "src/ca/certificates.h"
#include "ursa/common/status.h"
#include "ursa/mesh/v1alpha1/mesh.pb.h"
#include "ursa/model/resource.h"

namespace ursa::ca {

// Reads a Secret of `mesh`: nullptr when it does not exist.
using SecretLookup = std::function<absl::StatusOr<model::ResourcePtr>(const std::string& mesh,
                                                                      const std::string& name)>;

// Some PEM bytes and where they came from.
struct PemSource {
  std::string description;    // for errors: "conf.cert (secret \"ca-cert\")"
  model::ResourcePtr secret;  // set when read from a Secret: its data holds the PEM
  std::string bytes;          // otherwise, the PEM itself
  std::string_view pem() const;
};

struct CaMaterial {
  PemSource cert;
  PemSource key;
  // Equal fingerprints (with equal backend settings) mean equal material:
  // the version, creation time and data of each Secret, the bytes of each file.
  std::string fingerprint;
};

using CertificateAuthorityBackend = ursa::mesh::v1alpha1::CertificateAuthorityBackend;

// The backend's settings as deterministic bytes, for fingerprints.
std::string backendFingerprint(std::string_view mesh, const CertificateAuthorityBackend& backend);
// A Secret's identity for fingerprints: name, version, creation time, data.
std::string secretFingerprint(const model::Resource& secret);
// dpCert.rotation.expiration, or kDefaultCertificateLifetime when empty.
// FailedPrecondition when malformed or not positive.
absl::StatusOr<absl::Duration> certificateLifetime(const CertificateAuthorityBackend& backend);
// Reads `backend.conf` as `typed`; FailedPrecondition naming the backend
// when it does not fit.
absl::Status decodeConf(const CertificateAuthorityBackend& backend,
                        google::protobuf::Message& typed);
// The PEM held by a Secret resource.
std::string_view secretData(const model::Resource& secret);

}  // namespace ursa::ca
