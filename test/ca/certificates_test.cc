// Certificate primitives: the builtin root, identity certificates, and the
// checks on a provided CA pair.

#include "src/ca/certificates.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "src/ca/signing_ca.h"
#include "test/ca/ca_test_support.h"
#include "test/support/fake_clock.h"

namespace ursa::ca {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::parseCert;
using ::testing::StartsWith;
using testing::uriSans;
using testing::verifyLeaf;

const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);

SigningPair loadRoot(const PemPair& root) {
  auto pair = loadSigningPair(root.cert_pem, root.key_pem, "cert", "key");
  EXPECT_TRUE(pair.ok()) << pair.status();
  return std::move(pair).value();
}

WorkloadIdentity webIdentity() {
  return {.mesh = "default",
          .services = {"web", "backend", "web"},
          .tags = {{"kuma.io/service", {"web", "backend"}},
                   {"version", {"v2", "v1"}},
                   {"kuma.io/zone", {"zone-1"}}}};
}

IssuedCertificate issue(const SigningPair& ca, const WorkloadIdentity& id, LeafOptions options) {
  auto leaf = issueLeaf(ca, id, options, "ca-1");
  EXPECT_TRUE(leaf.ok()) << leaf.status();
  return leaf.ok() ? *leaf : IssuedCertificate{};
}

TEST(BuiltinRoot, HasKumasShape) {
  auto root = generateRoot("default", KeySpec::ecdsaP256(), absl::Hours(24 * 365 * 10), kNow);
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_THAT(root->key_pem, StartsWith("-----BEGIN PRIVATE KEY-----"));
  tls::X509Ptr cert = parseCert(root->cert_pem);
  EXPECT_EQ(testing::nameText(X509_get_subject_name(cert.get())),
            "O = Kuma, OU = Mesh, CN = default");
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())), 0);
  EXPECT_THAT(uriSans(cert.get()), ElementsAre("spiffe://default"));
  uint32_t flags = X509_get_extension_flags(cert.get());
  EXPECT_TRUE(flags & EXFLAG_CA);
  EXPECT_EQ(X509_get_key_usage(cert.get()), static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_NE(X509_get0_subject_key_id(cert.get()), nullptr);
  EXPECT_EQ(ASN1_TIME_cmp_time_t(X509_get0_notBefore(cert.get()), absl::ToTimeT(kNow) - 10), 0);
  EXPECT_EQ(ASN1_TIME_cmp_time_t(X509_get0_notAfter(cert.get()),
                                 absl::ToTimeT(kNow + absl::Hours(24 * 365 * 10))),
            0);
  EVP_PKEY* pub = X509_get0_pubkey(cert.get());
  EXPECT_TRUE(EVP_PKEY_is_a(pub, "EC"));
  EXPECT_EQ(EVP_PKEY_get_bits(pub), 256);
  // Self-signed: it verifies as its own anchor.
  EXPECT_EQ(verifyLeaf(root->cert_pem, root->cert_pem, kNow, X509_PURPOSE_ANY), "");
}

TEST(BuiltinRoot, RsaWhenAsked) {
  auto root = generateRoot("default", KeySpec::rsa(2048), absl::Hours(24), kNow);
  ASSERT_TRUE(root.ok()) << root.status();
  tls::X509Ptr cert = parseCert(root->cert_pem);
  EXPECT_TRUE(EVP_PKEY_is_a(X509_get0_pubkey(cert.get()), "RSA"));
  EXPECT_EQ(EVP_PKEY_get_bits(X509_get0_pubkey(cert.get())), 2048);
}

