// ursactl completion bash|zsh: prints a completion script (see completion.h).

#include "src/cli/commands.h"
#include "src/cli/completion.h"

namespace ursa::cli {

void addCompletionCommand(CLI::App& app, Session& session) {
  auto* cmd = app.add_subcommand("completion", "Output shell completion code for bash or zsh");
  cmd->require_subcommand(1);
  cmd->footer(
      "bash:  source <(ursactl completion bash)   (or save it in /etc/bash_completion.d/)\n"
      "zsh:   source <(ursactl completion zsh)    (or save it as _ursactl in $fpath)");
  CLI::App* root = &app;
  auto* bash = cmd->add_subcommand("bash", "Output shell completions for bash");
  bash->callback([&session, root] {
    session.action = [&session, root] {
      session.out() << bashCompletion(completionTree(*root));
      return absl::OkStatus();
    };
  });
  auto* zsh = cmd->add_subcommand("zsh", "Output shell completions for zsh");
  zsh->callback([&session, root] {
    session.action = [&session, root] {
      session.out() << zshCompletion(completionTree(*root));
      return absl::OkStatus();
    };
  });
}

}  // namespace ursa::cli
