// ursactl's saved configuration (src/cli/cli_config.h): the file layout,
// its round trip, where it lives and how it is protected.

#include "src/cli/cli_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "test/support/fake_clock.h"

namespace ursa::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

CliConfig sample() {
  CliConfig c = CliConfig::defaults();
  ControlPlaneEntry cp{"prod", {}};
  cp.api_server.url = "https://cp.example.com:5682";
  cp.api_server.ca_cert_file = "/etc/ursa/ca.pem";
  cp.api_server.headers = {{"X-Team", "a"}, {"X-Trace", "1"}};
  cp.api_server.auth_type = "tokens";
  cp.api_server.auth_conf = {{"token", "eyJ.a.b"}};
  cp.api_server.skip_verify = true;
  c.addControlPlane(cp, false);
  c.contexts.back().default_mesh = "payments";
  return c;
}

mode_t modeOf(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 0777;
}

class CliConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::scratchDir("cli-config"); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(CliConfigTest, FormatThenParseGivesTheSameConfiguration) {
  CliConfig c = sample();
  auto parsed = parseCliConfig(formatCliConfig(c));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, c);
}

TEST_F(CliConfigTest, ReadsAKumactlConfigFile) {
  auto c = parseCliConfig(R"(
controlPlanes:
- coordinates:
    apiServer:
      url: http://localhost:5681
  name: local
- coordinates:
    apiServer:
      authConf:
        token: abc
      authType: tokens
      headers:
      - key: a
        value: b
      url: https://remote:5682
  name: remote
contexts:
- controlPlane: local
  name: local
- controlPlane: remote
  defaults:
    mesh: m1
  name: remote
currentContext: remote
)");
  ASSERT_TRUE(c.ok()) << c.status();
  auto cp = c->currentControlPlane();
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ((*cp)->api_server.url, "https://remote:5682");
  EXPECT_EQ((*cp)->api_server.auth_conf.at("token"), "abc");
  EXPECT_EQ((*cp)->api_server.headers.front(), std::make_pair(std::string("a"), std::string("b")));
  EXPECT_EQ((*c->currentContext())->default_mesh, "m1");
}

TEST_F(CliConfigTest, BadShapesAreNamed) {
  auto c =
      parseCliConfig("controlPlanes:\n- name: x\n  coordinates:\n    apiServer:\n      url: [1]\n");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()),
              HasSubstr("controlPlanes[0].coordinates.apiServer.url: expected a string"));
  EXPECT_FALSE(parseCliConfig("controlPlanes: {}\n").ok());
  EXPECT_FALSE(parseCliConfig("- a\n").ok());
}

TEST_F(CliConfigTest, MissingFileMeansTheLocalDefault) {
  auto c = loadCliConfig((dir_ / "none.yaml").string());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(*c, CliConfig::defaults());
  EXPECT_EQ((*c->currentControlPlane())->api_server.url, "http://localhost:5681");
}

TEST_F(CliConfigTest, SavedFileIsPrivateAndRoundTrips) {
  fs::path file = dir_ / "new" / "ursactl" / "config.yaml";
  ASSERT_TRUE(saveCliConfig(file.string(), sample()).ok());
  EXPECT_EQ(modeOf(file), 0600u);
  EXPECT_EQ(modeOf(file.parent_path()), 0700u);
  auto loaded = loadCliConfig(file.string());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(*loaded, sample());
  // Only the file itself: no temporary left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(file.parent_path()), fs::directory_iterator()), 1);
}

TEST_F(CliConfigTest, SavingOverAReadableFileMakesItPrivate) {
  fs::path file = dir_ / "config.yaml";
  std::ofstream(file) << "currentContext: x\n";
  fs::permissions(file, fs::perms(0644));
  ASSERT_TRUE(saveCliConfig(file.string(), sample()).ok());
  EXPECT_EQ(modeOf(file), 0600u);
}

TEST_F(CliConfigTest, DefaultPathFollowsXdgThenHome) {
  auto env = [](std::map<std::string, std::string> vars) {
    return [vars](const std::string& k) -> std::optional<std::string> {
      auto it = vars.find(k);
      return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
  };
  EXPECT_EQ(defaultConfigPath(env({{"XDG_CONFIG_HOME", "/x/cfg"}, {"HOME", "/home/u"}})),
            "/x/cfg/ursactl/config.yaml");
  EXPECT_EQ(defaultConfigPath(env({{"HOME", "/home/u"}})), "/home/u/.config/ursactl/config.yaml");
  // The XDG spec says relative paths are to be ignored.
  EXPECT_EQ(defaultConfigPath(env({{"XDG_CONFIG_HOME", "rel"}, {"HOME", "/home/u"}})),
            "/home/u/.config/ursactl/config.yaml");
}

TEST_F(CliConfigTest, AddSwitchAndRemoveControlPlanes) {
  CliConfig c = CliConfig::defaults();
  ControlPlaneEntry a{"a", {.url = "http://a:5681"}};
  EXPECT_TRUE(c.addControlPlane(a, false));
  EXPECT_EQ(c.current_context, "a");
  EXPECT_FALSE(c.addControlPlane({"a", {.url = "http://other"}}, false));
  EXPECT_EQ(c.controlPlane("a")->api_server.url, "http://a:5681");
  EXPECT_TRUE(c.addControlPlane({"a", {.url = "http://other"}}, true));
  EXPECT_EQ(c.controlPlane("a")->api_server.url, "http://other");
  EXPECT_EQ(c.control_planes.size(), 2u);

  EXPECT_TRUE(c.switchContext("local"));
  EXPECT_FALSE(c.switchContext("nope"));
  EXPECT_TRUE(c.removeControlPlane("local"));  // the current one: the first left takes over
  EXPECT_EQ(c.current_context, "a");
  EXPECT_FALSE(c.removeControlPlane("local"));
  EXPECT_TRUE(c.removeControlPlane("a"));
  EXPECT_EQ(c.current_context, "");
  EXPECT_FALSE(c.currentControlPlane().ok());
}

}  // namespace
}  // namespace ursa::cli