TEST(BuiltinRoot, RefusesRsaSizesOutOfRange) {
  EXPECT_EQ(generateKey(KeySpec::rsa(512)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(generateKey(KeySpec::rsa(16384)).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(BuiltinRoot, LongMeshNamesFitTheCommonName) {
  std::string mesh(120, 'm');
  auto root = generateRoot(mesh, KeySpec::ecdsaP256(), absl::Hours(24), kNow);
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_THAT(uriSans(parseCert(root->cert_pem).get()), ElementsAre("spiffe://" + mesh));
}

TEST(IdentityCertificate, VerifiesAgainstItsRootForServerAndClient) {
  auto root = generateRoot("default", KeySpec::ecdsaP256(), absl::Hours(24 * 365), kNow);
  SigningPair ca = loadRoot(*root);
  IssuedCertificate leaf = issue(ca, webIdentity(), {.now = kNow});
  EXPECT_EQ(verifyLeaf(leaf.cert_pem, ca.chainPem(), kNow, X509_PURPOSE_SSL_SERVER), "");
  EXPECT_EQ(verifyLeaf(leaf.cert_pem, ca.chainPem(), kNow, X509_PURPOSE_SSL_CLIENT), "");
  // Not against another mesh's root, and not once expired.
  auto other = generateRoot("other", KeySpec::ecdsaP256(), absl::Hours(24 * 365), kNow);
  EXPECT_NE(verifyLeaf(leaf.cert_pem, other->cert_pem, kNow, X509_PURPOSE_SSL_SERVER), "");
  EXPECT_NE(
      verifyLeaf(leaf.cert_pem, ca.chainPem(), kNow + absl::Hours(25), X509_PURPOSE_SSL_SERVER),
      "");
  // The key is the certificate's.
  auto key = tls::parsePrivateKeyPem(leaf.key_pem);
  ASSERT_TRUE(key.ok());
  EXPECT_THAT(leaf.key_pem, StartsWith("-----BEGIN PRIVATE KEY-----"));
  EXPECT_EQ(X509_check_private_key(parseCert(leaf.cert_pem).get(), key->get()), 1);
}

TEST(IdentityCertificate, SansAreExactlyTheSpiffeAndKumaUris) {
  auto root = generateRoot("default", KeySpec::ecdsaP256(), absl::Hours(24 * 365), kNow);
  IssuedCertificate leaf = issue(loadRoot(*root), webIdentity(), {.now = kNow});
  tls::X509Ptr cert = parseCert(leaf.cert_pem);
  bool critical = false;
  EXPECT_THAT(uriSans(cert.get(), &critical),
              ElementsAre("spiffe://default/backend", "spiffe://default/web",
                          "kuma://kuma.io/service/backend", "kuma://kuma.io/service/web",
                          "kuma://kuma.io/zone/zone-1", "kuma://version/v1", "kuma://version/v2"));
  EXPECT_TRUE(critical);  // the subject is empty
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  EXPECT_EQ(sk_GENERAL_NAME_num(names), 7);  // nothing but URIs
  GENERAL_NAMES_free(names);
  EXPECT_EQ(X509_NAME_entry_count(X509_get_subject_name(cert.get())), 0);
}

TEST(IdentityCertificate, ValidityWindowUsagesAndSerial) {
  auto root = generateRoot("default", KeySpec::ecdsaP256(), absl::Hours(24 * 365), kNow);
  SigningPair ca = loadRoot(*root);
  IssuedCertificate leaf = issue(ca, webIdentity(), {.lifetime = absl::Hours(6), .now = kNow});
  EXPECT_EQ(leaf.not_before, kNow - absl::Seconds(10));
  EXPECT_EQ(leaf.not_after, kNow + absl::Hours(6));
  EXPECT_EQ(leaf.backend, "ca-1");
  tls::X509Ptr cert = parseCert(leaf.cert_pem);
  EXPECT_EQ(ASN1_TIME_cmp_time_t(X509_get0_notBefore(cert.get()), absl::ToTimeT(kNow) - 10), 0);
  EXPECT_EQ(
      ASN1_TIME_cmp_time_t(X509_get0_notAfter(cert.get()), absl::ToTimeT(kNow + absl::Hours(6))),
      0);
  uint32_t flags = X509_get_extension_flags(cert.get());
  EXPECT_FALSE(flags & EXFLAG_CA);
  EXPECT_TRUE(flags & EXFLAG_BCONS);
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()),
            static_cast<uint32_t>(XKU_SSL_SERVER | XKU_SSL_CLIENT));
  EXPECT_EQ(X509_get_key_usage(cert.get()),
            static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT | KU_KEY_AGREEMENT));
  EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(cert.get()), X509_get_subject_name(ca.cert())), 0);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(cert.get()),
                                  X509_get0_subject_key_id(ca.cert())),
            0);
  EVP_PKEY* pub = X509_get0_pubkey(cert.get());
  EXPECT_TRUE(EVP_PKEY_is_a(pub, "EC"));
  EXPECT_EQ(EVP_PKEY_get_bits(pub), 256);
  // A random positive serial of at most 128 bits, different every time.
  tls::BnPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr));
  EXPECT_LE(BN_num_bits(serial.get()), 128);
  EXPECT_GT(BN_num_bits(serial.get()), 64);  // fails with probability 2^-64
  EXPECT_FALSE(BN_is_negative(serial.get()));
  EXPECT_LE(leaf.serial_hex.size(), 32u);
  EXPECT_NE(issue(ca, webIdentity(), {.now = kNow}).serial_hex, leaf.serial_hex);
}

