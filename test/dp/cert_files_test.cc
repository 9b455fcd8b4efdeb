// The certificate files of proxyless applications (src/dp/cert_files.h):
// validation, PKCS#8 keys, whole-file replacement and the rotation-safe order.

#include "src/dp/cert_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "test/dp/cert_test_support.h"

namespace ursa::dp {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CertFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ursa-dp-certs-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    ca_ = test::makeCert("mesh-ca", nullptr);
    leaf_ = test::makeCert("backend", &ca_, "spiffe://default/backend");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  CertificateSet set() const { return {ca_.cert, leaf_.cert, leaf_.key}; }

  std::filesystem::path dir_;
  test::Pem ca_, leaf_;
};

TEST_F(CertFilesTest, NormalizesTheKeyToPkcs8) {
  CertificateSet in{ca_.cert, leaf_.cert, leaf_.key_sec1};
  ASSERT_THAT(in.key_pem, HasSubstr("BEGIN EC PRIVATE KEY"));
  absl::Time expiry;
  auto out = normalizeCertificates(in, &expiry);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(out->key_pem, HasSubstr("BEGIN PRIVATE KEY"));
  EXPECT_EQ(out->cert_pem, leaf_.cert);
  EXPECT_GT(expiry, absl::Now() + absl::Hours(23));
}

TEST_F(CertFilesTest, RefusesAKeyOfAnotherCertificateAndGarbage) {
  test::Pem other = test::makeCert("other", &ca_);
  auto mismatch = normalizeCertificates({ca_.cert, leaf_.cert, other.key});
  EXPECT_TRUE(absl::IsInvalidArgument(mismatch.status()));
  EXPECT_THAT(std::string(mismatch.status().message()), HasSubstr("does not belong"));
  EXPECT_THAT(std::string(normalizeCertificates({"junk", leaf_.cert, leaf_.key}).status().message()),
              HasSubstr("CA bundle"));
  EXPECT_THAT(std::string(normalizeCertificates({ca_.cert, "", leaf_.key}).status().message()),
              HasSubstr("identity certificate"));
  EXPECT_THAT(std::string(normalizeCertificates({ca_.cert, leaf_.cert, "x"}).status().message()),
              HasSubstr("private key"));
}

TEST_F(CertFilesTest, WritesTheFourFilesWithTheirModes) {
  auto n = writeCertificateFiles(dir_.string(), set());
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 4);
  EXPECT_EQ(slurp(dir_ / kCaFile), ca_.cert);
  EXPECT_EQ(slurp(dir_ / kIdentityFile), leaf_.cert + leaf_.key);
  EXPECT_EQ(slurp(dir_ / kCertFile), leaf_.cert);
  EXPECT_EQ(slurp(dir_ / kKeyFile), leaf_.key);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / kKeyFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir_ / kIdentityFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir_ / kCaFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  // No temporary file is left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 4);
}

TEST_F(CertFilesTest, RewritesOnlyWhatChanged) {
  ASSERT_TRUE(writeCertificateFiles(dir_.string(), set()).ok());
  EXPECT_EQ(*writeCertificateFiles(dir_.string(), set()), 0);
  CertificateSet bundle = set();
  bundle.ca_pem += test::makeCert("new-ca", nullptr).cert;  // a rotation's overlap bundle
  EXPECT_EQ(*writeCertificateFiles(dir_.string(), bundle), 1);
  EXPECT_EQ(slurp(dir_ / kCaFile), bundle.ca_pem);
}

// Every file arrives whole by rename, CA bundle first, then the identity
// (what the gRPC providers read), then the copies for people: watched with inotify,
// the directory sees only renames into place, in that order.
TEST_F(CertFilesTest, ReplacesFilesByRenameCaFirst) {
  ASSERT_TRUE(writeCertificateFiles(dir_.string(), set()).ok());
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_GE(inotify_add_watch(fd, dir_.c_str(), IN_MOVED_TO | IN_MODIFY | IN_CLOSE_WRITE), 0);

  test::Pem ca2 = test::makeCert("mesh-ca-2", nullptr);
  test::Pem leaf2 = test::makeCert("backend", &ca2, "spiffe://default/backend");
  ASSERT_TRUE(writeCertificateFiles(dir_.string(), {ca_.cert + ca2.cert, leaf2.cert, leaf2.key}).ok());

  std::vector<std::string> renamed_into_place;
  std::vector<std::string> written_in_place;
  alignas(inotify_event) char buf[8192];
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  ASSERT_GT(n, 0);
  for (char* p = buf; p < buf + n;) {
    auto* e = reinterpret_cast<inotify_event*>(p);
    std::string name = e->len > 0 ? e->name : "";
    if (e->mask & IN_MOVED_TO) renamed_into_place.push_back(name);
    if ((e->mask & (IN_MODIFY | IN_CLOSE_WRITE)) && !name.ends_with(std::to_string(getpid()))) {
      written_in_place.push_back(name);  // a final file written in place: forbidden
    }
    p += sizeof(inotify_event) + e->len;
  }
  EXPECT_THAT(renamed_into_place, ElementsAre(kCaFile, kIdentityFile, kCertFile, kKeyFile));
  EXPECT_THAT(written_in_place, ::testing::IsEmpty());
}

