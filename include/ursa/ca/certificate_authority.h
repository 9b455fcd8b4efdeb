#pragma once

// Mesh certificate authorities: every mesh with mTLS enabled has one CA
// backend (Mesh.mtls.enabledBackend), of type `builtin` (a root the control
// plane generates once and keeps as Secrets) or `provided` (a CA certificate
// and key the user supplies as DataSources). The CA signs each data plane
// proxy's identity certificate.
//
// Identity certificates follow Kuma: empty subject, URI SANs
// `spiffe://<mesh>/<service>` for each service the proxy serves plus
// `kuma://<tag>/<value>` for every tag it carries, key usages
// DigitalSignature|KeyEncipherment|KeyAgreement, extended usages
// ServerAuth|ClientAuth, NotBefore = now - 10s, NotAfter = now + the
// backend's dpCert.rotation.expiration (default 24h). Keys are ECDSA P-256
// unless the backend asks for RSA.
//
// Thread-safety: implementations are safe for concurrent use.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ursa/common/status.h"

namespace ursa::ca {

// Who a certificate is for.
struct WorkloadIdentity {
  std::string mesh;
  std::vector<std::string> services;                     // kuma.io/service values
  std::map<std::string, std::set<std::string>> tags;     // every tag of the proxy
};

struct IssuedCertificate {
  std::string cert_pem;      // the leaf
  std::string key_pem;       // PKCS#8 private key of the leaf
  absl::Time not_before;
  absl::Time not_after;
  std::string backend;       // the CA backend that signed it
  std::string serial_hex;
};

// One mesh's CA, ready to sign.
class MeshCa {
 public:
  virtual ~MeshCa() = default;
  // The mesh's trust anchors (PEM, one or more certificates): what peers
  // verify identity certificates against.
  virtual const std::string& rootsPem() const = 0;
  virtual const std::string& backendName() const = 0;
  virtual absl::StatusOr<IssuedCertificate> issue(const WorkloadIdentity& identity) const = 0;
  // How long identity certificates live (dpCert.rotation.expiration).
  virtual absl::Duration certificateLifetime() const = 0;
};
using MeshCaConstSharedPtr = std::shared_ptr<const MeshCa>;

// Regenerate a certificate once 4/5 of its lifetime has passed (Kuma's rule).
inline absl::Time renewalTime(const IssuedCertificate& c) {
  return c.not_before + (c.not_after - c.not_before) * 4 / 5;
}

}  // namespace ursa::ca
