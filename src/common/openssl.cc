#include "src/common/openssl.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>
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

// --- ECDSA P-256 fast paths ----------------------------------------------------
//
// OpenSSL 3.0 serialises keys through its provider encoders and decoders,
// whose lookup dominates the cost of an identity certificate (X509_set_pubkey
// alone encodes the key and decodes it back). For the one key type ursa
// generates, P-256 on a named curve with uncompressed points, the DER is
// fixed and small, and is written here directly; every other key takes the
// generic path. Tests check the bytes are the generic path's.

constexpr size_t kP256PointBytes = 65;   // 0x04 || X || Y
constexpr size_t kP256ScalarBytes = 32;

bool isP256(EVP_PKEY* key) {
  if (!EVP_PKEY_is_a(key, "EC")) return false;
  char group[32] = {};
  size_t len = 0;
  return EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                        &len) == 1 &&
         std::string_view(group, len) == "prime256v1";
}

// The uncompressed public point, or false.
bool p256Point(EVP_PKEY* key, unsigned char (&point)[kP256PointBytes]) {
  size_t len = 0;
  return EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
                                         sizeof point, &len) == 1 &&
         len == kP256PointBytes && point[0] == 0x04;
}

using P8Ptr = std::unique_ptr<PKCS8_PRIV_KEY_INFO,
                              OpenSslDeleter<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>>;

// PKCS#8 PrivateKeyInfo of a P-256 key: algorithm id-ecPublicKey with the
// curve's OID, and an RFC 5915 ECPrivateKey {1, d, [1] point} (the curve is
// in the algorithm, so the ECPrivateKey omits it, as OpenSSL does).
P8Ptr p256Pkcs8(EVP_PKEY* key) {
  unsigned char point[kP256PointBytes];
  BIGNUM* d = nullptr;
  if (!p256Point(key, point) || EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1) {
    return nullptr;
  }
  BnPtr scalar(d);
  // 30 6b | 02 01 01 | 04 20 <d> | a1 44 03 42 00 <point>
  static constexpr unsigned char kHead[] = {0x30, 0x6b, 0x02, 0x01, 0x01, 0x04, 0x20};
  static constexpr unsigned char kMid[] = {0xa1, 0x44, 0x03, 0x42, 0x00};
  constexpr int kLen = sizeof kHead + kP256ScalarBytes + sizeof kMid + kP256PointBytes;
  auto* der = static_cast<unsigned char*>(OPENSSL_malloc(kLen));
  if (der == nullptr) return nullptr;
  unsigned char* at = std::copy(std::begin(kHead), std::end(kHead), der);
  if (BN_bn2binpad(scalar.get(), at, kP256ScalarBytes) != static_cast<int>(kP256ScalarBytes)) {
    OPENSSL_clear_free(der, kLen);
    return nullptr;
  }
  at = std::copy(std::begin(kMid), std::end(kMid), at + kP256ScalarBytes);
  std::copy(std::begin(point), std::end(point), at);
  P8Ptr p8(PKCS8_PRIV_KEY_INFO_new());
  if (!p8 || PKCS8_pkey_set0(p8.get(), OBJ_nid2obj(NID_X9_62_id_ecPublicKey), 0, V_ASN1_OBJECT,
                             OBJ_nid2obj(NID_X9_62_prime256v1), der, kLen) != 1) {
    OPENSSL_clear_free(der, kLen);
    return nullptr;
  }
  return p8;
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
  // One key generation context per thread: setting one up costs more than
  // generating the key.
  using CtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpenSslDeleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
  thread_local CtxPtr ctx;
  if (!ctx) {
    CtxPtr fresh(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (!fresh || EVP_PKEY_keygen_init(fresh.get()) != 1 ||
        EVP_PKEY_CTX_set_group_name(fresh.get(), "P-256") != 1) {
      return opensslError("cannot set up ECDSA P-256 key generation");
    }
    ctx = std::move(fresh);
  }
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &key) != 1) {
    return opensslError("cannot generate an ECDSA P-256 key");
  }
  return PkeyPtr(key);
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
  if (isP256(key)) {
    if (P8Ptr p8 = p256Pkcs8(key)) {
      return toPem([&](BIO* b) { return PEM_write_bio_PKCS8_PRIV_KEY_INFO(b, p8.get()); });
    }
  }
  return toPem([&](BIO* b) {
    return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  });
}

absl::Status setPublicKey(X509* cert, EVP_PKEY* key) {
  unsigned char point[kP256PointBytes];
  if (isP256(key) && p256Point(key, point)) {
    auto* bits = static_cast<unsigned char*>(OPENSSL_memdup(point, sizeof point));
    if (bits != nullptr &&
        X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(cert),
                               OBJ_nid2obj(NID_X9_62_id_ecPublicKey), V_ASN1_OBJECT,
                               OBJ_nid2obj(NID_X9_62_prime256v1), bits, sizeof point) == 1) {
      return absl::OkStatus();
    }
    OPENSSL_free(bits);
  }
  if (X509_set_pubkey(cert, key) != 1) return opensslError("cannot set the public key");
  return absl::OkStatus();
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
  // Fetched once: the legacy EVP_sha256() handle is fetched again on every use.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (EVP_PKEY_is_a(key, "EC")) {
    int bits = EVP_PKEY_get_bits(key);
    if (bits > 384) return EVP_sha512();
    if (bits > 256) return EVP_sha384();
  }
  return kSha256 != nullptr ? kSha256 : EVP_sha256();
}

}  // namespace ursa::tls
