// Reading the documents of `ursactl apply` (src/cli/manifests.h).

#include "src/cli/manifests.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ursa::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string errorOf(std::string_view text, const std::map<std::string, std::string>& vars = {}) {
  auto m = readManifests(text, vars);
  EXPECT_FALSE(m.ok());
  return std::string(m.status().message());
}

TEST(ManifestsTest, SplitsAtDashLinesAndDropsEmptyDocuments) {
  EXPECT_THAT(splitYamlStream("---\na: 1\n---\n\n---  \nb: 2\n--- c: 3\n# only a comment\n"),
              ElementsAre("a: 1", "b: 2", "c: 3\n# only a comment"));
  EXPECT_THAT(splitYamlStream("a: '---'\nb: ----\n"), ElementsAre("a: '---'\nb: ----"));
  EXPECT_THAT(splitYamlStream("a: 1\r\n---\r\nb: 2\r\n"), ElementsAre("a: 1", "b: 2"));
  EXPECT_TRUE(splitYamlStream(" \n---\n").empty());
}

TEST(ManifestsTest, ReadsEveryDocumentWithItsPath) {
  auto m = readManifests(
      "type: Mesh\nname: demo\n---\n# comment only\n---\n"
      "type: MeshTimeout\nname: t1\nmesh: demo\nspec: {}\n",
      {});
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[0].type->name, "Mesh");
  EXPECT_EQ((*m)[0].mesh, "");
  EXPECT_EQ((*m)[1].type->name, "MeshTimeout");
  EXPECT_EQ((*m)[1].mesh, "demo");
  EXPECT_EQ((*m)[1].index, 3);
  EXPECT_EQ(describe((*m)[1]), "MeshTimeout \"t1\" in mesh \"demo\"");
}

TEST(ManifestsTest, VariablesAreRenderedOnlyWhenGiven) {
  auto with = readManifests("type: Mesh\nname: {{ name }}\n", {{"name", "demo"}});
  ASSERT_TRUE(with.ok()) << with.status();
  EXPECT_EQ((*with)[0].name, "demo");
  auto without = readManifests("type: Mesh\nname: demo\nlabels:\n  note: '{{ x }}'\n", {});
  ASSERT_TRUE(without.ok()) << without.status();
  EXPECT_EQ((*without)[0].doc["labels"]["note"], "{{ x }}");
}

TEST(ManifestsTest, ErrorsNameTheDocument) {
  EXPECT_THAT(
      errorOf("type: Mesh\nname: a\n---\ntype: Nope\nname: b\n"),
      HasSubstr("document 2: YAML contains invalid resource: unknown resource type \"Nope\""));
  EXPECT_THAT(errorOf("type: Mesh\nname: a\n---\n- a list\n"),
              HasSubstr("document 2: YAML contains invalid resource"));
  EXPECT_THAT(errorOf("name: a\n"),
              HasSubstr("document 1: YAML contains invalid resource: `type` must be set"));
  EXPECT_THAT(errorOf("type: Mesh\nname: a: b: c\n"), HasSubstr("document 1: YAML is not valid"));
  EXPECT_THAT(errorOf("type: Mesh\nname: {{ n\n", {{"n", "x"}}),
              HasSubstr("document 1: template line 2"));
  EXPECT_THAT(errorOf("type: DataplaneInsight\nname: a\nmesh: default\n"),
              HasSubstr("maintained by the control plane"));
  EXPECT_EQ(errorOf(""), "no resource(s) passed to apply");
}

TEST(ManifestsTest, NamesAndMeshesAreCheckedBeforeSending) {
  std::string e = errorOf("type: MeshTimeout\nname: Bad/Name\nspec: {}\n");
  EXPECT_THAT(e, HasSubstr("document 1 (MeshTimeout \"Bad/Name\")"));
  EXPECT_THAT(e, HasSubstr("* name: "));
  EXPECT_THAT(e, HasSubstr("* mesh: "));
}

TEST(ManifestsTest, DryRunValidationReportsCauses) {
  auto m = readManifests(
      "type: MeshTimeout\nname: t\nmesh: default\nspec:\n  targetRef:\n    kind: Foo\n", {});
  ASSERT_TRUE(m.ok()) << m.status();
  absl::Status s = validateManifest(m->front());
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("* spec.targetRef.kind: "));
  auto good = readManifests("type: Mesh\nname: ok\n", {});
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(validateManifest(good->front()).ok());
}

}  // namespace
}  // namespace ursa::cli
