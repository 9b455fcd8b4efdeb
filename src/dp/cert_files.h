#pragma once

// The certificate files of a proxyless gRPC application, as gRPC's
// `file_watcher` certificate provider reads them (the provider instance
// "default" of the bootstrap the control plane returns):
//   <dir>/ca.pem        the mesh's trusted CA bundle
//   <dir>/identity.pem  the workload's certificate chain (leaf first)
//                       followed by its private key (PKCS#8): the file the
//                       bootstrap names as both `certificate_file` and
//                       `private_key_file`
//   <dir>/cert.pem      the chain alone, and
//   <dir>/key.pem       the key alone, for people and tools (no gRPC reads them)
//
// Every file is replaced whole by rename (never seen half-written), and in
// the rotation-safe order: the CA bundle first, then the identity. A control
// plane rotating its CA first publishes a bundle holding the old and new
// roots, then leaves from the new root: written in this order, no peer ever
// holds a leaf its partner's bundle does not trust yet.
//
// The chain and key share one file so that a provider never pairs a new
// certificate with the old key: both change in one rename. The providers
// read the file twice (once as the certificate, once as the key); gRPC C++
// 1.51 compares the file's modification time (whole seconds) before and
// after, so every new identity.pem gets a modification time later than the
// one it replaces, and a rename between the two reads makes it read again.
// grpc-js reads both at once with no such check: a torn pair needs the
// rename to land between its two open() calls.

#include <sys/types.h>

#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "ursa/common/files.h"  // writeFileAtomically
#include "ursa/common/status.h"

namespace ursa::dp {

inline constexpr char kCaFile[] = "ca.pem";
inline constexpr char kCertFile[] = "cert.pem";
inline constexpr char kKeyFile[] = "key.pem";
inline constexpr char kIdentityFile[] = "identity.pem";

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

// The content of identity.pem for a normalized set: the chain, then the key.
std::string identityPem(const CertificateSet& set);

// Writes the set into `dir` (created 0700 if missing) in the order above,
// each file only when its content changed. ca.pem and cert.pem get 0644,
// identity.pem and key.pem 0600. Returns how many files were written.
absl::StatusOr<int> writeCertificateFiles(const std::string& dir, const CertificateSet& set);

}  // namespace ursa::dp
