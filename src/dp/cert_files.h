#pragma once

// The certificate files of a proxyless gRPC application, as gRPC's
// `file_watcher` certificate provider reads them (the provider instance
// "default" of the bootstrap the control plane returns):
//   <dir>/ca.pem    the mesh's trusted CA bundle
//   <dir>/cert.pem  the workload's certificate chain (leaf first)
//   <dir>/key.pem   its private key, unencrypted PKCS#8
//
// Every file is replaced whole by rename (never seen half-written), and in
// the rotation-safe order: the CA bundle first, then the certificate and the
// key. A control plane rotating its CA first publishes a bundle holding the
// old and new roots, then leaves from the new root: written in this order,
// no peer ever holds a leaf its partner's bundle does not trust yet.

#include <sys/types.h>

#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "ursa/common/status.h"

namespace ursa::dp {

inline constexpr char kCaFile[] = "ca.pem";
inline constexpr char kCertFile[] = "cert.pem";
inline constexpr char kKeyFile[] = "key.pem";

struct CertificateSet {
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
  bool operator==(const CertificateSet&) const = default;
};

// Checks a set and normalizes it: the CA bundle and the chain parse as
// certificates, the key parses and belongs to the leaf; the key is rewritten
// as PKCS#8 (gRPC's provider wants it so). `not_after` receives the leaf's
// expiry. InvalidArgument naming the problem.
absl::StatusOr<CertificateSet> normalizeCertificates(const CertificateSet& in,
                                                     absl::Time* not_after = nullptr);

// Writes `content` to `path` through a temporary file in the same directory
// (written, flushed to disk, given `mode`, then renamed over `path`).
absl::Status writeFileAtomically(const std::string& path, std::string_view content, mode_t mode);

// Writes the set into `dir` (created 0700 if missing) in the order above,
// each file only when its content changed. ca.pem and cert.pem get 0644,
// key.pem 0600. Returns how many files were written.
absl::StatusOr<int> writeCertificateFiles(const std::string& dir, const CertificateSet& set);

}  // namespace ursa::dp
