// ursactl apply -f FILE|-|URL [-v key=value]... [--dry-run]
//
// Sends each document of a (multi-document) manifest with PUT to its REST
// path, in order, and stops at the first failure, saying which document
// failed and how many were applied before it. Like kumactl, it prints nothing
// on success. --dry-run prints the rendered documents and validates them
// locally instead of sending them.

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "src/cli/args.h"
#include "src/cli/commands.h"
#include "src/cli/manifests.h"
#include "ursa/common/strings.h"

namespace ursa::cli {
namespace {

struct ApplyArgs {
  std::string file;
  std::vector<std::string> vars;
  bool dry_run = false;
};

absl::StatusOr<std::string> fetchUrl(Session& session, const std::string& url) {
  URSA_ASSIGN_OR_RETURN(auto transport,
                        session.transport({.base_url = url, .timeout = absl::Seconds(10)}));
  auto response = transport->send({.method = "GET", .target = "", .accept = "*/*"});
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return absl::UnavailableError(
        strCat("error while retrieving URL ", url, ": HTTP ", response->status));
  }
  return response->body;
}

absl::StatusOr<std::string> readInput(Session& session, const std::string& file) {
  if (file == "-") {
    return std::string(std::istreambuf_iterator<char>(session.io().in), {});
  }
  if (file.starts_with("http://") || file.starts_with("https://")) return fetchUrl(session, file);
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        strCat("error while reading provided file: open ", file, ": ", std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::Status dryRun(Session& session, const std::vector<Manifest>& manifests) {
  for (const Manifest& m : manifests) URSA_RETURN_IF_ERROR(validateManifest(m));
  for (size_t i = 0; i < manifests.size(); ++i) {
    if (i > 0) session.out() << "---\n";
    std::string yaml = model::toYaml(manifests[i].doc);
    if (!yaml.empty() && yaml.back() != '\n') yaml += '\n';
    session.out() << yaml;
  }
  return absl::OkStatus();
}

absl::Status send(Session& session, const std::vector<Manifest>& manifests) {
  URSA_ASSIGN_OR_RETURN(ApiClient client, session.client());
  for (size_t i = 0; i < manifests.size(); ++i) {
    const Manifest& m = manifests[i];
    auto put = client.put(*m.type, m.mesh, m.name, m.doc);
    if (put.ok()) continue;
    std::string msg = strCat(documentLabel(m), ": ", fromAbsl(put.status().message()));
    if (manifests.size() > 1) {
      msg += strCat("\n(", i, " of ", manifests.size(),
                    " documents applied before this one; the rest were not sent)");
    }
    return absl::Status(put.status().code(), msg);
  }
  return absl::OkStatus();
}

absl::Status runApply(Session& session, const ApplyArgs& args) {
  URSA_ASSIGN_OR_RETURN(auto vars, parseKeyValues("--var", args.vars));
  URSA_ASSIGN_OR_RETURN(std::string input, readInput(session, args.file));
  if (input.empty()) return absl::InvalidArgumentError("no resource(s) passed to apply");
  URSA_ASSIGN_OR_RETURN(auto manifests, readManifests(input, vars));
  return args.dry_run ? dryRun(session, manifests) : send(session, manifests);
}

}  // namespace

void addApplyCommand(CLI::App& app, Session& session) {
  auto args = std::make_shared<ApplyArgs>();
  auto* cmd = app.add_subcommand("apply", "Create or modify resources");
  cmd->footer(
      "Examples:\n"
      "  ursactl apply -f resource.yaml\n"
      "  echo 'type: Mesh\\nname: demo' | ursactl apply -f -\n"
      "  ursactl apply -f https://example.com/resource.yaml\n"
      "  ursactl apply -f dp.yaml -v name=web-1 -v address=10.0.0.1");
  cmd->add_option("-f,--file", args->file,
                  "path to the file to apply; `-` reads stdin, an http(s):// URL is fetched")
      ->required();
  cmd->add_option("-v,--var", args->vars,
                  "variable to replace in the manifest, key=value (mustache: {{ key }}); "
                  "repeatable, dotted keys nest")
      ->allow_extra_args(false);
  cmd->add_flag("--dry-run", args->dry_run,
                "render the variables, validate locally and print the result without applying it");
  cmd->callback(
      [&session, args] { session.action = [&session, args] { return runApply(session, *args); }; });
}

}  // namespace ursa::cli
