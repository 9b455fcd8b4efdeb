#include "src/api/auth/jwt.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "ursa/common/strings.h"

namespace ursa::api::jwt {
namespace {

using Json = nlohmann::json;

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// The reason OpenSSL gives for its last failure, or `fallback`.
std::string opensslError(std::string_view fallback) {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return std::string(fallback);
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return strCat(fallback, ": ", buf);
}

absl::Status unauthenticated(std::string_view why) {
  return absl::UnauthenticatedError(std::string(why));
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

KeyPtr own(EVP_PKEY* key) { return KeyPtr(key, EVP_PKEY_free); }

// Decodes one part of a token into a JSON object.
absl::StatusOr<Json> decodeObject(std::string_view part, std::string_view what) {
  auto bytes = base64UrlDecode(part);
  if (!bytes.ok()) {
    return unauthenticated(strCat("malformed token: the ", what, " is not base64url"));
  }
  Json j = Json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return unauthenticated(strCat("malformed token: the ", what, " is not a JSON object"));
  }
  return j;
}

std::string formatTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

// The numeric date `claims[name]`: nullopt when absent, an error when not a number.
absl::StatusOr<std::optional<absl::Time>> numericDate(const Json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || it->is_null()) return std::optional<absl::Time>();
  if (!it->is_number()) {
    return unauthenticated(strCat("malformed token: `", name, "` is not a number"));
  }
  double seconds = it->get<double>();
  if (!(seconds > -1e11 && seconds < 1e11)) {
    return unauthenticated(strCat("malformed token: `", name, "` is out of range"));
  }
  return std::optional<absl::Time>(absl::UnixEpoch() + absl::Seconds(seconds));
}

}  // namespace

std::string base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t v = byte(i) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (rest == 2) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8;
    for (int shift : {18, 12, 6}) out += kAlphabet[(v >> shift) & 63];
  }
  return out;
}

absl::StatusOr<std::string> base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return absl::InvalidArgumentError("impossible base64url length");
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = sextet(c);
    if (v < 0) return absl::InvalidArgumentError(strCat("invalid base64url character '", c, "'"));
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  // Canonical encodings only: unused trailing bits must be zero, so that one
  // token has exactly one spelling.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return absl::InvalidArgumentError("non-canonical base64url ending");
  }
  return out;
}

absl::StatusOr<KeyPtr> generateRsaKey(int bits) {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1 ||
      EVP_PKEY_generate(ctx.get(), &key) != 1) {
    return absl::InternalError(opensslError("cannot generate an RSA key"));
  }
  return own(key);
}

absl::StatusOr<std::string> rsaPrivateKeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr,
                                                   nullptr) != 1) {
    return absl::InternalError(opensslError("cannot encode the RSA key"));
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

absl::StatusOr<KeyPtr> parseRsaPrivateKey(std::string_view data) {
  EVP_PKEY* key = nullptr;
  if (data.find("-----BEGIN") != std::string_view::npos) {
    BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
    if (bio) key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  } else {
    // Raw PKCS#1 DER, which Kuma accepts for keys stored by old versions.
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    key = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(data.size()));
  }
  if (key == nullptr) {
    return absl::InvalidArgumentError(opensslError("not a PEM or DER private key"));
  }
  KeyPtr owned = own(key);
  if (EVP_PKEY_is_a(key, "RSA") != 1) {
    return absl::InvalidArgumentError("the private key is not an RSA key");
  }
  return owned;
}

std::string Decoded::kid() const {
  auto it = header.find("kid");
  return it != header.end() && it->is_string() ? it->get<std::string>() : std::string();
}

absl::StatusOr<std::string> signRs256(const nlohmann::ordered_json& claims, std::string_view kid,
                                      EVP_PKEY* key) {
  nlohmann::ordered_json header = {{"alg", "RS256"}, {"kid", std::string(kid)}, {"typ", "JWT"}};
  std::string input = strCat(base64UrlEncode(header.dump()), ".", base64UrlEncode(claims.dump()));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size()) != 1) {
    return absl::InternalError(opensslError("cannot sign the token"));
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return absl::InternalError(opensslError("cannot sign the token"));
  }
  sig.resize(len);
  return strCat(input, ".", base64UrlEncode(sig));
}

absl::StatusOr<Decoded> decode(std::string_view token) {
  size_t first = token.find('.');
  size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return unauthenticated("malformed token: expected three dot-separated parts");
  }
  Decoded d;
  URSA_ASSIGN_OR_RETURN(d.header, decodeObject(token.substr(0, first), "header"));
  auto alg = d.header.find("alg");
  if (alg == d.header.end() || !alg->is_string()) {
    return unauthenticated("malformed token: the header has no `alg`");
  }
  if (*alg != "RS256") {
    return unauthenticated(
        strCat("token algorithm \"", alg->get<std::string>(), "\" is not accepted; only RS256 is"));
  }
  URSA_ASSIGN_OR_RETURN(d.claims,
                        decodeObject(token.substr(first + 1, second - first - 1), "claims"));
  auto sig = base64UrlDecode(token.substr(second + 1));
  if (!sig.ok() || sig->empty()) {
    return unauthenticated("malformed token: the signature is missing or not base64url");
  }
  d.signature = std::move(*sig);
  d.signing_input = std::string(token.substr(0, second));
  return d;
}

absl::Status verifySignature(const Decoded& token, EVP_PKEY* key) {
  if (key == nullptr || EVP_PKEY_is_a(key, "RSA") != 1) {
    return unauthenticated("the signing key is not an RSA key");
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(token.signature.data()),
                       token.signature.size(),
                       reinterpret_cast<const unsigned char*>(token.signing_input.data()),
                       token.signing_input.size()) == 1;
  ERR_clear_error();
  if (!ok) return unauthenticated("bad signature (the token was altered or signed by another key)");
  return absl::OkStatus();
}

absl::Status checkTimes(const nlohmann::json& claims, absl::Time now, absl::Duration leeway) {
  URSA_ASSIGN_OR_RETURN(auto exp, numericDate(claims, "exp"));
  URSA_ASSIGN_OR_RETURN(auto nbf, numericDate(claims, "nbf"));
  // `iat` must be a number when present but is not compared with the clock:
  // `nbf` says when validity starts (Kuma sets it to iat - 5m precisely so
  // that clocks a little apart accept each other's tokens).
  URSA_RETURN_IF_ERROR(numericDate(claims, "iat").status());
  if (!exp) return unauthenticated("the token has no expiry (`exp`)");
  if (now - leeway >= *exp) {
    return unauthenticated(strCat("the token expired at ", formatTime(*exp)));
  }
  if (nbf && now + leeway < *nbf) {
    return unauthenticated(strCat("the token is not valid before ", formatTime(*nbf)));
  }
  return absl::OkStatus();
}

std::string newUuid() {
  std::array<unsigned char, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    // RAND_bytes fails only when the system has no entropy source at all.
    std::abort();
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

}  // namespace ursa::api::jwt
