// ursactl explain traffic --from SERVICE[,key=value...] --to SERVICE[:port]
//                         [-m MESH] [-o table|yaml|json]
//
// Asks the control plane why traffic is allowed or denied and which
// timeout, retry, route, rate limit, fault... apply, with the policy items
// that decided (GET /meshes/{mesh}/explain/traffic; docs/policies.md).

#include "src/cli/commands.h"
#include "src/cli/policy_tables.h"

namespace ursa::cli {
namespace {

struct ExplainArgs {
  std::string output = "table";
  std::string mesh;
  std::string from;
  std::string to;
};

absl::Status explainTraffic(Session& session, const ExplainArgs& args) {
  URSA_ASSIGN_OR_RETURN(ApiClient client, session.client());
  URSA_ASSIGN_OR_RETURN(model::Json body,
                        client.explainTraffic(session.mesh(args.mesh), args.from, args.to));
  if (args.output != "table") {
    printStructured(session, body, args.output);
  } else {
    session.out() << renderExplainTraffic(body);
  }
  return absl::OkStatus();
}

}  // namespace

void addExplainCommand(CLI::App& app, Session& session) {
  auto args = std::make_shared<ExplainArgs>();
  auto* cmd = app.add_subcommand("explain", "Explain what the policies decide, and why");
  cmd->require_subcommand(1);
  cmd->add_option("-o,--output", args->output, "output format: one of table|yaml|json")
      ->check(CLI::IsMember({"table", "yaml", "json"}))
      ->capture_default_str();
  auto* traffic = cmd->add_subcommand(
      "traffic", "Whether traffic between two services is allowed, and the policies in force");
  traffic->add_option("-m,--mesh", args->mesh,
                      "mesh to use (default: the context's, else \"default\")");
  traffic->add_option("--from", args->from,
                      "the client: SERVICE[,key=value...] (its kuma.io/service and more tags)")
      ->required();
  traffic->add_option("--to", args->to, "the destination: SERVICE[:port]")->required();
  traffic->callback([&session, args] {
    session.action = [&session, args] { return explainTraffic(session, *args); };
  });
}

}  // namespace ursa::cli
