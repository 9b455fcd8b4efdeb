// Who may do what, through ApiHandler::handle as the servers call it: the
// authenticator chain (loopback is admin, else a Bearer user token), the
// static access rules, and POST /tokens/user end to end. Requests carry a
// fake remote address, so "remote" callers need no second machine.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "src/api/api_handler.h"
#include "src/api/auth/localhost_authenticator.h"
#include "src/api/auth/static_access.h"
#include "src/api/auth/user_token_setup.h"
#include "src/store/memory/memory_store.h"
#include "test/api/auth_test_support.h"
#include "test/support/fake_clock.h"
#include "ursa/mesh/v1alpha1/mesh.pb.h"

namespace ursa::api {
namespace {

using test::forgeToken;
using test::Json;
using test::rs256Header;
using test::tokenPart;
using test::userClaims;
using ::testing::HasSubstr;

constexpr char kLoopback[] = "127.0.0.1";
constexpr char kRemote[] = "203.0.113.9";

class AuthHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override { start(/*enable_issuer=*/true); }

  void start(bool enable_issuer) {
    model::Resource mesh;
    mesh.type = &model::TypeRegistry::instance().mesh();
    mesh.meta.name = "default";
    mesh.spec = std::make_shared<ursa::mesh::v1alpha1::Mesh>();
    (void)manager_.create(mesh);
    auto tokens = startUserTokens(manager_, {.enable_issuer = enable_issuer, .clock = clock_});
    ASSERT_TRUE(tokens.ok()) << tokens.status();
    tokens_ = *tokens;
    handler_ = std::make_unique<ApiHandler>(
        ApiOptions{}, ApiDeps{.manager = manager_,
                              .authenticator = std::make_shared<LocalhostAuthenticator>(
                                  true, tokens_.authenticator),
                              .access = std::make_shared<StaticAccessControl>(),
                              .user_tokens = tokens_.issuer});
  }

  http::Response call(const std::string& method, const std::string& target, const std::string& from,
                      const std::string& token = "", const std::string& body = "") {
    http::Request req;
    req.method = method;
    req.target = target;
    req.path = target.substr(0, target.find('?'));
    req.remote_address = from;
    req.body = body;
    if (!body.empty()) req.headers["content-type"] = "application/json";
    if (!token.empty()) req.headers["authorization"] = "Bearer " + token;
    return handler_->handle(req);
  }

