/**
 * The platform's side of isolated databases, run with the admin connection in the platform
 * namespace `databases` (`sh -c <script> beta-database-admin prepare|reap`, psql from the same
 * pinned image as the tenant's Jobs). The tests run this very script against a real server,
 * as an admin that is not a superuser (a managed server such as RDS gives none).
 *
 * Acting as a tenant: dropping a database, commenting on it and REASSIGN/DROP OWNED need the
 * privileges of its owner (https://www.postgresql.org/docs/15/sql-dropdatabase.html "Only the
 * database owner can execute this command"; https://www.postgresql.org/docs/15/sql-comment.html;
 * https://www.postgresql.org/docs/15/sql-reassign-owned.html). A non-superuser admin gets them
 * by granting itself membership of that tenant role, which CREATEROLE allows: on 14 and 15 for
 * any role that is not a superuser, on 16+ for the roles it created, of which it holds ADMIN
 * OPTION (https://www.postgresql.org/docs/16/sql-createrole.html; createrole_self_grant, new
 * in 16, only automates "the grant [that] can also be performed explicitly": PostgreSQL commit
 * e5b8a4c, https://www.postgresql.org/docs/16/runtime-config-client.html#GUC-CREATEROLE-SELF-GRANT).
 * Proven here on 15 (test/database/platform-admin.test.ts). A member inherits the
 * owner's privileges, CONNECT included, so the admin can also connect to a tenant database
 * whose CONNECT was revoked from PUBLIC (CONNECT "is checked at connection startup"
 * against the login role and the roles it inherits from:
 * https://www.postgresql.org/docs/15/ddl-priv.html, https://www.postgresql.org/docs/15/role-membership.html).
 * Only roles marked `beta tenant` are ever taken.
 */
import { DATABASE_PREFIX, TENANT_ROLE_COMMENT, sqlFunction } from "./database-sql";

/** The admin takes the privileges of the tenant roles in :'roles' (comma-separated) it lacks. */
export const ACT_AS_TENANTS_SQL = `SELECT format('GRANT %I TO %I', rolname, current_user) FROM pg_roles r
  WHERE rolname = ANY (string_to_array(:'roles', ',')) AND shobj_description(r.oid, 'pg_authid') = '${TENANT_ROLE_COMMENT}'
    AND NOT pg_has_role(current_user, r.oid, 'USAGE') \\gexec`;

/** Every non-system schema, relation, routine and type in the template, owned by pg_database_owner; nothing granted to PUBLIC. */
export const OWN_TEMPLATE_OBJECTS_SQL = `DO $beta$
DECLARE r record;
BEGIN
  FOR r IN SELECT nspname FROM pg_namespace n WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e') LOOP
    EXECUTE format('ALTER SCHEMA %I OWNER TO pg_database_owner', r.nspname);
    EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', r.nspname);
  END LOOP;
  -- Sequences owned by a column (serial, identity) follow their table.
  FOR r IN SELECT c.oid::regclass AS rel, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
          AND (d.deptype = 'e' OR (c.relkind = 'S' AND d.deptype IN ('a', 'i')))) LOOP
    EXECUTE format('ALTER %s %s OWNER TO pg_database_owner',
      CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, r.rel);
    EXECUTE format('REVOKE ALL ON %s %s FROM PUBLIC', CASE r.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, r.rel);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' AND p.prokind IN ('f', 'p')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e') LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO pg_database_owner', r.fn);
    EXECUTE format('REVOKE ALL ON ROUTINE %s FROM PUBLIC', r.fn);
  END LOOP;
  FOR r IN SELECT t.oid::regtype AS typ, t.typtype FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' AND t.typtype IN ('d', 'e', 'r')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e') LOOP
    EXECUTE format('ALTER %s %s OWNER TO pg_database_owner', CASE r.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, r.typ);
  END LOOP;
END
$beta$;`;

/** The template: clonable by any CREATEDB role, connectable by none but its owner. */
export const MARK_TEMPLATE_SQL = `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'template') AS template_exists \\gset
\\if :template_exists
\\else
\\echo 'beta-database: the template database' :'template' 'does not exist; create and seed it first (see README, "Isolated databases")'
\\q
\\endif
ALTER DATABASE :"template" IS_TEMPLATE true;
REVOKE ALL ON DATABASE :"template" FROM PUBLIC;`;

