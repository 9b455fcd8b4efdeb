#include "src/cli/cli_config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ursa/common/strings.h"
#include "ursa/model/codec.h"

namespace ursa::cli {
namespace {

using model::Json;
namespace fs = std::filesystem;

// --- reading ------------------------------------------------------------------

absl::Status typeError(std::string_view at, std::string_view expected) {
  return absl::InvalidArgumentError(strCat(at, ": expected ", expected));
}

absl::StatusOr<std::string> str(const Json& obj, const char* key, std::string_view at) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::string();
  if (!it->is_string()) return typeError(strCat(at, ".", key), "a string");
  return it->get<std::string>();
}

absl::StatusOr<const Json*> member(const Json& obj, const char* key, std::string_view at,
                                   bool array) {
  static const Json kNull;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return &kNull;
  if (array ? !it->is_array() : !it->is_object()) {
    return typeError(strCat(at, ".", key), array ? "a list" : "a mapping");
  }
  return &*it;
}

absl::StatusOr<ApiServerCoordinates> readApiServer(const Json& j, const std::string& at) {
  ApiServerCoordinates a;
  URSA_ASSIGN_OR_RETURN(a.url, str(j, "url", at));
  URSA_ASSIGN_OR_RETURN(a.ca_cert_file, str(j, "caCertFile", at));
  URSA_ASSIGN_OR_RETURN(a.client_cert_file, str(j, "clientCertFile", at));
  URSA_ASSIGN_OR_RETURN(a.client_key_file, str(j, "clientKeyFile", at));
  URSA_ASSIGN_OR_RETURN(a.auth_type, str(j, "authType", at));
  URSA_ASSIGN_OR_RETURN(const Json* headers, member(j, "headers", at, true));
  if (headers->is_array()) {
    for (size_t i = 0; i < headers->size(); ++i) {
      std::string h_at = strCat(at, ".headers[", i, "]");
      const Json& h = (*headers)[i];
      if (!h.is_object()) return typeError(h_at, "a mapping with key and value");
      URSA_ASSIGN_OR_RETURN(std::string key, str(h, "key", h_at));
      URSA_ASSIGN_OR_RETURN(std::string value, str(h, "value", h_at));
      a.headers.emplace_back(std::move(key), std::move(value));
    }
  }
  URSA_ASSIGN_OR_RETURN(const Json* conf, member(j, "authConf", at, false));
  if (conf->is_object()) {
    for (const auto& [k, v] : conf->items()) {
      if (!v.is_string()) return typeError(strCat(at, ".authConf.", k), "a string");
      a.auth_conf[k] = v.get<std::string>();
    }
  }
  if (auto it = j.find("skipVerify"); it != j.end() && !it->is_null()) {
    if (!it->is_boolean()) return typeError(at + ".skipVerify", "true or false");
    a.skip_verify = it->get<bool>();
  }
  return a;
}

absl::StatusOr<ControlPlaneEntry> readControlPlane(const Json& j, const std::string& at) {
  if (!j.is_object()) return typeError(at, "a mapping");
  ControlPlaneEntry cp;
  URSA_ASSIGN_OR_RETURN(cp.name, str(j, "name", at));
  if (cp.name.empty()) return typeError(at + ".name", "a non-empty name");
  URSA_ASSIGN_OR_RETURN(const Json* coords, member(j, "coordinates", at, false));
  if (coords->is_object()) {
    URSA_ASSIGN_OR_RETURN(const Json* api,
                          member(*coords, "apiServer", at + ".coordinates", false));
    if (api->is_object()) {
      URSA_ASSIGN_OR_RETURN(cp.api_server, readApiServer(*api, at + ".coordinates.apiServer"));
    }
  }
  return cp;
}

absl::StatusOr<ContextEntry> readContext(const Json& j, const std::string& at) {
  if (!j.is_object()) return typeError(at, "a mapping");
  ContextEntry c;
  URSA_ASSIGN_OR_RETURN(c.name, str(j, "name", at));
  URSA_ASSIGN_OR_RETURN(c.control_plane, str(j, "controlPlane", at));
  URSA_ASSIGN_OR_RETURN(const Json* defaults, member(j, "defaults", at, false));
  if (defaults->is_object()) {
    URSA_ASSIGN_OR_RETURN(c.default_mesh, str(*defaults, "mesh", at + ".defaults"));
  }
  return c;
}

// --- writing ------------------------------------------------------------------

Json writeApiServer(const ApiServerCoordinates& a) {
  Json j = {{"url", a.url}};
  if (!a.ca_cert_file.empty()) j["caCertFile"] = a.ca_cert_file;
  if (!a.client_cert_file.empty()) j["clientCertFile"] = a.client_cert_file;
  if (!a.client_key_file.empty()) j["clientKeyFile"] = a.client_key_file;
  if (!a.headers.empty()) {
    Json headers = Json::array();
    for (const auto& [k, v] : a.headers) headers.push_back({{"key", k}, {"value", v}});
    j["headers"] = std::move(headers);
  }
  if (!a.auth_type.empty()) j["authType"] = a.auth_type;
  if (!a.auth_conf.empty()) j["authConf"] = a.auth_conf;
  if (a.skip_verify) j["skipVerify"] = true;
  return j;
}

absl::Status errnoError(std::string_view what, const std::string& path) {
  return absl::InternalError(strCat("could not ", what, " \"", path, "\": ", std::strerror(errno)));
}

absl::Status ensureDirectory(const fs::path& dir) {
  if (dir.empty() || fs::exists(dir)) return absl::OkStatus();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return absl::InternalError(strCat("could not create \"", dir.string(), "\": ", ec.message()));
  fs::permissions(dir, fs::perms::owner_all, ec);
  return absl::OkStatus();
}

}  // namespace

