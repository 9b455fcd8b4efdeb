// CaManager on one SQLite store: builtin roots kept as Secrets, the cache,
// provided CAs from every DataSource kind, errors and metrics.

#include "src/ca/ca_manager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "absl/strings/escaping.h"
#include "src/ca/builtin_backend.h"
#include "src/store/sqlite/sqlite_store.h"
#include "test/ca/ca_manager_fixture.h"
#include "test/ca/ca_test_support.h"
#include "test/support/fake_clock.h"

namespace ursa::ca {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace testing;  // NOLINT: the CA test helpers

const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);
const std::string kCertSecret = "default.ca-builtin-cert-ca-1";
const std::string kKeySecret = "default.ca-builtin-key-ca-1";

WorkloadIdentity webIdentity(const std::string& mesh = "default") {
  return {.mesh = mesh, .services = {"web"}, .tags = {{"kuma.io/service", {"web"}}}};
}

class CaManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir("ca-manager");
    store_ = open();
    metrics_ = std::make_shared<Metrics>();
    manager_ = std::make_unique<CaManager>(options());
  }
  void TearDown() override {
    manager_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<store::SqliteStore> open() {
    auto s = store::SqliteStore::open({.path = (dir_ / "ursa.db").string(), .clock = clock_});
    EXPECT_TRUE(s.ok()) << s.status();
    return std::move(s).value();
  }
  CaManager::Options options() {
    return {.store = store_.get(), .metrics = metrics_, .clock = clock_};
  }
  // Stores `mesh` and returns it.
  model::Resource stored(model::Resource mesh) {
    auto r = store_->create(mesh);
    EXPECT_TRUE(r.ok()) << r.status();
    return mesh;
  }
  MeshCaConstSharedPtr caOf(const model::Resource& mesh) {
    auto ca = manager_->forMesh(mesh);
    EXPECT_TRUE(ca.ok()) << ca.status();
    return ca.ok() ? *ca : nullptr;
  }
  size_t secretCount() {
    auto l = store_->list({.type = &model::TypeRegistry::instance().secret()});
    return l.ok() ? l->items.size() : 0;
  }

  std::shared_ptr<test::FakeClock> clock_ = std::make_shared<test::FakeClock>(kNow);
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
  MetricsSharedPtr metrics_;
  std::unique_ptr<CaManager> manager_;
};

TEST_F(CaManagerTest, MtlsOffMeansNoCa) {
  auto none = stored(meshWith("default", std::nullopt));
  EXPECT_EQ(caOf(none), nullptr);
  auto disabled = meshWith("other", builtinBackend(), /*enabled=*/false);
  stored(disabled);
  EXPECT_EQ(caOf(disabled), nullptr);
  EXPECT_EQ(secretCount(), 0u);  // no root for a backend that is not enabled
}

TEST_F(CaManagerTest, BuiltinRootIsCreatedOnceAsKumaNamedSecrets) {
  auto mesh = stored(meshWith("default", builtinBackend()));
  MeshCaConstSharedPtr ca = caOf(mesh);
  ASSERT_NE(ca, nullptr);
  EXPECT_EQ(builtinCertSecretName("default", "ca-1"), kCertSecret);
  EXPECT_EQ(builtinKeySecretName("default", "ca-1"), kKeySecret);
  EXPECT_EQ(secretDataOf(*store_, "default", kCertSecret), ca->rootsPem());
  EXPECT_THAT(secretDataOf(*store_, "default", kKeySecret), StartsWith("-----BEGIN PRIVATE KEY"));
  EXPECT_EQ(secretCount(), 2u);
  EXPECT_EQ(ca->backendName(), "ca-1");
  EXPECT_EQ(ca->certificateLifetime(), absl::Hours(24));
  tls::X509Ptr root = parseCert(ca->rootsPem());
  EXPECT_TRUE(EVP_PKEY_is_a(X509_get0_pubkey(root.get()), "EC"));  // ursa's default
  EXPECT_EQ(ASN1_TIME_cmp_time_t(X509_get0_notAfter(root.get()),
                                 absl::ToTimeT(kNow + absl::Hours(24 * 365 * 10))),
            0);
  // Repeated calls: the same CA, nothing written.
  EXPECT_EQ(caOf(mesh), ca);
  EXPECT_EQ((*store_->get(secretKey("default", kCertSecret)))->meta.version, 1);
  // Its identity certificates verify against its roots.
  auto leaf = ca->issue(webIdentity());
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  EXPECT_EQ(verifyLeaf(leaf->cert_pem, ca->rootsPem(), kNow, X509_PURPOSE_SSL_SERVER), "");
  EXPECT_EQ(leaf->not_after, kNow + absl::Hours(24));
  EXPECT_EQ(leaf->backend, "ca-1");
}