/**
 * One tenant role: LOGIN and CREATEDB, nothing else (so it may clone the template and own
 * its clone), marked as Beta's so the platform never touches another role. A role made by
 * CREATE ROLE is NOSUPERUSER NOREPLICATION NOBYPASSRLS, and only a superuser may even name
 * those attributes (PostgreSQL 15, src/backend/commands/user.c AlterRole: "must be superuser
 * to alter superuser roles or change superuser attribute"), so they are set only where a role
 * somehow has them, which then fails for a non-superuser admin instead of leaving it so.
 */
export const TENANT_ROLE_SQL = `SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \\gexec
ALTER ROLE :"role" WITH LOGIN CREATEDB INHERIT NOCREATEROLE PASSWORD :'password';
SELECT format('ALTER ROLE %I NOSUPERUSER NOREPLICATION NOBYPASSRLS', rolname) FROM pg_roles
  WHERE rolname = :'role' AND (rolsuper OR rolreplication OR rolbypassrls) \\gexec
COMMENT ON ROLE :"role" IS '${TENANT_ROLE_COMMENT}';`;

/** A tenant role, by the only names Beta gives them; the shell loops over these names. */
const TENANT_ROLE_WHERE = `shobj_description(r.oid, 'pg_authid') = '${TENANT_ROLE_COMMENT}' AND r.rolname ~ '^beta_[a-z0-9-]+$'`;

/** Tenant roles no longer listed in :'keep_roles', one a line. */
export const DEPARTED_ROLES_SQL = `SELECT rolname FROM pg_roles r WHERE ${TENANT_ROLE_WHERE}
  AND NOT (rolname = ANY (string_to_array(:'keep_roles', ','))) ORDER BY 1;`;

/** Every database :'role' owns (its clone, and any it made with CREATEDB). */
export const DROP_ROLE_DATABASES_SQL = `SELECT format('ALTER DATABASE %I IS_TEMPLATE false', d.datname), format('DROP DATABASE %I WITH (FORCE)', d.datname)
  FROM pg_database d WHERE d.datdba = (SELECT oid FROM pg_roles WHERE rolname = :'role') \\gexec`;

/**
 * Beta databases (owned by a tenant role) where :'role' still owns objects or holds
 * privileges, e.g. another tenant granted it SELECT on a table: pg_shdepend records both, per
 * database (https://www.postgresql.org/docs/15/catalog-pg-shdepend.html). One `database owner`
 * a line. Shared objects (dbid 0) and the maintenance database are handled where the role is
 * dropped.
 */
export const DEPENDENT_TENANT_DATABASES_SQL = `SELECT DISTINCT d.datname, r.rolname FROM pg_shdepend s
  JOIN pg_database d ON d.oid = s.dbid JOIN pg_roles r ON r.oid = d.datdba
  WHERE s.refclassid = 'pg_authid'::regclass AND s.refobjid = (SELECT oid FROM pg_roles WHERE rolname = :'role')
    AND ${TENANT_ROLE_WHERE} AND d.datname ~ '^beta_[a-z0-9_-]+$' AND d.datname <> :'maintenance_db' ORDER BY 1;`;

/**
 * Run in each such database: what :'role' owns there goes to the database's owner (the tenant
 * whose data it is), then its privileges there are revoked. "REASSIGN OWNED and DROP OWNED
 * ... must be executed in each database" (https://www.postgresql.org/docs/15/role-removal.html).
 */
export const RELEASE_ROLE_SQL = `SELECT format('REASSIGN OWNED BY %I TO %I', :'role', pg_get_userbyid(datdba)) FROM pg_database WHERE datname = current_database() \\gexec
DROP OWNED BY :"role";`;

/**
 * Databases where :'role' still has objects or privileges once the Beta databases are done:
 * ones Beta never changes, the maintenance database included (so the DROP OWNED run there
 * touches only privileges on shared objects).
 */
