#include "src/store/postgres/pg_conn.h"

#include <endian.h>

#include <cstring>

#include "ursa/common/strings.h"

namespace ursa::store::pg {
namespace {

absl::Status statusOf(PGconn* conn, PGresult* res, std::string_view context) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = strCat("postgres: ", context, ": ",
                           res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (PQstatus(conn) != CONNECTION_OK) return absl::UnavailableError(msg);
  std::string_view code = state ? state : "";
  if (code == "23505") return absl::AlreadyExistsError(msg);
  if (code == "40001" || code == "40P01") return absl::AbortedError(msg);
  if (code.substr(0, 2) == "08" || code.substr(0, 2) == "57" || code.substr(0, 2) == "53") {
    return absl::UnavailableError(msg);
  }
  return absl::InternalError(msg);
}

}  // namespace

std::string_view Result::bytes(int row, int col) const {
  return {PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col))};
}

int64_t Result::int8(int row, int col) const {
  uint64_t be;
  std::memcpy(&be, PQgetvalue(r_, row, col), sizeof be);
  return static_cast<int64_t>(be64toh(be));
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::open(const std::string& dsn) {
  PGconn* c = PQconnectdb(dsn.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c);
    PQfinish(c);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return absl::UnavailableError(strCat("postgres: cannot connect: ", msg));
  }
  // Notices (e.g. "relation already exists, skipping") are not errors.
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<Connection>(new Connection(c));
}

Connection::~Connection() { PQfinish(conn_); }

absl::StatusOr<Result> Connection::query(std::string_view sql, const std::vector<Param>& params) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  for (const auto& p : params) {
    values.push_back(p.is_null ? nullptr : p.value.data());
    lengths.push_back(static_cast<int>(p.value.size()));
    formats.push_back(p.binary ? 1 : 0);
  }
  std::string text(sql);
  PGresult* res = PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr,
                               values.data(), lengths.data(), formats.data(), /*binary=*/1);
  ExecStatusType st = PQresultStatus(res);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    absl::Status s = statusOf(conn_, res, text.substr(0, 60));
    PQclear(res);
    return s;
  }
  return Result(res);
}

absl::Status Connection::exec(std::string_view sql, const std::vector<Param>& params) {
  if (params.empty()) {
    // Simple protocol: allows several statements in one string.
    std::string text(sql);
    PGresult* res = PQexec(conn_, text.c_str());
    ExecStatusType st = PQresultStatus(res);
    absl::Status s = (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
                         ? absl::OkStatus()
                         : statusOf(conn_, res, text.substr(0, 60));
    PQclear(res);
    return s;
  }
  return query(sql, params).status();
}

ConnectionPool::ConnectionPool(std::string dsn, size_t max_size, std::chrono::milliseconds wait)
    : dsn_(std::move(dsn)), max_size_(max_size), wait_(wait) {}

ConnectionPool::~ConnectionPool() = default;

ConnectionPool::Lease::~Lease() {
  if (c_) pool_->release(std::move(c_));
}

absl::StatusOr<ConnectionPool::Lease> ConnectionPool::acquire() {
  std::unique_lock lock(mu_);
  bool ready = cv_.wait_for(lock, wait_, [&] { return !idle_.empty() || open_ < max_size_; });
  if (!ready) {
    return absl::UnavailableError(strCat("postgres: no free connection within ",
                                         wait_.count(), " ms (pool of ", max_size_, ")"));
  }
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(c));
  }
  ++open_;
  lock.unlock();
  auto c = Connection::open(dsn_);
  if (!c.ok()) {
    std::lock_guard relock(mu_);
    --open_;
    cv_.notify_one();
    return c.status();
  }
  return Lease(*this, std::move(*c));
}

void ConnectionPool::release(std::unique_ptr<Connection> c) {
  std::lock_guard lock(mu_);
  if (c->healthy() && PQtransactionStatus(c->raw()) == PQTRANS_IDLE) {
    idle_.push_back(std::move(c));
  } else {
    --open_;  // Broken or mid-transaction: drop it.
  }
  cv_.notify_one();
}

}  // namespace ursa::store::pg
