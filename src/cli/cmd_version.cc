// ursactl version [-a|--detailed]
//
// Prints the client's version and, when the current control plane answers,
// the server's (from GET /). An unreachable server is reported on stderr but
// is not a failure: the client's version was printed.

#include "src/cli/commands.h"
#include "ursa/common/strings.h"

namespace ursa::cli {
namespace {

absl::Status runVersion(Session& session, bool detailed) {
  session.out() << "Client: ursa " << URSA_VERSION << " (ursactl, Kuma 2.2 compatible)\n";
  auto client = session.client();
  absl::StatusOr<model::Json> index = client.ok() ? client->index() : client.status();
  if (index.ok() && !index->is_object())
    index = absl::InternalError("GET / did not answer an object");
  if (!index.ok()) {
    session.err() << "Unable to connect to control plane: " << index.status().message() << "\n";
    return absl::OkStatus();
  }
  if (detailed) {
    session.out() << "Server: " << index->dump(3) << "\n";
    return absl::OkStatus();
  }
  std::string product = index->value("product", index->value("tagline", std::string("unknown")));
  session.out() << "Server: " << product << " " << index->value("version", std::string("unknown"));
  if (auto kuma = index->value("basedOnKuma", std::string()); !kuma.empty()) {
    session.out() << " (based on Kuma " << kuma << ")";
  }
  session.out() << "\n";
  return absl::OkStatus();
}

}  // namespace

void addVersionCommand(CLI::App& app, Session& session) {
  auto detailed = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("version", "Print the client's and the server's versions");
  cmd->add_flag("-a,--detailed", *detailed, "print the server's whole index");
  cmd->callback([&session, detailed] {
    session.action = [&session, detailed] { return runVersion(session, *detailed); };
  });
}

}  // namespace ursa::cli
