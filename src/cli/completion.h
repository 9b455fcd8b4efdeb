#pragma once

// Shell completion scripts for ursactl, generated from the command tree so
// they never drift from the flags: subcommands, flags (a subcommand also
// accepts its parents' flags), flag values (-o formats, --log-level levels,
// files), the resource nouns of get/delete, and resource, mesh and control
// plane names, asked from ursactl itself at completion time.

#include <string>
#include <vector>

#include "CLI/CLI.hpp"

namespace ursa::cli {

struct CompletionNode {
  std::string path;  // "" (the root), "get", "config control-planes add"
  std::vector<std::string> subcommands;
  std::vector<std::string> flags;        // every flag accepted here, inherited ones included
  std::vector<std::string> value_flags;  // those that take a value
};

// Walks `root` depth first.
std::vector<CompletionNode> completionTree(CLI::App& root);

std::string bashCompletion(const std::vector<CompletionNode>& tree);
std::string zshCompletion(const std::vector<CompletionNode>& tree);

}  // namespace ursa::cli
