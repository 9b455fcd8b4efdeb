// The certificate writer (src/dp/cert_writer.h) against the real ADS server
// serving Secret resources from a SnapshotCache: first certificates, no
// mTLS, rotation (rewritten whole, CA bundle first), malformed secrets
// NACKed, and reconnection after a control plane restart.

#include "src/dp/cert_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "envoy/extensions/transport_sockets/tls/v3/secret.pb.h"
#include "test/dp/cert_test_support.h"
#include "test/dp/xds_test_support.h"

namespace ursa::dp {
namespace {

using envoy::extensions::transport_sockets::tls::v3::Secret;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr char kToken[] = "eyJhbGciOiJSUzI1NiJ9.eyJOYW1lIjoiYmFja2VuZC0xIn0.c2ln";
constexpr char kNode[] = "default.backend-1";

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CertWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ursa-dp-writer-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    ca_ = test::makeCert("mesh-ca", nullptr);
    leaf_ = test::makeCert("backend", &ca_, "spiffe://default/backend");
  }
  void TearDown() override {
    if (writer_) writer_->stop();
    std::filesystem::remove_all(dir_);
  }

  void startWriter(const CpAddress& address) {
    writer_ = CertWriter::start({.channel = makeCpChannel(address, cp_.ca_pem),
                                 .token = fixedToken(kToken),
                                 .identity = {kNode, "grpc"},
                                 .mesh = "default",
                                 .dir = dir_.string(),
                                 .reconnect_backoff = absl::Milliseconds(100),
                                 .gate = gate_});
  }

  // The proxy's snapshot: its secrets (when given) beside other config.
  void setSecrets(const std::string& ca_pem, const test::Pem* leaf) {
    xds::SnapshotBuilder b;
    if (leaf != nullptr) {
      Secret identity;
      identity.set_name("identity_cert:secret:default");
      identity.mutable_tls_certificate()->mutable_certificate_chain()->set_inline_bytes(leaf->cert);
      identity.mutable_tls_certificate()->mutable_private_key()->set_inline_bytes(leaf->key_sec1);
      b.add(xds::TypeIndex::Secret, identity.name(), identity);
      Secret ca;
      ca.set_name("mesh_ca:secret:default");
      ca.mutable_validation_context()->mutable_trusted_ca()->set_inline_bytes(ca_pem);
      b.add(xds::TypeIndex::Secret, ca.name(), ca);
    }
    Secret other;  // another mesh's secret: never asked for
    other.set_name("mesh_ca:secret:other");
    b.add(xds::TypeIndex::Secret, other.name(), other);
    cp_.cache.set(kNode, b.build());
  }

  bool waitForFile(const char* name, const std::string& content) {
    for (int i = 0; i < 250; ++i) {
      if (slurp(dir_ / name) == content) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  test::TlsAdsUpstream cp_{kToken};
  std::filesystem::path dir_;
  test::Pem ca_, leaf_;
  std::shared_ptr<CertificateGate> gate_ = std::make_shared<CertificateGate>(absl::Seconds(30));
  std::unique_ptr<CertWriter> writer_;
};

TEST_F(CertWriterTest, WritesTheFirstCertificates) {
  setSecrets(ca_.cert, &leaf_);
  startWriter(cp_.address());
  auto first = writer_->waitForFirst(absl::Seconds(5));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(*first);
  EXPECT_EQ(slurp(dir_ / "ca.pem"), ca_.cert);
  EXPECT_EQ(slurp(dir_ / "cert.pem"), leaf_.cert);
  EXPECT_EQ(slurp(dir_ / "key.pem"), leaf_.key);  // PKCS#8, though sent as SEC1
  EXPECT_EQ(writer_->writes(), 1u);
  EXPECT_GT(writer_->certificateExpiry(), absl::Now());

  // It subscribed by name, as the proxy, with its token, and ACKed.
  EXPECT_TRUE(cp_.callbacks.waitFor([&] { return cp_.callbacks.acks >= 1; }));
  std::lock_guard lock(cp_.callbacks.mu_);
  ASSERT_EQ(cp_.callbacks.opened.size(), 1u);
  EXPECT_EQ(cp_.callbacks.opened[0].node_id, kNode);
  EXPECT_EQ(cp_.callbacks.opened[0].node.metadata().fields().at("ursa.proxy").string_value(),
            "grpc");
}

TEST_F(CertWriterTest, AnEmptyFirstAnswerMeansNoMtls) {
  setSecrets("", nullptr);
  startWriter(cp_.address());
  auto first = writer_->waitForFirst(absl::Seconds(5));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(*first);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "cert.pem"));

  // mTLS turned on later: the files appear.
  setSecrets(ca_.cert, &leaf_);
  EXPECT_TRUE(waitForFile("cert.pem", leaf_.cert));
}

