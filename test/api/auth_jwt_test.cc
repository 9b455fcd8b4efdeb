// RS256 JWTs (src/api/auth/jwt.h): encoding, signing, and every refusal.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <openssl/ec.h>
#include <openssl/evp.h>

#include "src/api/auth/jwt.h"
#include "test/api/auth_test_support.h"

namespace ursa::api::jwt {
namespace {

using test::forgeToken;
using test::rs256Header;
using test::userClaims;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);

// RSA key generation is slow; the tests share two keys.
EVP_PKEY* keyA() {
  static KeyPtr k = *generateRsaKey(2048);
  return k.get();
}
EVP_PKEY* keyB() {
  static KeyPtr k = *generateRsaKey(2048);
  return k.get();
}

std::string messageOf(const absl::Status& s) { return std::string(s.message()); }

// Decodes and verifies under `key`; the first refusal.
absl::Status verify(const std::string& token, EVP_PKEY* key) {
  auto d = decode(token);
  if (!d.ok()) return d.status();
  return verifySignature(*d, key);
}

TEST(Base64UrlTest, RoundTripsEveryLengthWithoutPadding) {
  std::string bytes;
  for (int i = 0; i < 70; ++i) {
    std::string enc = base64UrlEncode(bytes);
    EXPECT_EQ(enc.find_first_of("=+/"), std::string::npos) << enc;
    auto dec = base64UrlDecode(enc);
    ASSERT_TRUE(dec.ok()) << dec.status();
    EXPECT_EQ(*dec, bytes);
    bytes += static_cast<char>(i * 37 + 250);
  }
  EXPECT_EQ(base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Base64UrlTest, RejectsPaddingForeignCharactersAndNonCanonicalEndings) {
  EXPECT_FALSE(base64UrlDecode("YQ==").ok());
  EXPECT_FALSE(base64UrlDecode("a+b/").ok());
  EXPECT_FALSE(base64UrlDecode("Y").ok());   // impossible length
  EXPECT_TRUE(base64UrlDecode("YQ").ok());   // "a"
  EXPECT_FALSE(base64UrlDecode("YR").ok());  // "a" with stray low bits
}

TEST(JwtTest, SignedTokenVerifiesAndCarriesItsHeaderAndClaims) {
  nlohmann::ordered_json claims = {{"Name", "alice"}, {"exp", 1}};
  auto token = signRs256(claims, "7", keyA());
  ASSERT_TRUE(token.ok()) << token.status();
  auto d = decode(*token);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->header, (nlohmann::json{{"alg", "RS256"}, {"kid", "7"}, {"typ", "JWT"}}));
  EXPECT_EQ(d->kid(), "7");
  EXPECT_EQ(d->claims["Name"], "alice");
  EXPECT_TRUE(verifySignature(*d, keyA()).ok());
}

TEST(JwtTest, TokenSignedByAnotherKeyIsRefused) {
  auto token = signRs256({{"Name", "alice"}}, "1", keyB());
  ASSERT_TRUE(token.ok());
  absl::Status s = verify(*token, keyA());
  EXPECT_TRUE(absl::IsUnauthenticated(s)) << s;
  EXPECT_THAT(messageOf(s), HasSubstr("bad signature"));
}

TEST(JwtTest, TamperedClaimsAreRefused) {
  auto token = signRs256({{"Name", "alice"}, {"Groups", {"team-a"}}}, "1", keyA());
  ASSERT_TRUE(token.ok());
  size_t a = token->find('.'), b = token->rfind('.');
  std::string forged = token->substr(0, a + 1) +
                       base64UrlEncode(R"({"Name":"alice","Groups":["mesh-system:admin"]})") +
                       token->substr(b);
  absl::Status s = verify(forged, keyA());
  EXPECT_TRUE(absl::IsUnauthenticated(s)) << s;
  EXPECT_THAT(messageOf(s), HasSubstr("bad signature"));
}

TEST(JwtTest, AlgorithmsOtherThanRs256AreRefusedBeforeAnyKeyIsUsed) {
  for (std::string alg : {"none", "None", "HS256", "RS512", "ES256", "PS256"}) {
    auto forged = forgeToken({{"alg", alg}, {"kid", "1"}}, userClaims(kNow), nullptr);
    auto d = decode(forged);
    ASSERT_FALSE(d.ok()) << alg;
    EXPECT_TRUE(absl::IsUnauthenticated(d.status()));
    EXPECT_THAT(messageOf(d.status()), HasSubstr("\"" + alg + "\" is not accepted"));
  }
  auto no_alg = decode(forgeToken({{"kid", "1"}}, userClaims(kNow), keyA()));
  EXPECT_THAT(messageOf(no_alg.status()), HasSubstr("no `alg`"));
}

TEST(JwtTest, MalformedTokensAreRefusedWithTheReason) {
  std::string good = forgeToken(rs256Header(), userClaims(kNow), keyA());
  std::string header = good.substr(0, good.find('.'));
  struct Case {
    std::string token;
    std::string reason;
  };
  for (const Case& c : std::vector<Case>{
           {"", "three dot-separated parts"},
           {"abc", "three dot-separated parts"},
           {"a.b", "three dot-separated parts"},
           {good + ".x", "three dot-separated parts"},
           {"!!!." + good.substr(good.find('.') + 1), "header is not base64url"},
           {base64UrlEncode("[1]") + ".e30.c2ln", "header is not a JSON object"},
           {header + "." + base64UrlEncode("not json") + ".c2ln", "claims is not a JSON object"},
           {header + ".e30.", "signature is missing"},
       }) {
    auto d = decode(c.token);
    ASSERT_FALSE(d.ok()) << c.token;
    EXPECT_TRUE(absl::IsUnauthenticated(d.status()));
    EXPECT_THAT(messageOf(d.status()), HasSubstr(c.reason)) << c.token;
  }
}

TEST(JwtTest, TimesAreCheckedWithLeeway) {
  absl::Duration leeway = absl::Minutes(1);
  auto at = [](absl::Duration d) { return absl::ToUnixSeconds(kNow + d); };
  EXPECT_TRUE(checkTimes({{"exp", at(absl::Hours(1))}}, kNow, leeway).ok());
  // Expired, but within the leeway: still accepted; beyond it: refused.
  EXPECT_TRUE(checkTimes({{"exp", at(-absl::Seconds(30))}}, kNow, leeway).ok());
  absl::Status expired = checkTimes({{"exp", at(-absl::Minutes(2))}}, kNow, leeway);
  EXPECT_TRUE(absl::IsUnauthenticated(expired));
  EXPECT_THAT(messageOf(expired), HasSubstr("expired at 2023-11-14T22:11:20Z"));
  // Not yet valid.
  absl::Status early =
      checkTimes({{"exp", at(absl::Hours(2))}, {"nbf", at(absl::Hours(1))}}, kNow, leeway);
  EXPECT_TRUE(absl::IsUnauthenticated(early));
  EXPECT_THAT(messageOf(early), HasSubstr("not valid before"));
  EXPECT_TRUE(
      checkTimes({{"exp", at(absl::Hours(2))}, {"nbf", at(absl::Seconds(30))}}, kNow, leeway).ok());
  // iat is informative only (nbf starts validity), but must be a number.
  EXPECT_TRUE(
      checkTimes({{"exp", at(absl::Hours(2))}, {"iat", at(absl::Hours(1))}}, kNow, leeway).ok());
  EXPECT_THAT(messageOf(checkTimes({{"exp", at(absl::Hours(2))}, {"iat", "x"}}, kNow, leeway)),
              HasSubstr("`iat` is not a number"));
  // exp is required, and numbers must be numbers.
  EXPECT_THAT(messageOf(checkTimes({}, kNow, leeway)), HasSubstr("no expiry"));
  EXPECT_THAT(messageOf(checkTimes({{"exp", "tomorrow"}}, kNow, leeway)),
              HasSubstr("`exp` is not a number"));
}

TEST(JwtTest, PrivateKeysAreStoredAsPkcs1PemAndParsedBack) {
  auto pem = rsaPrivateKeyToPem(keyA());
  ASSERT_TRUE(pem.ok());
  EXPECT_TRUE(pem->starts_with("-----BEGIN RSA PRIVATE KEY-----")) << *pem;
  auto parsed = parseRsaPrivateKey(*pem);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(EVP_PKEY_eq(parsed->get(), keyA()), 1);

  EXPECT_FALSE(parseRsaPrivateKey("garbage").ok());
  EXPECT_FALSE(parseRsaPrivateKey("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n").ok());
  KeyPtr ec(EVP_EC_gen("P-256"), EVP_PKEY_free);
  auto ec_pem = rsaPrivateKeyToPem(ec.get());  // any key encodes; only RSA parses back
  ASSERT_TRUE(ec_pem.ok());
  auto not_rsa = parseRsaPrivateKey(*ec_pem);
  EXPECT_THAT(messageOf(not_rsa.status()), HasSubstr("not an RSA key"));
}

TEST(JwtTest, UuidsAreVersion4AndDistinct) {
  std::string a = newUuid(), b = newUuid();
  EXPECT_NE(a, b);
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '4');
  EXPECT_NE(std::string("89ab").find(a[19]), std::string::npos);
}

}  // namespace
}  // namespace ursa::api::jwt
