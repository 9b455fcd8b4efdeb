#include "src/store/sqlite/sqlite_store.h"

#include <filesystem>
#include <set>

#include "src/store/sqlite/migrations.h"
#include "ursa/common/strings.h"
#include "ursa/model/registry.h"

namespace ursa::store {

using sqlite::Reset;
using sqlite::Statement;

namespace {

constexpr const char* kColumns =
    "mesh, name, version, creation_time, modification_time, labels, spec";

int64_t nanos(absl::Time t) { return absl::ToUnixNanos(t); }

const ResourceType& meshType() { return model::TypeRegistry::instance().mesh(); }

absl::Status notFound(const ResourceKey& key) {
  return absl::NotFoundError(strCat(key.toString(), " not found"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::open(const Options& options) {
  std::error_code ec;
  auto dir = std::filesystem::path(options.path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::UnavailableError(strCat("cannot create ", dir.string(), ": ", ec.message()));
  }
  URSA_ASSIGN_OR_RETURN(auto db, sqlite::Database::open(options.path));
  URSA_RETURN_IF_ERROR(db->exec("PRAGMA locking_mode = EXCLUSIVE"));
  URSA_RETURN_IF_ERROR(db->exec("PRAGMA journal_mode = WAL"));
  URSA_RETURN_IF_ERROR(db->exec(options.synchronous_full ? "PRAGMA synchronous = FULL"
                                                         : "PRAGMA synchronous = NORMAL"));
  URSA_RETURN_IF_ERROR(db->exec("PRAGMA foreign_keys = ON"));
  // Takes the exclusive lock now, so a second process fails here, clearly.
  absl::Status locked = db->exec("BEGIN IMMEDIATE; COMMIT;");
  if (!locked.ok()) {
    return absl::UnavailableError(strCat("cannot lock ", options.path, ": ",
                                         fromAbsl(locked.message())));
  }
  URSA_RETURN_IF_ERROR(sqlite::migrate(*db));
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db), options.clock));
}

template <typename Fn>
absl::Status SqliteStore::inTransaction(Fn&& body) {
  URSA_RETURN_IF_ERROR(db_->exec("BEGIN IMMEDIATE"));
  absl::Status s = body();
  if (!s.ok()) {
    (void)db_->exec("ROLLBACK");
    return s;
  }
  s = db_->exec("COMMIT");
  if (!s.ok()) (void)db_->exec("ROLLBACK");
  return s;
}

absl::StatusOr<ResourcePtr> SqliteStore::readRow(const Statement& s, const ResourceType& type,
                                                 int c) const {
  auto r = std::make_shared<Resource>();
  r->type = &type;
  r->meta.mesh = std::string(s.text(c));
  r->meta.name = std::string(s.text(c + 1));
  r->meta.version = s.integer(c + 2);
  r->meta.creation_time = absl::FromUnixNanos(s.integer(c + 3));
  r->meta.modification_time = absl::FromUnixNanos(s.integer(c + 4));
  r->meta.labels = decodeLabels(s.text(c + 5));
  URSA_ASSIGN_OR_RETURN(r->spec, parseSpec(type, s.blob(c + 6)));
  return ResourcePtr(std::move(r));
}

absl::StatusOr<int64_t> SqliteStore::versionOf(const ResourceKey& key) const {
  URSA_ASSIGN_OR_RETURN(Statement * s,
                        db_->cached("SELECT version FROM resources "
                                    "WHERE type = ?1 AND mesh = ?2 AND name = ?3"));
  Reset reset(s);
  s->bind(1, key.type->name).bind(2, key.mesh).bind(3, key.name);
  URSA_ASSIGN_OR_RETURN(bool row, s->step());
  if (!row) return notFound(key);
  return s->integer(0);
}

absl::StatusOr<bool> SqliteStore::exists(const ResourceKey& key) const {
  auto v = versionOf(key);
  if (v.ok()) return true;
  if (absl::IsNotFound(v.status())) return false;
  return v.status();
}

absl::StatusOr<ResourcePtr> SqliteStore::create(const Resource& r, const CreateOptions& options) {
  URSA_RETURN_IF_ERROR(checkWritable(r));
  auto stored = std::make_shared<Resource>(r);
  stored->meta.version = 1;
  stored->meta.creation_time = stored->meta.modification_time = clock_->now();
  ResourceKey key = ResourceKey::of(r);
  std::lock_guard lock(mu_);
  absl::Status s = inTransaction([&]() -> absl::Status {
    URSA_ASSIGN_OR_RETURN(bool taken, exists(key));
    if (taken) return absl::AlreadyExistsError(strCat(key.toString(), " already exists"));
    if (r.type->scope == model::Scope::Mesh) {
      URSA_ASSIGN_OR_RETURN(bool mesh, exists({&meshType(), "", r.meta.mesh}));
      if (!mesh) {
        return absl::FailedPreconditionError(strCat("mesh \"", r.meta.mesh, "\" does not exist"));
      }
    }
    if (options.owner) {
      URSA_ASSIGN_OR_RETURN(bool owner, exists(*options.owner));
      if (!owner) {
        return absl::FailedPreconditionError(
            strCat("owner ", options.owner->toString(), " does not exist"));
      }
    }
    URSA_ASSIGN_OR_RETURN(Statement * ins,
                          db_->cached("INSERT INTO resources VALUES "
                                      "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
    Reset reset(ins);
    ins->bind(1, key.type->name).bind(2, key.mesh).bind(3, key.name).bind(4, int64_t{1});
    ins->bind(5, nanos(stored->meta.creation_time)).bind(6, nanos(stored->meta.modification_time));
    ins->bind(7, encodeLabels(r.meta.labels)).bindBlob(8, serializeSpec(*r.spec));
    if (options.owner) {
      ins->bind(9, options.owner->type->name).bind(10, options.owner->mesh);
      ins->bind(11, options.owner->name);
    }
    return ins->run();
  });
  URSA_RETURN_IF_ERROR(s);
  watchers_.notify({ResourceChange::Kind::Upserted, key, stored});
  return ResourcePtr(stored);
}

absl::StatusOr<ResourcePtr> SqliteStore::update(const Resource& r) {
  URSA_RETURN_IF_ERROR(checkWritable(r));
  ResourceKey key = ResourceKey::of(r);
  auto stored = std::make_shared<Resource>(r);
  stored->meta.version = r.meta.version + 1;
  stored->meta.modification_time = clock_->now();
  std::lock_guard lock(mu_);
  absl::Status s = inTransaction([&]() -> absl::Status {
    URSA_ASSIGN_OR_RETURN(Statement * sel,
                          db_->cached("SELECT version, creation_time FROM resources "
                                      "WHERE type = ?1 AND mesh = ?2 AND name = ?3"));
    {
      Reset reset(sel);
      sel->bind(1, key.type->name).bind(2, key.mesh).bind(3, key.name);
      URSA_ASSIGN_OR_RETURN(bool row, sel->step());
      if (!row) return notFound(key);
      if (sel->integer(0) != r.meta.version) {
        return absl::AbortedError(strCat(key.toString(), " was changed (version ",
                                         sel->integer(0), ", update names version ",
                                         r.meta.version, ")"));
      }
      stored->meta.creation_time = absl::FromUnixNanos(sel->integer(1));
    }
    URSA_ASSIGN_OR_RETURN(Statement * upd,
                          db_->cached("UPDATE resources SET version = ?4, modification_time = ?5, "
                                      "labels = ?6, spec = ?7 "
                                      "WHERE type = ?1 AND mesh = ?2 AND name = ?3"));
    Reset reset(upd);
    upd->bind(1, key.type->name).bind(2, key.mesh).bind(3, key.name);
    upd->bind(4, stored->meta.version).bind(5, nanos(stored->meta.modification_time));
    upd->bind(6, encodeLabels(r.meta.labels)).bindBlob(7, serializeSpec(*r.spec));
    return upd->run();
  });
  URSA_RETURN_IF_ERROR(s);
  watchers_.notify({ResourceChange::Kind::Upserted, key, stored});
  return ResourcePtr(stored);
}

absl::StatusOr<std::vector<ResourceKey>> SqliteStore::dependentsOf(const ResourceKey& key) const {
  std::vector<ResourceKey> out;
  auto collect = [&](Statement* s) -> absl::Status {
    while (true) {
      URSA_ASSIGN_OR_RETURN(bool row, s->step());
      if (!row) return absl::OkStatus();
      const ResourceType* type = model::TypeRegistry::instance().byName(s->text(0));
      if (type == nullptr) {
        return absl::InternalError(strCat("stored resource of unknown type ", s->text(0)));
      }
      out.push_back({type, std::string(s->text(1)), std::string(s->text(2))});
    }
  };
  URSA_ASSIGN_OR_RETURN(Statement * owned,
                        db_->cached("SELECT type, mesh, name FROM resources WHERE owner_type = ?1 "
                                    "AND owner_mesh = ?2 AND owner_name = ?3"));
  {
    Reset reset(owned);
    owned->bind(1, key.type->name).bind(2, key.mesh).bind(3, key.name);
    URSA_RETURN_IF_ERROR(collect(owned));
  }
  if (key.type == &meshType()) {
    URSA_ASSIGN_OR_RETURN(Statement * in_mesh,
                          db_->cached("SELECT type, mesh, name FROM resources WHERE mesh = ?1"));
    Reset reset(in_mesh);
    in_mesh->bind(1, key.name);
    URSA_RETURN_IF_ERROR(collect(in_mesh));
  }
  return out;
}

absl::Status SqliteStore::deleteRow(const ResourceKey& key) {
  URSA_ASSIGN_OR_RETURN(
      Statement * del,
      db_->cached("DELETE FROM resources WHERE type = ?1 AND mesh = ?2 AND name = ?3"));
  Reset reset(del);
  del->bind(1, key.type->name).bind(2, key.mesh).bind(3, key.name);
  return del->run();
}

absl::Status SqliteStore::remove(const ResourceKey& key, int64_t expected_version) {
  std::lock_guard lock(mu_);
  std::vector<ResourceKey> deleted;
  absl::Status s = inTransaction([&]() -> absl::Status {
    URSA_ASSIGN_OR_RETURN(int64_t version, versionOf(key));
    if (expected_version != 0 && version != expected_version) {
      return absl::AbortedError(strCat(key.toString(), " was changed (version ", version, ")"));
    }
    std::set<ResourceKey> seen = {key};
    deleted = {key};
    for (size_t i = 0; i < deleted.size(); ++i) {
      URSA_ASSIGN_OR_RETURN(auto dependents, dependentsOf(deleted[i]));
      for (auto& d : dependents) {
        if (seen.insert(d).second) deleted.push_back(std::move(d));
      }
    }
    for (const auto& k : deleted) URSA_RETURN_IF_ERROR(deleteRow(k));
    return absl::OkStatus();
  });
  URSA_RETURN_IF_ERROR(s);
  for (const auto& k : deleted) watchers_.notify({ResourceChange::Kind::Deleted, k, nullptr});
  return absl::OkStatus();
}

absl::StatusOr<ResourcePtr> SqliteStore::get(const ResourceKey& key) const {
  std::lock_guard lock(mu_);
  URSA_ASSIGN_OR_RETURN(Statement * s,
                        db_->cached(strCat("SELECT ", kColumns, " FROM resources "
                                           "WHERE type = ?1 AND mesh = ?2 AND name = ?3")));
  Reset reset(s);
  s->bind(1, key.type->name).bind(2, key.mesh).bind(3, key.name);
  URSA_ASSIGN_OR_RETURN(bool row, s->step());
  if (!row) return notFound(key);
  return readRow(*s, *key.type, 0);
}

namespace {

// WHERE clause shared by list and count: ?1 type, ?2 mesh or NULL, ?3 name substring.
constexpr const char* kListWhere =
    " FROM resources WHERE type = ?1 AND (?2 IS NULL OR mesh = ?2) "
    "AND (?3 = '' OR instr(name, ?3) > 0)";

void bindListQuery(Statement& s, const ListQuery& q) {
  s.bind(1, q.type->name);
  q.mesh ? s.bind(2, *q.mesh) : s.bindNull(2);
  s.bind(3, q.name_contains);
}

bool needsDecodeToFilter(const ListQuery& q) { return !q.labels.empty() || !q.tags.empty(); }

}  // namespace

absl::StatusOr<std::vector<ResourcePtr>> SqliteStore::selectAll(const ListQuery& query,
                                                                bool paged) const {
  std::string sql = strCat("SELECT ", kColumns, kListWhere, " ORDER BY mesh, name");
  if (paged) sql += " LIMIT ?4 OFFSET ?5";
  URSA_ASSIGN_OR_RETURN(Statement * s, db_->cached(sql));
  Reset reset(s);
  bindListQuery(*s, query);
  if (paged) {
    s->bind(4, query.limit == 0 ? int64_t{-1} : static_cast<int64_t>(query.limit));
    s->bind(5, static_cast<int64_t>(query.offset));
  }
  std::vector<ResourcePtr> out;
  while (true) {
    URSA_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) return out;
    URSA_ASSIGN_OR_RETURN(ResourcePtr r, readRow(*s, *query.type, 0));
    if (!paged && !matchesFilters(*r, query)) continue;
    out.push_back(std::move(r));
  }
}

absl::StatusOr<size_t> SqliteStore::count(const ListQuery& query) const {
  URSA_ASSIGN_OR_RETURN(Statement * s, db_->cached(strCat("SELECT COUNT(*)", kListWhere)));
  Reset reset(s);
  bindListQuery(*s, query);
  URSA_ASSIGN_OR_RETURN(bool row, s->step());
  return row ? static_cast<size_t>(s->integer(0)) : 0;
}

absl::StatusOr<ListResult> SqliteStore::list(const ListQuery& query) const {
  URSA_RETURN_IF_ERROR(checkQuery(query));
  std::lock_guard lock(mu_);
  if (needsDecodeToFilter(query)) {
    URSA_ASSIGN_OR_RETURN(auto all, selectAll(query, /*paged=*/false));
    return pageOf(std::move(all), query);
  }
  ListResult out;
  URSA_ASSIGN_OR_RETURN(out.items, selectAll(query, /*paged=*/true));
  URSA_ASSIGN_OR_RETURN(out.total, count(query));
  size_t end = query.offset + out.items.size();
  if (end < out.total) out.next_offset = end;
  return out;
}

WatchHandlePtr SqliteStore::watch(ChangeListener listener) {
  return watchers_.add(std::move(listener));
}

}  // namespace ursa::store
