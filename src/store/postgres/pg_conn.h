#pragma once

// A thin RAII layer over libpq: connections, parameterised queries with
// binary results, and PostgreSQL errors as absl::Status with retry meaning
// (connection trouble is Unavailable, unique violations AlreadyExists,
// serialisation failures Aborted).
//
// A Connection is not thread-safe; ConnectionPool hands each one to one
// thread at a time.

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ursa/common/status.h"

namespace ursa::store::pg {

// A query parameter: text, bytes (sent binary) or NULL.
struct Param {
  static Param text(std::string_view v) { return {std::string(v), false, false}; }
  static Param bytes(std::string_view v) { return {std::string(v), true, false}; }
  static Param integer(int64_t v) { return {std::to_string(v), false, false}; }
  static Param null() { return {"", false, true}; }
  std::string value;
  bool binary = false;
  bool is_null = false;
};

// A query result in binary format.
class Result {
 public:
  explicit Result(PGresult* r) : r_(r) {}
  Result(Result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Result(const Result&) = delete;
  ~Result() { PQclear(r_); }

  int rows() const { return PQntuples(r_); }
  std::string_view bytes(int row, int col) const;
  int64_t int8(int row, int col) const;  // a bigint column
  bool isNull(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }

 private:
  PGresult* r_;
};

class Connection {
 public:
  static absl::StatusOr<std::unique_ptr<Connection>> open(const std::string& dsn);
  Connection(const Connection&) = delete;
  ~Connection();

  absl::StatusOr<Result> query(std::string_view sql, const std::vector<Param>& params = {});
  absl::Status exec(std::string_view sql, const std::vector<Param>& params = {});
  bool healthy() const { return PQstatus(conn_) == CONNECTION_OK; }
  PGconn* raw() const { return conn_; }

 private:
  explicit Connection(PGconn* c) : conn_(c) {}
  PGconn* conn_;
};

// A bounded pool. acquire() waits up to `wait` for a free connection and
// opens new ones up to `max_size`; a broken connection is dropped on return.
class ConnectionPool {
 public:
  ConnectionPool(std::string dsn, size_t max_size, std::chrono::milliseconds wait);
  ~ConnectionPool();

  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Connection> c) : pool_(&pool), c_(std::move(c)) {}
    Lease(Lease&& o) noexcept = default;
    ~Lease();
    Connection* operator->() const { return c_.get(); }
    Connection& operator*() const { return *c_; }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> c_;
  };

  absl::StatusOr<Lease> acquire();
  const std::string& dsn() const { return dsn_; }

 private:
  void release(std::unique_ptr<Connection> c);

  const std::string dsn_;
  const size_t max_size_;
  const std::chrono::milliseconds wait_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mu_
  size_t open_ = 0;                                // guarded by mu_
};

}  // namespace ursa::store::pg
