// End to end: the real ursactl binary against a real ursa-cp: apply, get,
// delete and paging; version and shell completion. Inspection is in
// cli_e2e_inspect_test.cc, control planes and tokens in
// cli_e2e_config_test.cc.

#include "test/cli/cli_e2e_support.h"

namespace ursa::cli::e2e {
namespace {

TEST_F(CliE2eTest, ApplyMultiDocumentWithVarsThenGetInEveryFormat) {
  fs::path file = writeFile("m.yaml", kManifest);
  ProcessResult applied = ursactl({"apply", "-f", file.string(), "-v", "mesh=alpha", "-v",
                                   "dp.name=web-1", "--var", "dp.address=10.0.0.1"});
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  EXPECT_THAT(applied.out, IsEmpty());

  EXPECT_THAT(ok({"get", "meshes"}),
              AllOf(StartsWith("NAME      mTLS           METRICS   LOGGING   TRACING   LOCALITY   "
                               "ZONEEGRESS   AGE\n"),
                    MatchesRegex("(.|\n)*\nalpha     builtin/ca-1   off       off       off       "
                                 "off        off          [0-9]+s\n(.|\n)*")));
  EXPECT_THAT(
      ok({"get", "dataplanes", "-m", "alpha"}),
      MatchesRegex("MESH    NAME    TAGS                             ADDRESS    AGE\n"
                   "alpha   web-1   kuma.io/service=web version=v1   10.0.0.1   [0-9]+s\n"));
  EXPECT_THAT(ok({"get", "meshtimeouts", "--mesh", "alpha"}),
              MatchesRegex("MESH    NAME        AGE\nalpha   timeout-1   [0-9]+s\n"));

  Json list = Json::parse(ok({"get", "dataplanes", "-m", "alpha", "-o", "json"}));
  EXPECT_EQ(list["total"], 1);
  EXPECT_EQ(list["items"][0]["name"], "web-1");
  EXPECT_TRUE(list["next"].is_null());
  auto yaml = model::parseYaml(ok({"get", "meshtimeouts", "-m", "alpha", "-o", "yaml"}));
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  EXPECT_EQ((*yaml)["items"][0]["spec"]["to"][0]["default"]["idleTimeout"], "20s");

  auto one = model::parseYaml(ok({"get", "mesh", "alpha", "-o", "yaml"}));
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ((*one)["name"], "alpha");
  EXPECT_EQ((*one)["mtls"]["enabledBackend"], "ca-1");
  EXPECT_THAT(ok({"get", "dataplane", "web-1", "-m", "alpha"}),
              HasSubstr("alpha   web-1   kuma.io/service=web"));
  EXPECT_EQ(
      Json::parse(ok({"get", "meshtimeout", "timeout-1", "-m", "alpha", "-o", "json"}))["mesh"],
      "alpha");

  // Applying again updates in place.
  EXPECT_EQ(ursactl({"apply", "-f", file.string(), "-v", "mesh=alpha", "-v", "dp.name=web-1", "-v",
                     "dp.address=10.0.0.2"})
                .exit_code,
            0);
  EXPECT_THAT(ok({"get", "dataplanes", "-m", "alpha"}), HasSubstr("10.0.0.2"));
}

TEST_F(CliE2eTest, ApplyDryRunPrintsRenderedYamlAndSendsNothing) {
  ProcessResult r = ursactl({"apply", "--dry-run", "-f", "-", "-v", "mesh=dry", "-v", "dp.name=d",
                             "-v", "dp.address=1.2.3.4"},
                            kManifest);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("type: Mesh\nname: dry\n"));
  EXPECT_THAT(r.out, HasSubstr("---\ntype: Dataplane\nmesh: dry\nname: d\n"));
  EXPECT_THAT(r.out, HasSubstr("address: 1.2.3.4"));
  ProcessResult get = ursactl({"get", "mesh", "dry"});
  EXPECT_EQ(get.exit_code, 1);
  EXPECT_EQ(get.err, "Error: No resources found\n");

  ProcessResult invalid =
      ursactl({"apply", "--dry-run", "-f", "-"},
              "type: MeshTimeout\nname: t\nmesh: default\nspec:\n  targetRef:\n    kind: Nope\n");
  EXPECT_EQ(invalid.exit_code, 1);
  EXPECT_THAT(invalid.err, HasSubstr("* spec.targetRef.kind: "));
}

TEST_F(CliE2eTest, ApplyInvalidDocumentPrintsTheServersCausesAndStops) {
  std::string manifest =
      "type: Mesh\nname: beta\n---\n"
      "type: MeshTimeout\nname: broken\nmesh: beta\nspec:\n  targetRef:\n    kind: Foo\n---\n"
      "type: Mesh\nname: beta-never\n";
  ProcessResult r = ursactl({"apply", "-f", "-"}, manifest);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, HasSubstr("Error: document 2 (MeshTimeout \"broken\" in mesh \"beta\"): "
                               "Could not process a resource (Resource is not valid)"));
  EXPECT_THAT(r.err, HasSubstr("\n* spec.targetRef.kind: "));
  EXPECT_THAT(r.err, HasSubstr("1 of 3 documents applied"));
  EXPECT_EQ(ursactl({"get", "mesh", "beta"}).exit_code, 0);
  EXPECT_EQ(ursactl({"get", "mesh", "beta-never"}).exit_code, 1);

