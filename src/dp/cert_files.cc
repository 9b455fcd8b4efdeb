#include "src/dp/cert_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "src/common/openssl.h"
#include "ursa/common/strings.h"

namespace ursa::dp {
namespace {

// The file's content, or nullopt when it cannot be read.
std::optional<std::string> currentContent(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

absl::StatusOr<CertificateSet> normalizeCertificates(const CertificateSet& in,
                                                     absl::Time* not_after) {
  auto roots = tls::parseCertificatesPem(in.ca_pem);
  if (!roots.ok()) {
    return absl::InvalidArgumentError(
        strCat("the mesh CA bundle is not valid: ", fromAbsl(roots.status().message())));
  }
  auto chain = tls::parseCertificatesPem(in.cert_pem);
  if (!chain.ok()) {
    return absl::InvalidArgumentError(
        strCat("the identity certificate is not valid: ", fromAbsl(chain.status().message())));
  }
  auto key = tls::parsePrivateKeyPem(in.key_pem);
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        strCat("the identity private key is not valid: ", fromAbsl(key.status().message())));
  }
  X509* leaf = chain->front().get();
  if (X509_check_private_key(leaf, key->get()) != 1) {
    (void)tls::opensslError("");  // drains OpenSSL's error queue
    return absl::InvalidArgumentError("the identity private key does not belong to its certificate");
  }
  if (not_after != nullptr) *not_after = tls::asn1TimeToAbsl(X509_get0_notAfter(leaf));
  CertificateSet out = in;
  URSA_ASSIGN_OR_RETURN(out.key_pem, tls::keyToPkcs8Pem(key->get()));
  return out;
}

std::string identityPem(const CertificateSet& set) {
  std::string out = set.cert_pem;
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out + set.key_pem;
}

absl::StatusOr<int> writeCertificateFiles(const std::string& dir, const CertificateSet& set) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return absl::UnavailableError(strCat("cannot create ", dir, ": ", ec.message()));
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  }
  struct File {
    const char* name;
    std::string content;
    mode_t mode;
    bool later_mtime;
  };
  // The order is the contract: the CA bundle before the identity.
  const File files[] = {{kCaFile, set.ca_pem, 0644, false},
                        {kIdentityFile, identityPem(set), 0600, true},
                        {kCertFile, set.cert_pem, 0644, false},
                        {kKeyFile, set.key_pem, 0600, false}};
  int written = 0;
  for (const File& f : files) {
    std::string path = strCat(dir, "/", f.name);
    if (currentContent(path) == f.content) continue;
    URSA_RETURN_IF_ERROR(writeFileAtomically(path, f.content, f.mode, f.later_mtime));
    ++written;
  }
  return written;
}

}  // namespace ursa::dp
