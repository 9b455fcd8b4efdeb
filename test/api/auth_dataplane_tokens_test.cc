// Dataplane tokens over a real (memory) store: Kuma's format, per-mesh
// signing keys (created once, even by racing control planes), the
// validator's refusals (expired, forged, another mesh's, revoked), and
// authorizeDataplane's rules.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <openssl/evp.h>

#include <regex>
#include <thread>

#include "src/api/auth/jwt_dataplane_tokens.h"
#include "src/store/memory/memory_store.h"
#include "test/api/auth_test_support.h"
#include "test/support/fake_clock.h"
#include "ursa/mesh/v1alpha1/mesh.pb.h"
#include "ursa/model/codec.h"

namespace ursa::api {
namespace {

using test::forgeToken;
using test::Json;
using test::rs256Header;
using test::tokenPart;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const model::ResourceType& secretType() { return model::TypeRegistry::instance().secret(); }

absl::Status createMesh(core::ResourceManager& manager, const std::string& name) {
  model::Resource mesh;
  mesh.type = &model::TypeRegistry::instance().mesh();
  mesh.meta.name = name;
  mesh.spec = std::make_shared<ursa::mesh::v1alpha1::Mesh>();
  return manager.create(mesh).status();
}

// Creates or replaces Secret `name` of `mesh` holding `data`.
absl::Status putSecret(core::ResourceManager& manager, const std::string& mesh,
                       const std::string& name, const std::string& data) {
  auto spec = std::make_shared<ursa::system::v1alpha1::Secret>();
  spec->set_data(data);
  model::Resource r;
  r.type = &secretType();
  r.meta.mesh = mesh;
  r.meta.name = name;
  r.spec = std::move(spec);
  return manager.upsert(r).status();
}

std::string secretData(core::ResourceManager& manager, const std::string& mesh,
                       const std::string& name) {
  auto r = manager.store().get({&secretType(), mesh, name});
  if (!r.ok()) return "";
  return static_cast<const ursa::system::v1alpha1::Secret&>(*(*r)->spec).data();
}

// A Dataplane of `mesh` named `name` with one inbound per tag set.
model::Resource dataplane(const std::string& mesh, const std::string& name,
                          const std::vector<Json>& inbound_tags, const Json& gateway = nullptr) {
  Json inbounds = Json::array();
  uint32_t port = 8080;
  for (const Json& tags : inbound_tags) inbounds.push_back({{"port", port++}, {"tags", tags}});
  Json networking = {{"address", "10.0.0.1"}};
  if (gateway.is_null()) {
    networking["inbound"] = inbounds;
  } else {
    networking["gateway"] = {{"tags", gateway}};
  }
  Json doc = {{"type", "Dataplane"}, {"mesh", mesh}, {"name", name}, {"networking", networking}};
  auto r = model::decodeResource(doc);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : model::Resource{};
}

class DataplaneTokensTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(createMesh(manager_, "default").ok());
    ASSERT_TRUE(createMesh(manager_, "demo").ok());
  }

  std::string issue(DataplaneTokenRequest request) {
    auto t = tokens_.issue(request);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? *t : "";
  }

  // The refusal of `token` for `mesh`, or "" when it is accepted.
  std::string refusal(const std::string& token, const std::string& mesh = "default") {
    auto id = tokens_.validate(token, mesh);
    if (id.ok()) return "";
    EXPECT_TRUE(absl::IsUnauthenticated(id.status())) << id.status();
    return std::string(id.status().message());
  }

  // Claims a valid token of `mesh` would carry now.
  Json claims(const std::string& mesh = "default", const std::string& name = "web-1") {
    int64_t t = absl::ToUnixSeconds(clock_->now());
    return Json{{"Name", name},     {"Mesh", mesh}, {"Tags", Json::object()},
                {"Type", ""},       {"exp", t + 3600}, {"nbf", t - 300},
                {"iat", t},         {"jti", "3f0b2a9c-0000-4000-8000-000000000002"}};
  }

  jwt::KeyPtr storedKey(const std::string& mesh, const std::string& kid = "1") {
    auto k = tokens_.keys().byKid(kid, mesh);
    EXPECT_TRUE(k.ok()) << k.status();
    return k.ok() ? *k : nullptr;
  }

  std::shared_ptr<::ursa::test::FakeClock> clock_ = std::make_shared<::ursa::test::FakeClock>();
  store::MemoryStore store_{clock_};
  core::ResourceManager manager_{store_, {}};
  JwtDataplaneTokens tokens_{manager_, {.clock = clock_}};
};

