// The certificate files of proxyless applications (src/dp/cert_files.h):
// validation, PKCS#8 keys, whole-file replacement and the rotation-safe order.

#include "src/dp/cert_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

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

TEST_F(CertFilesTest, WritesTheThreeFilesWithTheirModes) {
  auto n = writeCertificateFiles(dir_.string(), set());
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 3);
  EXPECT_EQ(slurp(dir_ / kCaFile), ca_.cert);
  EXPECT_EQ(slurp(dir_ / kCertFile), leaf_.cert);
  EXPECT_EQ(slurp(dir_ / kKeyFile), leaf_.key);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / kKeyFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir_ / kCaFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  // No temporary file is left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 3);
}

TEST_F(CertFilesTest, RewritesOnlyWhatChanged) {
  ASSERT_TRUE(writeCertificateFiles(dir_.string(), set()).ok());
  EXPECT_EQ(*writeCertificateFiles(dir_.string(), set()), 0);
  CertificateSet bundle = set();
  bundle.ca_pem += test::makeCert("new-ca", nullptr).cert;  // a rotation's overlap bundle
  EXPECT_EQ(*writeCertificateFiles(dir_.string(), bundle), 1);
  EXPECT_EQ(slurp(dir_ / kCaFile), bundle.ca_pem);
}

// Every file arrives whole by rename, CA bundle first: watched with inotify,
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
  EXPECT_THAT(renamed_into_place, ElementsAre(kCaFile, kCertFile, kKeyFile));
  EXPECT_THAT(written_in_place, ::testing::IsEmpty());
}

}  // namespace
}  // namespace ursa::dp
