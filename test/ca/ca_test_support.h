#pragma once

// Helpers for the CA tests: Mesh resources from YAML, certificate
// inspection, chain verification with OpenSSL's X509_verify_cert, and CA
// pairs of deliberately wrong shapes.

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include <string>
#include <vector>

#include "src/ca/certificates.h"
#include "src/common/openssl.h"
#include "ursa/model/codec.h"
#include "ursa/model/resource.h"

namespace ursa::ca::testing {

inline model::Resource meshFromYaml(const std::string& yaml) {
  auto doc = model::parseYaml(yaml);
  EXPECT_TRUE(doc.ok()) << doc.status();
  auto r = model::decodeResource(*doc);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : model::Resource{};
}

inline tls::X509Ptr parseCert(const std::string& pem) {
  auto certs = tls::parseCertificatesPem(pem);
  EXPECT_TRUE(certs.ok()) << certs.status();
  if (!certs.ok()) return nullptr;
  return std::move(certs->front());
}

// Every URI SAN, in order; `critical` says whether the extension is.
inline std::vector<std::string> uriSans(X509* cert, bool* critical = nullptr) {
  int crit = -1;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, &crit, nullptr));
  if (critical != nullptr) *critical = crit == 1;
  std::vector<std::string> out;
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type != GEN_URI) continue;
    const ASN1_IA5STRING* s = gn->d.uniformResourceIdentifier;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
  }
  GENERAL_NAMES_free(names);
  return out;
}

inline std::string nameText(const X509_NAME* name) {
  tls::BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

// "" when `leaf_pem` verifies against `roots_pem` at `at` for `purpose`
// (X509_PURPOSE_SSL_SERVER, ...), otherwise OpenSSL's reason.
inline std::string verifyLeaf(const std::string& leaf_pem, const std::string& roots_pem,
                              absl::Time at, int purpose) {
  tls::X509Ptr leaf = parseCert(leaf_pem);
  auto roots = tls::parseCertificatesPem(roots_pem);
  if (!leaf || !roots.ok()) return "unparsable";
  tls::StorePtr store(X509_STORE_new());
  for (auto& root : *roots) X509_STORE_add_cert(store.get(), root.get());
  tls::StoreCtxPtr ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr);
  X509_STORE_CTX_set_purpose(ctx.get(), purpose);
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), absl::ToTimeT(at));
  if (X509_verify_cert(ctx.get()) == 1) return "";
  return X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
}

// A self-signed certificate with the given extensions, for CA pairs of
// the wrong shape. `basic_constraints` / `key_usage` empty: extension absent.
inline PemPair selfSigned(const std::string& basic_constraints, const std::string& key_usage,
                          absl::Time now) {
  auto key = tls::generateEcP256Key();
  tls::X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  X509_set_pubkey(cert.get(), key->get());
  EXPECT_TRUE(tls::setRandomSerial(cert.get(), 64).ok());
  EXPECT_TRUE(tls::setValidity(cert.get(), now - absl::Hours(1), now + absl::Hours(24 * 365)).ok());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (!basic_constraints.empty()) {
    EXPECT_TRUE(
        tls::addExtension(cert.get(), cert.get(), NID_basic_constraints, basic_constraints).ok());
  }
  if (!key_usage.empty()) {
    EXPECT_TRUE(tls::addExtension(cert.get(), cert.get(), NID_key_usage, key_usage).ok());
  }
  X509_sign(cert.get(), key->get(), EVP_sha256());
  return {*tls::certToPem(cert.get()), *tls::keyToPkcs8Pem(key->get())};
}

// `key_pem` rewritten in the traditional form ("RSA PRIVATE KEY" for RSA,
// "EC PRIVATE KEY" for EC), as Kuma stores its roots.
inline std::string traditionalKeyPem(const std::string& key_pem) {
  auto key = tls::parsePrivateKeyPem(key_pem);
  tls::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey_traditional(bio.get(), key->get(), nullptr, nullptr, 0, nullptr,
                                       nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

}  // namespace ursa::ca::testing