  ProcessResult bad_name = ursactl({"apply", "-f", "-"}, "type: Mesh\nname: Not_Valid\n");
  EXPECT_EQ(bad_name.exit_code, 1);
  EXPECT_THAT(bad_name.err, HasSubstr("* name: "));
  ProcessResult no_mesh =
      ursactl({"apply", "-f", "-"},
              "type: MeshTimeout\nname: t\nmesh: nowhere\nspec:\n  targetRef: {kind: Mesh}\n"
              "  to: [{targetRef: {kind: Mesh}, default: {idleTimeout: 1s}}]\n");
  EXPECT_EQ(no_mesh.exit_code, 1);
  EXPECT_THAT(no_mesh.err,
              StartsWith("Error: document 1 (MeshTimeout \"t\" in mesh \"nowhere\"): "));
}

TEST_F(CliE2eTest, DeleteRemovesAndReportsMissingResources) {
  ok({"apply", "-f", "-"},
     "type: Mesh\nname: gamma\n---\ntype: MeshRetry\nname: r1\nmesh: gamma\n"
     "spec:\n  targetRef: {kind: Mesh}\n  to:\n  - targetRef: {kind: Mesh}\n"
     "    default:\n      http:\n        numRetries: 3\n");
  EXPECT_EQ(ok({"delete", "meshretry", "r1", "-m", "gamma"}), "deleted MeshRetry \"r1\"\n");
  ProcessResult again = ursactl({"delete", "meshretry", "r1", "-m", "gamma"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.err, "Error: there is no MeshRetry with name \"r1\" in mesh \"gamma\"\n");
  EXPECT_EQ(ok({"delete", "mesh", "gamma"}), "deleted Mesh \"gamma\"\n");
  EXPECT_EQ(ursactl({"get", "mesh", "gamma"}).exit_code, 1);
}

TEST_F(CliE2eTest, GetPagesWithSizeAndOffset) {
  std::string manifest = "type: Mesh\nname: paged\n";
  for (const char* name : {"a", "b", "c"}) {
    manifest += std::string("---\ntype: MeshTimeout\nmesh: paged\nname: t-") + name +
                "\nspec:\n  targetRef: {kind: Mesh}\n  to: [{targetRef: {kind: Mesh}, default: "
                "{idleTimeout: 1s}}]\n";
  }
  ok({"apply", "-f", "-"}, manifest);
  std::string first = ok({"get", "meshtimeouts", "-m", "paged", "--size", "2"});
  EXPECT_THAT(first, HasSubstr("t-a"));
  EXPECT_THAT(first, HasSubstr("t-b"));
  EXPECT_THAT(first,
              HasSubstr("\n\nRerun command with --offset=2 argument to retrieve more resources\n"));
  std::string second = ok({"get", "meshtimeouts", "-m", "paged", "--size", "2", "--offset", "2"});
  EXPECT_THAT(second, HasSubstr("t-c"));
  EXPECT_THAT(second, Not(HasSubstr("t-a")));
  EXPECT_THAT(second, Not(HasSubstr("Rerun")));
}


TEST_F(CliE2eTest, VersionShowsClientAndServer) {
  std::string out = ok({"version"});
  EXPECT_THAT(out, StartsWith("Client: ursa "));
  EXPECT_THAT(out, HasSubstr("\nServer: ursa "));
}

TEST_F(CliE2eTest, BashCompletionCompletesCommandsNounsAndNamesFromTheServer) {
  ok({"apply", "-f", "-"}, "type: Mesh\nname: epsilon-mesh\n");
  std::string script = ok({"completion", "bash"});
  ASSERT_THAT(script, HasSubstr("complete -F _ursactl ursactl"));
  fs::path file = writeFile("completion.bash", script);
  auto complete = [&](const std::string& words, int cword) {
    std::string cmd = "source '" + file.string() + "'; COMP_WORDS=('" + binDir() + "/ursactl' " +
                      words + "); COMP_CWORD=" + std::to_string(cword) +
                      "; _ursactl; printf '%s\\n' \"${COMPREPLY[@]}\"";
    ProcessResult r = test::runProcess({"/bin/bash", "-c", cmd}, env());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  EXPECT_EQ(complete("ge", 1), "generate\nget\n");
  EXPECT_THAT(complete("generate ''", 2), HasSubstr("dataplane-token\n"));
  EXPECT_THAT(complete("get meshtr", 2),
              AllOf(HasSubstr("meshtrace\n"), HasSubstr("meshtrafficpermissions\n")));
  EXPECT_EQ(complete("get meshes -o ''", 4), "table\nyaml\njson\n");
  EXPECT_EQ(complete("get mesh epsilon", 3), "epsilon-mesh\n");
  EXPECT_THAT(complete("config control-planes ''", 3),
              AllOf(HasSubstr("add\n"), HasSubstr("switch\n")));
  EXPECT_THAT(complete("config control-planes switch --name ''", 5), HasSubstr("e2e\n"));
  EXPECT_THAT(complete("inspect dataplanes --t", 3), HasSubstr("--tag\n"));
  EXPECT_THAT(complete("inspect dataplanes --a", 3), HasSubstr("--api-timeout\n"));
}

TEST_F(CliE2eTest, ZshCompletionScriptParses) {
  std::string zsh = fs::exists("/usr/bin/zsh") ? "/usr/bin/zsh" : "/bin/zsh";
  if (!fs::exists(zsh)) GTEST_SKIP() << "zsh is not installed";
  fs::path file = writeFile("_ursactl", ok({"completion", "zsh"}));
  ProcessResult r = test::runProcess({zsh, "-n", file.string()}, env());
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace ursa::cli::e2e