// The identity file reads the way gRPC C++ loads a certificate provider's
// pair into OpenSSL (ssl_transport_security.cc): the chain with
// PEM_read_bio_X509_AUX then PEM_read_bio_X509 until none is left (the key
// block skipped), the key with PEM_read_bio_PrivateKey (the certificates
// skipped); and the two belong together.
TEST_F(CertFilesTest, IdentityFileReadsAsBothTheChainAndTheKey) {
  test::Pem intermediate = test::makeCert("mesh-intermediate", &ca_);
  ASSERT_TRUE(writeCertificateFiles(dir_.string(),
                                    {ca_.cert, leaf_.cert + intermediate.cert, leaf_.key}).ok());
  std::string identity = slurp(dir_ / kIdentityFile);

  tls::BioPtr certs(BIO_new_mem_buf(identity.data(), static_cast<int>(identity.size())));
  tls::X509Ptr leaf(PEM_read_bio_X509_AUX(certs.get(), nullptr, nullptr, nullptr));
  ASSERT_NE(leaf, nullptr);
  int extra = 0;
  while (tls::X509Ptr(PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr)) != nullptr) {
    ++extra;
  }
  ERR_clear_error();
  EXPECT_EQ(extra, 1);

  tls::BioPtr keys(BIO_new_mem_buf(identity.data(), static_cast<int>(identity.size())));
  tls::PkeyPtr key(PEM_read_bio_PrivateKey(keys.get(), nullptr, nullptr, nullptr));
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(X509_check_private_key(leaf.get(), key.get()), 1);
}

// gRPC C++ 1.51 re-reads the identity when its modification time (whole
// seconds) changed while it read: a new identity.pem written within the
// same second as the one it replaces still gets a later one.
TEST_F(CertFilesTest, EveryNewIdentityFileHasALaterModificationTime) {
  ASSERT_TRUE(writeCertificateFiles(dir_.string(), set()).ok());
  struct stat st {};
  time_t previous = 0;
  for (int i = 0; i < 3; ++i) {  // three rewrites well within a second
    ASSERT_EQ(::stat((dir_ / kIdentityFile).c_str(), &st), 0);
    previous = st.st_mtim.tv_sec;
    test::Pem leaf = test::makeCert("backend", &ca_, "spiffe://default/backend");
    ASSERT_EQ(*writeCertificateFiles(dir_.string(), {ca_.cert, leaf.cert, leaf.key}), 3);
    ASSERT_EQ(::stat((dir_ / kIdentityFile).c_str(), &st), 0);
    EXPECT_GT(st.st_mtim.tv_sec, previous) << "rewrite " << i;
  }
}

// What gRPC C++ 1.51's file_watcher does on each refresh: stat the key and
// certificate files, read the key, read the certificates, stat again, and
// keep the pair only if neither modification time moved. Returns whether the
// pair was kept and, if so, whether the key belongs to the leaf.
struct Refresh {
  bool kept = false;
  bool matches = false;
};
Refresh refreshLikeGrpc(const std::filesystem::path& key_file,
                        const std::filesystem::path& cert_file) {
  auto mtime = [](const std::filesystem::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 ? st.st_mtim.tv_sec : time_t{-1};
  };
  time_t key_before = mtime(key_file), cert_before = mtime(cert_file);
  std::string key_pem = slurp(key_file);
  std::string cert_pem = slurp(cert_file);
  if (mtime(key_file) != key_before || mtime(cert_file) != cert_before) return {};
  tls::BioPtr kb(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  tls::PkeyPtr key(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
  tls::BioPtr cb(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  tls::X509Ptr leaf(PEM_read_bio_X509_AUX(cb.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!key || !leaf) return {};
  return {.kept = true, .matches = X509_check_private_key(leaf.get(), key.get()) == 1};
}

// The rotation guarantee itself: while ursa-dp rotates the identity again and
// again, a reader refreshing the way gRPC C++ does never keeps a certificate
// with a key that is not its own. (The same reader on cert.pem + key.pem,
// two files renamed one after the other, keeps torn pairs: that was the
// handshake failures during rotation.)
TEST_F(CertFilesTest, ConcurrentRefreshesNeverPairACertificateWithAnotherKey) {
  test::Pem other = test::makeCert("backend", &ca_, "spiffe://default/backend");
  const CertificateSet sets[2] = {set(), {ca_.cert, other.cert, other.key}};
  ASSERT_TRUE(writeCertificateFiles(dir_.string(), sets[0]).ok());
  std::atomic<bool> done{false};
  int kept = 0, torn = 0;
  std::thread reader([&] {
    while (!done.load()) {
      Refresh r = refreshLikeGrpc(dir_ / kIdentityFile, dir_ / kIdentityFile);
      kept += r.kept;
      torn += r.kept && !r.matches;
    }
  });
  for (int i = 1; i <= 150; ++i) ASSERT_TRUE(writeCertificateFiles(dir_.string(), sets[i % 2]).ok());
  done = true;
  reader.join();
  EXPECT_GT(kept, 0);
  EXPECT_EQ(torn, 0) << "of " << kept << " refreshes kept";
}

}  // namespace
}  // namespace ursa::dp
