#pragma once

// Self-signed server certificates for ursa's TLS listeners (the HTTPS API
// now, the data plane server later), generated once and reused: the shape
// Kuma generates (CA:TRUE so clients can trust the certificate itself,
// serverAuth, 10 years), on an ECDSA P-256 key.

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "ursa/common/status.h"

namespace ursa::tls {

struct CertPem {
  std::string cert_pem;  // one PEM certificate
  std::string key_pem;   // PEM PKCS#8 private key
};

// A self-signed certificate for `hosts` (DNS names, or IPv4/IPv6 literals,
// which become IP SANs); the first host is the subject's common name.
// Valid from five minutes ago (clock skew) for `validity`.
absl::StatusOr<CertPem> generateSelfSignedCert(const std::vector<std::string>& hosts,
                                               absl::Duration validity = absl::Hours(24 * 3650));

// The names this machine answers to: localhost, 127.0.0.1, ::1, its hostname.
std::vector<std::string> localHostNames();

// Makes sure `cert_file` and `key_file` hold a certificate for `hosts`: when
// both exist they are kept (false: reused); otherwise a new pair is
// generated and written (true). Parent directories are created; the key is
// written with mode 0600. Files are written whole (temporary file, rename),
// the key first, so a crash never leaves a certificate without its key.
absl::StatusOr<bool> ensureSelfSignedCert(const std::string& cert_file, const std::string& key_file,
                                          const std::vector<std::string>& hosts);

}  // namespace ursa::tls
