// Control-plane configuration (src/config/cp_config.h): Kuma's defaults, then
// the YAML file, then the environment (URSA_ before KUMA_), and errors that
// say which key, from which source, is wrong.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <libpq-fe.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "src/config/cp_config.h"
#include "test/support/fake_clock.h"

namespace ursa::config {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::scratchDir("config"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `yaml` to a file in the scratch directory and returns its path.
  std::string file(const std::string& yaml) {
    auto path = (dir_ / ("config-" + std::to_string(files_++) + ".yaml")).string();
    std::ofstream(path) << yaml;
    return path;
  }

  absl::StatusOr<CpConfig> load(const std::string& yaml,
                                std::map<std::string, std::string> env = {}) {
    env.emplace("HOME", (dir_ / "home").string());
    return loadConfig({.file = yaml.empty() ? "" : file(yaml), .env = env});
  }

  static std::string errorOf(const absl::StatusOr<CpConfig>& c) {
    EXPECT_FALSE(c.ok()) << "loaded although it should not have";
    if (c.ok()) return "";
    EXPECT_TRUE(absl::IsInvalidArgument(c.status())) << c.status();
    return std::string(c.status().message());
  }

  std::filesystem::path dir_;
  int files_ = 0;
};

TEST_F(ConfigTest, DefaultsAreKumas) {
  auto c = load("");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->environment, "universal");
  EXPECT_EQ(c->mode, "standalone");
  EXPECT_EQ(c->diagnostics_port, 5680);
  EXPECT_EQ(c->api_http.port, 5681);
  EXPECT_EQ(c->api_https.port, 5682);
  EXPECT_EQ(c->dp_server.port, 5678);
  EXPECT_EQ(c->store.type, "sqlite");
  std::string home = (dir_ / "home").string();
  EXPECT_EQ(c->work_dir, home + "/.ursa");
  EXPECT_EQ(c->store.sqlite_path, home + "/.ursa/ursa.db");
  EXPECT_TRUE(c->store.sqlite_synchronous_full);
  EXPECT_EQ(c->store.postgres.host, "127.0.0.1");
  EXPECT_EQ(c->store.postgres.port, 15432);
  EXPECT_EQ(c->store.postgres.connection_timeout, absl::Seconds(5));
  EXPECT_EQ(c->store.postgres.max_open_connections, 50);
  EXPECT_FALSE(c->store.unsafe_delete);
  EXPECT_FALSE(c->store.lenient_decoding);
  EXPECT_FALSE(c->skip_mesh_creation);
  EXPECT_TRUE(c->api_http.enabled);
  EXPECT_EQ(c->api_http.interface, "0.0.0.0");
  EXPECT_TRUE(c->api_localhost_is_admin);
  EXPECT_EQ(c->log_level, "info");
  EXPECT_EQ(c->log_format, "text");
  // The tree shows the resolved values under Kuma's keys.
  EXPECT_EQ(c->tree["store"]["sqlite"]["path"], home + "/.ursa/ursa.db");
  EXPECT_EQ(c->tree["diagnostics"]["serverPort"], 5680);
}

