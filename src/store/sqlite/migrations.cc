#include "src/store/sqlite/migrations.h"

#include "absl/time/clock.h"
#include "ursa/common/strings.h"

namespace ursa::store::sqlite {

namespace {

constexpr Migration kMigrations[] = {
    {1, "resources",
     R"sql(
CREATE TABLE resources (
  type              TEXT    NOT NULL,
  mesh              TEXT    NOT NULL,  -- '' for global types
  name              TEXT    NOT NULL,
  version           INTEGER NOT NULL,
  creation_time     INTEGER NOT NULL,  -- Unix nanoseconds
  modification_time INTEGER NOT NULL,
  labels            TEXT    NOT NULL,  -- JSON object
  spec              BLOB    NOT NULL,  -- protobuf bytes of the spec message
  owner_type        TEXT,
  owner_mesh        TEXT,
  owner_name        TEXT,
  PRIMARY KEY (type, mesh, name)
) WITHOUT ROWID;
CREATE INDEX resources_by_mesh ON resources (mesh);
CREATE INDEX resources_by_owner ON resources (owner_type, owner_mesh, owner_name);
)sql"},
};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

absl::StatusOr<int> schemaVersion(Database& db) {
  URSA_RETURN_IF_ERROR(db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"));
  URSA_ASSIGN_OR_RETURN(Statement * s,
                        db.cached("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  Reset reset(s);
  URSA_ASSIGN_OR_RETURN(bool row, s->step());
  return row ? static_cast<int>(s->integer(0)) : 0;
}

absl::Status migrate(Database& db) {
  URSA_ASSIGN_OR_RETURN(int current, schemaVersion(db));
  int newest = kMigrations[std::size(kMigrations) - 1].version;
  if (current > newest) {
    return absl::FailedPreconditionError(strCat(
        "the database schema is version ", current, " but this ursa-cp knows versions up to ",
        newest, "; it was written by a newer ursa-cp"));
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= current) continue;
    URSA_RETURN_IF_ERROR(db.exec("BEGIN IMMEDIATE"));
    absl::Status s = db.exec(m.sql);
    if (s.ok()) {
      URSA_ASSIGN_OR_RETURN(Statement * ins,
                            db.cached("INSERT INTO schema_migrations VALUES (?1, ?2, ?3)"));
      Reset reset(ins);
      ins->bind(1, int64_t{m.version}).bind(2, m.name).bind(3, absl::ToUnixNanos(absl::Now()));
      s = ins->run();
    }
    if (!s.ok()) {
      (void)db.exec("ROLLBACK");
      return absl::Status(s.code(), strCat("migration ", m.version, " (", m.name, "): ",
                                           fromAbsl(s.message())));
    }
    URSA_RETURN_IF_ERROR(db.exec("COMMIT"));
  }
  return absl::OkStatus();
}

}  // namespace ursa::store::sqlite