TEST_F(CaManagerTest, RootIsReusedByAnotherManagerAfterARestart) {
  auto mesh = stored(meshWith("default", builtinBackend()));
  std::string roots = caOf(mesh)->rootsPem();
  manager_.reset();
  store_.reset();  // the control plane restarts on the same database
  store_ = open();
  manager_ = std::make_unique<CaManager>(options());
  EXPECT_EQ(caOf(mesh)->rootsPem(), roots);
  EXPECT_EQ(secretCount(), 2u);
}

TEST_F(CaManagerTest, ConfChoosesRsaAndLifetimes) {
  auto backend = builtinBackend();
  setConfNumber(backend, "caCert", "RSAbits", 2048);
  setConf(backend, "caCert", "expiration", "1y");
  backend.mutable_dpcert()->mutable_rotation()->set_expiration("2h");
  auto mesh = stored(meshWith("default", backend));
  MeshCaConstSharedPtr ca = caOf(mesh);
  ASSERT_NE(ca, nullptr);
  tls::X509Ptr root = parseCert(ca->rootsPem());
  EXPECT_TRUE(EVP_PKEY_is_a(X509_get0_pubkey(root.get()), "RSA"));
  EXPECT_EQ(EVP_PKEY_get_bits(X509_get0_pubkey(root.get())), 2048);
  EXPECT_EQ(ASN1_TIME_cmp_time_t(X509_get0_notAfter(root.get()),
                                 absl::ToTimeT(kNow + absl::Hours(24 * 365))),
            0);
  EXPECT_EQ(ca->certificateLifetime(), absl::Hours(2));
  auto leaf = ca->issue(webIdentity());
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  EXPECT_EQ(leaf->not_after - leaf->not_before, absl::Hours(2) + absl::Seconds(10));
  EXPECT_TRUE(EVP_PKEY_is_a(X509_get0_pubkey(parseCert(leaf->cert_pem).get()), "RSA"));
  EXPECT_EQ(verifyLeaf(leaf->cert_pem, ca->rootsPem(), kNow, X509_PURPOSE_SSL_CLIENT), "");
}

TEST_F(CaManagerTest, ChangedSecretsOrSettingsMakeANewCa) {
  auto mesh = stored(meshWith("default", builtinBackend()));
  MeshCaConstSharedPtr first = caOf(mesh);
  // Another root replaces both Secrets.
  auto other = generateRoot("default", KeySpec::ecdsaP256(), absl::Hours(24), kNow);
  for (auto [name, data] :
       {std::pair{kCertSecret, other->cert_pem}, {kKeySecret, other->key_pem}}) {
    model::Resource s = secretOf("default", name, data);
    s.meta.version = 1;
    ASSERT_TRUE(store_->update(s).ok());
  }
  MeshCaConstSharedPtr second = caOf(mesh);
  EXPECT_NE(second, first);
  EXPECT_EQ(second->rootsPem(), other->cert_pem);
  // A new identity lifetime: a new CA object on the same root.
  auto backend = builtinBackend();
  backend.mutable_dpcert()->mutable_rotation()->set_expiration("1h");
  MeshCaConstSharedPtr third = caOf(meshWith("default", backend));
  EXPECT_NE(third, second);
  EXPECT_EQ(third->rootsPem(), second->rootsPem());
  EXPECT_EQ(third->certificateLifetime(), absl::Hours(1));
}

