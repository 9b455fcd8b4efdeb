// ursactl get <plural> [-m MESH] [-o table|yaml|json] [--size N] [--offset X]
// ursactl get <singular> NAME [-m MESH] [-o table|yaml|json]
//
// Lists print one page (the server's default size unless --size) with a
// footer naming the next --offset; yaml/json print the REST list object
// ({total, items, next}) or the resource itself.

#include "src/cli/commands.h"
#include "src/cli/resource_nouns.h"
#include "src/cli/resource_tables.h"
#include "ursa/common/strings.h"

namespace ursa::cli {
namespace {

struct GetArgs {
  std::string noun;
  std::string name;
  bool has_name = false;
  std::string mesh;
  std::string output = "table";
  int size = 0;
  std::string offset;
};

absl::Status unknownNoun(std::string_view noun) {
  return absl::InvalidArgumentError(strCat("unknown TYPE: ", noun,
                                           ". Allowed values: ", strJoin(pluralNouns(), ", "),
                                           " (or a singular with a NAME, e.g. mesh default)"));
}

// Checks the arguments; the matched type on success.
absl::StatusOr<NounMatch> checkArgs(const GetArgs& args) {
  NounMatch match = findNoun(args.noun);
  if (match.type == nullptr) return unknownNoun(args.noun);
  if (match.plural && args.has_name) {
    return absl::InvalidArgumentError(strCat(
        "\"", args.noun, "\" lists resources and takes no NAME; to show one, run: ursactl get ",
        match.type->cli_singular, " ", args.name));
  }
  if (!match.plural && !args.has_name) {
    return absl::InvalidArgumentError(strCat("\"", args.noun, "\" shows one resource: ursactl get ",
                                             args.noun, " NAME (to list them: ursactl get ",
                                             match.type->cli_plural, ")"));
  }
  if (args.size < 0 || args.size > 1000) {
    return absl::InvalidArgumentError(
        "--size must be between 1 and 1000 (0: the server's default)");
  }
  return match;
}

absl::Status getList(Session& session, const model::ResourceType& type, const GetArgs& args) {
  URSA_ASSIGN_OR_RETURN(ApiClient client, session.client());
  std::string mesh = type.scope == model::Scope::Mesh ? session.mesh(args.mesh) : "";
  auto list = client.list(type, mesh, {.size = args.size, .offset = args.offset});
  if (!list.ok()) {
    return absl::Status(list.status().code(), strCat("failed to list ", type.name, ": ",
                                                     fromAbsl(list.status().message())));
  }
  if (args.output != "table") {
    printStructured(session, *list, args.output);
    return absl::OkStatus();
  }
  model::Json items = list->value("items", model::Json::array());
  session.out() << renderTable(
      resourceTable(type, items, list->value("next", model::Json()), session.now()));
  return absl::OkStatus();
}

absl::Status getOne(Session& session, const model::ResourceType& type, const GetArgs& args) {
  URSA_ASSIGN_OR_RETURN(ApiClient client, session.client());
  bool meshed = type.scope == model::Scope::Mesh;
  std::string mesh = meshed ? session.mesh(args.mesh) : "";
  auto resource = client.get(type, mesh, args.name);
  if (absl::IsNotFound(resource.status())) {
    return absl::NotFoundError(meshed ? strCat("No resources found in ", mesh, " mesh")
                                      : std::string("No resources found"));
  }
  if (!resource.ok()) return resource.status();
  if (args.output != "table") {
    printStructured(session, *resource, args.output);
    return absl::OkStatus();
  }
  model::Json items = model::Json::array({*resource});
  session.out() << renderTable(resourceTable(type, items, model::Json(), session.now()));
  return absl::OkStatus();
}

absl::Status runGet(Session& session, const GetArgs& args) {
  URSA_ASSIGN_OR_RETURN(NounMatch match, checkArgs(args));
  return match.plural ? getList(session, *match.type, args) : getOne(session, *match.type, args);
}

}  // namespace

void printStructured(Session& session, const model::Json& value, const std::string& format) {
  if (format == "json") {
    session.out() << value.dump(2, ' ', false, model::Json::error_handler_t::replace) << "\n";
  } else {
    std::string yaml = model::toYaml(value);
    if (!yaml.empty() && yaml.back() != '\n') yaml += '\n';
    session.out() << yaml;
  }
}

void addGetCommand(CLI::App& app, Session& session) {
  auto args = std::make_shared<GetArgs>();
  auto* cmd = app.add_subcommand("get", "Show resources");
  cmd->footer(strCat("TYPE is one of: ", strJoin(pluralNouns(), ", "),
                     "\n(or its singular, followed by a NAME: ", strJoin(singularNouns(), ", "),
                     ")"));
  cmd->add_option("TYPE", args->noun, "resource type: plural to list, singular to show one")
      ->required();
  auto* name = cmd->add_option("NAME", args->name, "name of the resource (with a singular TYPE)");
  cmd->add_option("-m,--mesh", args->mesh,
                  "mesh to use (default: the context's, else \"default\")");
  cmd->add_option("-o,--output", args->output, "output format: one of table|yaml|json")
      ->check(CLI::IsMember({"table", "yaml", "json"}))
      ->capture_default_str();
  cmd->add_option("--size", args->size, "maximum number of elements to return");
  cmd->add_option("--offset", args->offset,
                  "the offset that indicates the starting element of the list to retrieve");
  cmd->callback([&session, args, name] {
    args->has_name = name->count() > 0;
    session.action = [&session, args] { return runGet(session, *args); };
  });
}

}  // namespace ursa::cli
