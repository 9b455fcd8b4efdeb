// ursactl inspect dataplanes [-m MESH] [--tag k=v]... [--gateway] [-o table|yaml|json]
// ursactl inspect meshes [-o table|yaml|json]
// ursactl inspect dataplane NAME [-m MESH] [--type policies|rules|config] [-o ...]
// ursactl inspect <policy noun, singular or plural> NAME [-m MESH] [-o ...]
//
// See inspect_tables.h and policy_tables.h for the columns and how status is
// computed. `--type config` prints the xDS configuration as JSON (YAML with
// -o yaml): it has no table.

#include <set>

#include "src/cli/args.h"
#include "src/cli/commands.h"
#include "src/cli/inspect_tables.h"
#include "src/cli/policy_tables.h"
#include "ursa/common/strings.h"
#include "ursa/model/registry.h"

namespace ursa::cli {
namespace {

struct InspectArgs {
  std::string output = "table";
  std::string mesh;
  std::vector<std::string> tags;
  bool gateway = false;
  std::string name;
  std::string type = "policies";  // inspect dataplane --type
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

absl::Status inspectDataplane(Session& session, const InspectArgs& args) {
  URSA_ASSIGN_OR_RETURN(ApiClient client, session.client());
  std::string what = args.type == "config" || args.type == "config-dump" ? "xds" : args.type;
  URSA_ASSIGN_OR_RETURN(model::Json body,
                        client.inspectDataplane(session.mesh(args.mesh), args.name, what));
  if (args.output != "table") {
    printStructured(session, body, args.output);
  } else if (what == "xds") {
    printStructured(session, body, "json");
  } else {
    session.out() << (what == "rules" ? renderDataplaneRules(body) : renderDataplanePolicies(body));
  }
  return absl::OkStatus();
}

absl::Status inspectPolicy(Session& session, const model::ResourceType& type,
                           const InspectArgs& args) {
  URSA_ASSIGN_OR_RETURN(ApiClient client, session.client());
  URSA_ASSIGN_OR_RETURN(model::Json body,
                        client.policyDataplanes(type, session.mesh(args.mesh), args.name));
  if (args.output != "table") {
    printStructured(session, body, args.output);
  } else {
    session.out() << renderPolicyDataplanes(body);
  }
  return absl::OkStatus();
}

// `inspect <noun> NAME` for every policy type, by its singular and plural noun.
void addPolicyInspectCommands(CLI::App& inspect, Session& session,
                              const std::shared_ptr<InspectArgs>& args) {
  std::set<std::string_view> added;
  for (const model::ResourceType* t : model::TypeRegistry::instance().all()) {
    if (!t->is_policy || t->scope != model::Scope::Mesh) continue;
    for (std::string_view noun : {t->cli_singular, t->cli_plural}) {
      if (noun.empty() || !added.insert(noun).second) continue;
      auto* cmd = inspect.add_subcommand(std::string(noun),
                                         strCat("Inspect the Dataplanes a ", t->name, " selects"));
      cmd->add_option("name", args->name, "name of the policy")->required();
      cmd->add_option("-m,--mesh", args->mesh,
                      "mesh to use (default: the context's, else \"default\")");
      cmd->callback([&session, args, t] {
        session.action = [&session, args, t] { return inspectPolicy(session, *t, *args); };
      });
    }
  }
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

  auto* dp = cmd->add_subcommand("dataplane", "Inspect one Dataplane: its policies, rules or xDS");
  dp->add_option("name", args->name, "name of the Dataplane")->required();
  dp->add_option("-m,--mesh", args->mesh, "mesh to use (default: the context's, else \"default\")");
  dp->add_option("--type", args->type,
                 "what to show: policies (matched policies and rules), rules, or config (the "
                 "xDS configuration served, as JSON)")
      ->check(CLI::IsMember({"policies", "rules", "config", "config-dump"}))
      ->capture_default_str();
  dp->callback([&session, args] {
    session.action = [&session, args] { return inspectDataplane(session, *args); };
  });
  addPolicyInspectCommands(*cmd, session, args);

  auto* meshes = cmd->add_subcommand("meshes", "Inspect Meshes");
  meshes->callback([&session, args] {
    session.action = [&session, args] { return inspectMeshes(session, *args); };
  });
}

}  // namespace ursa::cli
