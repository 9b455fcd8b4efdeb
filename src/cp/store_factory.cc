#include "src/cp/store_factory.h"

#include <chrono>

#include "src/store/memory/memory_store.h"
#include "src/store/postgres/postgres_store.h"
#include "src/store/sqlite/sqlite_store.h"
#include "ursa/common/strings.h"

namespace ursa::cp {

absl::StatusOr<store::ResourceStorePtr> openStore(const config::StoreConfig& config) {
  if (config.type == "memory") return std::make_unique<store::MemoryStore>();
  if (config.type == "sqlite") {
    URSA_ASSIGN_OR_RETURN(auto s, store::SqliteStore::open(
                                      {.path = config.sqlite_path,
                                       .synchronous_full = config.sqlite_synchronous_full}));
    return store::ResourceStorePtr(std::move(s));
  }
  if (config.type == "postgres") {
    const auto& pg = config.postgres;
    URSA_ASSIGN_OR_RETURN(
        auto s, store::PostgresStore::open(
                    {.dsn = pg.dsn(),
                     .max_connections = static_cast<size_t>(std::max(1, pg.max_open_connections)),
                     .connection_wait = std::chrono::milliseconds(
                         absl::ToInt64Milliseconds(pg.connection_timeout))}));
    return store::ResourceStorePtr(std::move(s));
  }
  return absl::InvalidArgumentError(strCat("unknown store type \"", config.type, "\""));
}

}  // namespace ursa::cp