TEST_F(DataplaneTokensTest, IssuedTokensHaveKumasFormat) {
  absl::Time now = clock_->now();
  std::string token = issue({.name = "web-1",
                             .mesh = "default",
                             .tags = {{"kuma.io/service", {"web-api", "web"}}, {"empty", {}}},
                             .type = "dataplane",
                             .valid_for = absl::Hours(24)});
  EXPECT_EQ(tokenPart(token, 0), (Json{{"alg", "RS256"}, {"kid", "1"}, {"typ", "JWT"}}));
  Json c = tokenPart(token, 1);
  EXPECT_EQ(c["Name"], "web-1");
  EXPECT_EQ(c["Mesh"], "default");
  // Values sorted; a tag without values is dropped, as Kuma's tag set drops it.
  EXPECT_EQ(c["Tags"], (Json{{"kuma.io/service", {"web", "web-api"}}}));
  EXPECT_EQ(c["Type"], "dataplane");
  EXPECT_EQ(c["iat"], absl::ToUnixSeconds(now));
  EXPECT_EQ(c["nbf"], absl::ToUnixSeconds(now - absl::Minutes(5)));
  EXPECT_EQ(c["exp"], absl::ToUnixSeconds(now + absl::Hours(24)));
  EXPECT_TRUE(std::regex_match(c["jti"].get<std::string>(),
                               std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                          "[0-9a-f]{12}")));
  std::vector<std::string> keys;
  auto ordered = nlohmann::ordered_json::parse(*jwt::base64UrlDecode(
      token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1)));
  for (const auto& [k, v] : ordered.items()) keys.push_back(k);
  EXPECT_THAT(keys, ElementsAre("Name", "Mesh", "Tags", "Type", "exp", "nbf", "iat", "jti"));

  // A token bound to the mesh only: empty Name and Type, Tags {}, Kuma's 10-year default.
  Json loose = tokenPart(issue({.mesh = "default"}), 1);
  EXPECT_EQ(loose["Name"], "");
  EXPECT_EQ(loose["Type"], "");
  EXPECT_EQ(loose["Tags"], Json::object());
  EXPECT_EQ(loose["exp"].get<int64_t>() - loose["iat"].get<int64_t>(), 10 * 365 * 24 * 3600);
}

TEST_F(DataplaneTokensTest, ValidTokenGivesItsIdentity) {
  std::string token = issue({.name = "web-1",
                             .mesh = "default",
                             .tags = {{"kuma.io/service", {"web"}}, {"version", {"v1", "v2"}}},
                             .valid_for = absl::Hours(1)});
  auto id = tokens_.validate(token, "default");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->name, "web-1");
  EXPECT_EQ(id->mesh, "default");
  EXPECT_EQ(id->type, "");
  EXPECT_EQ(id->jti, tokenPart(token, 1)["jti"]);
  EXPECT_EQ(id->tags, (std::map<std::string, std::set<std::string>>{
                          {"kuma.io/service", {"web"}}, {"version", {"v1", "v2"}}}));
}

TEST_F(DataplaneTokensTest, EachMeshGetsItsOwnKeyOnceAsAPemSecret) {
  EXPECT_EQ(secretData(manager_, "default", "dataplane-token-signing-key-default-1"), "");
  issue({.mesh = "default"});
  issue({.mesh = "default"});
  issue({.mesh = "demo"});
  std::string pem = secretData(manager_, "default", "dataplane-token-signing-key-default-1");
  EXPECT_TRUE(pem.starts_with("-----BEGIN RSA PRIVATE KEY-----")) << pem;
  EXPECT_EQ(EVP_PKEY_get_bits(storedKey("default").get()), 2048);
  EXPECT_NE(secretData(manager_, "demo", "dataplane-token-signing-key-demo-1"), "");
  EXPECT_EQ(EVP_PKEY_eq(storedKey("default").get(), storedKey("demo").get()), 0);
  EXPECT_EQ(store_.list({.type = &secretType(), .mesh = "default"})->total, 1u);
  EXPECT_EQ(store_.list({.type = &secretType(), .mesh = "demo"})->total, 1u);
  EXPECT_EQ(store_.list({.type = &model::TypeRegistry::instance().globalSecret()})->total, 0u);
}

