// The one table of configuration keys, and the loader that applies defaults,
// the YAML file and the environment on top of each other.

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include "src/config/cp_config.h"
#include "ursa/common/strings.h"
#include "ursa/model/codec.h"

extern char** environ;

namespace ursa::config {
namespace {

using Json = nlohmann::ordered_json;

enum class Kind { String, Int, Bool, Duration };

struct Key {
  const char* path;     // dotted YAML path, Kuma's spelling
  const char* env;      // suffix after URSA_ / KUMA_
  Kind kind;
  const char* fallback;  // default, as text
  const char* help;
  bool secret = false;
};

// clang-format off
constexpr Key kKeys[] = {
  {"environment", "ENVIRONMENT", Kind::String, "universal", "Where the control plane runs: universal (VMs and processes)."},
  {"mode", "MODE", Kind::String, "standalone", "standalone (one zone). Multi-zone modes are not implemented yet."},
  {"general.workDir", "GENERAL_WORK_DIR", Kind::String, "", "Directory for the embedded database and generated certificates. Empty: $HOME/.ursa."},
  {"general.tlsCertFile", "GENERAL_TLS_CERT_FILE", Kind::String, "", "TLS certificate of the data plane server; generated when empty."},
  {"general.tlsKeyFile", "GENERAL_TLS_KEY_FILE", Kind::String, "", "Key of general.tlsCertFile."},
  {"store.type", "STORE_TYPE", Kind::String, "sqlite", "Resource store: sqlite (embedded, durable), postgres (shared by several control planes) or memory (lost on exit)."},
  {"store.sqlite.path", "STORE_SQLITE_PATH", Kind::String, "", "SQLite database file. Empty: {general.workDir}/ursa.db."},
  {"store.sqlite.synchronous", "STORE_SQLITE_SYNCHRONOUS", Kind::String, "full", "full: every acknowledged write survives power loss; normal: it survives a crash of the process only."},
  {"store.postgres.host", "STORE_POSTGRES_HOST", Kind::String, "127.0.0.1", "PostgreSQL host."},
  {"store.postgres.port", "STORE_POSTGRES_PORT", Kind::Int, "15432", "PostgreSQL port."},
  {"store.postgres.user", "STORE_POSTGRES_USER", Kind::String, "kuma", "PostgreSQL user."},
  {"store.postgres.password", "STORE_POSTGRES_PASSWORD", Kind::String, "kuma", "PostgreSQL password.", true},
  {"store.postgres.dbName", "STORE_POSTGRES_DB_NAME", Kind::String, "kuma", "PostgreSQL database."},
  {"store.postgres.connectionTimeout", "STORE_POSTGRES_CONNECTION_TIMEOUT", Kind::Int, "5", "Seconds to wait for a connection."},
  {"store.postgres.maxOpenConnections", "STORE_POSTGRES_MAX_OPEN_CONNECTIONS", Kind::Int, "50", "Most connections open at once."},
  {"store.postgres.tls.mode", "STORE_POSTGRES_TLS_MODE", Kind::String, "disable", "disable, verifyNone, verifyCa or verifyFull."},
  {"store.postgres.tls.certPath", "STORE_POSTGRES_TLS_CERT_PATH", Kind::String, "", "Client certificate."},
  {"store.postgres.tls.keyPath", "STORE_POSTGRES_TLS_KEY_PATH", Kind::String, "", "Client key."},
  {"store.postgres.tls.caPath", "STORE_POSTGRES_TLS_CA_PATH", Kind::String, "", "CA that signs the server certificate."},
  {"store.unsafeDelete", "STORE_UNSAFE_DELETE", Kind::Bool, "false", "Allow deleting a Mesh that still has Dataplanes."},
  {"store.allowUnknownFields", "STORE_ALLOW_UNKNOWN_FIELDS", Kind::Bool, "false", "Accept resources with keys ursa does not know, ignoring them as Kuma does (for migrating manifests). By default such keys are errors that name them."},
  {"apiServer.http.enabled", "API_SERVER_HTTP_ENABLED", Kind::Bool, "true", "Serve the API over HTTP."},
  {"apiServer.http.interface", "API_SERVER_HTTP_INTERFACE", Kind::String, "0.0.0.0", "Address the HTTP API listens on."},
  {"apiServer.http.port", "API_SERVER_HTTP_PORT", Kind::Int, "5681", "Port of the HTTP API."},
  {"apiServer.https.enabled", "API_SERVER_HTTPS_ENABLED", Kind::Bool, "true", "Serve the API over HTTPS."},
  {"apiServer.https.interface", "API_SERVER_HTTPS_INTERFACE", Kind::String, "0.0.0.0", "Address the HTTPS API listens on."},
  {"apiServer.https.port", "API_SERVER_HTTPS_PORT", Kind::Int, "5682", "Port of the HTTPS API."},
  {"apiServer.https.tlsCertFile", "API_SERVER_HTTPS_TLS_CERT_FILE", Kind::String, "", "Certificate of the HTTPS API. Empty: general.tlsCertFile when set, otherwise a self-signed certificate generated at first start into {general.workDir}/api-server.crt (key: api-server.key)."},
  {"apiServer.https.tlsKeyFile", "API_SERVER_HTTPS_TLS_KEY_FILE", Kind::String, "", "Key of apiServer.https.tlsCertFile."},
  {"apiServer.readOnly", "API_SERVER_READ_ONLY", Kind::Bool, "false", "Refuse every write through the API."},
  {"apiServer.authn.localhostIsAdmin", "API_SERVER_AUTHN_LOCALHOST_IS_ADMIN", Kind::Bool, "true", "Requests from loopback are admin."},
  {"apiServer.authn.tokens.bootstrapAdminToken", "API_SERVER_AUTHN_TOKENS_BOOTSTRAP_ADMIN_TOKEN", Kind::Bool, "true", "At first start, store a 10-year admin user token as the GlobalSecret admin-user-token (fetch it on the control plane host: `curl localhost:5681/global-secrets/admin-user-token`)."},
  {"apiServer.authn.tokens.enableIssuer", "API_SERVER_AUTHN_TOKENS_ENABLE_ISSUER", Kind::Bool, "true", "Issue user tokens through POST /tokens/user. Tokens already issued stay valid when disabled."},
  {"dpServer.port", "DP_SERVER_PORT", Kind::Int, "5678", "Port of the data plane server (xDS and bootstrap)."},
  {"dpServer.authn.dpProxy.type", "DP_SERVER_AUTHN_DP_PROXY_TYPE", Kind::String, "dpToken", "How proxies prove who they are: dpToken (a dataplane token on bootstrap and on every ADS stream) or none."},
  {"xdsServer.dataplaneDeregistrationDelay", "XDS_DATAPLANE_DEREGISTRATION_DELAY", Kind::Duration, "10s", "A Dataplane registered through bootstrap is deleted this long after its proxy disconnects, unless it comes back."},
  {"xdsServer.dataplaneStatusFlushInterval", "XDS_SERVER_DATAPLANE_STATUS_FLUSH_INTERVAL", Kind::Duration, "10s", "How often counters in DataplaneInsights are written (connects and disconnects are written at once)."},
  {"diagnostics.serverPort", "DIAGNOSTICS_SERVER_PORT", Kind::Int, "5680", "Port serving /ready, /healthy and /metrics."},
  {"defaults.skipMeshCreation", "DEFAULTS_SKIP_MESH_CREATION", Kind::Bool, "false", "Do not create the mesh `default` at first start."},
  {"defaults.skipDefaultPolicies", "DEFAULTS_SKIP_DEFAULT_POLICIES", Kind::Bool, "false", "Do not create default policies (allow-all-<mesh>, mesh-timeout-all-<mesh>, mesh-circuit-breaker-all-<mesh>, mesh-retry-all-<mesh>) with each new Mesh (ursa's key; Kuma 2.2 always creates its defaults)."},
  {"logging.level", "LOG_LEVEL", Kind::String, "info", "debug, info, warn or error."},
  {"logging.format", "LOG_FORMAT", Kind::String, "text", "text or json (one object per line)."},
};
// clang-format on

const Key* findKey(std::string_view path) {
  for (const Key& k : kKeys) {
    if (path == k.path) return &k;
  }
  return nullptr;
}

std::vector<std::string> splitPath(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    parts.emplace_back(path.substr(start, dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

Json& slot(Json& tree, std::string_view path) {
  Json* node = &tree;
  for (const auto& part : splitPath(path)) node = &(*node)[part];
  return *node;
}

const char* kindName(Kind k) {
  switch (k) {
    case Kind::Int: return "an integer";
    case Kind::Bool: return "true or false";
    case Kind::Duration: return "a duration such as 5s";
    default: return "a string";
  }
}

bool fitsInt(int64_t v) {
  return v >= std::numeric_limits<int>::min() && v <= std::numeric_limits<int>::max();
}

// Parses text (from the environment or a default) as `key`'s kind.
absl::StatusOr<Json> parseText(const Key& key, const std::string& text) {
  switch (key.kind) {
    case Kind::String:
      return Json(text);
    case Kind::Bool:
      // What Go's strconv.ParseBool accepts, as Kuma reads its variables.
      for (const char* t : {"1", "t", "T", "true", "TRUE", "True"}) {
        if (text == t) return Json(true);
      }
      for (const char* f : {"0", "f", "F", "false", "FALSE", "False"}) {
        if (text == f) return Json(false);
      }
      break;
    case Kind::Int: {
      // Every integer key is read into an int: a larger value must not wrap.
      char* end = nullptr;
      errno = 0;
      long v = std::strtol(text.c_str(), &end, 10);
      if (!text.empty() && *end == '\0' && errno == 0 && fitsInt(v)) return Json(v);
      break;
    }
    case Kind::Duration: {
      absl::Duration d;
      if (absl::ParseDuration(text, &d)) return Json(text);
      break;
    }
  }
  return absl::InvalidArgumentError(strCat("expected ", kindName(key.kind), ", got \"", text, "\""));
}

// Checks a value from the YAML file against `key`'s kind.
absl::StatusOr<Json> checkValue(const Key& key, const Json& v) {
  bool ok = (key.kind == Kind::Int && v.is_number_integer() &&
             (v.is_number_unsigned() ? v.get<uint64_t>() <= std::numeric_limits<int>::max()
                                     : fitsInt(v.get<int64_t>()))) ||
            (key.kind == Kind::Bool && v.is_boolean()) ||
            ((key.kind == Kind::String || key.kind == Kind::Duration) && v.is_string());
  if (ok && key.kind == Kind::Duration) return parseText(key, v.get<std::string>());
  if (ok) return v;
  if (v.is_null()) return parseText(key, key.fallback);
  return absl::InvalidArgumentError(strCat("expected ", kindName(key.kind), ", got ", v.dump()));
}

absl::Status applyFile(const std::string& file, Json& tree) {
  std::ifstream in(file);
  if (!in) return absl::InvalidArgumentError(strCat("cannot read config file ", file));
  std::stringstream ss;
  ss << in.rdbuf();
  // An empty file (or one of comments only) has no document: nothing to apply.
  auto docs = model::parseYamlDocuments(ss.str());
  if (!docs.ok()) {
    return absl::InvalidArgumentError(strCat("config file ", file, ": ",
                                             fromAbsl(docs.status().message())));
  }
  if (docs->empty()) return absl::OkStatus();
  if (docs->size() > 1) {
    return absl::InvalidArgumentError(
        strCat("config file ", file, ": expected one YAML document, found ", docs->size()));
  }
  const Json* parsed = &docs->front();
  if (parsed->is_null()) return absl::OkStatus();
  // Depth-first over the file's leaves.
  std::vector<std::pair<std::string, const Json*>> todo = {{"", parsed}};
  while (!todo.empty()) {
    auto [prefix, node] = todo.back();
    todo.pop_back();
    if (node->is_object() && findKey(prefix) == nullptr) {
      for (const auto& [k, v] : node->items()) {
        todo.emplace_back(prefix.empty() ? k : prefix + "." + k, &v);
      }
      continue;
    }
    const Key* key = findKey(prefix);
    if (key == nullptr) {
      return absl::InvalidArgumentError(
          strCat("config file ", file, ": unknown key \"", prefix, "\""));
    }
    auto value = checkValue(*key, *node);
    if (!value.ok()) {
      return absl::InvalidArgumentError(strCat("config file ", file, ": ", prefix, ": ",
                                               fromAbsl(value.status().message())));
    }
    slot(tree, key->path) = *value;
  }
  return absl::OkStatus();
}

absl::Status applyEnvironment(const std::map<std::string, std::string>& env, Json& tree) {
  for (const Key& key : kKeys) {
    for (const char* prefix : {"URSA_", "KUMA_"}) {
      std::string name = strCat(prefix, key.env);
      auto it = env.find(name);
      if (it == env.end()) continue;
      auto value = parseText(key, it->second);
      if (!value.ok()) {
        return absl::InvalidArgumentError(strCat("environment variable ", name, " (", key.path,
                                                 "): ", fromAbsl(value.status().message())));
      }
      slot(tree, key.path) = *value;
      break;  // URSA_ wins over KUMA_
    }
  }
  return absl::OkStatus();
}

absl::Status checkOneOf(const Json& tree, std::string_view path,
                        std::initializer_list<std::string_view> allowed) {
  const std::string& v = slot(const_cast<Json&>(tree), path).get_ref<const std::string&>();
  for (auto a : allowed) {
    if (v == a) return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      strCat(path, ": \"", v, "\" is not one of: ", strJoin(allowed, ", ")));
}

absl::Status checkPort(const Json& tree, std::string_view path) {
  int64_t v = slot(const_cast<Json&>(tree), path).get<int64_t>();
  if (v < 0 || v > 65535) {
    return absl::InvalidArgumentError(strCat(path, ": port ", v, " is not in [0, 65535]"));
  }
  return absl::OkStatus();
}

absl::Status validate(const Json& t) {
  URSA_RETURN_IF_ERROR(checkOneOf(t, "environment", {"universal"}));
  URSA_RETURN_IF_ERROR(checkOneOf(t, "mode", {"standalone"}));
  URSA_RETURN_IF_ERROR(checkOneOf(t, "store.type", {"memory", "sqlite", "postgres"}));
  URSA_RETURN_IF_ERROR(checkOneOf(t, "store.sqlite.synchronous", {"full", "normal"}));
  URSA_RETURN_IF_ERROR(
      checkOneOf(t, "store.postgres.tls.mode", {"disable", "verifyNone", "verifyCa", "verifyFull"}));
  URSA_RETURN_IF_ERROR(checkOneOf(t, "logging.level", {"debug", "info", "warn", "error"}));
  URSA_RETURN_IF_ERROR(checkOneOf(t, "logging.format", {"text", "json"}));
  URSA_RETURN_IF_ERROR(checkOneOf(t, "dpServer.authn.dpProxy.type", {"dpToken", "none"}));
  for (auto p : {"store.postgres.port", "apiServer.http.port", "apiServer.https.port",
                 "dpServer.port", "diagnostics.serverPort"}) {
    URSA_RETURN_IF_ERROR(checkPort(t, p));
  }
  return absl::OkStatus();
}

std::string homeDir(const std::map<std::string, std::string>& env) {
  auto it = env.find("HOME");
  return it != env.end() && !it->second.empty() ? it->second : "/tmp";
}

CpConfig extract(Json tree, const std::map<std::string, std::string>& env) {
  auto s = [&](const char* p) { return slot(tree, p).get<std::string>(); };
  auto i = [&](const char* p) { return static_cast<int>(slot(tree, p).get<int64_t>()); };
  auto b = [&](const char* p) { return slot(tree, p).get<bool>(); };
  if (s("general.workDir").empty()) slot(tree, "general.workDir") = homeDir(env) + "/.ursa";
  if (s("store.sqlite.path").empty()) {
    slot(tree, "store.sqlite.path") = s("general.workDir") + "/ursa.db";
  }
  CpConfig c;
  c.environment = s("environment");
  c.mode = s("mode");
  c.work_dir = s("general.workDir");
  c.tls_cert_file = s("general.tlsCertFile");
  c.tls_key_file = s("general.tlsKeyFile");
  c.store.type = s("store.type");
  c.store.sqlite_path = s("store.sqlite.path");
  c.store.sqlite_synchronous_full = s("store.sqlite.synchronous") == "full";
  c.store.postgres = {s("store.postgres.host"), i("store.postgres.port"), s("store.postgres.user"),
                      s("store.postgres.password"), s("store.postgres.dbName"),
                      absl::Seconds(i("store.postgres.connectionTimeout")),
                      i("store.postgres.maxOpenConnections"), s("store.postgres.tls.mode"),
                      s("store.postgres.tls.certPath"), s("store.postgres.tls.keyPath"),
                      s("store.postgres.tls.caPath")};
  c.store.unsafe_delete = b("store.unsafeDelete");
  c.store.lenient_decoding = b("store.allowUnknownFields");
  c.api_http = {b("apiServer.http.enabled"), s("apiServer.http.interface"),
                i("apiServer.http.port")};
  c.api_https = {b("apiServer.https.enabled"), s("apiServer.https.interface"),
                 i("apiServer.https.port")};
  c.api_https_cert_file = s("apiServer.https.tlsCertFile");
  c.api_https_key_file = s("apiServer.https.tlsKeyFile");
  c.api_read_only = b("apiServer.readOnly");
  c.api_localhost_is_admin = b("apiServer.authn.localhostIsAdmin");
  c.api_bootstrap_admin_token = b("apiServer.authn.tokens.bootstrapAdminToken");
  c.api_token_issuer_enabled = b("apiServer.authn.tokens.enableIssuer");
  c.dp_server = {true, "0.0.0.0", i("dpServer.port")};
  c.dp_token_auth = s("dpServer.authn.dpProxy.type") == "dpToken";
  absl::ParseDuration(s("xdsServer.dataplaneDeregistrationDelay"), &c.deregistration_delay);
  absl::ParseDuration(s("xdsServer.dataplaneStatusFlushInterval"), &c.status_flush_interval);
  c.diagnostics_port = i("diagnostics.serverPort");
  c.skip_mesh_creation = b("defaults.skipMeshCreation");
  c.skip_default_policies = b("defaults.skipDefaultPolicies");
  c.log_level = s("logging.level");
  c.log_format = s("logging.format");
  for (const Key& k : kKeys) {
    if (k.secret) slot(tree, k.path) = "*****";
  }
  c.tree = std::move(tree);
  return c;
}

}  // namespace

std::string PostgresConfig::dsn() const {
  auto quote = [](const std::string& v) {
    std::string out = "'";
    for (char ch : v) {
      if (ch == '\'' || ch == '\\') out += '\\';
      out += ch;
    }
    return out + "'";
  };
  std::string sslmode = tls_mode == "disable"     ? "disable"
                        : tls_mode == "verifyNone" ? "require"
                        : tls_mode == "verifyCa"   ? "verify-ca"
                                                   : "verify-full";
  std::string out = strCat("host=", quote(host), " port=", port, " user=", quote(user),
                           " password=", quote(password), " dbname=", quote(db_name),
                           " connect_timeout=", absl::ToInt64Seconds(connection_timeout),
                           " sslmode=", sslmode);
  if (!tls_cert_path.empty()) out += strCat(" sslcert=", quote(tls_cert_path));
  if (!tls_key_path.empty()) out += strCat(" sslkey=", quote(tls_key_path));
  if (!tls_ca_path.empty()) out += strCat(" sslrootcert=", quote(tls_ca_path));
  return out;
}

std::map<std::string, std::string> processEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

absl::StatusOr<CpConfig> loadConfig(const ConfigSources& sources) {
  Json tree = Json::object();
  for (const Key& k : kKeys) slot(tree, k.path) = *parseText(k, k.fallback);
  if (!sources.file.empty()) URSA_RETURN_IF_ERROR(applyFile(sources.file, tree));
  URSA_RETURN_IF_ERROR(applyEnvironment(sources.env, tree));
  URSA_RETURN_IF_ERROR(validate(tree));
  return extract(std::move(tree), sources.env);
}

std::string configReferenceMarkdown() {
  std::string out = "| key | environment | default | meaning |\n|---|---|---|---|\n";
  for (const Key& k : kKeys) {
    out += strCat("| `", k.path, "` | `URSA_", k.env, "` | `", k.fallback, "` | ", k.help, " |\n");
  }
  return out;
}

}  // namespace ursa::config
