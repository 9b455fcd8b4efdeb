#pragma once

// A thin RAII layer over the SQLite C API: a connection, prepared statements
// with typed bind/column helpers, and SQLite errors as absl::Status.
//
// Not thread-safe: the owner serialises access to a Database and its
// statements.

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ursa/common/status.h"

namespace ursa::store::sqlite {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(const Statement&) = delete;
  ~Statement();

  // Bind parameters by 1-based index. Text and blobs are copied.
  Statement& bind(int index, std::string_view text);
  Statement& bindBlob(int index, std::string_view bytes);
  Statement& bind(int index, int64_t value);
  Statement& bindNull(int index);

  // Steps once: true with a row available, false when done.
  absl::StatusOr<bool> step();
  // Runs to completion, ignoring rows.
  absl::Status run();
  // Clears bindings and rewinds, ready for reuse.
  void reset();

  std::string_view text(int column) const;
  std::string_view blob(int column) const;
  int64_t integer(int column) const;
  bool isNull(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  // Opens (creating if needed) the database file at `path`.
  static absl::StatusOr<std::unique_ptr<Database>> open(const std::string& path);
  Database(const Database&) = delete;
  ~Database();

  absl::Status exec(std::string_view sql);
  // A statement prepared once and reused; valid until the Database dies.
  // The caller must reset() it (or use a Reset guard) after use.
  absl::StatusOr<Statement*> cached(const std::string& sql);
  int64_t changes() const { return sqlite3_changes64(db_); }
  sqlite3* raw() const { return db_; }

  // Maps the connection's last error to a Status with `context` prefixed.
  absl::Status error(std::string_view context) const;

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<std::string, std::unique_ptr<Statement>> statements_;
};

// Resets a cached statement when it goes out of scope.
class Reset {
 public:
  explicit Reset(Statement* s) : s_(s) {}
  ~Reset() { s_->reset(); }

 private:
  Statement* s_;
};

}  // namespace ursa::store::sqlite
