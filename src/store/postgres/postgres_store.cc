#include "src/store/postgres/postgres_store.h"

#include <poll.h>

#include <set>

#include "nlohmann/json.hpp"
#include "ursa/common/strings.h"
#include "ursa/model/registry.h"

namespace ursa::store {

using pg::Param;

namespace {

constexpr const char* kColumns =
    "mesh, name, version, creation_time, modification_time, labels, spec";
constexpr const char* kChannel = "ursa_resource_changes";

const ResourceType& meshType() { return model::TypeRegistry::instance().mesh(); }

std::vector<Param> keyParams(const ResourceKey& key) {
  return {Param::text(key.type->name), Param::text(key.mesh), Param::text(key.name)};
}

absl::Status notFound(const ResourceKey& key) {
  return absl::NotFoundError(strCat(key.toString(), " not found"));
}

absl::StatusOr<ResourcePtr> readRow(const pg::Result& res, int row, const ResourceType& type) {
  auto r = std::make_shared<Resource>();
  r->type = &type;
  r->meta.mesh = std::string(res.bytes(row, 0));
  r->meta.name = std::string(res.bytes(row, 1));
  r->meta.version = res.int8(row, 2);
  r->meta.creation_time = absl::FromUnixNanos(res.int8(row, 3));
  r->meta.modification_time = absl::FromUnixNanos(res.int8(row, 4));
  r->meta.labels = decodeLabels(res.bytes(row, 5));
  URSA_ASSIGN_OR_RETURN(r->spec, parseSpec(type, res.bytes(row, 6)));
  return ResourcePtr(std::move(r));
}

// Locks a row against deletion until the transaction ends; false if absent.
absl::StatusOr<bool> lockShared(pg::Connection& c, const ResourceKey& key) {
  URSA_ASSIGN_OR_RETURN(auto res, c.query("SELECT 1 FROM resources WHERE type = $1 AND mesh = $2 "
                                          "AND name = $3 FOR SHARE",
                                          keyParams(key)));
  return res.rows() > 0;
}

}  // namespace

PostgresStore::PostgresStore(const Options& options)
    : clock_(options.clock),
      pool_(options.dsn, options.max_connections, options.connection_wait) {}

absl::StatusOr<std::unique_ptr<PostgresStore>> PostgresStore::open(const Options& options) {
  std::unique_ptr<PostgresStore> store(new PostgresStore(options));
  {
    URSA_ASSIGN_OR_RETURN(auto c, store->pool_.acquire());
    URSA_RETURN_IF_ERROR(pg::migrate(*c));
  }
  store->listener_ = std::thread([s = store.get()] { s->listen(); });
  // Return only once changes are being listened for, so that no change made
  // after open() returns can go unannounced.
  std::unique_lock lock(store->ready_mu_);
  store->ready_cv_.wait(lock, [&] { return store->ready_.has_value(); });
  if (!store->ready_->ok()) return *store->ready_;
  return store;
}

PostgresStore::~PostgresStore() {
  stopping_ = true;
  if (listener_.joinable()) listener_.join();
}

template <typename Fn>
absl::Status PostgresStore::inTransaction(pg::Connection& c, Fn&& body) const {
  URSA_RETURN_IF_ERROR(c.exec("BEGIN"));
  absl::Status s = body();
  if (!s.ok()) {
    (void)c.exec("ROLLBACK");
    return s;
  }
  return c.exec("COMMIT");
}

absl::StatusOr<ResourcePtr> PostgresStore::create(const Resource& r,
                                                  const CreateOptions& options) {
  URSA_RETURN_IF_ERROR(checkWritable(r));
  ResourceKey key = ResourceKey::of(r);
  auto stored = std::make_shared<Resource>(r);
  stored->meta.version = 1;
  stored->meta.creation_time = stored->meta.modification_time = clock_->now();
  URSA_ASSIGN_OR_RETURN(auto c, pool_.acquire());
  absl::Status s = inTransaction(*c, [&]() -> absl::Status {
    if (r.type->scope == model::Scope::Mesh) {
      URSA_ASSIGN_OR_RETURN(bool mesh, lockShared(*c, {&meshType(), "", r.meta.mesh}));
      if (!mesh) {
        return absl::FailedPreconditionError(strCat("mesh \"", r.meta.mesh, "\" does not exist"));
      }
    }
    std::vector<Param> params = keyParams(key);
    int64_t t = absl::ToUnixNanos(stored->meta.creation_time);
    params.push_back(Param::integer(t));
    params.push_back(Param::text(encodeLabels(r.meta.labels)));
    params.push_back(Param::bytes(serializeSpec(*r.spec)));
    if (options.owner) {
      URSA_ASSIGN_OR_RETURN(bool owner, lockShared(*c, *options.owner));
      if (!owner) {
        return absl::FailedPreconditionError(
            strCat("owner ", options.owner->toString(), " does not exist"));
      }
      params.push_back(Param::text(options.owner->type->name));
      params.push_back(Param::text(options.owner->mesh));
      params.push_back(Param::text(options.owner->name));
    } else {
      params.insert(params.end(), {Param::null(), Param::null(), Param::null()});
    }
    absl::Status ins = c->exec(
        "INSERT INTO resources VALUES ($1, $2, $3, 1, $4::bigint, $4::bigint, $5, $6, $7, $8, $9)",
        params);
    if (absl::IsAlreadyExists(ins)) {
      return absl::AlreadyExistsError(strCat(key.toString(), " already exists"));
    }
    return ins;
  });
  URSA_RETURN_IF_ERROR(s);
  return ResourcePtr(stored);
}

absl::StatusOr<ResourcePtr> PostgresStore::update(const Resource& r) {
  URSA_RETURN_IF_ERROR(checkWritable(r));
  ResourceKey key = ResourceKey::of(r);
  auto stored = std::make_shared<Resource>(r);
  stored->meta.version = r.meta.version + 1;
  stored->meta.modification_time = clock_->now();
  URSA_ASSIGN_OR_RETURN(auto c, pool_.acquire());
  std::vector<Param> params = keyParams(key);
  params.push_back(Param::integer(r.meta.version));
  params.push_back(Param::integer(absl::ToUnixNanos(stored->meta.modification_time)));
  params.push_back(Param::text(encodeLabels(r.meta.labels)));
  params.push_back(Param::bytes(serializeSpec(*r.spec)));
  URSA_ASSIGN_OR_RETURN(
      auto res, c->query("UPDATE resources SET version = version + 1, modification_time = $5, "
                         "labels = $6, spec = $7 WHERE type = $1 AND mesh = $2 AND name = $3 "
                         "AND version = $4 RETURNING creation_time",
                         params));
  if (res.rows() == 1) {
    stored->meta.creation_time = absl::FromUnixNanos(res.int8(0, 0));
    return ResourcePtr(stored);
  }
  URSA_ASSIGN_OR_RETURN(auto current, fetch(*c, key));
  if (!current) return notFound(key);
  return absl::AbortedError(strCat(key.toString(), " was changed (version ",
                                   (*current)->meta.version, ", update names version ",
                                   r.meta.version, ")"));
}

absl::Status PostgresStore::remove(const ResourceKey& key, int64_t expected_version) {
  URSA_ASSIGN_OR_RETURN(auto c, pool_.acquire());
  return inTransaction(*c, [&]() -> absl::Status {
    URSA_ASSIGN_OR_RETURN(auto res, c->query("SELECT version FROM resources WHERE type = $1 AND "
                                             "mesh = $2 AND name = $3 FOR UPDATE",
                                             keyParams(key)));
    if (res.rows() == 0) return notFound(key);
    if (expected_version != 0 && res.int8(0, 0) != expected_version) {
      return absl::AbortedError(
          strCat(key.toString(), " was changed (version ", res.int8(0, 0), ")"));
    }
    std::vector<ResourceKey> deleted = {key};
    std::set<ResourceKey> seen = {key};
    for (size_t i = 0; i < deleted.size(); ++i) {
      const ResourceKey& k = deleted[i];
      bool is_mesh = k.type == &meshType();
      URSA_ASSIGN_OR_RETURN(
          auto deps, c->query("SELECT type, mesh, name FROM resources WHERE (owner_type = $1 AND "
                              "owner_mesh = $2 AND owner_name = $3) OR ($4 AND mesh = $3)",
                              {Param::text(k.type->name), Param::text(k.mesh),
                               Param::text(k.name), Param::text(is_mesh ? "true" : "false")}));
      for (int row = 0; row < deps.rows(); ++row) {
        const ResourceType* t = model::TypeRegistry::instance().byName(deps.bytes(row, 0));
        if (t == nullptr) continue;  // a type this binary does not know: leave it
        ResourceKey d{t, std::string(deps.bytes(row, 1)), std::string(deps.bytes(row, 2))};
        if (seen.insert(d).second) deleted.push_back(std::move(d));
      }
    }
    for (const auto& k : deleted) {
      URSA_RETURN_IF_ERROR(
          c->exec("DELETE FROM resources WHERE type = $1 AND mesh = $2 AND name = $3",
                  keyParams(k)));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<ResourcePtr>> PostgresStore::fetch(pg::Connection& c,
                                                                const ResourceKey& key) const {
  URSA_ASSIGN_OR_RETURN(auto res, c.query(strCat("SELECT ", kColumns, " FROM resources WHERE "
                                                 "type = $1 AND mesh = $2 AND name = $3"),
                                          keyParams(key)));
  if (res.rows() == 0) return std::optional<ResourcePtr>();
  URSA_ASSIGN_OR_RETURN(ResourcePtr r, readRow(res, 0, *key.type));
  return std::optional<ResourcePtr>(std::move(r));
}

absl::StatusOr<ResourcePtr> PostgresStore::get(const ResourceKey& key) const {
  URSA_ASSIGN_OR_RETURN(auto c, pool_.acquire());
  URSA_ASSIGN_OR_RETURN(auto r, fetch(*c, key));
  if (!r) return notFound(key);
  return *r;
}

absl::StatusOr<ListResult> PostgresStore::list(const ListQuery& query) const {
  URSA_RETURN_IF_ERROR(checkQuery(query));
  URSA_ASSIGN_OR_RETURN(auto c, pool_.acquire());
  const char* where =
      " FROM resources WHERE type = $1 AND ($2::text IS NULL OR mesh = $2) "
      "AND ($3 = '' OR strpos(name, $3) > 0)";
  std::vector<Param> params = {Param::text(query.type->name),
                               query.mesh ? Param::text(*query.mesh) : Param::null(),
                               Param::text(query.name_contains)};
  bool filter_in_memory = !query.labels.empty() || !query.tags.empty();
  // Byte order, as the other backends sort, whatever the database's collation.
  std::string sql = strCat("SELECT ", kColumns, where, " ORDER BY mesh COLLATE \"C\", name COLLATE \"C\"");
  if (!filter_in_memory) {
    sql += " LIMIT $4 OFFSET $5";
    params.push_back(query.limit == 0 ? Param::null() : Param::integer(query.limit));
    params.push_back(Param::integer(static_cast<int64_t>(query.offset)));
  }
  // One snapshot for the page and its count, so `total` agrees with `items`.
  URSA_RETURN_IF_ERROR(c->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  auto page = listInTransaction(*c, sql, where, params, query, filter_in_memory);
  (void)c->exec(page.ok() ? "COMMIT" : "ROLLBACK");
  return page;
}

absl::StatusOr<ListResult> PostgresStore::listInTransaction(pg::Connection& conn,
                                                            const std::string& sql,
                                                            const char* where,
                                                            std::vector<pg::Param> params,
                                                            const ListQuery& query,
                                                            bool filter_in_memory) const {
  pg::Connection* c = &conn;
  URSA_ASSIGN_OR_RETURN(auto res, c->query(sql, params));
  std::vector<ResourcePtr> items;
  for (int row = 0; row < res.rows(); ++row) {
    URSA_ASSIGN_OR_RETURN(ResourcePtr r, readRow(res, row, *query.type));
    if (filter_in_memory && !matchesFilters(*r, query)) continue;
    items.push_back(std::move(r));
  }
  if (filter_in_memory) return pageOf(std::move(items), query);
  params.resize(3);
  URSA_ASSIGN_OR_RETURN(auto count, c->query(strCat("SELECT COUNT(*)", where), params));
  ListResult out;
  out.total = static_cast<size_t>(count.int8(0, 0));
  out.items = std::move(items);
  size_t end = query.offset + out.items.size();
  if (end < out.total) out.next_offset = end;
  return out;
}

WatchHandlePtr PostgresStore::watch(ChangeListener listener) {
  return watchers_.add(std::move(listener));
}

// --- change listener ----------------------------------------------------------

void PostgresStore::announce(const std::vector<ResourceKey>& keys) {
  auto c = pool_.acquire();
  if (!c.ok()) {
    watchers_.notify({ResourceChange::Kind::Resync, {}, nullptr});
    return;
  }
  for (const auto& key : keys) {
    auto r = fetch(**c, key);
    if (!r.ok()) {
      watchers_.notify({ResourceChange::Kind::Resync, {}, nullptr});
      return;
    }
    if (*r) {
      watchers_.notify({ResourceChange::Kind::Upserted, key, **r});
    } else {
      watchers_.notify({ResourceChange::Kind::Deleted, key, nullptr});
    }
  }
}

void PostgresStore::signalReady(absl::Status s) {
  std::lock_guard lock(ready_mu_);
  if (ready_) return;
  ready_ = std::move(s);
  ready_cv_.notify_all();
}

absl::Status PostgresStore::listenOnce(bool& connected_before) {
  auto opened = pg::Connection::open(pool_.dsn());
  if (!opened.ok()) {
    signalReady(opened.status());
    return opened.status();
  }
  auto conn = std::move(*opened);
  absl::Status listening = conn->exec(strCat("LISTEN ", kChannel));
  signalReady(listening);
  URSA_RETURN_IF_ERROR(listening);
  if (connected_before) watchers_.notify({ResourceChange::Kind::Resync, {}, nullptr});
  connected_before = true;
  PGconn* raw = conn->raw();
  while (!stopping_) {
    pollfd pfd{PQsocket(raw), POLLIN, 0};
    if (poll(&pfd, 1, 200) < 0 && errno != EINTR) {
      return absl::UnavailableError("postgres: poll failed on the listener connection");
    }
    if (!PQconsumeInput(raw)) {
      return absl::UnavailableError(strCat("postgres: listener: ", PQerrorMessage(raw)));
    }
    std::vector<ResourceKey> keys;
    std::set<ResourceKey> seen;
    while (PGnotify* n = PQnotifies(raw)) {
      auto j = nlohmann::json::parse(n->extra, nullptr, /*allow_exceptions=*/false);
      PQfreemem(n);
      if (!j.is_object()) continue;
      const ResourceType* t = model::TypeRegistry::instance().byName(j.value("type", ""));
      if (t == nullptr) continue;
      ResourceKey key{t, j.value("mesh", ""), j.value("name", "")};
      if (seen.insert(key).second) keys.push_back(std::move(key));
    }
    if (!keys.empty()) announce(keys);
  }
  return absl::OkStatus();
}

void PostgresStore::listen() {
  bool connected_before = false;
  auto backoff = std::chrono::milliseconds(100);
  while (!stopping_) {
    absl::Status s = listenOnce(connected_before);
    if (stopping_) return;
    if (!s.ok()) {
      // Announce the gap now; watchers re-read once we are back.
      watchers_.notify({ResourceChange::Kind::Resync, {}, nullptr});
    }
    for (auto waited = std::chrono::milliseconds(0); waited < backoff && !stopping_;
         waited += std::chrono::milliseconds(50)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

}  // namespace ursa::store
