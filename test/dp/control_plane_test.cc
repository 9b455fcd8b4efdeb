// --cp-address, token files and node identity (src/dp/control_plane.h).

#include "src/dp/control_plane.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace ursa::dp {
namespace {

using ::testing::HasSubstr;

TEST(CpAddressTest, ParsesHostsAndPorts) {
  auto a = parseCpAddress("https://cp.example:5678");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->tls);
  EXPECT_EQ(a->host, "cp.example");
  EXPECT_EQ(a->port, 5678);
  EXPECT_EQ(a->grpcTarget(), "cp.example:5678");

  auto d = parseCpAddress("https://localhost/");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->port, 5678);  // Kuma's default
  EXPECT_EQ(d->baseUrl(), "https://localhost:5678");

  auto v6 = parseCpAddress("https://[::1]:15678");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->grpcTarget(), "[::1]:15678");

  auto plain = parseCpAddress("http://127.0.0.1:1234");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->tls);
}

TEST(CpAddressTest, RefusesBadAddresses) {
  for (const char* bad : {"cp:5678", "grpc://cp:5678", "https://", "https://cp:x",
                          "https://cp:0", "https://cp:70000", "https://cp:5678/path",
                          "https://[::1:5678", "https://cp:"}) {
    auto a = parseCpAddress(bad);
    EXPECT_FALSE(a.ok()) << bad;
    EXPECT_THAT(std::string(a.status().message()), HasSubstr("--cp-address")) << bad;
  }
}

class TokenFileTest : public ::testing::Test {
 protected:
  std::string write(const std::string& content) {
    std::ofstream(path_) << content;
    return path_;
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string path_ = (std::filesystem::temp_directory_path() /
                       ("ursa-dp-token-" + std::to_string(getpid())))
                          .string();
};

TEST_F(TokenFileTest, ReadsATokenWithoutSurroundingWhitespace) {
  auto t = readTokenFile(write("  eyJhbGciOiJSUzI1NiJ9.eyJOYW1lIjoiYiJ9.c2ln\n"));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t, "eyJhbGciOiJSUzI1NiJ9.eyJOYW1lIjoiYiJ9.c2ln");
}

TEST_F(TokenFileTest, RefusesEmptyAndNonJwtContent) {
  EXPECT_THAT(std::string(readTokenFile(write("\n")).status().message()), HasSubstr("is empty"));
  for (const char* bad : {"not-a-token", "a.b", "a.b.c.d", "a..c", "a.b c.d", "{\"token\":1}"}) {
    auto t = readTokenFile(write(bad));
    EXPECT_TRUE(absl::IsInvalidArgument(t.status())) << bad;
    EXPECT_THAT(std::string(t.status().message()), HasSubstr("does not hold a dataplane token"));
  }
}

TEST_F(TokenFileTest, MissingFileIsNotFound) {
  auto t = readTokenFile("/nonexistent/token");
  EXPECT_TRUE(absl::IsNotFound(t.status()));
  EXPECT_THAT(std::string(t.status().message()), HasSubstr("dataplane token file"));
}

TEST_F(TokenFileTest, TokenSourceRereadsTheFile) {
  TokenSource source = tokenFromFile(write("a.b.c"));
  EXPECT_EQ(*source(), "a.b.c");
  write("d.e.f");
  EXPECT_EQ(*source(), "d.e.f");
}

TEST(StampNodeTest, ForcesIdAndProxyMetadataKeepingTheRest) {
  envoy::config::core::v3::Node node;
  node.set_id("whatever-the-app-said");
  node.set_user_agent_name("gRPC C++");
  (*node.mutable_metadata()->mutable_fields())["app"].set_string_value("kept");
  (*node.mutable_metadata()->mutable_fields())["ursa.proxy"].set_string_value("envoy");
  stampNode(node, {"default.backend-1", "grpc"});
  EXPECT_EQ(node.id(), "default.backend-1");
  EXPECT_EQ(node.user_agent_name(), "gRPC C++");
  EXPECT_EQ(node.metadata().fields().at("app").string_value(), "kept");
  EXPECT_EQ(node.metadata().fields().at("ursa.proxy").string_value(), "grpc");
}

}  // namespace
}  // namespace ursa::dp