export const FOREIGN_DEPENDENCIES_SQL = `SELECT DISTINCT d.datname FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid
  WHERE s.refclassid = 'pg_authid'::regclass AND s.refobjid = (SELECT oid FROM pg_roles WHERE rolname = :'role') ORDER BY 1;`;

/**
 * In the maintenance database, where the role has nothing left by then: DROP OWNED also
 * revokes the role's privileges on shared objects (databases, tablespaces;
 * https://www.postgresql.org/docs/15/sql-drop-owned.html), e.g. CONNECT on another tenant's
 * database; then the role goes.
 */
export const DROP_ROLE_SQL = `DROP OWNED BY :"role";
DROP ROLE :"role";`;

/**
 * Orphans, for `beta db reap --yes`: Beta clones (a tenant-owned database named `beta_<name>`)
 * not named in :'keep_databases'. The template and every other database are never candidates.
 */
const ORPHAN_WHERE = `shobj_description(r.oid, 'pg_authid') = '${TENANT_ROLE_COMMENT}' AND d.datname = r.rolname
    AND d.datname <> :'template' AND NOT (d.datname = ANY (string_to_array(:'keep_databases', ',')))`;
export const ORPHAN_DATABASES_SQL = `SELECT coalesce(string_agg(r.rolname, ','), '') AS roles FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE ${ORPHAN_WHERE} \\gset
${ACT_AS_TENANTS_SQL}
SELECT format('ALTER DATABASE %I IS_TEMPLATE false', d.datname), format('DROP DATABASE %I WITH (FORCE)', d.datname)
  FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba
  WHERE ${ORPHAN_WHERE} \\gexec`;

/** Where the scheduled reap remembers when it first saw a database unclaimed: a key of its COMMENT's JSON. */
export const ORPHAN_MARK_KEY = "orphanSeenAt";

/**
 * The scheduled reap (the platform's CronJob): the Beta databases whose claim was confirmed
 * present (:'present') lose any orphan mark; those confirmed absent (:'absent') are marked the
 * first time, kept while the mark is younger than :'grace_seconds', and dropped after. A
 * database in neither list is not touched, so an unanswered check never drops data. The mark
 * lives server-side, in the database's COMMENT (JSON, next to what the clone recorded), and
 * uses the server's clock, so the runs need no state of their own. DROP DATABASE cannot run
 * in a transaction block (sql-dropdatabase.html), so the DO block only decides and the drops
 * follow it.
 */
export const REAP_UNCLAIMED_SQL = `SET beta.present TO :'present';
SET beta.absent TO :'absent';
SET beta.grace_seconds TO :'grace_seconds';
SET beta.template TO :'template';
SET beta.drop TO '';
DO $beta$
DECLARE
  r record;
  info jsonb;
  seen timestamptz;
  present text[] := string_to_array(current_setting('beta.present'), ',');
  absent text[] := string_to_array(current_setting('beta.absent'), ',');
  grace interval := make_interval(secs => current_setting('beta.grace_seconds')::int);
  doomed text[] := '{}';
BEGIN
  FOR r IN SELECT d.datname, o.rolname AS owner, o.oid AS owner_oid, shobj_description(d.oid, 'pg_database') AS note
      FROM pg_database d JOIN pg_roles o ON o.oid = d.datdba
      WHERE shobj_description(o.oid, 'pg_authid') = '${TENANT_ROLE_COMMENT}' AND d.datname = o.rolname
        AND d.datname <> current_setting('beta.template') AND (d.datname = ANY (present) OR d.datname = ANY (absent))
      ORDER BY 1 LOOP
    -- The tenant owns its COMMENT and may have written anything there.
    BEGIN info := coalesce(r.note, '{}')::jsonb; EXCEPTION WHEN others THEN info := NULL; END;
    IF info IS NULL OR jsonb_typeof(info) <> 'object' THEN info := jsonb_build_object('note', r.note); END IF;
    BEGIN seen := (info ->> '${ORPHAN_MARK_KEY}')::timestamptz; EXCEPTION WHEN others THEN seen := NULL; END;
    IF NOT pg_has_role(current_user, r.owner_oid, 'USAGE') THEN EXECUTE format('GRANT %I TO %I', r.owner, current_user); END IF;
    IF r.datname = ANY (present) THEN
      IF info ? '${ORPHAN_MARK_KEY}' THEN
        EXECUTE format('COMMENT ON DATABASE %I IS %L', r.datname, (info - '${ORPHAN_MARK_KEY}')::text);
        RAISE NOTICE 'beta-reap: % is claimed again; its orphan mark is cleared', r.datname;
      END IF;
    ELSIF seen IS NULL THEN
      EXECUTE format('COMMENT ON DATABASE %I IS %L', r.datname,
        (info || jsonb_build_object('${ORPHAN_MARK_KEY}', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')))::text);
      RAISE NOTICE 'beta-reap: % has no claim; marked, and dropped if still unclaimed in % s', r.datname, current_setting('beta.grace_seconds');
    ELSIF now() - seen >= grace THEN
      doomed := doomed || r.datname::text;
    ELSE
      RAISE NOTICE 'beta-reap: % has had no claim since %; kept until % s have passed', r.datname, info ->> '${ORPHAN_MARK_KEY}', current_setting('beta.grace_seconds');
    END IF;
  END LOOP;
  PERFORM set_config('beta.drop', array_to_string(doomed, ','), false);
END
$beta$;
SELECT format('ALTER DATABASE %I IS_TEMPLATE false', n), format('DROP DATABASE %I WITH (FORCE)', n)
  FROM unnest(string_to_array(current_setting('beta.drop'), ',')) n \\gexec`;