// The certificate gate follows the files: closed without mTLS, open once
// they are written, closed again when mTLS goes, open again when the same
// certificates come back (the files still hold them).
TEST_F(CertWriterTest, OpensTheCertificateGateOnceTheFilesHoldTheServedCertificates) {
  gate_->setProviderRefresh(absl::Seconds(10));  // would show as a delay below
  setSecrets("", nullptr);
  startWriter(cp_.address());
  ASSERT_TRUE(writer_->waitForFirst(absl::Seconds(5)).ok());
  EXPECT_FALSE(gate_->isOpen());

  auto waitOpen = [&](bool open) {
    for (int i = 0; i < 250 && gate_->isOpen() != open; ++i) std::this_thread::sleep_for(20ms);
    return gate_->isOpen() == open;
  };
  setSecrets(ca_.cert, &leaf_);
  EXPECT_TRUE(waitOpen(true));
  EXPECT_EQ(slurp(dir_ / "cert.pem"), leaf_.cert) << "opened before the files were written";
  setSecrets("", nullptr);
  EXPECT_TRUE(waitOpen(false));
  setSecrets(ca_.cert, &leaf_);
  EXPECT_TRUE(waitOpen(true)) << "unchanged files need no provider refresh";
}

TEST_F(CertWriterTest, WaitsBoundedWhileTheControlPlaneHasNoConfigYet) {
  startWriter(cp_.address());
  auto first = writer_->waitForFirst(absl::Milliseconds(300));
  EXPECT_TRUE(absl::IsDeadlineExceeded(first.status()));
  EXPECT_THAT(std::string(first.status().message()), HasSubstr("no certificates"));
  setSecrets(ca_.cert, &leaf_);
  first = writer_->waitForFirst(absl::Seconds(5));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(*first);
}

// A CA rotation as the control plane performs it: first the bundle of both
// roots, then a leaf from the new root. Each change is written whole, by
// rename, CA bundle before the identity (chain and key in one file).
TEST_F(CertWriterTest, RotationRewritesTheFilesCaBundleFirst) {
  setSecrets(ca_.cert, &leaf_);
  startWriter(cp_.address());
  ASSERT_TRUE(writer_->waitForFirst(absl::Seconds(5)).ok());

  int fd = inotify_init1(IN_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_GE(inotify_add_watch(fd, dir_.c_str(), IN_MOVED_TO), 0);

  test::Pem ca2 = test::makeCert("mesh-ca-2", nullptr);
  test::Pem leaf2 = test::makeCert("backend", &ca2, "spiffe://default/backend");
  std::string bundle = ca_.cert + ca2.cert;
  setSecrets(bundle, &leaf_);  // step 1: trust both roots
  ASSERT_TRUE(waitForFile("ca.pem", bundle));
  setSecrets(bundle, &leaf2);  // step 2: the new leaf
  ASSERT_TRUE(waitForFile("key.pem", leaf2.key));
  EXPECT_EQ(slurp(dir_ / "cert.pem"), leaf2.cert);
  EXPECT_EQ(slurp(dir_ / "identity.pem"), leaf2.cert + leaf2.key);
  // Counted just after the last rename, which waitForFile may see first.
  for (int i = 0; i < 100 && writer_->writes() < 3; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(writer_->writes(), 3u);

  std::vector<std::string> renamed;
  alignas(inotify_event) char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  for (char* p = buf; n > 0 && p < buf + n;) {
    auto* e = reinterpret_cast<inotify_event*>(p);
    renamed.emplace_back(e->name);
    p += sizeof(inotify_event) + e->len;
  }
  EXPECT_THAT(renamed, ElementsAre("ca.pem", "identity.pem", "cert.pem", "key.pem"));
}

TEST_F(CertWriterTest, NacksAMalformedSecretAndKeepsTheFiles) {
  setSecrets(ca_.cert, &leaf_);
  startWriter(cp_.address());
  ASSERT_TRUE(writer_->waitForFirst(absl::Seconds(5)).ok());
  test::Pem stray = test::makeCert("stray", &ca_);
  test::Pem mismatched{leaf_.cert, stray.key, stray.key_sec1};
  setSecrets(ca_.cert, &mismatched);
  ASSERT_TRUE(cp_.callbacks.waitFor([&] { return !cp_.callbacks.nack_details.empty(); }));
  EXPECT_THAT(cp_.callbacks.nack_details[0], HasSubstr("does not belong"));
  EXPECT_EQ(slurp(dir_ / "key.pem"), leaf_.key);
  EXPECT_EQ(writer_->writes(), 1u);
}

TEST_F(CertWriterTest, ReconnectsAfterAControlPlaneRestart) {
  setSecrets(ca_.cert, &leaf_);
  startWriter(cp_.address());
  ASSERT_TRUE(writer_->waitForFirst(absl::Seconds(5)).ok());
  uint16_t port = cp_.server->port();
  cp_.stop();
  test::Pem leaf2 = test::makeCert("backend", &ca_, "spiffe://default/backend");
  setSecrets(ca_.cert, &leaf2);  // changed while the writer was away
  cp_.start(port);
  EXPECT_TRUE(waitForFile("cert.pem", leaf2.cert));
  std::lock_guard lock(cp_.callbacks.mu_);
  EXPECT_EQ(cp_.callbacks.opened.size(), 2u);
}

}  // namespace
}  // namespace ursa::dp
