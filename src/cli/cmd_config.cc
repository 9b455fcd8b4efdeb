// ursactl config control-planes add|list|switch|remove, ursactl config view
//
// Messages follow kumactl's. `add` checks that the address answers GET /
// (unless --skip-check) before saving, and makes the new control plane active.

#include "src/cli/args.h"
#include "src/cli/commands.h"
#include "src/cli/table.h"
#include "ursa/common/strings.h"

namespace ursa::cli {
namespace {

struct AddArgs {
  std::string name;
  std::string address;
  bool overwrite = false;
  std::string auth_type;
  std::vector<std::string> auth_conf;
  std::string ca_cert_file;
  std::string client_cert_file;
  std::string client_key_file;
  bool skip_verify = false;
  std::vector<std::string> headers;
  bool skip_check = false;
};

bool validUrl(std::string_view url) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.starts_with(scheme)) {
      std::string_view rest = url.substr(scheme.size());
      return !rest.empty() && rest.front() != '/' &&
             rest.find_first_of(" \t\n") == std::string_view::npos;
    }
  }
  return false;
}

absl::StatusOr<ControlPlaneEntry> entryFrom(const AddArgs& args) {
  if (!validUrl(args.address)) {
    return absl::InvalidArgumentError(
        strCat("API Server URL is invalid: \"", args.address,
               "\" (expected http://host:port or https://host:port)"));
  }
  if (args.client_cert_file.empty() != args.client_key_file.empty()) {
    return absl::InvalidArgumentError(
        "Both --client-cert-file and --client-key-file needs to be specified");
  }
  ControlPlaneEntry cp{args.name, {}};
  ApiServerCoordinates& api = cp.api_server;
  api.url = args.address;
  api.ca_cert_file = args.ca_cert_file;
  api.client_cert_file = args.client_cert_file;
  api.client_key_file = args.client_key_file;
  api.skip_verify = args.skip_verify;
  URSA_ASSIGN_OR_RETURN(auto headers, parseKeyValues("--headers", args.headers));
  for (auto& [k, v] : headers) api.headers.emplace_back(k, v);  // sorted, as kumactl stores them
  URSA_ASSIGN_OR_RETURN(api.auth_conf, parseKeyValues("--auth-conf", args.auth_conf));
  api.auth_type = args.auth_type;
  if (!api.auth_type.empty() && api.auth_type != "tokens") {
    return absl::InvalidArgumentError(
        strCat("authentication plugin of type \"", api.auth_type, "\" is not found"));
  }
  if (api.auth_type == "tokens" && api.auth_conf["token"].empty()) {
    return absl::InvalidArgumentError("--auth-conf is not valid: provide token=YOUR_TOKEN");
  }
  if (api.auth_type.empty() && !api.auth_conf.empty()) {
    return absl::InvalidArgumentError("--auth-conf needs --auth-type (for example: tokens)");
  }
  return cp;
}

absl::Status checkReachable(Session& session, const ControlPlaneEntry& cp) {
  URSA_ASSIGN_OR_RETURN(ApiClient client, session.clientFor(cp));
  auto index = client.index();
  if (!index.ok()) {
    return absl::Status(index.status().code(),
                        strCat("could not connect to the Control Plane API Server: ",
                               fromAbsl(index.status().message())));
  }
  if (!index->is_object() || !index->contains("version")) {
    return absl::FailedPreconditionError(
        strCat(cp.api_server.url,
               " does not look like a Kuma-compatible control plane API "
               "(GET / has no version); use --skip-check to add it anyway"));
  }
  return absl::OkStatus();
}

absl::Status runAdd(Session& session, const AddArgs& args) {
  URSA_ASSIGN_OR_RETURN(ControlPlaneEntry cp, entryFrom(args));
  URSA_ASSIGN_OR_RETURN(CliConfig config, session.loadConfig());
  if (!args.overwrite && (config.controlPlane(cp.name) || config.context(cp.name))) {
    return absl::AlreadyExistsError(strCat("Control Plane with name \"", cp.name,
                                           "\" already exists. Use --overwrite to replace an "
                                           "existing one."));
  }
  if (!args.skip_check) URSA_RETURN_IF_ERROR(checkReachable(session, cp));
  config.addControlPlane(cp, args.overwrite);
  URSA_RETURN_IF_ERROR(session.saveConfig(config));
  session.out() << "added Control Plane \"" << cp.name << "\"\n"
                << "switched active Control Plane to \"" << cp.name << "\"\n";
  return absl::OkStatus();
}

absl::Status runList(Session& session) {
  URSA_ASSIGN_OR_RETURN(CliConfig config, session.loadConfig());
  const ContextEntry* current = config.context(config.current_context);
  Table t{.headers = {"ACTIVE", "NAME", "ADDRESS"}};
  for (const auto& cp : config.control_planes) {
    bool active = current != nullptr && current->control_plane == cp.name;
    t.rows.push_back({active ? "*" : "", cp.name, cp.api_server.url});
  }
  session.out() << renderTable(t);
  return absl::OkStatus();
}

