#include "bench/store_backends.h"

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>

#include "src/store/memory/memory_store.h"
#include "src/store/postgres/pg_conn.h"
#include "src/store/postgres/postgres_store.h"
#include "src/store/sqlite/sqlite_store.h"
#include "ursa/common/strings.h"

namespace ursa::bench {

namespace {

struct BackendName {
  Backend backend;
  std::string_view flag;
};
constexpr BackendName kBackends[] = {
    {Backend::Memory, "memory"},
    {Backend::SqliteFull, "sqlite-full"},
    {Backend::SqliteNormal, "sqlite-normal"},
    {Backend::Postgres, "postgres"},
};

// A name no other run (of this process or another) uses.
std::string scratchName(std::string_view prefix) {
  static std::atomic<int> counter{0};
  return strCat(prefix, getpid(), "_", counter++);
}

absl::Status onAdminConnection(const std::string& admin_dsn, const std::string& sql) {
  URSA_ASSIGN_OR_RETURN(auto c, store::pg::Connection::open(admin_dsn));
  return c->exec(sql);
}

}  // namespace

std::string_view backendFlag(Backend b) {
  for (const auto& n : kBackends) {
    if (n.backend == b) return n.flag;
  }
  return "unknown";
}

std::optional<Backend> parseBackend(std::string_view flag) {
  for (const auto& n : kBackends) {
    if (n.flag == flag) return n.backend;
  }
  return std::nullopt;
}

const std::vector<Backend>& allBackends() {
  static const std::vector<Backend> kAll = {Backend::Memory, Backend::SqliteFull,
                                            Backend::SqliteNormal, Backend::Postgres};
  return kAll;
}

std::string withDatabase(const std::string& dsn, const std::string& database) {
  bool uri = dsn.starts_with("postgres://") || dsn.starts_with("postgresql://");
  if (!uri) return strCat(dsn, " dbname=", database);  // libpq: the last dbname wins
  return strCat(dsn, dsn.find('?') == std::string::npos ? "?" : "&", "dbname=", database);
}

absl::StatusOr<std::unique_ptr<ScratchStore>> ScratchStore::open(Backend backend,
                                                                 const BackendOptions& options) {
  std::unique_ptr<ScratchStore> s(new ScratchStore());
  switch (backend) {
    case Backend::Memory:
      s->store_ = std::make_unique<store::MemoryStore>();
      break;
    case Backend::SqliteFull:
    case Backend::SqliteNormal: {
      s->dir_ = options.scratch_dir / scratchName("ursa-store-bench-");
      auto opened = store::SqliteStore::open({
          .path = (s->dir_ / "ursa.db").string(),
          .synchronous_full = backend == Backend::SqliteFull,
      });
      URSA_RETURN_IF_ERROR(opened.status());
      s->store_ = std::move(*opened);
      break;
    }
    case Backend::Postgres: {
      s->admin_dsn_ = options.postgres_admin_dsn;
      std::string name = scratchName("ursa_bench_");
      URSA_RETURN_IF_ERROR(onAdminConnection(s->admin_dsn_, strCat("CREATE DATABASE ", name)));
      s->database_ = name;  // from here on the destructor drops it
      auto opened = store::PostgresStore::open({.dsn = withDatabase(s->admin_dsn_, name)});
      URSA_RETURN_IF_ERROR(opened.status());
      s->store_ = std::move(*opened);
      break;
    }
  }
  return s;
}

ScratchStore::~ScratchStore() {
  store_.reset();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  if (!database_.empty()) {
    (void)onAdminConnection(admin_dsn_, strCat("DROP DATABASE IF EXISTS ", database_,
                                               " WITH (FORCE)"));
  }
}

absl::StatusOr<PostgresServer> describePostgres(const std::string& dsn) {
  URSA_ASSIGN_OR_RETURN(auto c, store::pg::Connection::open(dsn));
  PostgresServer out{.description = "PostgreSQL"};
  for (std::string_view setting :
       {"server_version", "fsync", "synchronous_commit", "shared_buffers"}) {
    URSA_ASSIGN_OR_RETURN(auto res, c->query(strCat("SHOW ", setting)));
    std::string value(res.rows() > 0 ? res.bytes(0, 0) : "?");
    out.description +=
        setting == "server_version" ? strCat(" ", value) : strCat(", ", setting, "=", value);
    if (setting == "fsync") out.fsync = value;
  }
  return out;
}

std::string describeSqlite() { return strCat("SQLite ", sqlite3_libversion()); }

}  // namespace ursa::bench
