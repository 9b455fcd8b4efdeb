// POST /tokens/dataplane through ApiHandler::handle, as the servers call it:
// Kuma's request body, admin only, 400 on a bad request, the token valid for
// the mesh it names. Requests carry a fake remote address.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "src/api/api_handler.h"
#include "src/api/auth/jwt_dataplane_tokens.h"
#include "src/api/auth/localhost_authenticator.h"
#include "src/api/auth/static_access.h"
#include "src/api/auth/user_token_setup.h"
#include "src/store/memory/memory_store.h"
#include "test/api/auth_test_support.h"
#include "test/support/fake_clock.h"
#include "ursa/mesh/v1alpha1/mesh.pb.h"

namespace ursa::api {
namespace {

using test::Json;
using test::tokenPart;
using ::testing::HasSubstr;

constexpr char kLoopback[] = "127.0.0.1";
constexpr char kRemote[] = "203.0.113.9";

class DataplaneTokenEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model::Resource mesh;
    mesh.type = &model::TypeRegistry::instance().mesh();
    mesh.meta.name = "default";
    mesh.spec = std::make_shared<ursa::mesh::v1alpha1::Mesh>();
    ASSERT_TRUE(manager_.create(mesh).ok());
    auto users = startUserTokens(manager_, {.clock = clock_});
    ASSERT_TRUE(users.ok()) << users.status();
    users_ = *users;
    handler_ = makeHandler(dataplane_tokens_);
  }

  std::unique_ptr<ApiHandler> makeHandler(DataplaneTokensSharedPtr tokens) {
    return std::make_unique<ApiHandler>(
        ApiOptions{.read_only = true},  // tokens are issued by read-only API servers too
        ApiDeps{.manager = manager_,
                .authenticator =
                    std::make_shared<LocalhostAuthenticator>(true, users_.authenticator),
                .access = std::make_shared<StaticAccessControl>(),
                .user_tokens = users_.issuer,
                .dataplane_tokens = std::move(tokens)});
  }

  http::Response post(const std::string& body, const std::string& from = kLoopback,
                      const std::string& user_token = "", const ApiHandler* handler = nullptr) {
    http::Request req;
    req.method = "POST";
    req.target = req.path = "/tokens/dataplane";
    req.remote_address = from;
    req.body = body;
    req.headers["content-type"] = "application/json";
    if (!user_token.empty()) req.headers["authorization"] = "Bearer " + user_token;
    return (handler ? handler : handler_.get())->handle(req);
  }

  static Json errorOf(const http::Response& r) { return Json::parse(r.body, nullptr, false); }

  std::shared_ptr<::ursa::test::FakeClock> clock_ =
      std::make_shared<::ursa::test::FakeClock>(absl::Now());
  store::MemoryStore store_;
  core::ResourceManager manager_{store_, {}};
  UserTokens users_;
  std::shared_ptr<JwtDataplaneTokens> dataplane_tokens_ =
      std::make_shared<JwtDataplaneTokens>(manager_, DataplaneTokenOptions{.clock = clock_});
  std::unique_ptr<ApiHandler> handler_;
};

TEST_F(DataplaneTokenEndpointTest, AdminGetsATokenForKumasRequestBody) {
  auto r = post(R"({"name":"web-1","mesh":"default","tags":{"kuma.io/service":["web","web-api"]},
                    "type":"dataplane","validFor":"24h0m0s"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.content_type, HasSubstr("text/plain"));
  Json claims = tokenPart(r.body, 1);
  EXPECT_EQ(claims["Name"], "web-1");
  EXPECT_EQ(claims["Mesh"], "default");
  EXPECT_EQ(claims["Tags"], (Json{{"kuma.io/service", {"web", "web-api"}}}));
  EXPECT_EQ(claims["Type"], "dataplane");
  EXPECT_EQ(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>(), 24 * 3600);
  auto id = dataplane_tokens_->validate(r.body, "default");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->name, "web-1");

  // Only the mesh is required; no validFor means Kuma's ten years.
  auto minimal = post(R"({"mesh":"default"})");
  ASSERT_EQ(minimal.status, 200) << minimal.body;
  Json c = tokenPart(minimal.body, 1);
  EXPECT_EQ(c["exp"].get<int64_t>() - c["iat"].get<int64_t>(), 10 * 365 * 24 * 3600);
}

TEST_F(DataplaneTokenEndpointTest, AdminTokenFromAnywhereMayIssueOthersMayNot) {
  auto admin = users_.issuer->issue({"ops", {"mesh-system:admin"}, absl::Hours(1)});
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ(post(R"({"mesh":"default"})", kRemote, *admin).status, 200);

  auto alice = users_.issuer->issue({"alice", {"team-a"}, absl::Hours(1)});
  ASSERT_TRUE(alice.ok());
  auto r = post(R"({"mesh":"default","name":"web-1"})", kRemote, *alice);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(errorOf(r)["title"], "Access Denied");
  EXPECT_THAT(r.body, HasSubstr("may not generate dataplane tokens"));
  EXPECT_EQ(post(R"({"mesh":"default"})", kRemote).status, 401);
}

TEST_F(DataplaneTokenEndpointTest, BadRequestsAre400WithTheFieldAtFault) {
  struct Case {
    std::string body, field, message;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"name":"web-1"})", "mesh", "cannot be empty"},
           {R"({"mesh":""})", "mesh", "cannot be empty"},
           {R"({"mesh":"default","type":"sidecar"})", "type", "sidecar is not a valid proxy type"},
           {R"({"mesh":"default","validFor":"soon"})", "validFor", "positive duration"},
           {R"({"mesh":"default","validFor":"-1h"})", "validFor", "positive duration"},
           {R"({"mesh":"default","tags":["a"]})", "tags", "map of tag"},
           {R"({"mesh":"default","tags":{"k":"v"}})", "tags[\"k\"]", "list of strings"},
           {R"({"mesh":7})", "mesh", "must be a string"},
       }) {
    auto r = post(c.body);
    EXPECT_EQ(r.status, 400) << c.body << " " << r.body;
    Json e = errorOf(r);
    EXPECT_EQ(e["title"], "Invalid request") << c.body;
    bool found = false;
    for (const auto& cause : e.value("causes", Json::array())) {
      found = found || (cause.value("field", "") == c.field &&
                        cause.value("message", "").find(c.message) != std::string::npos);
    }
    EXPECT_TRUE(found) << c.body << " " << r.body;
  }
  // Checked before access, as Kuma does: a non-admin's bad request is 400 too.
  auto alice = users_.issuer->issue({"alice", {}, absl::Hours(1)});
  EXPECT_EQ(post(R"({"name":"x"})", kRemote, *alice).status, 400);
  EXPECT_EQ(post("not json").status, 400);
}

TEST_F(DataplaneTokenEndpointTest, UnknownMeshIs404AndMissingIssuerIs501) {
  auto r = post(R"({"mesh":"nowhere"})");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_THAT(r.body, HasSubstr("nowhere"));

  auto without = makeHandler(nullptr);
  EXPECT_EQ(post(R"({"mesh":"default"})", kLoopback, "", without.get()).status, 501);

  http::Request get;
  get.method = "GET";
  get.target = get.path = "/tokens/dataplane";
  get.remote_address = kLoopback;
  EXPECT_EQ(handler_->handle(get).status, 405);
}

}  // namespace
}  // namespace ursa::api
