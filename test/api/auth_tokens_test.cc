// User tokens over a real (memory) store: signing keys, the issuer in Kuma's
// format, the validator's refusals, revocation, rotation, the admin token.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <openssl/evp.h>

#include <regex>
#include <thread>

#include "src/api/auth/signing_keys.h"
#include "src/api/auth/user_token_setup.h"
#include "src/api/auth/user_tokens.h"
#include "src/store/memory/memory_store.h"
#include "test/api/auth_test_support.h"
#include "test/support/fake_clock.h"

namespace ursa::api {
namespace {

using test::forgeToken;
using test::Json;
using test::putGlobalSecret;
using test::rs256Header;
using test::tokenPart;
using test::userClaims;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const model::ResourceType& globalSecret() { return model::TypeRegistry::instance().globalSecret(); }

class UserTokensTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = std::make_shared<SigningKeys>(manager_, std::string(kUserTokenSigningKeyPrefix));
    ASSERT_TRUE(keys_->ensureDefaultKey().ok());
    revocations_ = std::make_shared<RevocationList>(store_, std::string(kUserTokenRevocations));
    validator_ = std::make_shared<UserTokenValidator>(keys_, revocations_, clock_);
    issuer_ = std::make_shared<JwtUserTokenIssuer>(keys_, clock_);
  }

  std::string issue(const std::string& name, std::vector<std::string> groups,
                    absl::Duration valid_for = absl::Hours(1)) {
    auto t = issuer_->issue({name, std::move(groups), valid_for});
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? *t : "";
  }

  // The refusal of `token`, or "" when it is accepted.
  std::string refusal(const std::string& token) {
    auto u = validator_->validate(token);
    if (u.ok()) return "";
    EXPECT_TRUE(absl::IsUnauthenticated(u.status())) << u.status();
    return std::string(u.status().message());
  }

  jwt::KeyPtr storedKey(const std::string& kid) {
    auto k = keys_->byKid(kid);
    EXPECT_TRUE(k.ok()) << k.status();
    return k.ok() ? *k : nullptr;
  }

  std::shared_ptr<::ursa::test::FakeClock> clock_ = std::make_shared<::ursa::test::FakeClock>();
  store::MemoryStore store_{clock_};
  core::ResourceManager manager_{store_, {}};
  std::shared_ptr<SigningKeys> keys_;
  std::shared_ptr<RevocationList> revocations_;
  std::shared_ptr<UserTokenValidator> validator_;
  std::shared_ptr<JwtUserTokenIssuer> issuer_;
};

TEST_F(UserTokensTest, DefaultKeyIsAnRsa2048PemGlobalSecretCreatedOnce) {
  std::string pem = test::globalSecretData(manager_, "user-token-signing-key-1");
  EXPECT_TRUE(pem.starts_with("-----BEGIN RSA PRIVATE KEY-----")) << pem;
  EXPECT_EQ(EVP_PKEY_get_bits(storedKey("1").get()), 2048);
  auto again = keys_->ensureDefaultKey();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(test::globalSecretData(manager_, "user-token-signing-key-1"), pem);
  auto all = store_.list({.type = &globalSecret()});
  EXPECT_EQ(all->total, 1u);
}

