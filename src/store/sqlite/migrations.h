#pragma once

// Versioned schema migrations of the SQLite store. Each migration runs once,
// in order, inside a transaction, and is recorded in `schema_migrations`.
// Never edit a released migration: add the next one.

#include <span>

#include "src/store/sqlite/sqlite_db.h"

namespace ursa::store::sqlite {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

std::span<const Migration> migrations();
// Brings `db` to the newest schema. FailedPrecondition when the database was
// written by a newer ursa (its schema version is unknown to this binary).
absl::Status migrate(Database& db);
absl::StatusOr<int> schemaVersion(Database& db);

}  // namespace ursa::store::sqlite