absl::Status runSwitch(Session& session, const std::string& name) {
  URSA_ASSIGN_OR_RETURN(CliConfig config, session.loadConfig());
  if (!config.switchContext(name)) {
    return absl::NotFoundError(strCat("there is no Control Plane with name \"", name, "\""));
  }
  URSA_RETURN_IF_ERROR(session.saveConfig(config));
  session.out() << "switched active Control Plane to \"" << name << "\"\n";
  return absl::OkStatus();
}

absl::Status runRemove(Session& session, const std::string& name) {
  URSA_ASSIGN_OR_RETURN(CliConfig config, session.loadConfig());
  if (!config.removeControlPlane(name)) {
    return absl::NotFoundError(strCat("there is no Control Plane with name \"", name, "\""));
  }
  URSA_RETURN_IF_ERROR(session.saveConfig(config));
  session.out() << "removed Control Plane \"" << name << "\"\n";
  if (const ContextEntry* c = config.context(config.current_context)) {
    session.out() << "switched active Control Plane to \"" << c->control_plane << "\"\n";
  } else {
    session.out() << "there is no active Control Plane left. Use `ursactl config control-planes "
                     "add` to add a Control Plane and make it active\n";
  }
  return absl::OkStatus();
}

absl::Status runView(Session& session, bool raw) {
  URSA_ASSIGN_OR_RETURN(CliConfig config, session.loadConfig());
  if (!raw) {
    for (auto& cp : config.control_planes) {
      for (auto& [k, v] : cp.api_server.auth_conf) v = "REDACTED";
    }
  }
  session.out() << formatCliConfig(config);
  return absl::OkStatus();
}

void addAdd(CLI::App& cps, Session& session) {
  auto args = std::make_shared<AddArgs>();
  auto* add = cps.add_subcommand("add", "Add a Control Plane and make it active");
  add->add_option("--name", args->name, "reference name for the Control Plane")->required();
  add->add_option("--address", args->address,
                  "URL of the Control Plane API Server, e.g. http://localhost:5681 or "
                  "https://localhost:5682")
      ->required();
  add->add_flag("--overwrite", args->overwrite, "overwrite an existing Control Plane of that name");
  add->add_option("--auth-type", args->auth_type, "authentication type (\"tokens\")");
  add->add_option("--auth-conf", args->auth_conf,
                  "authentication configuration, key=value (tokens: token=JWT)")
      ->allow_extra_args(false);
  add->add_option("--ca-cert-file", args->ca_cert_file,
                  "CA certificate (PEM) to verify the Control Plane's certificate (a reference "
                  "to the file is stored)");
  add->add_option("--client-cert-file", args->client_cert_file, "client certificate for mTLS");
  add->add_option("--client-key-file", args->client_key_file, "key of --client-cert-file");
  add->add_flag("--skip-verify", args->skip_verify, "do not verify the server's certificate");
  add->add_option("--headers", args->headers, "header sent with every request, key=value")
      ->allow_extra_args(false);
  add->add_flag("--skip-check", args->skip_check, "do not check that the Control Plane answers");
  add->callback(
      [&session, args] { session.action = [&session, args] { return runAdd(session, *args); }; });
}

void addNamed(CLI::App& cps, Session& session, const char* verb, const char* help,
              absl::Status (*run)(Session&, const std::string&)) {
  auto name = std::make_shared<std::string>();
  auto* cmd = cps.add_subcommand(verb, help);
  cmd->add_option("--name", *name, "reference name of the Control Plane")->required();
  cmd->callback([&session, name, run] {
    session.action = [&session, name, run] { return run(session, *name); };
  });
}

}  // namespace

void addConfigCommand(CLI::App& app, Session& session) {
  auto* config = app.add_subcommand("config", "Manage ursactl's configuration");
  config->require_subcommand(1);
  auto* cps = config->add_subcommand("control-planes", "Manage known Control Planes");
  cps->require_subcommand(1);
  addAdd(*cps, session);
  auto* list = cps->add_subcommand("list", "List Control Planes");
  list->callback([&session] { session.action = [&session] { return runList(session); }; });
  addNamed(*cps, session, "switch", "Switch the active Control Plane", runSwitch);
  addNamed(*cps, session, "remove", "Remove a Control Plane", runRemove);

  auto raw = std::make_shared<bool>(false);
  auto* view = config->add_subcommand("view", "Show ursactl's configuration");
  view->add_flag("--raw", *raw, "show tokens instead of REDACTED");
  view->callback(
      [&session, raw] { session.action = [&session, raw] { return runView(session, *raw); }; });
}

}  // namespace ursa::cli
