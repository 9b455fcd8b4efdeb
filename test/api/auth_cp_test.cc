// Authentication as ursa-cp assembles it: the signing key and the admin token
// created at first start and kept across restarts (SQLite in a scratch dir),
// the HTTPS listener with its generated certificate, configured certificates,
// and control planes racing to create the key on one PostgreSQL database.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "src/api/auth/signing_keys.h"
#include "src/common/tls_cert.h"
#include "src/config/cp_config.h"
#include "src/cp/control_plane.h"
#include "src/store/postgres/postgres_store.h"
#include "test/api/auth_test_support.h"
#include "test/support/fake_clock.h"
#include "test/support/http_client.h"
#include "test/support/postgres.h"

namespace ursa::cp {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::string readFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One request over `conn`, with an optional Bearer token.
std::optional<test::HttpResponse> request(test::HttpConnection& conn, const std::string& target,
                                          const std::string& token = "") {
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
  req += "Content-Length: 0\r\n\r\n";
  if (!conn.send(req)) return std::nullopt;
  return conn.readResponse();
}

class AuthControlPlaneTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::scratchDir("auth-cp"); }
  void TearDown() override { fs::remove_all(dir_); }

  // ursa-cp's configuration with every port free and the work dir in dir_.
  config::CpConfig configWith(std::map<std::string, std::string> env) {
    env.emplace("HOME", dir_.string());
    env.emplace("URSA_GENERAL_WORK_DIR", (dir_ / "work").string());
    env.emplace("URSA_STORE_TYPE", "sqlite");
    env.emplace("URSA_DIAGNOSTICS_SERVER_PORT", "0");
    env.emplace("URSA_DP_SERVER_PORT", "0");
    env.emplace("URSA_API_SERVER_HTTP_PORT", "0");
    env.emplace("URSA_API_SERVER_HTTPS_PORT", "0");
    env.emplace("URSA_API_SERVER_HTTP_INTERFACE", "127.0.0.1");
    env.emplace("URSA_API_SERVER_HTTPS_INTERFACE", "127.0.0.1");
    auto c = config::loadConfig({.file = "", .env = env});
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *c : config::CpConfig{};
  }

  std::unique_ptr<ControlPlane> start(const config::CpConfig& c) {
    auto cp = ControlPlane::start(c);
    EXPECT_TRUE(cp.ok()) << cp.status();
    return cp.ok() ? std::move(*cp) : nullptr;
  }

  std::string secret(ControlPlane& cp, const std::string& name) {
    return api::test::globalSecretData(cp.manager(), name);
  }

  fs::path dir_;
};

