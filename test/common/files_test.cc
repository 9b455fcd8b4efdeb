// readFile / writeFileAtomically (include/ursa/common/files.h) on a real
// scratch directory.

#include "ursa/common/files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "gtest/gtest.h"

namespace ursa {
namespace {

class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ursa-files-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(FilesTest, WritesWithExactlyTheModeWhateverTheUmask) {
  for (mode_t umask_value : {mode_t{0077}, mode_t{0}}) {
    mode_t old = ::umask(umask_value);
    std::string path = (dir_ / "f").string();
    ASSERT_TRUE(writeFileAtomically(path, "one", 0640).ok());
    ::umask(old);
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640u) << "umask " << umask_value;
    EXPECT_EQ(*readFile(path), "one");
  }
}

TEST_F(FilesTest, ReplacesTheFileWholeAndLeavesNoTemporaryFile) {
  std::string path = (dir_ / "f").string();
  ASSERT_TRUE(writeFileAtomically(path, std::string(100000, 'a'), 0600).ok());
  ASSERT_TRUE(writeFileAtomically(path, "short", 0600).ok());
  EXPECT_EQ(*readFile(path), "short");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 1);
}

TEST_F(FilesTest, FailureNamesTheFile) {
  std::string path = (dir_ / "missing-dir" / "f").string();
  absl::Status s = writeFileAtomically(path, "x", 0600);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(std::string(s.message()).find("missing-dir"), std::string::npos) << s;
}

TEST_F(FilesTest, LaterMtimeMovesPastTheReplacedFile) {
  std::string path = (dir_ / "f").string();
  ASSERT_TRUE(writeFileAtomically(path, "1", 0600).ok());
  struct stat before {}, after {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  ASSERT_TRUE(writeFileAtomically(path, "2", 0600, /*later_mtime=*/true).ok());
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  EXPECT_GT(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
}

}  // namespace
}  // namespace ursa
