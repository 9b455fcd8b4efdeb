#include "src/common/openssl.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <climits>
#include <functional>

#include "ursa/common/strings.h"

namespace ursa::tls {
namespace {

absl::StatusOr<std::string> toPem(const std::function<int(BIO*)>& write) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) return opensslError("cannot encode PEM");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

BioPtr readOnlyBio(std::string_view data) {
  if (data.size() > static_cast<size_t>(INT_MAX)) return nullptr;
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

}  // namespace

absl::Status opensslError(std::string_view what) {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  char buf[256] = "unknown error";
  if (e != 0) ERR_error_string_n(e, buf, sizeof buf);
  return absl::InternalError(strCat(what, ": ", buf));
}

absl::StatusOr<PkeyPtr> generateEcP256Key() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return opensslError("cannot generate an ECDSA P-256 key");
  return key;
}

absl::StatusOr<PkeyPtr> generateRsaKey(int bits) {
  PkeyPtr key(EVP_RSA_gen(static_cast<unsigned int>(bits)));
  if (!key) return opensslError(strCat("cannot generate an RSA ", bits, "-bit key"));
  return key;
}

absl::StatusOr<std::string> certToPem(X509* cert) {
  return toPem([&](BIO* b) { return PEM_write_bio_X509(b, cert); });
}

absl::StatusOr<std::string> keyToPkcs8Pem(EVP_PKEY* key) {
  return toPem([&](BIO* b) {
    return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  });
}

absl::StatusOr<std::vector<X509Ptr>> parseCertificatesPem(std::string_view pem) {
  ERR_clear_error();
  BioPtr bio = readOnlyBio(pem);
  if (!bio) return opensslError("cannot read PEM");
  std::vector<X509Ptr> certs;
  while (true) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    certs.push_back(std::move(cert));
  }
  // Reading stops with "no start line" at the end of the input; anything
  // else is a malformed block.
  unsigned long e = ERR_peek_last_error();
  bool clean_end = ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
  if (e != 0 && !clean_end) {
    return absl::InvalidArgumentError(opensslError("not a valid PEM certificate").message());
  }
  ERR_clear_error();
  if (certs.empty()) return absl::InvalidArgumentError("no PEM certificate found");
  return certs;
}

absl::StatusOr<PkeyPtr> parsePrivateKeyPem(std::string_view pem) {
  ERR_clear_error();
  BioPtr bio = readOnlyBio(pem);
  if (!bio) return opensslError("cannot read PEM");
  // An empty passphrase callback: an encrypted key fails instead of prompting.
  auto no_password = [](char*, int, int, void*) -> int { return 0; };
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr));
  if (!key) {
    return absl::InvalidArgumentError(
        opensslError("not a valid unencrypted PEM private key").message());
  }
  return key;
}

absl::Status setRandomSerial(X509* cert, int bits) {
  BnPtr serial(BN_new());
  if (!serial) return opensslError("cannot allocate a serial");
  do {
    if (BN_rand(serial.get(), bits, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) {
      return opensslError("cannot draw a random serial");
    }
  } while (BN_is_zero(serial.get()));
  if (BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) == nullptr) {
    return opensslError("cannot set the certificate serial");
  }
  return absl::OkStatus();
}

absl::Status setValidity(X509* cert, absl::Time not_before, absl::Time not_after) {
  if (ASN1_TIME_set(X509_getm_notBefore(cert), absl::ToTimeT(not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert), absl::ToTimeT(not_after)) == nullptr) {
    return opensslError("cannot set the certificate validity");
  }
  return absl::OkStatus();
}

absl::Time asn1TimeToAbsl(const ASN1_TIME* t) {
  struct tm tm = {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return absl::InfinitePast();
  return absl::FromUnixSeconds(timegm(&tm));
}

absl::Status addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return opensslError(strCat("cannot add certificate extension ", OBJ_nid2sn(nid)));
  }
  return absl::OkStatus();
}

const EVP_MD* signingDigest(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448")) return nullptr;
  if (EVP_PKEY_is_a(key, "EC")) {
    int bits = EVP_PKEY_get_bits(key);
    if (bits > 384) return EVP_sha512();
    if (bits > 256) return EVP_sha384();
  }
  return EVP_sha256();
}

}  // namespace ursa::tls
