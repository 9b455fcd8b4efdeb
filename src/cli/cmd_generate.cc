// ursactl generate user-token --name N [--group G]... --valid-for D
//
// Asks the control plane (POST /tokens/user) to issue a user token and prints
// it. Like kumactl, the token is printed without a newline, so that
// `TOKEN=$(ursactl generate user-token ...)` and `> file` capture exactly the
// token; on a terminal a newline is added for readability.

#include "src/cli/args.h"
#include "src/cli/commands.h"
#include "ursa/common/strings.h"

namespace ursa::cli {
namespace {

struct UserTokenArgs {
  std::string name;
  std::vector<std::string> groups;
  std::string valid_for;
};

absl::Status runUserToken(Session& session, const UserTokenArgs& args) {
  if (args.name.empty()) return absl::InvalidArgumentError("--name must not be empty");
  URSA_ASSIGN_OR_RETURN(absl::Duration valid_for,
                        parseDuration("--valid-for", args.valid_for, /*positive=*/true));
  URSA_ASSIGN_OR_RETURN(ApiClient client, session.client());
  auto token = client.userToken(args.name, splitList(args.groups), goDuration(valid_for));
  if (!token.ok()) {
    return absl::Status(token.status().code(), strCat("failed to generate a user token: ",
                                                      fromAbsl(token.status().message())));
  }
  session.out() << *token;
  if (session.io().out_is_terminal) session.out() << "\n";
  return absl::OkStatus();
}

}  // namespace

void addGenerateCommand(CLI::App& app, Session& session) {
  auto* generate = app.add_subcommand("generate", "Generate tokens and signing keys");
  generate->require_subcommand(1);
  auto args = std::make_shared<UserTokenArgs>();
  auto* cmd =
      generate->add_subcommand("user-token", "Generate a User Token that proves a user's identity");
  cmd->footer(
      "Example:\n  ursactl generate user-token --name john.doe@example.com --group users "
      "--valid-for 24h");
  cmd->add_option("--name", args->name, "name of the user")->required();
  cmd->add_option("--group", args->groups, "group of the user; repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--valid-for", args->valid_for, "how long the token is valid, e.g. 24h")
      ->required();
  cmd->callback([&session, args] {
    session.action = [&session, args] { return runUserToken(session, *args); };
  });
  addGenerateDataplaneTokenCommand(*generate, session);
  addGenerateKeyCommands(*generate, session);
}

}  // namespace ursa::cli
