#pragma once

// The store backends ursa-store-bench measures, each opened fresh and empty
// for one run and cleaned up after it: memory; SQLite in a scratch directory
// with synchronous=FULL (the default) or NORMAL; PostgreSQL in a database
// created for the run on the server named by an admin DSN, dropped after.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ursa/common/status.h"
#include "ursa/store/resource_store.h"

namespace ursa::bench {

enum class Backend { Memory, SqliteFull, SqliteNormal, Postgres };

// "memory", "sqlite-full", "sqlite-normal", "postgres": the names --backends takes.
std::string_view backendFlag(Backend b);
std::optional<Backend> parseBackend(std::string_view flag);
const std::vector<Backend>& allBackends();

struct BackendOptions {
  std::filesystem::path scratch_dir;  // SQLite files go in a fresh directory under it
  std::string postgres_admin_dsn;     // keyword/value or URI; may connect to any database
};

// A ResourceStore on a fresh, empty backend. Destroying it closes the store,
// then deletes its SQLite directory or drops its PostgreSQL database.
class ScratchStore {
 public:
  static absl::StatusOr<std::unique_ptr<ScratchStore>> open(Backend backend,
                                                            const BackendOptions& options);
  ~ScratchStore();
  ScratchStore(const ScratchStore&) = delete;

  store::ResourceStore& store() { return *store_; }

 private:
  ScratchStore() = default;

  store::ResourceStorePtr store_;
  std::filesystem::path dir_;      // SQLite only
  std::string admin_dsn_;          // PostgreSQL only
  std::string database_;           // PostgreSQL only
};

// The admin DSN with its database replaced by `database`.
std::string withDatabase(const std::string& dsn, const std::string& database);

struct PostgresServer {
  // "PostgreSQL 15.8 (Debian ...), fsync=off, synchronous_commit=on,
  // shared_buffers=128MB", read from the server.
  std::string description;
  std::string fsync;  // "on" or "off"
};
absl::StatusOr<PostgresServer> describePostgres(const std::string& dsn);
// "SQLite 3.40.1".
std::string describeSqlite();

}  // namespace ursa::bench