TEST_F(UserTokensTest, ControlPlanesRacingToCreateTheKeyAgreeOnOne) {
  store::MemoryStore shared;
  core::ResourceManager manager(shared, {});
  std::vector<std::shared_ptr<SigningKeys>> cps;
  for (int i = 0; i < 4; ++i) {
    cps.push_back(std::make_shared<SigningKeys>(manager, std::string(kUserTokenSigningKeyPrefix)));
  }
  std::vector<std::thread> threads;
  std::atomic<int> created{0};
  for (auto& cp : cps) {
    threads.emplace_back([&, cp] {
      auto r = cp->ensureDefaultKey();
      ASSERT_TRUE(r.ok()) << r.status();
      if (*r) ++created;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  auto first = cps[0]->latest();
  ASSERT_TRUE(first.ok());
  for (auto& cp : cps) {
    auto k = cp->latest();
    ASSERT_TRUE(k.ok());
    EXPECT_EQ(k->kid, "1");
    EXPECT_EQ(EVP_PKEY_eq(k->key.get(), first->key.get()), 1);
  }
}

TEST_F(UserTokensTest, IssuedTokensHaveKumasFormat) {
  absl::Time now = clock_->now();
  std::string token = issue("alice", {"team-a", "team-b"}, absl::Hours(24));
  Json header = tokenPart(token, 0);
  EXPECT_EQ(header, (Json{{"alg", "RS256"}, {"kid", "1"}, {"typ", "JWT"}}));
  Json claims = tokenPart(token, 1);
  EXPECT_EQ(claims["Name"], "alice");
  EXPECT_EQ(claims["Groups"], (Json{"team-a", "team-b"}));
  EXPECT_EQ(claims["iat"], absl::ToUnixSeconds(now));
  EXPECT_EQ(claims["nbf"], absl::ToUnixSeconds(now - absl::Minutes(5)));
  EXPECT_EQ(claims["exp"], absl::ToUnixSeconds(now + absl::Hours(24)));
  EXPECT_TRUE(std::regex_match(claims["jti"].get<std::string>(),
                               std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                          "[0-9a-f]{12}")))
      << claims["jti"];
  // The claims Kuma's Go struct writes, in its order.
  std::vector<std::string> keys;
  auto ordered = nlohmann::ordered_json::parse(*jwt::base64UrlDecode(
      token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1)));
  for (const auto& [k, v] : ordered.items()) keys.push_back(k);
  EXPECT_THAT(keys, ElementsAre("Name", "Groups", "exp", "nbf", "iat", "jti"));
}

TEST_F(UserTokensTest, ValidTokenGivesItsUser) {
  auto user = validator_->validate(issue("alice", {"team-a"}));
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(user->name, "alice");
  EXPECT_THAT(user->groups, ElementsAre("team-a"));
}

TEST_F(UserTokensTest, IssuerRefusesEmptyNamesAndNonPositiveValidity) {
  EXPECT_TRUE(absl::IsInvalidArgument(issuer_->issue({"", {}, absl::Hours(1)}).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(issuer_->issue({"a", {}, absl::ZeroDuration()}).status()));
  auto disabled = DisabledUserTokenIssuer().issue({"a", {}, absl::Hours(1)});
  EXPECT_TRUE(absl::IsFailedPrecondition(disabled.status()));
  EXPECT_THAT(std::string(disabled.status().message()), HasSubstr("enableIssuer"));
}

TEST_F(UserTokensTest, ExpiredTokensAreRefused) {
  std::string token = issue("alice", {}, absl::Hours(1));
  clock_->advance(absl::Hours(1) + absl::Minutes(2));
  EXPECT_THAT(refusal(token), HasSubstr("invalid user token: the token expired at"));
}

TEST_F(UserTokensTest, TokensNotYetValidAreRefused) {
  // Issued by a control plane whose clock runs an hour ahead.
  auto ahead = std::make_shared<::ursa::test::FakeClock>(clock_->now() + absl::Hours(1));
  JwtUserTokenIssuer issuer(keys_, ahead);
  auto token = issuer.issue({"alice", {}, absl::Hours(24)});
  ASSERT_TRUE(token.ok());
  EXPECT_THAT(refusal(*token), HasSubstr("not valid before"));
  // Kuma's nbf of now-5m absorbs small skews.
  auto slightly = std::make_shared<::ursa::test::FakeClock>(clock_->now() + absl::Minutes(4));
  EXPECT_EQ(refusal(*JwtUserTokenIssuer(keys_, slightly).issue({"a", {}, absl::Hours(1)})), "");
}

TEST_F(UserTokensTest, ForgedTokensAreRefusedWithTheReason) {
  absl::Time now = clock_->now();
  jwt::KeyPtr other = *jwt::generateRsaKey(2048);
  jwt::KeyPtr ours = storedKey("1");
  std::string good = issue("alice", {"team-a"});
  std::string tampered =
      good.substr(0, good.find('.') + 1) +
      jwt::base64UrlEncode(userClaims(now, "alice", {"mesh-system:admin"}).dump()) +
      good.substr(good.rfind('.'));
  Json no_kid = {{"alg", "RS256"}, {"typ", "JWT"}};
  Json claims_without_name = userClaims(now);
  claims_without_name.erase("Name");
  Json claims_without_jti = userClaims(now);
  claims_without_jti.erase("jti");
  Json bad_groups = userClaims(now);
  bad_groups["Groups"] = "mesh-system:admin";
  struct Case {
    std::string what, token, reason;
  };
  for (const Case& c : std::vector<Case>{
           {"another key", forgeToken(rs256Header(), userClaims(now), other.get()),
            "bad signature"},
           {"tampered claims", tampered, "bad signature"},
           {"alg none", forgeToken({{"alg", "none"}, {"kid", "1"}}, userClaims(now), nullptr),
            "\"none\" is not accepted"},
           {"HS256", forgeToken({{"alg", "HS256"}, {"kid", "1"}}, userClaims(now), ours.get()),
            "\"HS256\" is not accepted"},
           {"unknown kid", forgeToken(rs256Header("7"), userClaims(now), ours.get()),
            "no signing key with kid 7 (GlobalSecret \"user-token-signing-key-7\" does not exist)"},
           {"odd kid", forgeToken(rs256Header("../1"), userClaims(now), ours.get()),
            "no signing key with kid \"../1\""},
           {"no kid", forgeToken(no_kid, userClaims(now), ours.get()), "no `kid` header"},
           {"no name", forgeToken(rs256Header(), claims_without_name, ours.get()), "no user name"},
           {"no jti", forgeToken(rs256Header(), claims_without_jti, ours.get()), "no id (`jti`)"},
           {"groups", forgeToken(rs256Header(), bad_groups, ours.get()), "`Groups` is not a list"},
           {"garbage", "not-a-token", "malformed token"},
       }) {
    std::string why = refusal(c.token);
    EXPECT_THAT(why, HasSubstr("invalid user token: ")) << c.what;
    EXPECT_THAT(why, HasSubstr(c.reason)) << c.what;
  }
  // With a memory store, key refusals say why a token may have stopped working.
  EXPECT_THAT(refusal(forgeToken(rs256Header(), userClaims(now), other.get())),
              HasSubstr("keeps its state in memory"));
  EXPECT_THAT(refusal("not-a-token"), Not(HasSubstr("memory")));
  // The same claims, properly signed, pass: the refusals above are the forgeries'.
  EXPECT_EQ(refusal(forgeToken(rs256Header(), userClaims(now), ours.get())), "");
}

TEST_F(UserTokensTest, RevokedTokensAreRefusedAsSoonAsTheListChanges) {
  std::string token = issue("alice", {});
  std::string jti = tokenPart(token, 1)["jti"];
  EXPECT_EQ(refusal(token), "");  // and the absence of a revocation list is now cached
  ASSERT_TRUE(putGlobalSecret(manager_, "user-token-revocations", "other-id").ok());
  EXPECT_EQ(refusal(token), "");
  ASSERT_TRUE(putGlobalSecret(manager_, "user-token-revocations", "other-id, " + jti + "\n").ok());
  EXPECT_THAT(refusal(token), HasSubstr("token revoked"));
  EXPECT_THAT(refusal(token), HasSubstr(jti));
  // Other tokens are unaffected; un-revoking restores the token.
  EXPECT_EQ(refusal(issue("bob", {})), "");
  ASSERT_TRUE(manager_.remove({&globalSecret(), "", "user-token-revocations"}).ok());
  EXPECT_EQ(refusal(token), "");
}

TEST_F(UserTokensTest, RotationSignsWithTheNewestKeyAndDeletingAKeyVoidsItsTokens) {
  std::string old_token = issue("alice", {});
  jwt::KeyPtr k2 = *jwt::generateRsaKey(2048);
  ASSERT_TRUE(
      putGlobalSecret(manager_, "user-token-signing-key-2", *jwt::rsaPrivateKeyToPem(k2.get()))
          .ok());
  // A key another control plane added is found on the first miss.
  EXPECT_EQ(refusal(forgeToken(rs256Header("2"), userClaims(clock_->now()), k2.get())), "");
  std::string new_token = issue("alice", {});
  EXPECT_EQ(tokenPart(new_token, 0)["kid"], "2");
  EXPECT_EQ(refusal(old_token), "");
  EXPECT_EQ(refusal(new_token), "");

  ASSERT_TRUE(manager_.remove({&globalSecret(), "", "user-token-signing-key-1"}).ok());
  EXPECT_THAT(refusal(old_token), HasSubstr("no signing key with kid 1"));
  EXPECT_EQ(refusal(new_token), "");
}

TEST_F(UserTokensTest, ReplacedKeyIsReloaded) {
  std::string token = issue("alice", {});
  EXPECT_EQ(refusal(token), "");
  jwt::KeyPtr replacement = *jwt::generateRsaKey(2048);
  ASSERT_TRUE(putGlobalSecret(manager_, "user-token-signing-key-1",
                              *jwt::rsaPrivateKeyToPem(replacement.get()))
                  .ok());
  EXPECT_THAT(refusal(token), HasSubstr("bad signature"));
}

TEST_F(UserTokensTest, CorruptKeyIsAnInternalErrorNotARefusal) {
  ASSERT_TRUE(putGlobalSecret(manager_, "user-token-signing-key-3", "not a key").ok());
  auto u = validator_->validate(
      forgeToken(rs256Header("3"), userClaims(clock_->now()), storedKey("1").get()));
  EXPECT_TRUE(absl::IsInternal(u.status())) << u.status();
  EXPECT_THAT(std::string(u.status().message()), HasSubstr("user-token-signing-key-3"));
  auto latest = keys_->latest();
  EXPECT_TRUE(absl::IsInternal(latest.status())) << latest.status();
}

TEST_F(UserTokensTest, AuthenticatorNeedsABearerTokenAndAddsTheAuthenticatedGroup) {
  UserTokenAuthenticator authn(validator_);
  http::Request req;
  req.remote_address = "10.0.0.7";
  auto none = authn.authenticate(req);
  EXPECT_TRUE(absl::IsUnauthenticated(none.status()));
  EXPECT_THAT(std::string(none.status().message()), HasSubstr("need a user token"));

  req.headers["authorization"] = "Basic YWRtaW46YWRtaW4=";
  auto basic = authn.authenticate(req);
  EXPECT_THAT(std::string(basic.status().message()), HasSubstr("must be \"Bearer <user token>\""));

  req.headers["authorization"] = "Bearer " + issue("alice", {"team-a"});
  auto user = authn.authenticate(req);
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(user->name, "alice");
  EXPECT_THAT(user->groups, ElementsAre("team-a", "mesh-system:authenticated"));
  req.headers["authorization"] = "bearer  " + issue("alice", {});
  EXPECT_TRUE(authn.authenticate(req).ok());
}

TEST_F(UserTokensTest, AdminTokenIsBootstrappedOnceAndIsATenYearAdminToken) {
  auto stored = bootstrapAdminToken(manager_, *issuer_);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_TRUE(*stored);
  std::string token = test::globalSecretData(manager_, "admin-user-token");
  auto again = bootstrapAdminToken(manager_, *issuer_);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(test::globalSecretData(manager_, "admin-user-token"), token);

  auto user = validator_->validate(token);
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(user->name, "mesh-system:admin");
  EXPECT_TRUE(user->isAdmin());
  Json claims = tokenPart(token, 1);
  EXPECT_EQ(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>(), 10 * 365 * 24 * 3600);
}

TEST_F(UserTokensTest, StartUserTokensHonoursTheIssuerAndBootstrapSwitches) {
  store::MemoryStore store;
  core::ResourceManager manager(store, {});
  auto off = startUserTokens(manager, {.enable_issuer = false, .bootstrap_admin_token = true});
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_TRUE(absl::IsFailedPrecondition(off->issuer->issue({"a", {}, absl::Hours(1)}).status()));
  EXPECT_EQ(test::globalSecretData(manager, "admin-user-token"), "");  // issuer off: no token
  EXPECT_NE(test::globalSecretData(manager, "user-token-signing-key-1"), "");

  auto no_bootstrap = startUserTokens(manager, {.bootstrap_admin_token = false});
  ASSERT_TRUE(no_bootstrap.ok());
  EXPECT_EQ(test::globalSecretData(manager, "admin-user-token"), "");

  auto on = startUserTokens(manager, {});
  ASSERT_TRUE(on.ok());
  std::string token = test::globalSecretData(manager, "admin-user-token");
  http::Request req;
  req.headers["authorization"] = "Bearer " + token;
  auto user = on->authenticator->authenticate(req);
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_TRUE(user->isAdmin());
}

}  // namespace
}  // namespace ursa::api