  // A token issued by the admin through the API.
  std::string issue(const std::string& name, const std::vector<std::string>& groups,
                    const std::string& valid_for = "1h") {
    Json body = {{"name", name}, {"groups", groups}, {"validFor", valid_for}};
    auto r = call("POST", "/tokens/user", kLoopback, "", body.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }

  static std::string detailOf(const http::Response& r) {
    auto j = Json::parse(r.body, nullptr, false);
    return j.is_object() ? j.value("details", "") : r.body;
  }

  std::shared_ptr<::ursa::test::FakeClock> clock_ =
      std::make_shared<::ursa::test::FakeClock>(absl::Now());
  store::MemoryStore store_;
  core::ResourceManager manager_{store_, {}};
  UserTokens tokens_;
  std::unique_ptr<ApiHandler> handler_;
};

TEST_F(AuthHandlerTest, LoopbackWithoutTokenIsAdmin) {
  auto who = call("GET", "/who-am-i", kLoopback);
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(Json::parse(who.body)["name"], "mesh-system:admin");
  EXPECT_EQ(call("GET", "/global-secrets", kLoopback).status, 200);
  EXPECT_EQ(call("GET", "/who-am-i", "::1").status, 200);
}

TEST_F(AuthHandlerTest, RemoteWithoutTokenIsUnauthenticated) {
  for (const char* target : {"/", "/meshes", "/global-secrets", "/who-am-i"}) {
    auto r = call("GET", target, kRemote);
    EXPECT_EQ(r.status, 401) << target;
    EXPECT_EQ(Json::parse(r.body)["title"], "Authentication failed");
    EXPECT_THAT(detailOf(r), HasSubstr("need a user token")) << target;
  }
}

TEST_F(AuthHandlerTest, RemoteWithValidTokenGetsItsGroups) {
  std::string token = issue("alice", {"team-a"});
  auto who = call("GET", "/who-am-i", kRemote, token);
  ASSERT_EQ(who.status, 200) << who.body;
  Json body = Json::parse(who.body);
  EXPECT_EQ(body["name"], "alice");
  EXPECT_EQ(body["groups"], (Json{"team-a", "mesh-system:authenticated"}));
  // A plain authenticated user reads and writes ordinary resources.
  EXPECT_EQ(call("GET", "/meshes", kRemote, token).status, 200);
  EXPECT_EQ(
      call("PUT", "/meshes/team-a", kRemote, token, R"({"type":"Mesh","name":"team-a"})").status,
      201);
}

TEST_F(AuthHandlerTest, LoopbackCallerPresentingATokenIsThatTokensUser) {
  std::string token = issue("alice", {"team-a"});
  auto who = call("GET", "/who-am-i", kLoopback, token);
  EXPECT_EQ(Json::parse(who.body)["name"], "alice");
  EXPECT_EQ(call("GET", "/global-secrets", kLoopback, token).status, 403);
  // A bad token from loopback is refused, never downgraded to "admin".
  EXPECT_EQ(call("GET", "/who-am-i", kLoopback, "garbage").status, 401);
}

TEST_F(AuthHandlerTest, ReadOnlyGroupCanGetButNotPut) {
  std::string token = issue("auditor", {"mesh-system:read-only"});
  EXPECT_EQ(call("GET", "/meshes", kRemote, token).status, 200);
  EXPECT_EQ(call("GET", "/meshes/default", kRemote, token).status, 200);
  auto put = call("PUT", "/meshes/m1", kRemote, token, R"({"type":"Mesh","name":"m1"})");
  EXPECT_EQ(put.status, 403) << put.body;
  EXPECT_THAT(detailOf(put), HasSubstr("mesh-system:read-only"));
  EXPECT_EQ(call("DELETE", "/meshes/default", kRemote, token).status, 403);
  EXPECT_EQ(call("GET", "/global-secrets", kRemote, token).status, 403);
}

TEST_F(AuthHandlerTest, NonAdminsCannotReadSecretsNorGenerateTokens) {
  std::string token = issue("alice", {"team-a"});
  for (const char* target : {"/global-secrets", "/global-secrets/admin-user-token",
                             "/meshes/default/secrets", "/secrets"}) {
    auto r = call("GET", target, kRemote, token);
    if (r.status == 404) continue;  // no cross-mesh secret list in this router
    EXPECT_EQ(r.status, 403) << target << " " << r.body;
    EXPECT_THAT(detailOf(r), HasSubstr("mesh-system:admin")) << target;
  }
  auto gen = call("POST", "/tokens/user", kRemote, token,
                  R"({"name":"mallory","groups":["mesh-system:admin"],"validFor":"1h"})");
  EXPECT_EQ(gen.status, 403) << gen.body;
  EXPECT_THAT(detailOf(gen), HasSubstr("may not generate user tokens"));
}

TEST_F(AuthHandlerTest, AdminTokenFetchedOnTheHostWorksFromAnywhere) {
  auto secret = call("GET", "/global-secrets/admin-user-token", kLoopback);
  ASSERT_EQ(secret.status, 200) << secret.body;
  std::string token;
  ASSERT_TRUE(absl::Base64Unescape(Json::parse(secret.body)["data"].get<std::string>(), &token));
  auto who = call("GET", "/who-am-i", kRemote, token);
  EXPECT_EQ(Json::parse(who.body)["name"], "mesh-system:admin");
  EXPECT_EQ(call("GET", "/global-secrets", kRemote, token).status, 200);
  auto issued = call("POST", "/tokens/user", kRemote, token,
                     R"({"name":"bob","groups":["team-b"],"validFor":"30m"})");
  ASSERT_EQ(issued.status, 200) << issued.body;
  EXPECT_EQ(tokenPart(issued.body, 1)["Name"], "bob");
}

TEST_F(AuthHandlerTest, PostTokensUserEndToEnd) {
  auto r = call("POST", "/tokens/user", kLoopback, "",
                R"({"name":"carol","groups":["g1","g2"],"validFor":"24h"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.content_type, HasSubstr("text/plain"));
  Json claims = tokenPart(r.body, 1);
  EXPECT_EQ(claims["Name"], "carol");
  EXPECT_EQ(claims["Groups"], (Json{"g1", "g2"}));
  EXPECT_EQ(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>(), 24 * 3600);
  EXPECT_EQ(tokenPart(r.body, 0)["kid"], "1");
  auto who = call("GET", "/who-am-i", kRemote, r.body);
  EXPECT_EQ(Json::parse(who.body)["groups"], (Json{"g1", "g2", "mesh-system:authenticated"}));

  auto bad = call("POST", "/tokens/user", kLoopback, "", R"({"name":"","validFor":"soon"})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(call("GET", "/tokens/user", kLoopback).status, 405);
}

TEST_F(AuthHandlerTest, ForgedExpiredAndRevokedTokensAre401WithTheReason) {
  absl::Time now = clock_->now();
  jwt::KeyPtr other = *jwt::generateRsaKey(2048);
  std::string good = issue("alice", {"team-a"});
  std::string tampered =
      good.substr(0, good.find('.') + 1) +
      jwt::base64UrlEncode(userClaims(now, "alice", {"mesh-system:admin"}).dump()) +
      good.substr(good.rfind('.'));
  struct Case {
    std::string token, reason;
  };
  std::vector<Case> cases = {
      {forgeToken(rs256Header(), userClaims(now), other.get()), "bad signature"},
      {tampered, "bad signature"},
      {forgeToken({{"alg", "none"}, {"kid", "1"}}, userClaims(now), nullptr), "\"none\""},
      {forgeToken(rs256Header("42"), userClaims(now), other.get()), "no signing key with kid 42"},
      {"a.b", "malformed token"},
  };
  for (const Case& c : cases) {
    auto r = call("GET", "/meshes", kRemote, c.token);
    EXPECT_EQ(r.status, 401) << c.reason;
    EXPECT_THAT(detailOf(r), HasSubstr(c.reason));
  }
  std::string short_lived = issue("alice", {}, "10m");
  clock_->advance(absl::Minutes(12));
  auto expired = call("GET", "/meshes", kRemote, short_lived);
  EXPECT_EQ(expired.status, 401);
  EXPECT_THAT(detailOf(expired), HasSubstr("expired"));

  // Revocation through the API, as `ursactl apply` of the GlobalSecret does.
  std::string jti = tokenPart(good, 1)["jti"];
  EXPECT_EQ(call("GET", "/meshes", kRemote, good).status, 200);
  Json revocations = {{"type", "GlobalSecret"},
                      {"name", "user-token-revocations"},
                      {"data", absl::Base64Escape(jti)}};
  auto put =
      call("PUT", "/global-secrets/user-token-revocations", kLoopback, "", revocations.dump());
  ASSERT_EQ(put.status, 201) << put.body;
  auto revoked = call("GET", "/meshes", kRemote, good);
  EXPECT_EQ(revoked.status, 401);
  EXPECT_THAT(detailOf(revoked), HasSubstr("token revoked"));
}

TEST_F(AuthHandlerTest, DisabledIssuerAnswers400) {
  store::MemoryStore store;
  core::ResourceManager manager(store, {});
  auto tokens = startUserTokens(manager, {.enable_issuer = false});
  ASSERT_TRUE(tokens.ok());
  ApiHandler handler(ApiOptions{},
                     ApiDeps{.manager = manager,
                             .authenticator = std::make_shared<LocalhostAuthenticator>(
                                 true, tokens->authenticator),
                             .access = std::make_shared<StaticAccessControl>(),
                             .user_tokens = tokens->issuer});
  http::Request req{.method = "POST", .target = "/tokens/user", .path = "/tokens/user"};
  req.remote_address = kLoopback;
  req.body = R"({"name":"a","validFor":"1h"})";
  auto r = handler.handle(req);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_THAT(detailOf(r), HasSubstr("disabled"));
}

}  // namespace
}  // namespace ursa::api