CliConfig CliConfig::defaults() {
  CliConfig c;
  c.control_planes.push_back({"local", {.url = "http://localhost:5681"}});
  c.contexts.push_back({"local", "local", ""});
  c.current_context = "local";
  return c;
}

const ContextEntry* CliConfig::context(std::string_view name) const {
  auto it = std::find_if(contexts.begin(), contexts.end(), [&](auto& c) { return c.name == name; });
  return it == contexts.end() ? nullptr : &*it;
}

const ControlPlaneEntry* CliConfig::controlPlane(std::string_view name) const {
  auto it = std::find_if(control_planes.begin(), control_planes.end(),
                         [&](auto& c) { return c.name == name; });
  return it == control_planes.end() ? nullptr : &*it;
}

absl::StatusOr<const ContextEntry*> CliConfig::currentContext() const {
  if (current_context.empty()) {
    return absl::FailedPreconditionError(
        "active Control Plane is not set. Use `ursactl config control-planes add` to add a "
        "Control Plane and make it active");
  }
  const ContextEntry* c = context(current_context);
  if (c == nullptr) {
    return absl::FailedPreconditionError(
        "apparently, configuration is broken. Use `ursactl config control-planes add` to add a "
        "Control Plane and make it active");
  }
  return c;
}

absl::StatusOr<const ControlPlaneEntry*> CliConfig::currentControlPlane() const {
  URSA_ASSIGN_OR_RETURN(const ContextEntry* c, currentContext());
  const ControlPlaneEntry* cp = controlPlane(c->control_plane);
  if (cp == nullptr) {
    return absl::FailedPreconditionError(
        "apparently, configuration is broken. Use `ursactl config control-planes add` to add a "
        "Control Plane and make it active");
  }
  return cp;
}

bool CliConfig::addControlPlane(const ControlPlaneEntry& cp, bool overwrite) {
  auto cp_it = std::find_if(control_planes.begin(), control_planes.end(),
                            [&](auto& c) { return c.name == cp.name; });
  auto ctx_it =
      std::find_if(contexts.begin(), contexts.end(), [&](auto& c) { return c.name == cp.name; });
  if (!overwrite && (cp_it != control_planes.end() || ctx_it != contexts.end())) return false;
  if (cp_it != control_planes.end()) {
    *cp_it = cp;
  } else {
    control_planes.push_back(cp);
  }
  ContextEntry ctx{cp.name, cp.name, ""};
  if (ctx_it != contexts.end()) {
    *ctx_it = ctx;
  } else {
    contexts.push_back(ctx);
  }
  current_context = cp.name;
  return true;
}

