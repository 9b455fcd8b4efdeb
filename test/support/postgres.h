#pragma once

// A fresh PostgreSQL database per test, on the server named by
// $URSA_TEST_POSTGRES_DSN (scripts/test.sh starts one on loopback). Without
// that variable, PostgreSQL tests skip with postgresMissingReason().

#include <libpq-fe.h>

#include <atomic>
#include <cstdlib>
#include <optional>
#include <string>
#include <unistd.h>

namespace ursa::test {

inline std::optional<std::string> postgresAdminDsn() {
  const char* dsn = std::getenv("URSA_TEST_POSTGRES_DSN");
  if (dsn == nullptr || *dsn == '\0') return std::nullopt;
  return std::string(dsn);
}

inline std::string postgresMissingReason() {
  return "URSA_TEST_POSTGRES_DSN is not set; run scripts/test.sh, which starts PostgreSQL "
         "on loopback";
}

// Creates a database on construction and drops it on destruction.
class ScratchDatabase {
 public:
  explicit ScratchDatabase(const std::string& admin_dsn) : admin_dsn_(admin_dsn) {
    static std::atomic<int> counter{0};
    name_ = "ursa_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    run("DROP DATABASE IF EXISTS " + name_);
    ok_ = run("CREATE DATABASE " + name_);
  }
  ~ScratchDatabase() { run("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }

  bool ok() const { return ok_; }
  const std::string& name() const { return name_; }
  std::string dsn() const { return admin_dsn_ + " dbname=" + name_; }

  // Runs a statement on the admin connection; true on success.
  bool run(const std::string& sql) const {
    PGconn* c = PQconnectdb(admin_dsn_.c_str());
    bool good = PQstatus(c) == CONNECTION_OK;
    PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
    if (good) {
      PGresult* r = PQexec(c, sql.c_str());
      good = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
      PQclear(r);
    }
    PQfinish(c);
    return good;
  }

 private:
  std::string admin_dsn_;
  std::string name_;
  bool ok_ = false;
};

}  // namespace ursa::test