TEST_F(DataplaneTokensTest, ControlPlanesRacingToIssueForANewMeshAgreeOnOneKey) {
  store::MemoryStore shared;
  core::ResourceManager manager(shared, {});
  ASSERT_TRUE(createMesh(manager, "race").ok());
  std::vector<std::shared_ptr<JwtDataplaneTokens>> cps;
  for (int i = 0; i < 4; ++i) cps.push_back(std::make_shared<JwtDataplaneTokens>(manager));
  std::vector<std::string> issued(cps.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < cps.size(); ++i) {
    threads.emplace_back([&, i] {
      auto t = cps[i]->issue({.name = "dp", .mesh = "race"});
      ASSERT_TRUE(t.ok()) << t.status();
      issued[i] = *t;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(shared.list({.type = &secretType(), .mesh = "race"})->total, 1u);
  // Every control plane accepts every token: they all signed with the one key.
  for (const auto& cp : cps) {
    for (const auto& token : issued) {
      EXPECT_TRUE(cp->validate(token, "race").ok()) << cp->validate(token, "race").status();
    }
  }
}

TEST_F(DataplaneTokensTest, IssuerRefusesBadRequests) {
  EXPECT_TRUE(absl::IsInvalidArgument(tokens_.issue({.name = "a"}).status()));
  auto type = tokens_.issue({.mesh = "default", .type = "sidecar"});
  EXPECT_TRUE(absl::IsInvalidArgument(type.status()));
  EXPECT_THAT(std::string(type.status().message()), HasSubstr("sidecar is not a valid proxy type"));
  EXPECT_TRUE(absl::IsInvalidArgument(
      tokens_.issue({.mesh = "default", .valid_for = absl::ZeroDuration()}).status()));
  auto missing = tokens_.issue({.mesh = "nowhere"});
  EXPECT_TRUE(absl::IsNotFound(missing.status())) << missing.status();
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("\"nowhere\""));
  for (const char* t : {"dataplane", "ingress", "egress"}) {
    EXPECT_TRUE(tokens_.issue({.mesh = "default", .type = t}).ok()) << t;
  }
}

TEST_F(DataplaneTokensTest, ExpiredAndNotYetValidTokensAreRefused) {
  std::string token = issue({.mesh = "default", .valid_for = absl::Hours(1)});
  EXPECT_EQ(refusal(token), "");
  clock_->advance(absl::Hours(1) + absl::Minutes(2));
  EXPECT_THAT(refusal(token), HasSubstr("invalid dataplane token: the token expired at"));

  Json future = claims();
  future["nbf"] = absl::ToUnixSeconds(clock_->now() + absl::Hours(1));
  EXPECT_THAT(refusal(forgeToken(rs256Header(), future, storedKey("default").get())),
              HasSubstr("not valid before"));
}

TEST_F(DataplaneTokensTest, ForgedTokensAreRefusedWithTheReason) {
  issue({.mesh = "default"});  // creates the mesh's key
  jwt::KeyPtr other = *jwt::generateRsaKey(2048);
  jwt::KeyPtr ours = storedKey("default");
  std::string good = issue({.name = "web-1", .mesh = "default"});
  Json widened = claims();
  widened["Name"] = "";
  std::string tampered = good.substr(0, good.find('.') + 1) +
                         jwt::base64UrlEncode(widened.dump()) + good.substr(good.rfind('.'));
  Json no_jti = claims();
  no_jti.erase("jti");
  Json bad_tags = claims();
  bad_tags["Tags"] = Json{{"kuma.io/service", "web"}};
  Json bad_type = claims();
  bad_type["Type"] = "sidecar";
  struct Case {
    std::string what, token, reason;
  };
  for (const Case& c : std::vector<Case>{
           {"another key", forgeToken(rs256Header(), claims(), other.get()), "bad signature"},
           {"tampered claims", tampered, "bad signature"},
           {"alg none", forgeToken({{"alg", "none"}, {"kid", "1"}}, claims(), nullptr),
            "\"none\" is not accepted"},
           {"unknown kid", forgeToken(rs256Header("2"), claims(), ours.get()),
            "no signing key with kid 2 (Secret \"dataplane-token-signing-key-default-2\" of mesh "
            "\"default\" does not exist)"},
           {"no kid", forgeToken({{"alg", "RS256"}}, claims(), ours.get()), "no `kid` header"},
           {"no jti", forgeToken(rs256Header(), no_jti, ours.get()), "no id (`jti`)"},
           {"tags", forgeToken(rs256Header(), bad_tags, ours.get()), "`Tags` is not a map"},
           {"type", forgeToken(rs256Header(), bad_type, ours.get()), "\"sidecar\" is no proxy"},
           {"garbage", "not-a-token", "malformed token"},
       }) {
    std::string why = refusal(c.token);
    EXPECT_THAT(why, HasSubstr("invalid dataplane token: ")) << c.what;
    EXPECT_THAT(why, HasSubstr(c.reason)) << c.what;
  }
  EXPECT_THAT(refusal(forgeToken(rs256Header(), claims(), other.get())),
              HasSubstr("keeps its state in memory"));
  EXPECT_THAT(refusal(good, ""), HasSubstr("names no mesh"));
  // The same claims, properly signed, pass: the refusals above are the forgeries'.
  EXPECT_EQ(refusal(forgeToken(rs256Header(), claims(), ours.get())), "");
}

TEST_F(DataplaneTokensTest, TokenOfAnotherMeshIsRefused) {
  std::string demo = issue({.name = "web-1", .mesh = "demo"});
  issue({.mesh = "default"});
  EXPECT_EQ(refusal(demo, "demo"), "");
  EXPECT_THAT(refusal(demo, "default"),
              HasSubstr("the token is for mesh \"demo\", not for mesh \"default\""));
  // Claiming the right mesh does not help: demo's key does not verify for default.
  std::string relabelled = forgeToken(rs256Header(), claims("default"), storedKey("demo").get());
  EXPECT_THAT(refusal(relabelled, "default"), HasSubstr("bad signature"));
  // Nor does a mesh that has no key at all.
  EXPECT_THAT(refusal(demo, "nowhere"), HasSubstr("is for mesh \"demo\""));
  Json unnamed = claims("");
  EXPECT_THAT(refusal(forgeToken(rs256Header(), unnamed, storedKey("demo").get()), "nowhere"),
              HasSubstr("Secret \"dataplane-token-signing-key-nowhere-1\" of mesh \"nowhere\""));
}

TEST_F(DataplaneTokensTest, RevokedTokensAreRefusedAsSoonAsTheMeshsListChanges) {
  std::string token = issue({.mesh = "default"});
  std::string jti = tokenPart(token, 1)["jti"];
  EXPECT_EQ(refusal(token), "");  // the absence of a revocation list is now cached
  // A list in another mesh (or a GlobalSecret of that name) does not apply.
  ASSERT_TRUE(putSecret(manager_, "demo", "dataplane-token-revocations-default", jti).ok());
  ASSERT_TRUE(test::putGlobalSecret(manager_, "dataplane-token-revocations-default", jti).ok());
  EXPECT_EQ(refusal(token), "");
  std::string list = "x," + jti + "\n";
  ASSERT_TRUE(putSecret(manager_, "default", "dataplane-token-revocations-default", list).ok());
  EXPECT_THAT(refusal(token), HasSubstr("token revoked"));
  EXPECT_THAT(refusal(token), HasSubstr("Secret \"dataplane-token-revocations-default\" of mesh"));
  EXPECT_EQ(refusal(issue({.mesh = "default"})), "");
  ASSERT_TRUE(
      manager_.remove({&secretType(), "default", "dataplane-token-revocations-default"}).ok());
  EXPECT_EQ(refusal(token), "");
}

TEST_F(DataplaneTokensTest, RotationAndDeletedKeysOrMeshes) {
  std::string old_token = issue({.mesh = "default"});
  jwt::KeyPtr k2 = *jwt::generateRsaKey(2048);
  ASSERT_TRUE(putSecret(manager_, "default", "dataplane-token-signing-key-default-2",
                        *jwt::rsaPrivateKeyToPem(k2.get()))
                  .ok());
  std::string new_token = issue({.mesh = "default"});
  EXPECT_EQ(tokenPart(new_token, 0)["kid"], "2");
  EXPECT_EQ(refusal(old_token), "");
  ASSERT_TRUE(
      manager_.remove({&secretType(), "default", "dataplane-token-signing-key-default-1"}).ok());
  EXPECT_THAT(refusal(old_token), HasSubstr("no signing key with kid 1"));
  EXPECT_EQ(refusal(new_token), "");

  // A mesh deleted and created again has new keys: its old tokens are void.
  std::string demo = issue({.mesh = "demo"});
  EXPECT_EQ(refusal(demo, "demo"), "");
  ASSERT_TRUE(manager_.remove({&model::TypeRegistry::instance().mesh(), "", "demo"}).ok());
  ASSERT_TRUE(createMesh(manager_, "demo").ok());
  EXPECT_THAT(refusal(demo, "demo"), HasSubstr("no signing key with kid 1"));
  issue({.mesh = "demo"});
  EXPECT_THAT(refusal(demo, "demo"), HasSubstr("bad signature"));
}

TEST_F(DataplaneTokensTest, CorruptKeyIsAnInternalErrorNotARefusal) {
  ASSERT_TRUE(putSecret(manager_, "default", "dataplane-token-signing-key-default-1", "junk").ok());
  auto id = tokens_.validate(
      forgeToken(rs256Header(), claims(), jwt::generateRsaKey(2048)->get()), "default");
  EXPECT_TRUE(absl::IsInternal(id.status())) << id.status();
  EXPECT_TRUE(absl::IsInternal(tokens_.issue({.mesh = "default"}).status()));
}

// authorizeDataplane: Kuma's rules, one at a time.
DataplaneIdentity identity(std::string name, std::map<std::string, std::set<std::string>> tags = {},
                           std::string type = "", std::string mesh = "default") {
  return {.name = std::move(name), .mesh = std::move(mesh), .tags = std::move(tags),
          .type = std::move(type), .jti = "id"};
}

std::string denial(const DataplaneIdentity& id, const model::Resource& dp) {
  absl::Status s = authorizeDataplane(id, dp);
  if (s.ok()) return "";
  EXPECT_TRUE(absl::IsPermissionDenied(s)) << s;
  return std::string(s.message());
}

TEST(AuthorizeDataplaneTest, NameAndMeshMustMatchWhenTheTokenNamesThem) {
  model::Resource web = dataplane("default", "web-1", {{{"kuma.io/service", "web"}}});
  EXPECT_EQ(denial(identity("web-1"), web), "");
  EXPECT_EQ(denial(identity(""), web), "");  // any Dataplane of the mesh
  EXPECT_THAT(denial(identity("web-2"), web),
              HasSubstr("the token is for the Dataplane \"web-2\", not \"web-1\""));
  EXPECT_THAT(denial(identity("web-1", {}, "", "demo"), web),
              HasSubstr("the token is for mesh \"demo\""));
  EXPECT_EQ(denial(identity("web-1", {}, "", ""), web), "");  // a token naming no mesh
}

TEST(AuthorizeDataplaneTest, EveryTokenTagMustBeCarriedWithAllowedValues) {
  model::Resource two = dataplane("default", "web-1",
                                  {{{"kuma.io/service", "web"}, {"version", "v1"}},
                                   {{"kuma.io/service", "web-api"}}});
  EXPECT_EQ(denial(identity("", {{"kuma.io/service", {"web", "web-api"}}}), two), "");
  EXPECT_EQ(denial(identity("", {{"kuma.io/service", {"web", "web-api", "x"}}}), two), "");
  EXPECT_EQ(denial(identity("", {{"version", {"v1"}}}), two), "");  // only the token's tags count
  EXPECT_THAT(denial(identity("", {{"kuma.io/service", {"web"}}}), two),
              HasSubstr("tag \"kuma.io/service\" with value \"web-api\", which the token does not "
                        "allow (allowed: web)"));
  EXPECT_THAT(denial(identity("", {{"team", {"a"}}}), two),
              HasSubstr("the Dataplane has no tag \"team\""));
  model::Resource gateway =
      dataplane("default", "gw", {}, Json{{"kuma.io/service", "edge"}});
  EXPECT_EQ(denial(identity("", {{"kuma.io/service", {"edge"}}}), gateway), "");
  EXPECT_THAT(denial(identity("", {{"kuma.io/service", {"web"}}}), gateway),
              HasSubstr("value \"edge\""));
}

TEST(AuthorizeDataplaneTest, OnlyDataplaneTokensAuthorizeDataplanes) {
  model::Resource web = dataplane("default", "web-1", {{{"kuma.io/service", "web"}}});
  EXPECT_EQ(denial(identity("web-1", {}, "dataplane"), web), "");
  EXPECT_THAT(denial(identity("web-1", {}, "ingress"), web),
              HasSubstr("for a proxy of type \"ingress\", not \"dataplane\""));
  EXPECT_THAT(denial(identity("web-1", {}, "egress"), web), HasSubstr("\"egress\""));
  model::Resource mesh;
  mesh.type = &model::TypeRegistry::instance().mesh();
  mesh.meta.name = "default";
  mesh.spec = std::make_shared<ursa::mesh::v1alpha1::Mesh>();
  EXPECT_THAT(denial(identity(""), mesh), HasSubstr("cannot authorize a Mesh"));
}

}  // namespace
}  // namespace ursa::api