/** The scheduled reap's default: a database is dropped once unclaimed for this long, over at least two runs. */
export const DEFAULT_ORPHAN_GRACE_SECONDS = 30 * 60;

/**
 * The platform's script, run with the admin connection in a platform namespace:
 * `prepare` (tenant roles from the password files in $BETA_TENANTS_DIR, departed tenants
 * dropped, template owned by pg_database_owner and marked) and `reap`: with $BETA_CLAIMS_DIR
 * (one file per developer: `present`, `absent`, or anything else for unknown), the scheduled,
 * graceful reap; otherwise drop at once the Beta clones not named in $BETA_KEEP_DATABASES
 * (comma-separated; `beta db reap --yes`).
 */
export function platformDatabaseScript(): string {
  return `set -eu
action="\${1:?usage: beta-database-admin prepare|reap}"
: "\${BETA_TEMPLATE:?}"
export PGCONNECT_TIMEOUT="\${PGCONNECT_TIMEOUT:-10}"
maintenance="\${BETA_MAINTENANCE_DATABASE:-postgres}"
export PGAPPNAME="beta-database-admin"
log() { echo "beta-database-admin: $*" >&2; }
q() { psql -X -q -v ON_ERROR_STOP=1 -v template="$BETA_TEMPLATE" -v maintenance_db="$maintenance" "$@"; }
${sqlFunction("sql_tenant_role", TENANT_ROLE_SQL)}
${sqlFunction("sql_act_as_tenants", ACT_AS_TENANTS_SQL)}
${sqlFunction("sql_departed_roles", DEPARTED_ROLES_SQL)}
${sqlFunction("sql_drop_role_databases", DROP_ROLE_DATABASES_SQL)}
${sqlFunction("sql_dependent_tenant_databases", DEPENDENT_TENANT_DATABASES_SQL)}
${sqlFunction("sql_release_role", RELEASE_ROLE_SQL)}
${sqlFunction("sql_foreign_dependencies", FOREIGN_DEPENDENCIES_SQL)}
${sqlFunction("sql_drop_role", DROP_ROLE_SQL)}
${sqlFunction("sql_mark_template", MARK_TEMPLATE_SQL)}
${sqlFunction("sql_own_template_objects", OWN_TEMPLATE_OBJECTS_SQL)}
${sqlFunction("sql_orphan_databases", ORPHAN_DATABASES_SQL)}
${sqlFunction("sql_reap_unclaimed", REAP_UNCLAIMED_SQL)}

# Tenants no longer listed: their databases first (a role that owns one cannot be dropped),
# then what they own or were granted in other Beta databases, then the role itself.
depart() {
  departed=$(sql_departed_roles | q -d "$maintenance" -tA -v keep_roles="$1")
  [ -n "$departed" ] || return 0
  for role in $departed; do
    sql_act_as_tenants | q -d "$maintenance" -v roles="$role"
    sql_drop_role_databases | q -d "$maintenance" -v role="$role"
    log "dropped the databases of departed tenant $role"
  done
  kept=""
  for role in $departed; do
    # Read first, so a failed query fails the Job (a pipeline's status is its last command's).
    dependents=$(sql_dependent_tenant_databases | q -d "$maintenance" -tA -F ' ' -v role="$role")
    echo "$dependents" | while read -r database owner; do
      [ -n "$database" ] || continue
      sql_act_as_tenants | q -d "$maintenance" -v roles="$owner"
      sql_release_role | q -d "$database" -v role="$role"
      log "$role's objects in $database now belong to $owner; its privileges there are revoked"
    done
    foreign=$(sql_foreign_dependencies | q -d "$maintenance" -tA -v role="$role" | tr '\\n' ' ')
    if [ -n "$foreign" ]; then
      log "kept role $role: it still owns objects or holds privileges in $foreign(not Beta databases, which Beta never changes). Revoke them there, or run REASSIGN OWNED BY $role / DROP OWNED BY $role in each, then run prepare again."
      kept="$kept $role"
      continue
    fi
    sql_drop_role | q -d "$maintenance" -v role="$role"
    log "dropped departed tenant role $role"
  done
  if [ -n "$kept" ]; then exit 5; fi
}

prepare() {
  : "\${BETA_TENANTS_DIR:?}"
  # The template first: a wrong setting must fail before any role is created or dropped.
  out=$(sql_mark_template | q -d "$maintenance" 2>&1) || { echo "$out" >&2; exit 1; }
  case "$out" in *"does not exist"*) echo "$out" >&2; exit 3 ;; esac
  keep=""
  for file in "$BETA_TENANTS_DIR"/*; do
    [ -f "$file" ] || continue
    role="${DATABASE_PREFIX}$(basename "$file")"
    sql_tenant_role | q -d "$maintenance" -v role="$role" -v password="$(cat "$file")"
    keep="\${keep:+$keep,}$role"
    log "role $role ready"
  done
  depart "$keep"
  sql_own_template_objects | q -d "$BETA_TEMPLATE"
  log "template $BETA_TEMPLATE ready: owned by pg_database_owner, IS_TEMPLATE, no CONNECT for PUBLIC"
}

# The scheduled reap: only a claim confirmed absent counts; anything else keeps the database.
reap_unclaimed() {
  present=""
  absent=""
  for file in "$BETA_CLAIMS_DIR"/*; do
    [ -f "$file" ] || continue
    database="${DATABASE_PREFIX}$(basename "$file")"
    state=$(cat "$file")
    case "$state" in
      present) present="\${present:+$present,}$database" ;;
      absent) absent="\${absent:+$absent,}$database" ;;
      *) log "the claim of $database could not be read ($state); $database is kept and its mark left as it is" ;;
    esac
  done
  out=$(sql_reap_unclaimed | q -d "$maintenance" -v present="$present" -v absent="$absent" \
    -v grace_seconds="\${BETA_ORPHAN_GRACE_SECONDS:-${DEFAULT_ORPHAN_GRACE_SECONDS}}" -e 2>&1) || { echo "$out" >&2; exit 1; }
  echo "$out" | sed -n 's/^.*NOTICE: *\\(beta-reap: .*\\)$/\\1/p; /^DROP DATABASE/p' >&2
  echo "$out" | grep -q '^DROP DATABASE' || log "no database has been unclaimed for the grace period"
}

reap() {
  if [ -n "\${BETA_CLAIMS_DIR:-}" ]; then reap_unclaimed; return; fi
  out=$(sql_orphan_databases | q -d "$maintenance" -v keep_databases="\${BETA_KEEP_DATABASES:-}" -e 2>&1) || { echo "$out" >&2; exit 1; }
  echo "$out" | grep '^DROP DATABASE' >&2 || log "no orphan databases"
}

case "$action" in
  prepare) prepare ;;
  reap) reap ;;
  *) log "unknown action $action (prepare, reap)"; exit 2 ;;
esac
`;
}
