// ursactl generate dataplane-token [--name N] [-m MESH] [--tag k=v1,v2]...
//     [--proxy-type dataplane|ingress|egress] --valid-for D
//
// Asks the control plane (POST /tokens/dataplane) to issue a dataplane token
// and prints it, as kumactl 2.2 does: without a newline (a newline is added
// on a terminal), the mesh from -m, else the context's, else "default".
// `--tag kuma.io/service=web,web-api` allows either value of the tag;
// `--tag a=1,b=2` names two tags (pflag's StringToString). `--type` is
// kumactl's deprecated spelling of --proxy-type.

#include "src/cli/args.h"
#include "src/cli/commands.h"
#include "ursa/common/strings.h"

namespace ursa::cli {
namespace {

struct DataplaneTokenArgs {
  std::string name;
  std::string mesh;
  std::vector<std::string> tags;
  std::string proxy_type;
  std::string valid_for;
};

absl::StatusOr<std::map<std::string, std::vector<std::string>>> tagValues(
    const std::vector<std::string>& flags) {
  URSA_ASSIGN_OR_RETURN(auto pairs, parseKeyValues("--tag", flags));
  std::map<std::string, std::vector<std::string>> tags;
  for (const auto& [key, values] : pairs) tags[key] = splitList({values});
  return tags;
}

absl::Status runDataplaneToken(Session& session, const DataplaneTokenArgs& args) {
  const std::string& type = args.proxy_type;
  if (!type.empty() && type != "dataplane" && type != "ingress" && type != "egress") {
    return absl::InvalidArgumentError(strCat("invalid argument \"", type,
                                             "\" for \"--proxy-type\": expected dataplane, "
                                             "ingress or egress"));
  }
  URSA_ASSIGN_OR_RETURN(absl::Duration valid_for,
                        parseDuration("--valid-for", args.valid_for, /*positive=*/true));
  URSA_ASSIGN_OR_RETURN(auto tags, tagValues(args.tags));
  URSA_ASSIGN_OR_RETURN(ApiClient client, session.client());
  auto token = client.dataplaneToken({.name = args.name,
                                      .mesh = session.mesh(args.mesh),
                                      .tags = std::move(tags),
                                      .type = type,
                                      .valid_for = goDuration(valid_for)});
  if (!token.ok()) {
    return absl::Status(token.status().code(), strCat("failed to generate a dataplane token: ",
                                                      fromAbsl(token.status().message())));
  }
  session.out() << *token;
  if (session.io().out_is_terminal) session.out() << "\n";
  return absl::OkStatus();
}

}  // namespace

void addGenerateDataplaneTokenCommand(CLI::App& generate, Session& session) {
  auto args = std::make_shared<DataplaneTokenArgs>();
  auto* cmd = generate.add_subcommand("dataplane-token",
                                      "Generate a Dataplane Token that proves a proxy's identity");
  cmd->footer(
      "Examples:\n"
      "  ursactl generate dataplane-token --mesh demo --name demo-01 --valid-for 24h\n"
      "  ursactl generate dataplane-token --mesh demo --valid-for 24h\n"
      "  ursactl generate dataplane-token --mesh demo --tag kuma.io/service=web,web-api "
      "--valid-for 24h");
  cmd->add_option("--name", args->name, "name of the Dataplane (empty: any of the mesh)");
  cmd->add_option("-m,--mesh", args->mesh,
                  "mesh to use (default: the context's, else \"default\")");
  cmd->add_option("--tag", args->tags,
                  "required tag values of the Dataplane, key=value (several values "
                  "comma-separated); repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--proxy-type", args->proxy_type,
                  "type of the proxy: dataplane, ingress or egress (default: dataplane)");
  cmd->add_option("--type", args->proxy_type, "deprecated: use --proxy-type")->group("");
  cmd->add_option("--valid-for", args->valid_for, "how long the token is valid, e.g. 24h")
      ->required();
  cmd->callback([&session, args] {
    session.action = [&session, args] { return runDataplaneToken(session, *args); };
  });
}

}  // namespace ursa::cli
