#pragma once

// ResourceStore on PostgreSQL, for several control planes sharing one
// database. Every change, made by this process or any other, reaches this
// store's watchers: a trigger NOTIFYs each changed key, a listener connection
// receives it and reads the key's current row. When the listener loses its
// connection it reconnects with backoff and announces Resync, since
// notifications sent meanwhile are lost.
//
// Writes run in READ COMMITTED transactions; a create locks its Mesh and
// owner rows (FOR SHARE) and a delete locks the row it deletes (FOR UPDATE),
// so a resource can never be created into a Mesh being deleted.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <condition_variable>
#include <mutex>
#include <optional>

#include "src/store/common/store_support.h"
#include "src/store/postgres/pg_conn.h"
#include "ursa/common/clock.h"
#include "ursa/store/resource_store.h"

namespace ursa::store {

class PostgresStore : public ResourceStore {
 public:
  struct Options {
    std::string dsn;  // libpq connection string or URI
    size_t max_connections = 8;
    std::chrono::milliseconds connection_wait{5000};
    ClockSharedPtr clock = SystemClock::shared();
  };
  // Connects, applies pending schema migrations (serialised between control
  // planes by an advisory lock) and starts the change listener.
  static absl::StatusOr<std::unique_ptr<PostgresStore>> open(const Options& options);
  ~PostgresStore() override;

  // ResourceStore
  absl::StatusOr<ResourcePtr> create(const Resource& r,
                                     const CreateOptions& options = {}) override;
  absl::StatusOr<ResourcePtr> update(const Resource& r) override;
  absl::Status remove(const ResourceKey& key, int64_t expected_version = 0) override;
  absl::StatusOr<ResourcePtr> get(const ResourceKey& key) const override;
  absl::StatusOr<ListResult> list(const ListQuery& query) const override;
  WatchHandlePtr watch(ChangeListener listener) override;
  std::string_view backendName() const override { return "postgres"; }

 private:
  explicit PostgresStore(const Options& options);
  template <typename Fn>
  absl::Status inTransaction(pg::Connection& c, Fn&& body) const;
  absl::StatusOr<ListResult> listInTransaction(pg::Connection& c, const std::string& sql,
                                               const char* where, std::vector<pg::Param> params,
                                               const ListQuery& query,
                                               bool filter_in_memory) const;
  absl::StatusOr<std::optional<ResourcePtr>> fetch(pg::Connection& c,
                                                   const ResourceKey& key) const;
  void listen();  // the listener thread's body
  absl::Status listenOnce(bool& connected_before);
  void announce(const std::vector<ResourceKey>& keys);
  void signalReady(absl::Status s);

  const ClockSharedPtr clock_;
  mutable pg::ConnectionPool pool_;
  Watchers watchers_;
  std::atomic<bool> stopping_{false};
  std::mutex ready_mu_;
  std::condition_variable ready_cv_;
  std::optional<absl::Status> ready_;  // the first LISTEN's outcome; guarded by ready_mu_
  std::thread listener_;
};

namespace pg {
// Brings the database to the newest schema. Exposed for `ursa-cp migrate up`.
absl::Status migrate(Connection& c);
}  // namespace pg

}  // namespace ursa::store