TEST_F(AuthControlPlaneTest, KeyAndAdminTokenAreCreatedOnceAndSurviveRestart) {
  auto c = configWith({});
  std::string key, admin_token, issued;
  {
    auto cp = start(c);
    ASSERT_NE(cp, nullptr);
    key = secret(*cp, "user-token-signing-key-1");
    admin_token = secret(*cp, "admin-user-token");
    ASSERT_TRUE(key.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    ASSERT_FALSE(admin_token.empty());
    auto conn = test::HttpConnection::connect(cp->apiHttpPort());
    ASSERT_NE(conn, nullptr);
    // A token presented from loopback is checked, not ignored.
    auto who = request(*conn, "/who-am-i", admin_token);
    ASSERT_TRUE(who.has_value());
    EXPECT_THAT(who->body, HasSubstr("mesh-system:admin"));
    std::string body = R"({"name":"alice","groups":["team-a"],"validFor":"1h"})";
    ASSERT_TRUE(
        conn->send("POST /tokens/user HTTP/1.1\r\nHost: x\r\nContent-Type: "
                   "application/json\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body));
    auto r = conn->readResponse();
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->status, 200) << r->body;
    issued = r->body;
  }
  auto cp = start(c);
  ASSERT_NE(cp, nullptr);
  EXPECT_EQ(secret(*cp, "user-token-signing-key-1"), key);
  EXPECT_EQ(secret(*cp, "admin-user-token"), admin_token);
  auto list = cp->manager().store().list(
      {.type = &model::TypeRegistry::instance().globalSecret(), .name_contains = "signing-key"});
  EXPECT_EQ(list->total, 1u);
  // Tokens issued before the restart still work.
  auto conn = test::HttpConnection::connect(cp->apiHttpPort());
  auto who = request(*conn, "/who-am-i", issued);
  ASSERT_TRUE(who.has_value());
  EXPECT_EQ(who->status, 200) << who->body;
  EXPECT_THAT(who->body, HasSubstr("alice"));
}

TEST_F(AuthControlPlaneTest, HttpsListenerServesTheGeneratedCertificateAndReusesIt) {
  auto c = configWith({});
  fs::path cert = dir_ / "work" / "api-server.crt";
  fs::path key = dir_ / "work" / "api-server.key";
  std::string first_cert;
  {
    auto cp = start(c);
    ASSERT_NE(cp, nullptr);
    ASSERT_NE(cp->apiHttpsPort(), 0);
    EXPECT_NE(cp->apiHttpsPort(), cp->apiHttpPort());
    ASSERT_TRUE(fs::exists(cert));
    struct stat st {};
    ASSERT_EQ(::stat(key.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    first_cert = readFile(cert);
    std::string error;
    // Verifies the chain against the certificate itself and 127.0.0.1 against its SANs.
    auto conn = test::HttpsConnection::connect(cp->apiHttpsPort(), cert.string(), &error);
    ASSERT_NE(conn, nullptr) << error;
    auto r = request(*conn, "/");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_THAT(r->body, HasSubstr("\"tagline\":\"Kuma\""));
  }
  auto cp = start(c);
  ASSERT_NE(cp, nullptr);
  EXPECT_EQ(readFile(cert), first_cert);
  std::string error;
  auto conn = test::HttpsConnection::connect(cp->apiHttpsPort(), cert.string(), &error);
  ASSERT_NE(conn, nullptr) << error;
  auto r = request(*conn, "/who-am-i");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
}

TEST_F(AuthControlPlaneTest, ConfiguredCertificateIsUsedAndNothingIsGenerated) {
  fs::path cert = dir_ / "mine.crt", key = dir_ / "mine.key";
  auto made = tls::ensureSelfSignedCert(cert.string(), key.string(), {"127.0.0.1"});
  ASSERT_TRUE(made.ok()) << made.status();
  auto cp = start(configWith({{"URSA_API_SERVER_HTTPS_TLS_CERT_FILE", cert.string()},
                              {"KUMA_API_SERVER_HTTPS_TLS_KEY_FILE", key.string()}}));
  ASSERT_NE(cp, nullptr);
  EXPECT_FALSE(fs::exists(dir_ / "work" / "api-server.crt"));
  std::string error;
  EXPECT_NE(test::HttpsConnection::connect(cp->apiHttpsPort(), cert.string(), &error), nullptr)
      << error;
}

TEST_F(AuthControlPlaneTest, CertificateWithoutKeyIsAConfigurationError) {
  auto cp = ControlPlane::start(configWith({{"URSA_API_SERVER_HTTPS_TLS_CERT_FILE", "/x.crt"}}));
  ASSERT_FALSE(cp.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(cp.status()));
  EXPECT_THAT(std::string(cp.status().message()), HasSubstr("must be set together"));
}

TEST_F(AuthControlPlaneTest, HttpsCanBeDisabledAndHttpsAloneServes) {
  auto plain = start(configWith({{"URSA_API_SERVER_HTTPS_ENABLED", "false"}}));
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(plain->apiHttpsPort(), 0);
  EXPECT_NE(plain->apiHttpPort(), 0);
  plain.reset();
  auto tls_only = start(configWith({{"URSA_API_SERVER_HTTP_ENABLED", "false"}}));
  ASSERT_NE(tls_only, nullptr);
  EXPECT_EQ(tls_only->apiHttpPort(), 0);
  EXPECT_NE(tls_only->apiHttpsPort(), 0);
}

TEST_F(AuthControlPlaneTest, BootstrapCanBeTurnedOff) {
  auto cp = start(configWith({{"KUMA_API_SERVER_AUTHN_TOKENS_BOOTSTRAP_ADMIN_TOKEN", "false"}}));
  ASSERT_NE(cp, nullptr);
  EXPECT_EQ(secret(*cp, "admin-user-token"), "");
  EXPECT_NE(secret(*cp, "user-token-signing-key-1"), "");
}

// X509 subjectAltName entries as "DNS:x" / "IP:x".
std::vector<std::string> sansOf(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  std::vector<std::string> out;
  if (x == nullptr) return out;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_DNS) {
      out.push_back(
          "DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName))));
    } else if (n->type == GEN_IPADD && ASN1_STRING_length(n->d.iPAddress) == 4) {
      const unsigned char* a = ASN1_STRING_get0_data(n->d.iPAddress);
      out.push_back("IP:" + std::to_string(a[0]) + "." + std::to_string(a[1]) + "." +
                    std::to_string(a[2]) + "." + std::to_string(a[3]));
    } else if (n->type == GEN_IPADD) {
      out.push_back("IP:v6");
    }
  }
  EXPECT_EQ(X509_check_ca(x), 1);  // CA:TRUE, so clients may trust it directly
  GENERAL_NAMES_free(names);
  X509_free(x);
  return out;
}

TEST(TlsCertTest, GeneratedCertificateNamesThisHostAndUsesP256) {
  auto pem = tls::generateSelfSignedCert(tls::localHostNames());
  ASSERT_TRUE(pem.ok()) << pem.status();
  auto sans = sansOf(pem->cert_pem);
  EXPECT_THAT(sans, Contains("DNS:localhost"));
  EXPECT_THAT(sans, Contains("IP:127.0.0.1"));
  EXPECT_THAT(sans, Contains("IP:v6"));
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  if (std::string(host) != "localhost") {
    EXPECT_THAT(sans, Contains("DNS:" + std::string(host)));
  }
  BIO* bio = BIO_new_mem_buf(pem->key_pem.data(), static_cast<int>(pem->key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(EVP_PKEY_is_a(key, "EC"), 1);
  char group[64] = {};
  EVP_PKEY_get_group_name(key, group, sizeof group, nullptr);
  EXPECT_STREQ(group, "prime256v1");
  EVP_PKEY_free(key);
}

TEST(TlsCertTest, EnsureWritesOnceAndRegeneratesAnIncompletePair) {
  fs::path dir = test::scratchDir("tls");
  std::string cert = (dir / "sub" / "a.crt").string(), key = (dir / "sub" / "a.key").string();
  auto made = tls::ensureSelfSignedCert(cert, key, {"localhost"});
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_TRUE(*made);
  std::string first = readFile(cert);
  auto again = tls::ensureSelfSignedCert(cert, key, {"localhost"});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(readFile(cert), first);
  fs::remove(key);
  auto regenerated = tls::ensureSelfSignedCert(cert, key, {"localhost"});
  ASSERT_TRUE(regenerated.ok());
  EXPECT_TRUE(*regenerated);
  EXPECT_NE(readFile(cert), first);
  EXPECT_TRUE(fs::exists(key));
  fs::remove_all(dir);
}

TEST(PostgresSigningKeyTest, ControlPlanesOnOneDatabaseCreateOneKey) {
  auto admin = test::postgresAdminDsn();
  if (!admin) GTEST_SKIP() << test::postgresMissingReason();
  test::ScratchDatabase db(*admin);
  ASSERT_TRUE(db.ok());
  constexpr int kPlanes = 3;
  std::vector<std::unique_ptr<store::PostgresStore>> stores;
  std::vector<std::unique_ptr<core::ResourceManager>> managers;
  std::vector<std::unique_ptr<api::SigningKeys>> keys;
  for (int i = 0; i < kPlanes; ++i) {
    auto s = store::PostgresStore::open({.dsn = db.dsn()});
    ASSERT_TRUE(s.ok()) << s.status();
    stores.push_back(std::move(*s));
    managers.push_back(
        std::make_unique<core::ResourceManager>(*stores.back(), core::ManagerOptions{}));
    keys.push_back(std::make_unique<api::SigningKeys>(
        *managers.back(), std::string(api::kUserTokenSigningKeyPrefix)));
  }
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  for (auto& k : keys) {
    threads.emplace_back([&, plane = k.get()] {
      auto r = plane->ensureDefaultKey();
      ASSERT_TRUE(r.ok()) << r.status();
      if (*r) ++created;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  auto first = keys[0]->latest();
  ASSERT_TRUE(first.ok()) << first.status();
  for (auto& k : keys) {
    auto mine = k->latest();
    ASSERT_TRUE(mine.ok());
    EXPECT_EQ(EVP_PKEY_eq(mine->key.get(), first->key.get()), 1);
  }
  // A key deleted through one control plane stops verifying on the others as
  // soon as the change reaches them (LISTEN/NOTIFY), though they cached it.
  ASSERT_TRUE(keys[1]->byKid("1").ok());
  ASSERT_TRUE(managers[0]
                  ->remove({&model::TypeRegistry::instance().globalSecret(), "",
                            "user-token-signing-key-1"})
                  .ok());
  auto deadline = absl::Now() + absl::Seconds(10);
  while (keys[1]->byKid("1").ok() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_TRUE(absl::IsNotFound(keys[1]->byKid("1").status()));
  keys.clear();
  managers.clear();
  stores.clear();
}

}  // namespace
}  // namespace ursa::cp
