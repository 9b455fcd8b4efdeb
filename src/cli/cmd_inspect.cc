// ursactl inspect dataplanes [-m MESH] [--tag k=v]... [--gateway] [-o table|yaml|json]
// ursactl inspect meshes [-o table|yaml|json]
//
// See inspect_tables.h for the columns and how status is computed.

#include "src/cli/args.h"
#include "src/cli/commands.h"
#include "src/cli/inspect_tables.h"
#include "ursa/common/strings.h"
#include "ursa/model/registry.h"

namespace ursa::cli {
namespace {

struct InspectArgs {
  std::string output = "table";
  std::string mesh;
  std::vector<std::string> tags;
  bool gateway = false;
};

absl::Status inspectDataplanes(Session& session, const InspectArgs& args) {
  URSA_ASSIGN_OR_RETURN(auto tags, parseKeyValues("--tag", args.tags));
  ListOptions options;
  for (const auto& [k, v] : tags) options.query.emplace_back("tag", strCat(k, ":", v));
  if (args.gateway) options.query.emplace_back("gateway", "true");
  URSA_ASSIGN_OR_RETURN(ApiClient client, session.client());
  auto overviews = client.allDataplaneOverviews(session.mesh(args.mesh), options);
  if (!overviews.ok()) return overviews.status();
  if (args.output != "table") {
    printStructured(session, *overviews, args.output);
    return absl::OkStatus();
  }
  session.out() << renderTable(
      dataplaneOverviewTable((*overviews)["items"], session.now(), absl::LocalTimeZone()));
  return absl::OkStatus();
}

absl::Status inspectMeshes(Session& session, const InspectArgs& args) {
  URSA_ASSIGN_OR_RETURN(ApiClient client, session.client());
  const auto& registry = model::TypeRegistry::instance();
  URSA_ASSIGN_OR_RETURN(model::Json meshes, client.listAll(registry.mesh(), ""));
  URSA_ASSIGN_OR_RETURN(model::Json overviews, client.allDataplaneOverviews("", {}));
  std::map<std::string, model::Json> policies;
  for (const model::ResourceType* t : registry.all()) {
    if (!t->is_policy) continue;
    URSA_ASSIGN_OR_RETURN(model::Json list, client.listAll(*t, ""));
    policies[std::string(t->name)] = std::move(list["items"]);
  }
  auto insights = computeMeshInsights(meshes["items"], overviews["items"], policies);
  if (args.output != "table") {
    printStructured(session, meshInsightList(insights), args.output);
  } else {
    session.out() << renderTable(meshInsightTable(insights));
  }
  return absl::OkStatus();
}

}  // namespace

void addInspectCommand(CLI::App& app, Session& session) {
  auto args = std::make_shared<InspectArgs>();
  auto* cmd =
      app.add_subcommand("inspect", "Inspect resources: their status as the control plane sees it");
  cmd->require_subcommand(1);
  cmd->add_option("-o,--output", args->output, "output format: one of table|yaml|json")
      ->check(CLI::IsMember({"table", "yaml", "json"}))
      ->capture_default_str();

  auto* dps = cmd->add_subcommand("dataplanes", "Inspect Dataplanes");
  dps->add_option("-m,--mesh", args->mesh,
                  "mesh to use (default: the context's, else \"default\")");
  dps->add_option("--tag", args->tags,
                  "filter by tag, key=value (the value matches as a substring); repeatable")
      ->allow_extra_args(false);
  dps->add_flag("--gateway", args->gateway, "only gateway dataplanes");
  dps->callback([&session, args] {
    session.action = [&session, args] { return inspectDataplanes(session, *args); };
  });

  auto* meshes = cmd->add_subcommand("meshes", "Inspect Meshes");
  meshes->callback([&session, args] {
    session.action = [&session, args] { return inspectMeshes(session, *args); };
  });
}

}  // namespace ursa::cli