TEST(IdentityCertificate, RsaOption) {
  auto root = generateRoot("default", KeySpec::rsa(2048), absl::Hours(24 * 365), kNow);
  SigningPair ca = loadRoot(*root);
  IssuedCertificate leaf = issue(ca, webIdentity(), {.key = KeySpec::rsa(2048), .now = kNow});
  tls::X509Ptr cert = parseCert(leaf.cert_pem);
  EXPECT_TRUE(EVP_PKEY_is_a(X509_get0_pubkey(cert.get()), "RSA"));
  EXPECT_EQ(EVP_PKEY_get_bits(X509_get0_pubkey(cert.get())), 2048);
  EXPECT_EQ(verifyLeaf(leaf.cert_pem, ca.chainPem(), kNow, X509_PURPOSE_SSL_SERVER), "");
  // An ECDSA identity under an RSA root verifies too.
  IssuedCertificate ec = issue(ca, webIdentity(), {.now = kNow});
  EXPECT_EQ(verifyLeaf(ec.cert_pem, ca.chainPem(), kNow, X509_PURPOSE_SSL_CLIENT), "");
}

TEST(IdentityCertificate, RenewalTimeIsAtFourFifthsOfTheLifetime) {
  auto root = generateRoot("default", KeySpec::ecdsaP256(), absl::Hours(24 * 365), kNow);
  IssuedCertificate leaf = issue(loadRoot(*root), webIdentity(), {.now = kNow});
  // Lifetime 24h from now - 10s: 24h10s; 4/5 of it is 19h12m8s.
  EXPECT_EQ(renewalTime(leaf),
            kNow - absl::Seconds(10) + absl::Hours(19) + absl::Minutes(12) + absl::Seconds(8));
  IssuedCertificate manual;
  manual.not_before = kNow;
  manual.not_after = kNow + absl::Hours(10);
  EXPECT_EQ(renewalTime(manual), kNow + absl::Hours(8));
}

TEST(IdentityCertificate, RefusesWhatAUriCannotCarry) {
  auto root = generateRoot("default", KeySpec::ecdsaP256(), absl::Hours(24), kNow);
  SigningPair ca = loadRoot(*root);
  auto bad_service =
      issueLeaf(ca, {.mesh = "default", .services = {"web:8080"}}, {.now = kNow}, "b");
  EXPECT_EQ(bad_service.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad_service.status().message()), HasSubstr("SPIFFE"));
  auto bad_tag = issueLeaf(ca, {.mesh = "default", .services = {"web"}, .tags = {{"a b", {"c"}}}},
                           {.now = kNow}, "b");
  EXPECT_EQ(bad_tag.status().code(), absl::StatusCode::kInvalidArgument);
  auto nothing = issueLeaf(ca, {.mesh = "default"}, {.now = kNow}, "b");
  EXPECT_EQ(nothing.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SigningCa, SignsOnlyItsOwnMesh) {
  auto root = generateRoot("default", KeySpec::ecdsaP256(), absl::Hours(24), kNow);
  auto clock = std::make_shared<test::FakeClock>(kNow);
  SigningCa ca({.mesh = "default", .backend = "ca-1", .pair = loadRoot(*root), .clock = clock});
  EXPECT_TRUE(ca.issue(webIdentity()).ok());
  WorkloadIdentity other = webIdentity();
  other.mesh = "other";
  EXPECT_EQ(ca.issue(other).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ca.certificateLifetime(), absl::Hours(24));
  EXPECT_EQ(ca.backendName(), "ca-1");
}

// --- the P-256 fast paths of src/common/openssl.cc ----------------------------

std::string genericKeyPem(EVP_PKEY* key) {
  tls::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string publicKeyDer(X509* cert) {
  unsigned char* der = nullptr;
  int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n > 0 ? n : 0));
  OPENSSL_free(der);
  return out;
}

TEST(OpenSslFastPaths, P256EncodingsAreOpenSslsOwn) {
  for (int i = 0; i < 20; ++i) {  // scalars with leading zero bytes included, now and then
    auto key = tls::generateEcP256Key();
    ASSERT_TRUE(key.ok()) << key.status();
    EXPECT_EQ(*tls::keyToPkcs8Pem(key->get()), genericKeyPem(key->get()));
    tls::X509Ptr fast(X509_new()), generic(X509_new());
    ASSERT_TRUE(tls::setPublicKey(fast.get(), key->get()).ok());
    ASSERT_EQ(X509_set_pubkey(generic.get(), key->get()), 1);
    std::string der = publicKeyDer(fast.get());
    EXPECT_EQ(der, publicKeyDer(generic.get()));
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    tls::PkeyPtr decoded(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
    EXPECT_EQ(EVP_PKEY_eq(decoded.get(), key->get()), 1);
  }
}

TEST(OpenSslFastPaths, OtherKeysTakeTheGenericPath) {
  auto rsa = generateKey(KeySpec::rsa(2048));
  ASSERT_TRUE(rsa.ok());
  EXPECT_EQ(*tls::keyToPkcs8Pem(rsa->get()), genericKeyPem(rsa->get()));
  tls::PkeyPtr p384(EVP_EC_gen("P-384"));
  EXPECT_EQ(*tls::keyToPkcs8Pem(p384.get()), genericKeyPem(p384.get()));
  tls::X509Ptr cert(X509_new());
  ASSERT_TRUE(tls::setPublicKey(cert.get(), p384.get()).ok());
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(cert.get()), p384.get()), 1);
}

