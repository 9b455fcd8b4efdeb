// End to end: `ursactl inspect` of dataplanes, meshes and policies, and
// `ursactl explain traffic`, against a real ursa-cp.

#include "test/cli/cli_e2e_support.h"

namespace ursa::cli::e2e {
namespace {

TEST_F(CliE2eTest, InspectDataplanesAndMeshes) {
  fs::path file = writeFile("m.yaml", kManifest);
  ok({"apply", "-f", file.string(), "-v", "mesh=delta", "-v", "dp.name=web-1", "-v",
      "dp.address=10.0.0.1"});
  ok({"apply", "-f", file.string(), "-v", "mesh=delta", "-v", "dp.name=web-2", "-v",
      "dp.address=10.0.0.2"});

  std::string table = ok({"inspect", "dataplanes", "-m", "delta"});
  EXPECT_THAT(
      table,
      StartsWith("MESH    NAME    TAGS                             STATUS    LAST CONNECTED AGO   "
                 "LAST UPDATED AGO   TOTAL UPDATES   TOTAL ERRORS   CERT REGENERATED AGO   "
                 "CERT EXPIRATION   CERT REGENERATIONS   CERT BACKEND   SUPPORTED CERT BACKENDS"));
  EXPECT_THAT(table, HasSubstr("delta   web-1   kuma.io/service=web version=v1   Offline   never"));
  EXPECT_THAT(table, HasSubstr("delta   web-2   "));

  std::string filtered = ok({"inspect", "dataplanes", "-m", "delta", "--tag", "version=v1"});
  EXPECT_THAT(filtered, HasSubstr("web-1"));
  std::string none = ok({"inspect", "dataplanes", "-m", "delta", "--tag", "version=v9"});
  EXPECT_THAT(none, Not(HasSubstr("web-1")));

  Json overviews = Json::parse(ok({"inspect", "dataplanes", "-m", "delta", "-o", "json"}));
  EXPECT_EQ(overviews["total"], 2);
  EXPECT_EQ(overviews["items"][0]["type"], "DataplaneOverview");

  std::string meshes = ok({"inspect", "meshes"});
  EXPECT_THAT(meshes, StartsWith("NAME "));
  EXPECT_THAT(meshes, HasSubstr("DPs/TOTAL   POLICIES\n"));
  EXPECT_THAT(
      meshes,
      MatchesRegex("(.|\n)*\ndelta +builtin/ca-1 +off +off +off +off +off +0/2 +1\n(.|\n)*"));
  auto insights = model::parseYaml(ok({"inspect", "meshes", "-o", "yaml"}));
  ASSERT_TRUE(insights.ok()) << insights.status();
  bool found = false;
  for (const auto& item : (*insights)["items"]) {
    if (item["name"] != "delta") continue;
    found = true;
    EXPECT_EQ(item["dataplanes"]["total"], 2);
    EXPECT_EQ(item["policies"]["MeshTimeout"]["total"], 1);
  }
  EXPECT_TRUE(found);
}

constexpr char kTrafficManifest[] = R"(type: Mesh
name: insp
---
type: Dataplane
mesh: insp
name: web-1
networking:
  address: 10.0.0.1
  inbound:
  - port: 8080
    tags: {kuma.io/service: web}
  outbound:
  - port: 10001
    tags: {kuma.io/service: backend}
---
type: Dataplane
mesh: insp
name: backend-1
networking:
  address: 10.0.0.2
  inbound:
  - port: 9090
    tags: {kuma.io/service: backend}
---
type: MeshTrafficPermission
mesh: insp
name: mtp-backend
spec:
  targetRef: {kind: MeshService, name: backend}
  from:
  - targetRef: {kind: Mesh}
    default: {action: Deny}
  - targetRef: {kind: MeshService, name: web}
    default: {action: Allow}
---
type: MeshTimeout
mesh: insp
name: t-web
spec:
  targetRef: {kind: MeshService, name: web}
  to:
  - targetRef: {kind: MeshService, name: backend}
    default: {connectionTimeout: 2s}
---
type: MeshRetry
mesh: insp
name: r-ghost
spec:
  targetRef: {kind: Mesh}
  to:
  - targetRef: {kind: MeshService, name: ghost}
    default:
      tcp: {maxConnectAttempt: 2}
)";

TEST_F(CliE2eTest, InspectPoliciesAndExplainTraffic) {
  ok({"apply", "-f", writeFile("traffic.yaml", kTrafficManifest).string()});

  std::string policies = ok({"inspect", "dataplane", "backend-1", "-m", "insp"});
  EXPECT_THAT(policies, StartsWith("TYPE        NAME            SERVICE   POLICIES\n"
                                   "dataplane   backend-1       -         "
                                   "MeshTrafficPermission/mtp-backend, MeshRetry/r-ghost\n"
                                   "inbound     10.0.0.2:9090   backend   "
                                   "MeshTrafficPermission/mtp-backend\n"));
  EXPECT_THAT(policies,
              HasSubstr("\nTYPE                NAME            POLICY TYPE             SUBSET         "
                        "         CONF                              ORIGINS\n"
                        "ClientSubset        10.0.0.2:9090   MeshTrafficPermission   "
                        "kuma.io/service=web     {\"action\":\"Allow\"}                mtp-backend\n"
                        "ClientSubset        10.0.0.2:9090   MeshTrafficPermission   "
                        "kuma.io/service!=web    {\"action\":\"Deny\"}                 mtp-backend\n"));
  EXPECT_THAT(ok({"inspect", "dataplane", "web-1", "-m", "insp"}),
              HasSubstr("WARNING: MeshRetry \"r-ghost\": to[0].targetRef names service \"ghost\""));
  Json rules = Json::parse(ok({"inspect", "dataplane", "web-1", "-m", "insp", "--type", "rules",
                               "-o", "json"}));
  EXPECT_GE(rules["total"], 1);

  EXPECT_EQ(ok({"inspect", "meshtrafficpermission", "mtp-backend", "-m", "insp"}),
            "MESH   DATAPLANE   ATTACHMENTS\n"
            "insp   backend-1   inbound 10.0.0.2:9090 (backend)\n");
  EXPECT_EQ(ok({"inspect", "meshtimeouts", "t-web", "-m", "insp"}),
            "MESH   DATAPLANE   ATTACHMENTS\n"
            "insp   web-1       service backend\n");

  ProcessResult config = ursactl({"inspect", "dataplane", "web-1", "-m", "insp", "--type", "config"});
  EXPECT_EQ(config.exit_code, 1);
  EXPECT_THAT(config.err, HasSubstr("is not connected to this control plane"));

  std::string explained =
      ok({"explain", "traffic", "-m", "insp", "--from", "web", "--to", "backend:9090"});
  EXPECT_THAT(explained, StartsWith("Traffic from kuma.io/service=web to backend:9090 in mesh insp "
                                    "(mTLS off): allowed\n\n"
                                    "SIDE          INSTANCE                  ASPECT   "));
  EXPECT_THAT(explained,
              HasSubstr("destination   backend-1 10.0.0.2:9090   trafficPermission   allowed (Allow): "
                        "mTLS off: MeshTrafficPermission is not enforced   "
                        "mtp-backend from[0], mtp-backend from[1]\n"));
  EXPECT_THAT(explained, MatchesRegex("(.|\n)*\nsource +web-1 +timeout +"
                                      "\\{\"connectionTimeout\":\"2s\"\\} +t-web to\\[0\\]\n(.|\n)*"));
  Json json = Json::parse(ok({"explain", "traffic", "-m", "insp", "--from", "billing,version=v1",
                              "--to", "backend", "-o", "json"}));
  EXPECT_EQ(json["from"]["tags"]["version"], "v1");
  EXPECT_EQ(json["destinations"][0]["trafficPermission"]["action"], "Deny");
  EXPECT_EQ(json["decision"], "allowed");  // mTLS is off
  ProcessResult bad = ursactl({"explain", "traffic", "-m", "insp", "--from", "web", "--to", "b:x"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("to: port must be a number from 1 to 65535"));
}

}  // namespace
}  // namespace ursa::cli::e2e
