#include "src/common/tls_cert.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "src/common/openssl.h"
#include "ursa/common/files.h"
#include "ursa/common/strings.h"

namespace ursa::tls {
namespace {

bool isIp(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

std::string subjectAltNames(const std::vector<std::string>& hosts) {
  std::string out;
  for (const auto& h : hosts) {
    if (!out.empty()) out += ",";
    out += strCat(isIp(h) ? "IP:" : "DNS:", h);
  }
  return out;
}

absl::Status setSerialAndValidity(X509* cert, absl::Duration validity) {
  URSA_RETURN_IF_ERROR(setRandomSerial(cert, 127));
  absl::Time now = absl::Now();
  if (X509_set_version(cert, 2) != 1) return opensslError("cannot set the certificate version");
  return setValidity(cert, now - absl::Minutes(5), now + validity);
}

}  // namespace

absl::StatusOr<CertPem> generateSelfSignedCert(const std::vector<std::string>& hosts,
                                               absl::Duration validity) {
  if (hosts.empty()) return absl::InvalidArgumentError("a certificate needs at least one host");
  URSA_ASSIGN_OR_RETURN(PkeyPtr key, generateEcP256Key());
  X509Ptr cert(X509_new());
  if (!cert) return opensslError("cannot allocate a certificate");
  URSA_RETURN_IF_ERROR(setSerialAndValidity(cert.get(), validity));
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(hosts.front().c_str()), -1,
                                 -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1 || X509_set_pubkey(cert.get(), key.get()) != 1) {
    return opensslError("cannot set the certificate subject");
  }
  X509* self = cert.get();
  URSA_RETURN_IF_ERROR(addExtension(self, self, NID_basic_constraints, "critical,CA:TRUE"));
  URSA_RETURN_IF_ERROR(
      addExtension(self, self, NID_key_usage, "critical,digitalSignature,keyCertSign"));
  URSA_RETURN_IF_ERROR(addExtension(self, self, NID_ext_key_usage, "serverAuth"));
  URSA_RETURN_IF_ERROR(addExtension(self, self, NID_subject_key_identifier, "hash"));
  URSA_RETURN_IF_ERROR(addExtension(self, self, NID_subject_alt_name, subjectAltNames(hosts)));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return opensslError("cannot sign the certificate");
  }
  CertPem out;
  URSA_ASSIGN_OR_RETURN(out.cert_pem, certToPem(cert.get()));
  URSA_ASSIGN_OR_RETURN(out.key_pem, keyToPkcs8Pem(key.get()));
  return out;
}

std::vector<std::string> localHostNames() {
  std::vector<std::string> hosts = {"localhost", "127.0.0.1", "::1"};
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) == 0 && name[0] != '\0' &&
      std::string_view(name) != "localhost") {
    hosts.emplace_back(name);
  }
  return hosts;
}

absl::StatusOr<bool> ensureSelfSignedCert(const std::string& cert_file, const std::string& key_file,
                                          const std::vector<std::string>& hosts) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(cert_file, ec) && fs::exists(key_file, ec)) return false;
  for (const auto& f : {cert_file, key_file}) {
    fs::path parent = fs::path(f).parent_path();
    if (!parent.empty()) fs::create_directories(parent, ec);
    if (ec) {
      return absl::InternalError(strCat("cannot create ", parent.string(), ": ", ec.message()));
    }
  }
  URSA_ASSIGN_OR_RETURN(CertPem pem, generateSelfSignedCert(hosts));
  URSA_RETURN_IF_ERROR(writeFileAtomically(key_file, pem.key_pem, 0600));
  URSA_RETURN_IF_ERROR(writeFileAtomically(cert_file, pem.cert_pem, 0644));
  return true;
}

}  // namespace ursa::tls
