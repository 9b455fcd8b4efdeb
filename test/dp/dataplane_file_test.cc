// Reading the Dataplane ursa-dp registers: --dataplane-file rendered with
// --dataplane-var (src/dp/dataplane_file.h).

#include "src/dp/dataplane_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace ursa::dp {
namespace {

using ::testing::HasSubstr;

constexpr char kTemplate[] = R"(type: Dataplane
mesh: {{ mesh }}
name: {{ name }}
networking:
  address: 127.0.0.1
  inbound:
  - port: {{ port }}
    tags:
      kuma.io/service: backend
      kuma.io/protocol: grpc
      version: "{{ version }}"
)";

TEST(DataplaneVarsTest, SplitsKeyValuePairs) {
  auto vars = parseVars({"name=b1", "port=9000", "url=http://x?a=b"});
  ASSERT_TRUE(vars.ok()) << vars.status();
  EXPECT_EQ((*vars)["name"], "b1");
  EXPECT_EQ((*vars)["port"], "9000");
  EXPECT_EQ((*vars)["url"], "http://x?a=b");  // only the first '=' splits
}

TEST(DataplaneVarsTest, LaterValuesWinAndEmptyValuesAreAllowed) {
  auto vars = parseVars({"name=a", "name=b", "empty="});
  ASSERT_TRUE(vars.ok());
  EXPECT_EQ((*vars)["name"], "b");
  EXPECT_EQ((*vars)["empty"], "");
}

TEST(DataplaneVarsTest, RefusesPairsWithoutKey) {
  EXPECT_THAT(std::string(parseVars({"name"}).status().message()), HasSubstr("key=value"));
  EXPECT_FALSE(parseVars({"=x"}).ok());
}

TEST(DataplaneVarsTest, SplitsCommaSeparatedPairsAsKumaDp) {
  auto vars = parseVars({"name=b1,port=9000", "version=v2"});
  ASSERT_TRUE(vars.ok()) << vars.status();
  EXPECT_EQ(vars->size(), 3u);
  EXPECT_EQ((*vars)["name"], "b1");
  EXPECT_EQ((*vars)["port"], "9000");
  // A part without a key: the comma belongs to the value.
  auto whole = parseVars({"hosts=a,b"});
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ((*whole)["hosts"], "a,b");
  auto empty_key = parseVars({"a=1,=2"});
  ASSERT_TRUE(empty_key.ok()) << empty_key.status();
  EXPECT_EQ(empty_key->size(), 1u);
  EXPECT_EQ((*empty_key)["a"], "1,=2");
}

constexpr char kUnnamed[] =
    "type: Dataplane\nnetworking:\n  address: 10.0.0.1\n"
    "  inbound:\n  - port: 80\n    tags: {kuma.io/service: web}\n";

TEST(DataplaneFileTest, NameAndMeshFillATemplateWithout) {
  auto dp = parseDataplane(kUnnamed, {}, {.name = "web-1", .mesh = "demo"});
  ASSERT_TRUE(dp.ok()) << dp.status();
  EXPECT_EQ(dp->nodeId(), "demo.web-1");
  EXPECT_EQ(dp->json["name"], "web-1");
  EXPECT_EQ(dp->json["mesh"], "demo");
  EXPECT_THAT(std::string(parseDataplane(kUnnamed, {}).status().message()), HasSubstr("no name"));
}

TEST(DataplaneFileTest, NameAndMeshMustAgreeWithTheTemplates) {
  const std::map<std::string, std::string> vars = {
      {"mesh", "demo"}, {"name", "b1"}, {"port", "9000"}, {"version", "v2"}};
  auto same = parseDataplane(kTemplate, vars, {.name = "b1", .mesh = "demo"});
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->nodeId(), "demo.b1");
  auto other_name = parseDataplane(kTemplate, vars, {.name = "b2"});
  EXPECT_TRUE(absl::IsInvalidArgument(other_name.status()));
  EXPECT_THAT(std::string(other_name.status().message()),
              HasSubstr(R"(--name is "b2" but the Dataplane template's name is "b1")"));
  auto other_mesh = parseDataplane(kTemplate, vars, {.mesh = "default"});
  EXPECT_THAT(std::string(other_mesh.status().message()),
              HasSubstr(R"(--mesh is "default" but the Dataplane template's mesh is "demo")"));
}