TEST_F(CaManagerTest, AMeshCreatedAgainGetsANewRoot) {
  auto mesh = stored(meshWith("default", builtinBackend()));
  std::string roots = caOf(mesh)->rootsPem();
  ASSERT_TRUE(store_->remove({&model::TypeRegistry::instance().mesh(), "", "default"}).ok());
  stored(mesh);  // same name, same clock reading: only the data tells the roots apart
  EXPECT_NE(caOf(mesh)->rootsPem(), roots);
}

TEST_F(CaManagerTest, AKeyLeftWithoutItsCertificateGetsOne) {
  auto mesh = stored(meshWith("default", builtinBackend()));
  auto key = generateKey(KeySpec::ecdsaP256());
  std::string key_pem = *tls::keyToPkcs8Pem(key->get());
  ASSERT_TRUE(store_->create(secretOf("default", kKeySecret, key_pem)).ok());
  MeshCaConstSharedPtr ca = caOf(mesh);
  ASSERT_NE(ca, nullptr);
  EXPECT_EQ(secretDataOf(*store_, "default", kKeySecret), key_pem);
  EXPECT_EQ(X509_check_private_key(parseCert(ca->rootsPem()).get(), key->get()), 1);
}

TEST_F(CaManagerTest, ACertificateWithoutItsKeyIsAnError) {
  auto mesh = stored(meshWith("default", builtinBackend()));
  auto root = generateRoot("default", KeySpec::ecdsaP256(), absl::Hours(24), kNow);
  ASSERT_TRUE(store_->create(secretOf("default", kCertSecret, root->cert_pem)).ok());
  auto ca = manager_->forMesh(mesh);
  EXPECT_EQ(ca.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(ca.status().message()),
              HasSubstr("Secret \"default.ca-builtin-cert-ca-1\" exists without Secret "
                        "\"default.ca-builtin-key-ca-1\""));
}

TEST_F(CaManagerTest, ReadsKumaCreatedRoots) {
  auto mesh = stored(meshWith("default", builtinBackend()));
  auto root = generateRoot("default", KeySpec::rsa(2048), absl::Hours(24), kNow);
  ASSERT_TRUE(store_->create(secretOf("default", kCertSecret, root->cert_pem)).ok());
  ASSERT_TRUE(
      store_->create(secretOf("default", kKeySecret, traditionalKeyPem(root->key_pem))).ok());
  MeshCaConstSharedPtr ca = caOf(mesh);
  ASSERT_NE(ca, nullptr);
  EXPECT_EQ(ca->rootsPem(), root->cert_pem);
}

