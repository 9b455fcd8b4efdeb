#pragma once

// JSON Web Tokens signed with RS256 (RSASSA-PKCS1-v1_5 over SHA-256), the
// only algorithm ursa issues or accepts, on OpenSSL 3's EVP interface.
//
// A token is `base64url(header).base64url(claims).base64url(signature)`
// without padding. Verification is split in steps so that a caller can pick
// the key by the header's `kid` before checking the signature:
//   decode()           structure, base64url, JSON objects, `alg` == RS256;
//   verifySignature()  the signature under one RSA public key;
//   checkTimes()       `exp` (required) and `nbf` against a clock, with a
//                      small tolerance for clock skew.
// Every refusal is Unauthenticated with a message that names the reason.
//
// Thread-safety: all functions are reentrant; a KeyPtr may be used by many
// threads at once (OpenSSL 3 keys are safe for concurrent read-only use).

#include <memory>
#include <string>
#include <string_view>

#include <openssl/types.h>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "ursa/common/status.h"

namespace ursa::api::jwt {

using KeyPtr = std::shared_ptr<EVP_PKEY>;

// Base64url without padding (RFC 7515 §2).
std::string base64UrlEncode(std::string_view bytes);
// InvalidArgument for characters outside the alphabet, padding, or an
// impossible length.
absl::StatusOr<std::string> base64UrlDecode(std::string_view text);

// A fresh RSA private key of `bits` bits.
absl::StatusOr<KeyPtr> generateRsaKey(int bits = 2048);
// PEM "RSA PRIVATE KEY" (PKCS#1), the encoding Kuma stores signing keys in.
absl::StatusOr<std::string> rsaPrivateKeyToPem(EVP_PKEY* key);
// Parses an RSA private key: PEM (PKCS#1 or PKCS#8) or raw PKCS#1 DER, as
// Kuma accepts. InvalidArgument when it is not an RSA private key.
absl::StatusOr<KeyPtr> parseRsaPrivateKey(std::string_view data);

// A token whose structure and algorithm are valid; nothing is verified yet.
struct Decoded {
  nlohmann::json header;      // an object; header["alg"] == "RS256"
  nlohmann::json claims;      // an object
  std::string signing_input;  // "<header>.<claims>", as received
  std::string signature;      // raw bytes

  // The `kid` header, or empty when absent or not a string.
  std::string kid() const;
};

// Signs `claims` with `key`: header {"alg":"RS256","kid":kid,"typ":"JWT"}.
absl::StatusOr<std::string> signRs256(const nlohmann::ordered_json& claims, std::string_view kid,
                                      EVP_PKEY* key);

// Checks the structure; Unauthenticated for anything but three base64url
// parts holding two JSON objects and an `alg` of RS256 (`none` included).
absl::StatusOr<Decoded> decode(std::string_view token);

// Unauthenticated unless `token.signature` is a valid RS256 signature of
// `token.signing_input` under `key` (an RSA key).
absl::Status verifySignature(const Decoded& token, EVP_PKEY* key);

// Unauthenticated when `exp` is missing or not after now - leeway, when
// `nbf` is after now + leeway, or when `exp`, `nbf` or `iat` is not a number.
absl::Status checkTimes(const nlohmann::json& claims, absl::Time now, absl::Duration leeway);

// A random (version 4) UUID, for `jti`.
std::string newUuid();

}  // namespace ursa::api::jwt