TEST(DataplaneFileTest, WithoutATemplateTheNameIsRequired) {
  auto dp = dataplaneByName({.name = "web-1"});
  ASSERT_TRUE(dp.ok()) << dp.status();
  EXPECT_EQ(dp->nodeId(), "default.web-1");
  EXPECT_TRUE(dp->json.is_null());
  auto none = dataplaneByName({.mesh = "demo"});
  EXPECT_TRUE(absl::IsInvalidArgument(none.status()));
  EXPECT_THAT(std::string(none.status().message()), HasSubstr("--name"));
}

TEST(DataplaneFileTest, SubstitutesVariables) {
  auto dp = parseDataplane(kTemplate,
                           {{"mesh", "demo"}, {"name", "b1"}, {"port", "9000"}, {"version", "v2"}});
  ASSERT_TRUE(dp.ok()) << dp.status();
  EXPECT_EQ(dp->mesh, "demo");
  EXPECT_EQ(dp->name, "b1");
  EXPECT_EQ(dp->nodeId(), "demo.b1");
  EXPECT_EQ(dp->json["networking"]["inbound"][0]["port"], 9000);  // typed by YAML
  EXPECT_EQ(dp->json["networking"]["inbound"][0]["tags"]["version"], "v2");
}

TEST(DataplaneFileTest, MeshDefaultsToDefault) {
  auto dp = parseDataplane("type: Dataplane\nname: {{name}}\nnetworking:\n  address: 10.0.0.1\n"
                           "  inbound:\n  - port: 80\n    tags: {kuma.io/service: web}\n",
                           {{"name", "web-1"}});
  ASSERT_TRUE(dp.ok()) << dp.status();
  EXPECT_EQ(dp->mesh, "default");
  EXPECT_EQ(dp->json["mesh"], "default");
}

TEST(DataplaneFileTest, AnUnsetVariableRendersEmptyAndFailsValidation) {
  auto dp = parseDataplane(kTemplate, {{"mesh", "demo"}, {"name", "b1"}});  // no port
  ASSERT_FALSE(dp.ok());
  EXPECT_THAT(std::string(dp.status().message()), HasSubstr("port"));
}

TEST(DataplaneFileTest, RefusesOtherTypesAndInvalidDataplanes) {
  auto mesh = parseDataplane("type: Mesh\nname: x\n", {});
  EXPECT_THAT(std::string(mesh.status().message()), HasSubstr("must be a Dataplane"));
  auto no_inbound = parseDataplane("type: Dataplane\nname: x\nmesh: default\nnetworking:\n"
                                   "  address: 10.0.0.1\n",
                                   {});
  ASSERT_FALSE(no_inbound.ok());
  EXPECT_THAT(std::string(no_inbound.status().message()), HasSubstr("invalid Dataplane"));
  auto typo = parseDataplane("type: Dataplane\nname: x\nnetworkin: {}\n", {});
  EXPECT_FALSE(typo.ok());
}

TEST(DataplaneFileTest, TemplateErrorsNameTheLine) {
  auto dp = parseDataplane("type: Dataplane\nname: {{ name\n", {});
  ASSERT_FALSE(dp.ok());
  EXPECT_THAT(std::string(dp.status().message()), HasSubstr("line 2"));
}

TEST(DataplaneFileTest, MissingFileIsNotFoundAndNamesIt) {
  auto dp = loadDataplaneFile("/nonexistent/dp.yaml", {});
  EXPECT_TRUE(absl::IsNotFound(dp.status()));
  EXPECT_THAT(std::string(dp.status().message()), HasSubstr("/nonexistent/dp.yaml"));
}

TEST(DataplaneFileTest, LoadsAFile) {
  auto path = std::filesystem::temp_directory_path() / ("ursa-dp-test-" + std::to_string(getpid()));
  std::ofstream(path) << kTemplate;
  auto dp = loadDataplaneFile(path, {{"mesh", "m"}, {"name", "n"}, {"port", "1234"}, {"version", "1"}});
  std::filesystem::remove(path);
  ASSERT_TRUE(dp.ok()) << dp.status();
  EXPECT_EQ(dp->nodeId(), "m.n");
}

}  // namespace
}  // namespace ursa::dp