TEST_F(CaManagerTest, WithAResourceCacheRepeatedCallsDoNotReadTheStore) {
  CountingStore counting(*store_);
  auto cache = store::ResourceCache::start(counting);
  ASSERT_TRUE(cache.ok()) << cache.status();
  CaManager manager({.store = &counting, .cache = cache->get(), .clock = clock_});
  auto mesh = stored(meshWith("default", builtinBackend()));
  auto first = manager.forMesh(mesh);
  ASSERT_TRUE(first.ok()) << first.status();
  // Wait until the cache has seen the new Secrets.
  for (int i = 0; i < 500; ++i) {
    auto snap = (*cache)->current();
    if (snap.ok() && (*snap)->get(secretKey("default", kKeySecret))) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  counting.gets = 0;
  for (int i = 0; i < 100; ++i) EXPECT_EQ(*manager.forMesh(mesh), *first);
  EXPECT_EQ(counting.gets, 0);

  // Without a cache every call reads both Secrets.
  CaManager uncached({.store = &counting, .clock = clock_});
  MeshCaConstSharedPtr ca = *uncached.forMesh(mesh);
  counting.gets = 0;
  EXPECT_EQ(*uncached.forMesh(mesh), ca);
  EXPECT_EQ(counting.gets, 2);
  EXPECT_EQ(ca->rootsPem(), (*first)->rootsPem());
}

TEST_F(CaManagerTest, CountsIssuedCertificates) {
  auto mesh = stored(meshWith("default", builtinBackend()));
  MeshCaConstSharedPtr ca = caOf(mesh);
  ASSERT_TRUE(ca->issue(webIdentity()).ok());
  ASSERT_TRUE(ca->issue(webIdentity()).ok());
  EXPECT_FALSE(ca->issue(webIdentity("other")).ok());  // failures are not counted
  std::string text = metrics_->render();
  EXPECT_THAT(text, HasSubstr("cert_generation{zone=\"Standalone\",mesh=\"default\"} 2"));
  EXPECT_THAT(text,
              HasSubstr("ca_manager_get_cert_count{zone=\"Standalone\",backend_name=\"ca-1\"} 2"));
  EXPECT_THAT(text, HasSubstr("ca_manager_get_cert{zone=\"Standalone\",backend_name=\"ca-1\","
                              "quantile=\"0.99\"}"));
}

TEST_F(CaManagerTest, UnusableBackendsAreErrorsNamingMeshAndBackend) {
  auto expectError = [&](CertificateAuthorityBackend backend, const std::string& text) {
    auto ca = manager_->forMesh(meshWith("default", backend));
    EXPECT_EQ(ca.status().code(), absl::StatusCode::kFailedPrecondition) << ca.status();
    EXPECT_THAT(std::string(ca.status().message()),
                StartsWith("mesh \"default\", CA backend \"ca-1\" ("));
    EXPECT_THAT(std::string(ca.status().message()), HasSubstr(text));
  };
  stored(meshWith("default", std::nullopt));
  auto vault = builtinBackend();
  vault.set_type("vault");
  expectError(vault, "unknown CA backend type \"vault\"");
  auto bad_rotation = builtinBackend();
  bad_rotation.mutable_dpcert()->mutable_rotation()->set_expiration("0");
  expectError(bad_rotation, "dpCert.rotation.expiration \"0\" is not a positive duration");
  auto bad_bits = builtinBackend();
  setConfNumber(bad_bits, "caCert", "RSAbits", 100);
  expectError(bad_bits, "conf.caCert.RSAbits 100 is outside [1024, 8192]");
  auto bad_conf = builtinBackend();
  setConf(bad_conf, "caCert", "RSAbits", "many");
  expectError(bad_conf, "conf: ");
  EXPECT_EQ(secretCount(), 0u);
}

TEST_F(CaManagerTest, ABuiltinRootNeedsItsMeshInTheStore) {
  auto ca = manager_->forMesh(meshWith("ghost", builtinBackend()));
  EXPECT_FALSE(ca.ok());
  EXPECT_THAT(std::string(ca.status().message()),
              StartsWith("mesh \"ghost\", CA backend \"ca-1\" (builtin): "));
}

// --- provided ------------------------------------------------------------------

class ProvidedCaTest : public CaManagerTest, public ::testing::WithParamInterface<std::string> {
 protected:
  // A backend of DataSource kind GetParam() holding `pair`.
  CertificateAuthorityBackend backendFor(const PemPair& pair) {
    const std::string& kind = GetParam();
    if (kind == "secret") {
      EXPECT_TRUE(store_->create(secretOf("default", "ca-cert", pair.cert_pem)).ok());
      EXPECT_TRUE(store_->create(secretOf("default", "ca-key", pair.key_pem)).ok());
      return providedBackend(kind, "ca-cert", "ca-key");
    }
    if (kind == "file") {
      std::ofstream((dir_ / "ca.pem").string()) << pair.cert_pem;
      std::ofstream((dir_ / "ca.key").string()) << pair.key_pem;
      return providedBackend(kind, (dir_ / "ca.pem").string(), (dir_ / "ca.key").string());
    }
    if (kind == "inline") {  // base64, as in YAML and JSON
      return providedBackend(kind, absl::Base64Escape(pair.cert_pem),
                             absl::Base64Escape(pair.key_pem));
    }
    return providedBackend(kind, pair.cert_pem, pair.key_pem);
  }
  std::string source(const std::string& field) {
    const std::string& kind = GetParam();
    if (kind == "secret")
      return field + " (secret \"ca-" + (field == "conf.cert" ? "cert" : "key") + "\")";
    if (kind == "file") {
      return field + " (file \"" + (dir_ / (field == "conf.cert" ? "ca.pem" : "ca.key")).string() +
             "\")";
    }
    return field + " (" + kind + ")";
  }
};

TEST_P(ProvidedCaTest, SignsWithTheProvidedPair) {
  stored(meshWith("default", std::nullopt));
  auto pair = generateRoot("default", KeySpec::ecdsaP256(), absl::Hours(24 * 365), kNow);
  auto mesh = meshWith("default", backendFor(*pair));
  MeshCaConstSharedPtr ca = caOf(mesh);
  ASSERT_NE(ca, nullptr);
  EXPECT_EQ(ca->rootsPem(), pair->cert_pem);
  auto leaf = ca->issue(webIdentity());
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  EXPECT_EQ(verifyLeaf(leaf->cert_pem, pair->cert_pem, kNow, X509_PURPOSE_SSL_SERVER), "");
  EXPECT_EQ(caOf(mesh), ca);
  EXPECT_EQ(secretCount(), GetParam() == "secret" ? 2u : 0u);  // nothing generated
}

TEST_P(ProvidedCaTest, RefusesACertificateThatIsNotACa) {
  stored(meshWith("default", std::nullopt));
  PemPair leafish = selfSigned("critical,CA:FALSE", "critical,digitalSignature", kNow);
  auto ca = manager_->forMesh(meshWith("default", backendFor(leafish)));
  EXPECT_EQ(ca.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(ca.status().message()),
              StartsWith("mesh \"default\", CA backend \"ca-1\" (provided): " +
                         source("conf.cert") + ": not a CA certificate: basic constraint 'CA'"));
}

TEST_P(ProvidedCaTest, RefusesAKeyThatDoesNotMatch) {
  stored(meshWith("default", std::nullopt));
  auto a = generateRoot("default", KeySpec::ecdsaP256(), absl::Hours(24), kNow);
  auto b = generateRoot("default", KeySpec::ecdsaP256(), absl::Hours(24), kNow);
  auto ca = manager_->forMesh(meshWith("default", backendFor({a->cert_pem, b->key_pem})));
  EXPECT_EQ(ca.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(ca.status().message()),
              HasSubstr(source("conf.key") +
                        ": the private key does not match the certificate "
                        "of " +
                        source("conf.cert")));
}

INSTANTIATE_TEST_SUITE_P(DataSources, ProvidedCaTest,
                         ::testing::Values("secret", "file", "inline", "inlineString"));

TEST_F(CaManagerTest, ProvidedDataSourcesThatCannotBeRead) {
  stored(meshWith("default", std::nullopt));
  auto missing_secret = manager_->forMesh(meshWith("default", providedBackend("secret", "x", "y")));
  EXPECT_EQ(missing_secret.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(missing_secret.status().message()),
              HasSubstr("conf.cert (secret \"x\"): no such Secret in mesh \"default\""));
  auto missing_file = manager_->forMesh(
      meshWith("default", providedBackend("file", "/nonexistent/ca.pem", "/nonexistent/ca.key")));
  EXPECT_THAT(std::string(missing_file.status().message()),
              HasSubstr("conf.cert (file \"/nonexistent/ca.pem\"): cannot read: /nonexistent/ca.pem: No such file"));
  CertificateAuthorityBackend no_key = providedBackend("inlineString", "x", "y");
  no_key.mutable_conf()->mutable_fields()->erase("key");
  auto undefined = manager_->forMesh(meshWith("default", no_key));
  EXPECT_THAT(std::string(undefined.status().message()), HasSubstr("conf.key: has to be defined"));
}

}  // namespace
}  // namespace ursa::ca
