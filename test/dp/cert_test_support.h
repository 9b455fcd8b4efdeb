#pragma once

// Certificates for ursa-dp's tests: a CA, and leaves it signs, made with
// OpenSSL directly (ECDSA P-256, URI SAN spiffe://<mesh>/<service>).

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <string>

#include "src/common/openssl.h"

namespace ursa::dp::test {

struct Pem {
  std::string cert;
  std::string key;      // PKCS#8
  std::string key_sec1; // the same key as "EC PRIVATE KEY"
};

inline std::string sec1(EVP_PKEY* key) {
  tls::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

// A certificate for `subject` signed by `issuer` (self-signed when null).
inline Pem makeCert(const std::string& subject, const Pem* issuer, const std::string& san_uri = "") {
  auto key = tls::generateEcP256Key();
  tls::X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  (void)tls::setRandomSerial(cert.get(), 64);
  (void)tls::setValidity(cert.get(), absl::Now() - absl::Minutes(5), absl::Now() + absl::Hours(24));
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(subject.c_str()), -1, -1, 0);
  X509_set_pubkey(cert.get(), key->get());
  tls::X509Ptr issuer_cert;
  tls::PkeyPtr issuer_key;
  if (issuer != nullptr) {
    issuer_cert = std::move(tls::parseCertificatesPem(issuer->cert)->front());
    issuer_key = std::move(*tls::parsePrivateKeyPem(issuer->key));
    X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer_cert.get()));
    (void)tls::addExtension(cert.get(), issuer_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    if (!san_uri.empty()) {
      (void)tls::addExtension(cert.get(), issuer_cert.get(), NID_subject_alt_name, "URI:" + san_uri);
    }
    X509_sign(cert.get(), issuer_key.get(), EVP_sha256());
  } else {
    X509_set_issuer_name(cert.get(), name);
    (void)tls::addExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    X509_sign(cert.get(), key->get(), EVP_sha256());
  }
  return {*tls::certToPem(cert.get()), *tls::keyToPkcs8Pem(key->get()), sec1(key->get())};
}

}  // namespace ursa::dp::test
