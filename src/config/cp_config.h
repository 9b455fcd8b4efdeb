#pragma once

// The control plane's configuration, loaded in Kuma's order: built-in
// defaults, then the YAML file (`ursa-cp run --config FILE`), then environment
// variables. Keys and environment names mirror Kuma 2.2 (kuma-cp's
// `store.postgres.host` is KUMA_STORE_POSTGRES_HOST); ursa reads the
// URSA_-prefixed name first and the KUMA_-prefixed one as a fallback, so
// existing Kuma deployment scripts keep working.
//
// Every key, its type, default, environment name and meaning is listed once,
// in config_schema.cc; docs/configuration.md is generated from the same table
// by `ursa-cp config docs`.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "ursa/common/status.h"

namespace ursa::config {

struct PostgresConfig {
  std::string host;
  int port = 0;
  std::string user;
  std::string password;
  std::string db_name;
  absl::Duration connection_timeout;
  int max_open_connections = 0;
  std::string tls_mode;  // disable | verifyNone | verifyCa | verifyFull
  std::string tls_cert_path;
  std::string tls_key_path;
  std::string tls_ca_path;

  // A libpq connection string for these settings.
  std::string dsn() const;
};

struct StoreConfig {
  std::string type;  // memory | sqlite | postgres
  std::string sqlite_path;  // resolved: {general.workDir}/ursa.db when unset
  bool sqlite_synchronous_full = true;
  PostgresConfig postgres;
  bool unsafe_delete = false;
  bool lenient_decoding = false;  // accept unknown keys in resources, as Kuma does
};

struct ServerEndpoint {
  bool enabled = true;
  std::string interface;
  int port = 0;
};

struct CpConfig {
  std::string environment;
  std::string mode;
  std::string work_dir;
  std::string tls_cert_file;
  std::string tls_key_file;
  StoreConfig store;
  ServerEndpoint api_http;
  ServerEndpoint api_https;
  std::string api_https_cert_file;
  std::string api_https_key_file;
  bool api_read_only = false;
  bool api_localhost_is_admin = true;
  bool api_bootstrap_admin_token = true;  // apiServer.authn.tokens.bootstrapAdminToken
  bool api_token_issuer_enabled = true;   // apiServer.authn.tokens.enableIssuer
  ServerEndpoint dp_server;
  bool dp_token_auth = true;  // dpServer.authn.dpProxy.type == dpToken
  absl::Duration deregistration_delay = absl::Seconds(10);
  absl::Duration status_flush_interval = absl::Seconds(10);
  int diagnostics_port = 0;
  bool skip_mesh_creation = false;
  bool skip_default_policies = false;
  std::string log_level;   // debug | info | warn | error
  std::string log_format;  // text | json

  // The effective configuration as a tree of Kuma's keys; secrets redacted.
  nlohmann::ordered_json tree;
};

// Where values come from; tests inject their own environment.
struct ConfigSources {
  std::string file;  // YAML file path, may be empty
  std::map<std::string, std::string> env;  // the process environment
};
std::map<std::string, std::string> processEnvironment();

// Loads and validates. InvalidArgument names the key, the source (file or
// environment variable) and what is wrong with the value; unknown keys in the
// file are errors, so a typo is never silently ignored.
absl::StatusOr<CpConfig> loadConfig(const ConfigSources& sources);

// Markdown table of every key: name, environment variable, default, meaning.
std::string configReferenceMarkdown();

}  // namespace ursa::config
