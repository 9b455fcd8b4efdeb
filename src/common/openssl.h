#pragma once

// Small OpenSSL 3 helpers shared by the TLS listener certificates
// (tls_cert.h) and the mesh certificate authorities (src/ca): owning
// pointers for OpenSSL objects, error reporting, key generation, PEM
// encoding and decoding, and certificate extensions.
//
// Every function drains OpenSSL's thread-local error queue on failure, so a
// failed call never leaks a stale error into the next one.

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "ursa/common/status.h"

namespace ursa::tls {

template <typename T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BIGNUM, BN_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<X509_EXTENSION, X509_EXTENSION_free>>;
using NamePtr = std::unique_ptr<X509_NAME, OpenSslDeleter<X509_NAME, X509_NAME_free>>;
using StorePtr = std::unique_ptr<X509_STORE, OpenSslDeleter<X509_STORE, X509_STORE_free>>;
using StoreCtxPtr =
    std::unique_ptr<X509_STORE_CTX, OpenSslDeleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using GeneralNamesPtr =
    std::unique_ptr<GENERAL_NAMES, OpenSslDeleter<GENERAL_NAMES, GENERAL_NAMES_free>>;

// `what`, then OpenSSL's first queued error (the queue is cleared), as an
// Internal status.
absl::Status opensslError(std::string_view what);

// --- keys --------------------------------------------------------------------

// P-256 on its named curve, uncompressed points (the default).
absl::StatusOr<PkeyPtr> generateEcP256Key();
// RSA with public exponent 65537.
absl::StatusOr<PkeyPtr> generateRsaKey(int bits);

// --- PEM ---------------------------------------------------------------------

absl::StatusOr<std::string> certToPem(X509* cert);
// "-----BEGIN PRIVATE KEY-----" (unencrypted PKCS#8), whatever the key type.
absl::StatusOr<std::string> keyToPkcs8Pem(EVP_PKEY* key);
// Every certificate in `pem`, in order; InvalidArgument when there is none
// or one is malformed. Text between PEM blocks is ignored.
absl::StatusOr<std::vector<X509Ptr>> parseCertificatesPem(std::string_view pem);
// One unencrypted private key: PKCS#8 ("PRIVATE KEY"), or the traditional
// PKCS#1 ("RSA PRIVATE KEY", as Kuma stores its roots) and SEC1
// ("EC PRIVATE KEY") forms. InvalidArgument when malformed or encrypted.
absl::StatusOr<PkeyPtr> parsePrivateKeyPem(std::string_view pem);

// --- certificates ------------------------------------------------------------

// X509_set_pubkey, minus OpenSSL 3.0's encoder round trip for P-256 keys.
// For those, X509_get0_pubkey(cert) stays null until the certificate is
// parsed again (the encoded key, which signing and extensions use, is set).
absl::Status setPublicKey(X509* cert, EVP_PKEY* key);
// A random positive serial of `bits` bits (never zero).
absl::Status setRandomSerial(X509* cert, int bits);
// Sets notBefore/notAfter to the given instants (second precision).
absl::Status setValidity(X509* cert, absl::Time not_before, absl::Time not_after);
absl::Time asn1TimeToAbsl(const ASN1_TIME* t);
// Adds an extension in OpenSSL's configuration syntax ("critical,CA:TRUE"),
// with `issuer` as the issuing certificate (itself when self-signed).
absl::Status addExtension(X509* cert, X509* issuer, int nid, const std::string& value);
// The digest to sign with for `key`: SHA-256 (SHA-384/512 for larger EC
// curves), or none for keys that hash internally (Ed25519, Ed448).
const EVP_MD* signingDigest(EVP_PKEY* key);

}  // namespace ursa::tls