TEST_F(ConfigTest, WorkDirAndSqlitePathFollowEachOther) {
  auto c = load("general:\n  workDir: /var/lib/ursa\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->work_dir, "/var/lib/ursa");
  EXPECT_EQ(c->store.sqlite_path, "/var/lib/ursa/ursa.db");
  c = load("general:\n  workDir: /var/lib/ursa\nstore:\n  sqlite:\n    path: /data/x.db\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->store.sqlite_path, "/data/x.db");
}

TEST_F(ConfigTest, TheFileOverridesDefaults) {
  auto c = load(R"(
store:
  type: postgres
  unsafeDelete: true
  postgres:
    host: db.internal
    port: 5432
    user: mesh
    dbName: meshdb
    connectionTimeout: 12
    tls:
      mode: verifyFull
apiServer:
  http:
    enabled: false
    port: 15681
  authn:
    localhostIsAdmin: false
diagnostics:
  serverPort: 9901
defaults:
  skipMeshCreation: true
logging:
  level: debug
  format: json
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->store.type, "postgres");
  EXPECT_TRUE(c->store.unsafe_delete);
  EXPECT_EQ(c->store.postgres.host, "db.internal");
  EXPECT_EQ(c->store.postgres.port, 5432);
  EXPECT_EQ(c->store.postgres.user, "mesh");
  EXPECT_EQ(c->store.postgres.password, "kuma");  // untouched: the default
  EXPECT_EQ(c->store.postgres.db_name, "meshdb");
  EXPECT_EQ(c->store.postgres.connection_timeout, absl::Seconds(12));
  EXPECT_EQ(c->store.postgres.tls_mode, "verifyFull");
  EXPECT_FALSE(c->api_http.enabled);
  EXPECT_EQ(c->api_http.port, 15681);
  EXPECT_FALSE(c->api_localhost_is_admin);
  EXPECT_EQ(c->diagnostics_port, 9901);
  EXPECT_TRUE(c->skip_mesh_creation);
  EXPECT_EQ(c->log_level, "debug");
  EXPECT_EQ(c->log_format, "json");
  EXPECT_EQ(c->api_https.port, 5682);  // not in the file: default
}

TEST_F(ConfigTest, AnEmptyFileOrACommentOnlyFileChangesNothing) {
  for (std::string yaml : {"", "# nothing here\n", "---\n", "~\n"}) {
    auto path = file(yaml);
    auto c = loadConfig({.file = path, .env = {{"HOME", "/h"}}});
    ASSERT_TRUE(c.ok()) << c.status() << " for " << yaml;
    EXPECT_EQ(c->store.type, "sqlite");
  }
}

TEST_F(ConfigTest, TheEnvironmentOverridesTheFile) {
  auto c = load("store:\n  type: sqlite\ndiagnostics:\n  serverPort: 9901\n",
                {{"URSA_STORE_TYPE", "memory"}, {"URSA_DIAGNOSTICS_SERVER_PORT", "0"},
                 {"URSA_STORE_UNSAFE_DELETE", "true"}, {"URSA_STORE_POSTGRES_PORT", "6543"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->store.type, "memory");
  EXPECT_EQ(c->diagnostics_port, 0);
  EXPECT_TRUE(c->store.unsafe_delete);
  EXPECT_EQ(c->store.postgres.port, 6543);
  EXPECT_EQ(c->tree["store"]["type"], "memory");
}

TEST_F(ConfigTest, KumaVariablesWorkAloneAndUrsaOnesWin) {
  auto c = load("", {{"KUMA_STORE_TYPE", "memory"}, {"KUMA_API_SERVER_HTTP_PORT", "7000"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->store.type, "memory");
  EXPECT_EQ(c->api_http.port, 7000);

  c = load("", {{"KUMA_STORE_TYPE", "memory"}, {"URSA_STORE_TYPE", "postgres"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->store.type, "postgres");

  // URSA_ wins even when the KUMA_ value would be an error.
  c = load("", {{"KUMA_DP_SERVER_PORT", "not a port"}, {"URSA_DP_SERVER_PORT", "6000"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->dp_server.port, 6000);
}

TEST_F(ConfigTest, BooleansFromTheEnvironment) {
  for (auto [text, want] : std::vector<std::pair<std::string, bool>>{
           {"true", true}, {"1", true}, {"false", false}, {"0", false},
           // Go's strconv.ParseBool spellings, which Kuma accepts.
           {"True", true}, {"TRUE", true}, {"t", true}, {"False", false}, {"F", false}}) {
    auto c = load("", {{"URSA_DEFAULTS_SKIP_MESH_CREATION", text}});
    ASSERT_TRUE(c.ok()) << c.status() << " for " << text;
    EXPECT_EQ(c->skip_mesh_creation, want) << text;
  }
  EXPECT_THAT(errorOf(load("", {{"URSA_DEFAULTS_SKIP_MESH_CREATION", "yes"}})),
              HasSubstr("URSA_DEFAULTS_SKIP_MESH_CREATION"));
  EXPECT_THAT(errorOf(load("", {{"URSA_DEFAULTS_SKIP_MESH_CREATION", "maybe"}})),
              AllOf(HasSubstr("URSA_DEFAULTS_SKIP_MESH_CREATION"),
                    HasSubstr("defaults.skipMeshCreation"), HasSubstr("maybe")));
}

TEST_F(ConfigTest, AnUnknownKeyInTheFileIsAnErrorNamingIt) {
  auto path = file("store:\n  tpye: memory\n");
  auto c = loadConfig({.file = path, .env = {}});
  std::string err = errorOf(c);
  EXPECT_THAT(err, AllOf(HasSubstr("store.tpye"), HasSubstr(path)));
  EXPECT_THAT(errorOf(load("nosuchsection:\n  x: 1\n")), HasSubstr("nosuchsection.x"));
  EXPECT_THAT(errorOf(load("store:\n  postgres:\n    tls:\n      mdoe: disable\n")),
              HasSubstr("store.postgres.tls.mdoe"));
}

TEST_F(ConfigTest, AWrongTypeInTheFileNamesTheKeyAndTheFile) {
  auto path = file("store:\n  postgres:\n    port: not-a-number\n");
  std::string err = errorOf(loadConfig({.file = path, .env = {}}));
  EXPECT_THAT(err, AllOf(HasSubstr("store.postgres.port"), HasSubstr(path),
                         HasSubstr("integer"), HasSubstr("not-a-number")));
  EXPECT_THAT(errorOf(load("store:\n  unsafeDelete: \"yes please\"\n")),
              AllOf(HasSubstr("store.unsafeDelete"), HasSubstr("true or false")));
  EXPECT_THAT(errorOf(load("store:\n  type: [memory]\n")),
              AllOf(HasSubstr("store.type"), HasSubstr("string")));
  // A section given a scalar.
  EXPECT_THAT(errorOf(load("store: memory\n")), HasSubstr("store"));
  // Every integer key is read into an int: a larger value must not wrap.
  EXPECT_THAT(errorOf(load("store:\n  postgres:\n    maxOpenConnections: 4294967297\n")),
              HasSubstr("store.postgres.maxOpenConnections"));
  EXPECT_THAT(errorOf(load("store:\n  postgres:\n    connectionTimeout: -9999999999\n")),
              HasSubstr("store.postgres.connectionTimeout"));
  // A quoted number is a string, not an integer.
  EXPECT_THAT(errorOf(load("diagnostics:\n  serverPort: \"5680\"\n")),
              HasSubstr("diagnostics.serverPort"));
}

TEST_F(ConfigTest, AWrongTypeInTheEnvironmentNamesTheVariableAndTheKey) {
  std::string err = errorOf(load("", {{"KUMA_STORE_POSTGRES_PORT", "54x"}}));
  EXPECT_THAT(err, AllOf(HasSubstr("environment variable KUMA_STORE_POSTGRES_PORT"),
                         HasSubstr("store.postgres.port"), HasSubstr("54x")));
  EXPECT_THAT(errorOf(load("", {{"URSA_API_SERVER_HTTP_PORT", ""}})),
              HasSubstr("URSA_API_SERVER_HTTP_PORT"));
  // Too large for any integer the key could hold.
  EXPECT_THAT(errorOf(load("", {{"URSA_STORE_POSTGRES_MAX_OPEN_CONNECTIONS",
                                 "99999999999999999999999"}})),
              HasSubstr("URSA_STORE_POSTGRES_MAX_OPEN_CONNECTIONS"));
}

TEST_F(ConfigTest, InvalidEnumValuesAreRefusedClearly) {
  std::string err = errorOf(load("store:\n  type: mongo\n"));
  EXPECT_THAT(err, AllOf(HasSubstr("store.type"), HasSubstr("mongo"), HasSubstr("memory"),
                         HasSubstr("sqlite"), HasSubstr("postgres")));
  EXPECT_THAT(errorOf(load("", {{"KUMA_STORE_TYPE", "mongo"}})),
              AllOf(HasSubstr("store.type"), HasSubstr("mongo")));
  EXPECT_THAT(errorOf(load("logging:\n  level: verbose\n")),
              AllOf(HasSubstr("logging.level"), HasSubstr("verbose")));
  EXPECT_THAT(errorOf(load("", {{"URSA_STORE_POSTGRES_TLS_MODE", "require"}})),
              AllOf(HasSubstr("store.postgres.tls.mode"), HasSubstr("verifyFull")));
  EXPECT_THAT(errorOf(load("mode: global\n")), HasSubstr("mode"));
}

TEST_F(ConfigTest, PortsOutsideTheirRangeAreRefused) {
  EXPECT_THAT(errorOf(load("dpServer:\n  port: 70000\n")),
              AllOf(HasSubstr("dpServer.port"), HasSubstr("70000")));
  EXPECT_THAT(errorOf(load("", {{"URSA_DIAGNOSTICS_SERVER_PORT", "-1"}})),
              HasSubstr("diagnostics.serverPort"));
}

TEST_F(ConfigTest, AMissingBrokenOrMultiDocumentFileIsAnError) {
  auto missing = (dir_ / "nope.yaml").string();
  EXPECT_THAT(errorOf(loadConfig({.file = missing, .env = {}})), HasSubstr(missing));
  std::string err = errorOf(load("store:\n  type: [unclosed\n"));
  EXPECT_THAT(err, HasSubstr("line"));
  EXPECT_THAT(errorOf(load("store:\n  type: memory\n---\nstore:\n  type: sqlite\n")),
              HasSubstr("document"));
}

TEST_F(ConfigTest, SecretsAreRedactedInTheTree) {
  auto c = load("store:\n  postgres:\n    password: from-the-file\n",
                {{"URSA_STORE_POSTGRES_PASSWORD", "s3cr3t-from-env"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->store.postgres.password, "s3cr3t-from-env");  // the real value is used
  std::string dump = c->tree.dump();
  EXPECT_THAT(dump, Not(HasSubstr("s3cr3t-from-env")));
  EXPECT_THAT(dump, Not(HasSubstr("from-the-file")));
  EXPECT_EQ(c->tree["store"]["postgres"]["password"], "*****");
  EXPECT_EQ(c->tree["store"]["postgres"]["user"], "kuma");  // not a secret
}

// What libpq reads back from `dsn`: keyword -> value.
std::map<std::string, std::string> parseDsn(const std::string& dsn, std::string* error) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(dsn.c_str(), &err);
  std::map<std::string, std::string> out;
  if (opts == nullptr) {
    *error = err ? err : "PQconninfoParse failed";
    PQfreemem(err);
    return out;
  }
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    if (o->val) out[o->keyword] = o->val;
  }
  PQconninfoFree(opts);
  return out;
}

TEST(PostgresDsnTest, ValuesAreQuotedSoThatLibpqReadsThemBack) {
  PostgresConfig pg;
  pg.host = "db host";
  pg.port = 5433;
  pg.user = "o'brien";
  pg.password = R"(p@ss w\rd'="x" sslmode=disable)";
  pg.db_name = "";
  pg.connection_timeout = absl::Seconds(7);
  pg.tls_mode = "verifyCa";
  pg.tls_ca_path = "/etc/ssl/my ca.pem";
  std::string error;
  auto got = parseDsn(pg.dsn(), &error);
  ASSERT_TRUE(error.empty()) << error << " in " << pg.dsn();
  EXPECT_EQ(got["host"], "db host");
  EXPECT_EQ(got["port"], "5433");
  EXPECT_EQ(got["user"], "o'brien");
  EXPECT_EQ(got["password"], pg.password);  // the injected sslmode stays inside the password
  EXPECT_EQ(got["dbname"], "");
  EXPECT_EQ(got["connect_timeout"], "7");
  EXPECT_EQ(got["sslmode"], "verify-ca");
  EXPECT_EQ(got["sslrootcert"], "/etc/ssl/my ca.pem");
  EXPECT_FALSE(got.contains("sslcert"));
  EXPECT_FALSE(got.contains("sslkey"));
}

TEST(PostgresDsnTest, TlsModesMapToLibpqSslModes) {
  for (auto [mode, want] : std::vector<std::pair<std::string, std::string>>{
           {"disable", "disable"},
           {"verifyNone", "require"},
           {"verifyCa", "verify-ca"},
           {"verifyFull", "verify-full"}}) {
    PostgresConfig pg;
    pg.host = "h";
    pg.tls_mode = mode;
    pg.tls_cert_path = "/c.pem";
    pg.tls_key_path = "/k.pem";
    std::string error;
    auto got = parseDsn(pg.dsn(), &error);
    ASSERT_TRUE(error.empty()) << error;
    EXPECT_EQ(got["sslmode"], want) << mode;
    EXPECT_EQ(got["sslcert"], "/c.pem");
    EXPECT_EQ(got["sslkey"], "/k.pem");
  }
}

TEST(ConfigReferenceTest, EveryKeyIsDocumentedWithItsVariable) {
  std::string md = configReferenceMarkdown();
  EXPECT_THAT(md, HasSubstr("`store.type` | `URSA_STORE_TYPE` | `sqlite`"));
  EXPECT_THAT(md, HasSubstr("`diagnostics.serverPort` | `URSA_DIAGNOSTICS_SERVER_PORT` | `5680`"));
}

}  // namespace
}  // namespace ursa::config
