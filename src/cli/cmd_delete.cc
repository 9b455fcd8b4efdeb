// ursactl delete TYPE NAME [-m MESH]   (TYPE singular, as kumactl's)

#include "src/cli/commands.h"
#include "src/cli/resource_nouns.h"
#include "ursa/common/strings.h"

namespace ursa::cli {
namespace {

struct DeleteArgs {
  std::string noun;
  std::string name;
  std::string mesh;
};

absl::StatusOr<const model::ResourceType*> checkArgs(const DeleteArgs& args) {
  NounMatch match = findNoun(args.noun);
  if (match.type == nullptr) {
    return absl::InvalidArgumentError(
        strCat("unknown TYPE: ", args.noun, ". Allowed values: ", strJoin(singularNouns(), ", ")));
  }
  if (match.plural) {
    return absl::InvalidArgumentError(strCat("unknown TYPE: ", args.noun,
                                             ". Use the singular: ursactl delete ",
                                             match.type->cli_singular, " ", args.name));
  }
  if (match.type->read_only) {
    return absl::InvalidArgumentError(
        strCat("TYPE: ", args.noun, " is readOnly, can't use it for write action"));
  }
  return match.type;
}

absl::Status runDelete(Session& session, const DeleteArgs& args) {
  URSA_ASSIGN_OR_RETURN(const model::ResourceType* type, checkArgs(args));
  URSA_ASSIGN_OR_RETURN(ApiClient client, session.client());
  std::string mesh = type->scope == model::Scope::Mesh ? session.mesh(args.mesh) : "";
  absl::Status s = client.remove(*type, mesh, args.name);
  if (absl::IsNotFound(s)) {
    return absl::NotFoundError(strCat("there is no ", type->name, " with name \"", args.name, "\"",
                                      mesh.empty() ? "" : strCat(" in mesh \"", mesh, "\"")));
  }
  if (!s.ok()) {
    return absl::Status(s.code(), strCat("failed to delete ", type->name, " with the name \"",
                                         args.name, "\": ", fromAbsl(s.message())));
  }
  session.out() << "deleted " << type->name << " \"" << args.name << "\"\n";
  return absl::OkStatus();
}

}  // namespace

void addDeleteCommand(CLI::App& app, Session& session) {
  auto args = std::make_shared<DeleteArgs>();
  auto* cmd = app.add_subcommand("delete", "Delete a resource");
  cmd->footer(strCat("TYPE is one of: ", strJoin(singularNouns(), ", ")));
  cmd->add_option("TYPE", args->noun, "resource type (singular)")->required();
  cmd->add_option("NAME", args->name, "name of the resource")->required();
  cmd->add_option("-m,--mesh", args->mesh,
                  "mesh to use (default: the context's, else \"default\")");
  cmd->callback([&session, args] {
    session.action = [&session, args] { return runDelete(session, *args); };
  });
}

}  // namespace ursa::cli