bool CliConfig::removeControlPlane(std::string_view name) {
  auto it = std::find_if(control_planes.begin(), control_planes.end(),
                         [&](auto& c) { return c.name == name; });
  if (it == control_planes.end()) return false;
  control_planes.erase(it);
  std::erase_if(contexts, [&](const ContextEntry& c) { return c.control_plane == name; });
  if (context(current_context) == nullptr) {
    current_context = contexts.empty() ? "" : contexts.front().name;
  }
  return true;
}

bool CliConfig::switchContext(std::string_view name) {
  if (context(name) == nullptr) return false;
  current_context = std::string(name);
  return true;
}

absl::StatusOr<CliConfig> parseCliConfig(std::string_view yaml) {
  auto doc = model::parseYaml(yaml);
  if (!doc.ok()) return doc.status();
  CliConfig c;
  if (doc->is_null()) return c;
  if (!doc->is_object()) return typeError("the configuration", "a mapping");
  URSA_ASSIGN_OR_RETURN(const Json* cps, member(*doc, "controlPlanes", "", true));
  if (cps->is_array()) {
    for (size_t i = 0; i < cps->size(); ++i) {
      URSA_ASSIGN_OR_RETURN(auto cp, readControlPlane((*cps)[i], strCat("controlPlanes[", i, "]")));
      c.control_planes.push_back(std::move(cp));
    }
  }
  URSA_ASSIGN_OR_RETURN(const Json* ctxs, member(*doc, "contexts", "", true));
  if (ctxs->is_array()) {
    for (size_t i = 0; i < ctxs->size(); ++i) {
      URSA_ASSIGN_OR_RETURN(auto ctx, readContext((*ctxs)[i], strCat("contexts[", i, "]")));
      c.contexts.push_back(std::move(ctx));
    }
  }
  URSA_ASSIGN_OR_RETURN(c.current_context, str(*doc, "currentContext", ""));
  return c;
}

std::string formatCliConfig(const CliConfig& config) {
  Json cps = Json::array();
  for (const auto& cp : config.control_planes) {
    cps.push_back(
        {{"name", cp.name}, {"coordinates", {{"apiServer", writeApiServer(cp.api_server)}}}});
  }
  Json ctxs = Json::array();
  for (const auto& c : config.contexts) {
    Json ctx = {{"name", c.name}, {"controlPlane", c.control_plane}};
    if (!c.default_mesh.empty()) ctx["defaults"] = {{"mesh", c.default_mesh}};
    ctxs.push_back(std::move(ctx));
  }
  Json doc = {{"controlPlanes", std::move(cps)},
              {"contexts", std::move(ctxs)},
              {"currentContext", config.current_context}};
  return model::toYaml(doc);
}

std::string defaultConfigPath(const EnvLookup& env) {
  auto xdg = env("XDG_CONFIG_HOME");
  if (xdg && !xdg->empty() && xdg->front() == '/')
    return (fs::path(*xdg) / "ursactl" / "config.yaml").string();
  std::string home = env("HOME").value_or("");
  return (fs::path(home) / ".config" / "ursactl" / "config.yaml").string();
}

absl::StatusOr<CliConfig> loadCliConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (!fs::exists(path)) return CliConfig::defaults();
    return errnoError("read the configuration file", path);
  }
  std::stringstream text;
  text << in.rdbuf();
  auto config = parseCliConfig(text.str());
  if (!config.ok()) {
    return absl::InvalidArgumentError(strCat("could not parse the configuration file \"", path,
                                             "\": ", fromAbsl(config.status().message())));
  }
  return config;
}

absl::Status saveCliConfig(const std::string& path, const CliConfig& config) {
  fs::path target(path);
  URSA_RETURN_IF_ERROR(ensureDirectory(target.parent_path()));
  std::string tmp = path + ".tmp-XXXXXX";
  int fd = mkstemp(tmp.data());  // created with mode 0600
  if (fd < 0) return errnoError("create a temporary file next to", path);
  std::string text = formatCliConfig(config);
  bool ok = fchmod(fd, 0600) == 0;
  for (size_t done = 0; ok && done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    absl::Status s = errnoError("write the configuration file", path);
    ::unlink(tmp.c_str());
    return s;
  }
  return absl::OkStatus();
}

}  // namespace ursa::cli
