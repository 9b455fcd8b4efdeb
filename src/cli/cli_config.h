#pragma once

// ursactl's saved control planes, in kumactl's configuration layout (the
// YAML of kumactl's Configuration proto) so a kumactl config file can be
// copied over:
//
//   controlPlanes:
//   - name: local
//     coordinates:
//       apiServer:
//         url: http://localhost:5681
//         caCertFile: ...          clientCertFile: ...   clientKeyFile: ...
//         headers: [{key: X-Team, value: a}]
//         authType: tokens
//         authConf: {token: eyJ...}
//         skipVerify: true         # ursactl's addition
//   contexts:
//   - name: local
//     controlPlane: local
//     defaults: {mesh: default}
//   currentContext: local
//
// The file lives at $XDG_CONFIG_HOME/ursactl/config.yaml (default
// ~/.config/ursactl/config.yaml) unless --config-file names another. It holds
// tokens, so it is written with mode 0600 (its directory 0700 when created),
// atomically (a temporary file renamed over the old one).

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ursa/common/status.h"

namespace ursa::cli {

struct ApiServerCoordinates {
  std::string url;
  std::string ca_cert_file;
  std::string client_cert_file;
  std::string client_key_file;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string auth_type;  // "" or "tokens"
  std::map<std::string, std::string> auth_conf;
  bool skip_verify = false;

  bool operator==(const ApiServerCoordinates&) const = default;
};

struct ControlPlaneEntry {
  std::string name;
  ApiServerCoordinates api_server;
  bool operator==(const ControlPlaneEntry&) const = default;
};

struct ContextEntry {
  std::string name;
  std::string control_plane;
  std::string default_mesh;  // defaults.mesh
  bool operator==(const ContextEntry&) const = default;
};

struct CliConfig {
  std::vector<ControlPlaneEntry> control_planes;
  std::vector<ContextEntry> contexts;
  std::string current_context;

  bool operator==(const CliConfig&) const = default;

  // The configuration used when there is no file: control plane and context
  // "local" at http://localhost:5681.
  static CliConfig defaults();

  const ContextEntry* context(std::string_view name) const;
  const ControlPlaneEntry* controlPlane(std::string_view name) const;
  // The current context and its control plane; FailedPrecondition, with
  // kumactl's hint, when there is none or the file is inconsistent.
  absl::StatusOr<const ContextEntry*> currentContext() const;
  absl::StatusOr<const ControlPlaneEntry*> currentControlPlane() const;

  // Adds (or with `overwrite` replaces) a control plane and its context of the
  // same name. False when it exists and `overwrite` is not set.
  bool addControlPlane(const ControlPlaneEntry& cp, bool overwrite);
  // Removes a control plane and every context using it; when the current
  // context goes, the first remaining one becomes current. False when absent.
  bool removeControlPlane(std::string_view name);
  // Makes context `name` current. False when absent.
  bool switchContext(std::string_view name);
};

// Parses a configuration file's text. InvalidArgument naming the problem.
absl::StatusOr<CliConfig> parseCliConfig(std::string_view yaml);
// The file's text (stable key order, empty fields left out).
std::string formatCliConfig(const CliConfig& config);

// Where the configuration lives, from the environment ($XDG_CONFIG_HOME, $HOME).
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
std::string defaultConfigPath(const EnvLookup& env);

// Reads `path`; a missing file yields CliConfig::defaults().
absl::StatusOr<CliConfig> loadCliConfig(const std::string& path);
// Writes `path` with mode 0600, creating its directory (0700) when needed.
absl::Status saveCliConfig(const std::string& path, const CliConfig& config);

}  // namespace ursa::cli