// --- provided CA checks --------------------------------------------------------

TEST(LoadSigningPair, RefusesACertificateThatIsNotACa) {
  PemPair leafish = testing::selfSigned("critical,CA:FALSE", "critical,digitalSignature", kNow);
  auto pair = loadSigningPair(leafish.cert_pem, leafish.key_pem, "conf.cert (secret \"c\")",
                              "conf.key (secret \"k\")");
  ASSERT_EQ(pair.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(pair.status().message()),
              StartsWith("conf.cert (secret \"c\"): not a CA certificate"));
  EXPECT_THAT(std::string(pair.status().message()),
              HasSubstr("basic constraint 'CA' must be set to 'true'"));
  EXPECT_THAT(std::string(pair.status().message()), HasSubstr("'keyCertSign' must be set"));
}

TEST(LoadSigningPair, RefusesMissingExtensionsAndKeyAgreement) {
  PemPair bare = testing::selfSigned("", "", kNow);
  auto no_ext = loadSigningPair(bare.cert_pem, bare.key_pem, "cert", "key");
  EXPECT_THAT(std::string(no_ext.status().message()), HasSubstr("basic constraint 'CA'"));
  EXPECT_THAT(std::string(no_ext.status().message()), HasSubstr("'keyCertSign' must be set"));
  PemPair agreement =
      testing::selfSigned("critical,CA:TRUE", "critical,keyCertSign,keyAgreement", kNow);
  auto ka = loadSigningPair(agreement.cert_pem, agreement.key_pem, "cert", "key");
  EXPECT_THAT(std::string(ka.status().message()), HasSubstr("'keyAgreement' must NOT be set"));
}

TEST(LoadSigningPair, RefusesAKeyThatDoesNotMatch) {
  auto a = generateRoot("default", KeySpec::ecdsaP256(), absl::Hours(24), kNow);
  auto b = generateRoot("default", KeySpec::ecdsaP256(), absl::Hours(24), kNow);
  auto pair = loadSigningPair(a->cert_pem, b->key_pem, "conf.cert (inline)",
                              "conf.key (file \"/etc/ca.key\")");
  ASSERT_EQ(pair.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(pair.status().message(),
            "conf.key (file \"/etc/ca.key\"): the private key does not match the certificate of "
            "conf.cert (inline)");
}

TEST(LoadSigningPair, NamesTheSourceOfMalformedPem) {
  auto root = generateRoot("default", KeySpec::ecdsaP256(), absl::Hours(24), kNow);
  auto bad_cert = loadSigningPair("not a certificate", root->key_pem, "CERT", "KEY");
  EXPECT_THAT(std::string(bad_cert.status().message()), StartsWith("CERT: "));
  auto bad_key = loadSigningPair(root->cert_pem,
                                 "-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                 "-----END PRIVATE KEY-----\n",
                                 "CERT", "KEY");
  EXPECT_THAT(std::string(bad_key.status().message()),
              StartsWith("KEY: not a valid unencrypted PEM private key"));
  std::string truncated = root->cert_pem.substr(0, root->cert_pem.size() / 2);
  EXPECT_THAT(
      std::string(loadSigningPair(truncated, root->key_pem, "CERT", "KEY").status().message()),
      StartsWith("CERT: "));
}

TEST(LoadSigningPair, AcceptsKumasTraditionalKeysAndChains) {
  auto root = generateRoot("default", KeySpec::rsa(2048), absl::Hours(24), kNow);
  std::string pkcs1 = testing::traditionalKeyPem(root->key_pem);
  ASSERT_THAT(pkcs1, StartsWith("-----BEGIN RSA PRIVATE KEY-----"));
  EXPECT_TRUE(loadSigningPair(root->cert_pem, pkcs1, "cert", "key").ok());
  // Two CA certificates: the first signs, both are trusted.
  auto second = generateRoot("default", KeySpec::ecdsaP256(), absl::Hours(24), kNow);
  auto chain = loadSigningPair(root->cert_pem + second->cert_pem, root->key_pem, "c", "k");
  ASSERT_TRUE(chain.ok()) << chain.status();
  EXPECT_EQ(tls::parseCertificatesPem(chain->chainPem())->size(), 2u);
  IssuedCertificate leaf = issue(*chain, webIdentity(), {.now = kNow});
  EXPECT_EQ(verifyLeaf(leaf.cert_pem, chain->chainPem(), kNow, X509_PURPOSE_SSL_SERVER), "");
}

}  // namespace
}  // namespace ursa::ca
