// Versioned schema migrations of the PostgreSQL store, applied under an
// advisory lock so that control planes starting together migrate once.
// Never edit a released migration: add the next one.

#include "src/store/postgres/postgres_store.h"
#include "ursa/common/strings.h"

namespace ursa::store::pg {
namespace {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

constexpr int64_t kMigrationLock = 0x75727361;  // "ursa"

constexpr Migration kMigrations[] = {
    {1, "resources", R"sql(
CREATE TABLE resources (
  type              text   NOT NULL,
  mesh              text   NOT NULL,  -- '' for global types
  name              text   NOT NULL,
  version           bigint NOT NULL,
  creation_time     bigint NOT NULL,  -- Unix nanoseconds
  modification_time bigint NOT NULL,
  labels            text   NOT NULL,  -- JSON object
  spec              bytea  NOT NULL,  -- protobuf bytes of the spec message
  owner_type        text,
  owner_mesh        text,
  owner_name        text,
  PRIMARY KEY (type, mesh, name)
);
CREATE INDEX resources_by_mesh ON resources (mesh);
CREATE INDEX resources_by_owner ON resources (owner_type, owner_mesh, owner_name);

CREATE FUNCTION ursa_notify_resource_change() RETURNS trigger AS $$
DECLARE
  r resources;
BEGIN
  IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
  PERFORM pg_notify('ursa_resource_changes',
                    json_build_object('type', r.type, 'mesh', r.mesh, 'name', r.name)::text);
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER resources_notify AFTER INSERT OR UPDATE OR DELETE ON resources
  FOR EACH ROW EXECUTE FUNCTION ursa_notify_resource_change();
)sql"},
};

}  // namespace

absl::Status migrate(Connection& c) {
  URSA_RETURN_IF_ERROR(c.exec("BEGIN"));
  auto body = [&]() -> absl::Status {
    URSA_RETURN_IF_ERROR(c.exec("SELECT pg_advisory_xact_lock($1)",
                                {Param::integer(kMigrationLock)}));
    URSA_RETURN_IF_ERROR(c.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)"));
    URSA_ASSIGN_OR_RETURN(auto res,
                          c.query("SELECT COALESCE(MAX(version), 0)::bigint FROM schema_migrations"));
    int64_t current = res.int8(0, 0);
    int newest = kMigrations[std::size(kMigrations) - 1].version;
    if (current > newest) {
      return absl::FailedPreconditionError(strCat(
          "the database schema is version ", current, " but this ursa-cp knows versions up to ",
          newest, "; it was written by a newer ursa-cp"));
    }
    for (const Migration& m : kMigrations) {
      if (m.version <= current) continue;
      URSA_RETURN_IF_ERROR(c.exec(m.sql));
      URSA_RETURN_IF_ERROR(c.exec("INSERT INTO schema_migrations VALUES ($1::int, $2, now())",
                                  {Param::integer(m.version), Param::text(m.name)}));
    }
    return absl::OkStatus();
  };
  absl::Status s = body();
  if (!s.ok()) {
    (void)c.exec("ROLLBACK");
    return s;
  }
  return c.exec("COMMIT");
}

}  // namespace ursa::store::pg
