#pragma once

// Certificate primitives of the mesh CAs (OpenSSL 3): key generation, the
// builtin root, loading and checking a CA pair, and issuing identity
// certificates. Shapes follow Kuma 2.2 (pkg/plugins/ca/builtin/ca.go,
// pkg/core/ca/issuer/issuer.go, pkg/plugins/ca/provided/ca_cert_validator.go);
// see docs/mtls.md.
//
// Thread-safety: free functions are reentrant; a SigningPair is immutable
// after loadSigningPair and may sign from many threads at once.

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "src/common/openssl.h"
#include "ursa/ca/certificate_authority.h"
#include "ursa/common/status.h"

namespace ursa::ca {

// Clock skew allowance: certificates start this long before "now".
inline constexpr absl::Duration kAllowedClockSkew = absl::Seconds(10);
inline constexpr absl::Duration kDefaultRootValidity = absl::Hours(24 * 365 * 10);  // 10y
inline constexpr absl::Duration kDefaultCertificateLifetime = absl::Hours(24);
inline constexpr int kDefaultRsaBits = 2048;  // Kuma's RSA size when RSAbits is 0
inline constexpr int kMinRsaBits = 1024;
inline constexpr int kMaxRsaBits = 8192;

struct KeySpec {
  enum class Algorithm { EcdsaP256, Rsa };
  Algorithm algorithm = Algorithm::EcdsaP256;
  int rsa_bits = kDefaultRsaBits;  // Rsa only

  static KeySpec ecdsaP256() { return {}; }
  static KeySpec rsa(int bits) { return {Algorithm::Rsa, bits}; }
  std::string describe() const;  // "ECDSA P-256", "RSA 2048"
};

// A new private key. InvalidArgument for an RSA size outside
// [kMinRsaBits, kMaxRsaBits].
absl::StatusOr<tls::PkeyPtr> generateKey(const KeySpec& spec);

// --- roots -------------------------------------------------------------------

struct PemPair {
  std::string cert_pem;
  std::string key_pem;  // PKCS#8
};

// The builtin root of `mesh` on `key`: subject O=Kuma, OU=Mesh, CN=<mesh>,
// URI SAN spiffe://<mesh>, CA:TRUE (critical), keyCertSign|cRLSign
// (critical), a subject key identifier, a 128-bit random serial, valid from
// now - kAllowedClockSkew to now + validity.
absl::StatusOr<std::string> makeRootCertPem(std::string_view mesh, EVP_PKEY* key,
                                            absl::Duration validity, absl::Time now);
// A new key of `spec` and its root.
absl::StatusOr<PemPair> generateRoot(std::string_view mesh, const KeySpec& spec,
                                     absl::Duration validity, absl::Time now);

// --- loading a CA --------------------------------------------------------------

// A CA able to sign: its certificate chain (the first certificate signs) and
// the key of the first certificate.
class SigningPair {
 public:
  X509* cert() const { return chain_.front().get(); }
  EVP_PKEY* key() const { return key_.get(); }
  // The chain as given, normalised to PEM (what peers trust).
  const std::string& chainPem() const { return chain_pem_; }

 private:
  friend absl::StatusOr<SigningPair> loadSigningPair(std::string_view, std::string_view,
                                                     std::string_view, std::string_view);
  std::vector<tls::X509Ptr> chain_;
  tls::PkeyPtr key_;
  std::string chain_pem_;
};

// Parses `cert_pem` (one or more certificates) and `key_pem` and checks them
// as Kuma checks a provided CA: every certificate is a CA (basicConstraints
// CA:TRUE), may sign certificates (keyUsage keyCertSign present) and does
// not allow keyAgreement; the key belongs to the first certificate.
// `cert_source` and `key_source` say where each came from ("conf.cert
// (secret \"ca-cert\")"), so that the error names the one at fault.
// Errors: InvalidArgument with a message naming the source.
absl::StatusOr<SigningPair> loadSigningPair(std::string_view cert_pem, std::string_view key_pem,
                                            std::string_view cert_source,
                                            std::string_view key_source);

// --- identity certificates ---------------------------------------------------

struct LeafOptions {
  absl::Duration lifetime = kDefaultCertificateLifetime;
  KeySpec key;
  absl::Time now;
};

// The URI SANs of `identity` in order: spiffe://<mesh>/<service> for each
// distinct service (sorted), then kuma://<tag>/<value> for every tag and
// value (sorted). InvalidArgument when the mesh is not a SPIFFE trust domain,
// a service not a SPIFFE path segment, or a tag holds characters a URI
// cannot carry.
absl::StatusOr<std::vector<std::string>> identityUris(const WorkloadIdentity& identity);

// Issues an identity certificate for `identity` signed by `ca` (see
// certificate_authority.h for its contents). `backend` is copied into the
// result.
absl::StatusOr<IssuedCertificate> issueLeaf(const SigningPair& ca, const WorkloadIdentity& identity,
                                            const LeafOptions& options, std::string_view backend);

}  // namespace ursa::ca
