#pragma once

// The command groups of ursactl, one file each. Every add* function
// registers its subcommands on `app` and, from their parse callbacks, sets
// session.action to the work to run once parsing is done.

#include "CLI/CLI.hpp"
#include "src/cli/session.h"

namespace ursa::cli {

void addApplyCommand(CLI::App& app, Session& session);       // cmd_apply.cc
void addGetCommand(CLI::App& app, Session& session);         // cmd_get.cc
void addDeleteCommand(CLI::App& app, Session& session);      // cmd_delete.cc
void addInspectCommand(CLI::App& app, Session& session);     // cmd_inspect.cc
void addExplainCommand(CLI::App& app, Session& session);     // cmd_explain.cc
void addConfigCommand(CLI::App& app, Session& session);      // cmd_config.cc
void addGenerateCommand(CLI::App& app, Session& session);    // cmd_generate.cc
// `generate dataplane-token`, on the `generate` command (cmd_generate_dataplane_token.cc).
void addGenerateDataplaneTokenCommand(CLI::App& generate, Session& session);
// cmd_generate_keys.cc: signing-key and public-key.
void addGenerateKeyCommands(CLI::App& generate, Session& session);
void addVersionCommand(CLI::App& app, Session& session);     // cmd_version.cc
void addCompletionCommand(CLI::App& app, Session& session);  // cmd_completion.cc

// Output formats of get and inspect.
inline constexpr const char* kOutputFormats[] = {"table", "yaml", "json"};
// Prints `value` as -o yaml|json does (JSON indented by 2, as kumactl).
void printStructured(Session& session, const model::Json& value, const std::string& format);

}  // namespace ursa::cli
