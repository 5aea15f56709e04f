/**
 * Every statement Beta runs on a shared PostgreSQL server, and the one shell script the
 * database Jobs run (`sh -c <script> beta-database <action>` with psql from a pinned postgres
 * image). The tests run this very script against a real server.
 *
 * Design (proven in test/database/): the platform keeps the template with every object owned
 * by the predefined role `pg_database_owner`, whose only member is the owner of the current
 * database, "so once pg_database_owner has rights within a template database, each owner of a
 * database instantiated from that template will exercise those rights"
 * (https://www.postgresql.org/docs/15/predefined-roles.html). A tenant role with CREATEDB
 * clones it (any CREATEDB role may clone a database marked IS_TEMPLATE:
 * https://www.postgresql.org/docs/15/manage-ag-templatedbs.html), owns the clone, and so owns
 * its objects, with no platform step after the clone.
 *
 * Identifiers and literals reach SQL only as psql variables (`:"db"`, `:'db'`), which psql
 * quotes (https://www.postgresql.org/docs/15/app-psql.html#APP-PSQL-INTERPOLATION), and
 * names come from the validated developer name.
 */
import { DEVELOPER_NAME_MAX, assertDeveloperName } from "./names";

/** Prefix of every tenant role and database; nothing else on the server is touched. */
export const DATABASE_PREFIX = "beta_";
export const DEFAULT_TEMPLATE_DATABASE = "beta_template";
/** Where the tenant connects to run CREATE/DROP DATABASE: it never connects to the template. */
export const DEFAULT_MAINTENANCE_DATABASE = "postgres";
/** psql and sh, pinned: a moving tag would change what every clone Job runs. */
export const DEFAULT_DATABASE_IMAGE = "postgres:17.6-alpine";
/** PostgreSQL caps identifiers at 63 bytes (NAMEDATALEN - 1). */
const IDENTIFIER_MAX = 63;
/** Marks a role Beta created (a role comment), so the platform never drops another role. */
export const TENANT_ROLE_COMMENT = "beta tenant";

/** Role and database of developer `name`: both are `beta_<name>`. */
export function tenantDatabaseName(name: string): string {
  return DATABASE_PREFIX + assertDeveloperName(name);
}

// A developer name at its limit still makes a valid identifier.
if ((DATABASE_PREFIX + "x".repeat(DEVELOPER_NAME_MAX)).length > IDENTIFIER_MAX) {
  throw new Error("beta_<name> would exceed PostgreSQL's identifier limit");
}

export type DatabaseAction = "clone" | "reset" | "drop" | "status";
export const DATABASE_ACTIONS: readonly DatabaseAction[] = ["clone", "reset", "drop", "status"];
export type CloneStrategy = "FILE_COPY" | "WAL_LOG";

/** The env the tenant script reads, besides libpq's PGHOST, PGPORT, PGUSER, PGPASSWORD. */
export interface TenantScriptEnv {
  BETA_DATABASE: string;
  BETA_TEMPLATE: string;
  BETA_STRATEGY: CloneStrategy;
  /** Attempts while the template is in use by another session (PostgreSQL waits 5 s each). */
  BETA_CLONE_ATTEMPTS: string;
  BETA_RETRY_SECONDS: string;
  BETA_MAINTENANCE_DATABASE: string;
}

export function tenantScriptEnv(options: {
  database: string;
  template?: string;
  strategy?: CloneStrategy;
  cloneAttempts?: number;
  retrySeconds?: number;
  maintenanceDatabase?: string;
}): TenantScriptEnv {
  return {
    BETA_DATABASE: options.database,
    BETA_TEMPLATE: options.template ?? DEFAULT_TEMPLATE_DATABASE,
    BETA_STRATEGY: options.strategy ?? "FILE_COPY",
    BETA_CLONE_ATTEMPTS: String(options.cloneAttempts ?? 6),
    BETA_RETRY_SECONDS: String(options.retrySeconds ?? 5),
    BETA_MAINTENANCE_DATABASE: options.maintenanceDatabase ?? DEFAULT_MAINTENANCE_DATABASE,
  };
}

/** `t|t` when the database exists, accepts connections, and is the current role's. */
export const DATABASE_STATE_SQL = `SELECT datallowconn, pg_get_userbyid(datdba) = current_user FROM pg_database WHERE datname = :'db';`;

/**
 * The clone: closed to every connection until its CONNECT is revoked from PUBLIC, so no other
 * role can connect in any window. A new database's ACL is the default (PUBLIC may CONNECT);
 * it is not copied from the template (checked in test/database/).
 * ALLOW_CONNECTIONS: https://www.postgresql.org/docs/15/sql-createdatabase.html
 */
export const CREATE_CLONE_SQL = `CREATE DATABASE :"db" TEMPLATE :"template" :strategy_clause ALLOW_CONNECTIONS false;`;

/** CONNECT, TEMP and CREATE only for the owner; the owner itself keeps them as owner. */
export const REVOKE_PUBLIC_SQL = `REVOKE ALL ON DATABASE :"db" FROM PUBLIC;`;

/** Seals a fresh clone, records where it came from (for `beta db status`), then opens it. */
export const SEAL_CLONE_SQL = `${REVOKE_PUBLIC_SQL}
SELECT format('COMMENT ON DATABASE %I IS %L', :'db', json_build_object(
  'template', :'template',
  'templateVersion', coalesce(shobj_description(oid, 'pg_database'), ''),
  'clonedAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
)::text) FROM pg_database WHERE datname = :'template' \\gexec
ALTER DATABASE :"db" ALLOW_CONNECTIONS true;`;

/**
 * The owner may drop its database, ending its sessions (WITH (FORCE), PostgreSQL 13+:
 * https://www.postgresql.org/docs/15/sql-dropdatabase.html); a template cannot be dropped, and
 * the owner may have marked it one.
 */
export const DROP_DATABASE_SQL = `SELECT format('ALTER DATABASE %I IS_TEMPLATE false', datname) FROM pg_database WHERE datname = :'db' AND datistemplate \\gexec
DROP DATABASE IF EXISTS :"db" WITH (FORCE);`;

/** One JSON line: size, where it was cloned from and when. */
export const STATUS_SQL = `SELECT json_build_object(
  'database', datname,
  'exists', true,
  'sizeBytes', pg_database_size(oid),
  'clone', coalesce(shobj_description(oid, 'pg_database'), '{}')::json
) FROM pg_database WHERE datname = :'db';`;

/** Who holds the template open, for the message when cloning keeps failing. */
export const TEMPLATE_SESSIONS_SQL = `SELECT count(*) || ' session(s) of ' || coalesce(string_agg(DISTINCT usename, ', '), 'unknown roles') FROM pg_stat_activity WHERE datname = :'template';`;

/** A shell function printing `sql`; the script pipes it into psql (`sql_x | q`). */
const sqlFunction = (name: string, sql: string) => `${name}() {\n  cat <<'BETA_SQL'\n${sql}\nBETA_SQL\n}`;

/**
 * The tenant's script: `clone` (idempotent), `reset` (drop + clone), `drop`, `status`. It runs
 * as the tenant role, never with the admin connection.
 */
export function tenantDatabaseScript(): string {
  return `set -eu
action="\${1:?usage: beta-database clone|reset|drop|status}"
: "\${BETA_DATABASE:?}" "\${BETA_TEMPLATE:?}" "\${BETA_STRATEGY:?}"
attempts="\${BETA_CLONE_ATTEMPTS:-6}"
retry_seconds="\${BETA_RETRY_SECONDS:-5}"
# A server that does not answer fails the Job, never hangs it.
export PGCONNECT_TIMEOUT="\${PGCONNECT_TIMEOUT:-10}"
export PGDATABASE="\${BETA_MAINTENANCE_DATABASE:-postgres}"
export PGAPPNAME="beta-database"
log() { echo "beta-database: $*" >&2; }
q() { psql -X -q -v ON_ERROR_STOP=1 -v db="$BETA_DATABASE" -v template="$BETA_TEMPLATE" "$@"; }
${sqlFunction("sql_state", DATABASE_STATE_SQL)}
${sqlFunction("sql_revoke_public", REVOKE_PUBLIC_SQL)}
${sqlFunction("sql_create_clone", CREATE_CLONE_SQL)}
${sqlFunction("sql_seal_clone", SEAL_CLONE_SQL)}
${sqlFunction("sql_drop", DROP_DATABASE_SQL)}
${sqlFunction("sql_status", STATUS_SQL)}
${sqlFunction("sql_template_sessions", TEMPLATE_SESSIONS_SQL)}

strategy_clause() {
  version=$(q -tA -c 'SHOW server_version_num')
  if [ "$version" -ge 150000 ]; then
    case "$BETA_STRATEGY" in FILE_COPY|WAL_LOG) echo "STRATEGY $BETA_STRATEGY" ;; *) log "BETA_STRATEGY must be FILE_COPY or WAL_LOG"; exit 2 ;; esac
  elif [ "$version" -ge 140000 ]; then
    log "warning: PostgreSQL $version has no STRATEGY option; CREATE DATABASE copies the template's files (as FILE_COPY does)"
    echo ""
  else
    log "PostgreSQL $version is too old: isolated databases need 14 or newer (the predefined role pg_database_owner)"
    exit 2
  fi
}

drop() {
  sql_drop | q
  log "dropped $BETA_DATABASE"
}

clone() {
  state=$(sql_state | q -tA)
  case "$state" in
    "t|t") sql_revoke_public | q; log "$BETA_DATABASE exists; nothing to do"; return 0 ;;
    "f|t") log "$BETA_DATABASE is left from an interrupted clone; cloning it again"; drop ;;
    "") ;;
    *) log "$BETA_DATABASE exists and belongs to another role; refusing to touch it"; exit 3 ;;
  esac
  clause=$(strategy_clause)
  attempt=1
  while :; do
    if err=$(sql_create_clone | q -v strategy_clause="$clause" 2>&1); then break; fi
    case "$err" in
      *"is being accessed by other users"*)
        if [ "$attempt" -ge "$attempts" ]; then
          holders=$(sql_template_sessions | q -tA || echo "unknown sessions")
          log "cannot clone $BETA_TEMPLATE: it is in use by $holders after $attempts attempts. A clone needs the template idle; the platform may be refreshing it. Try again later (beta db reset)."
          exit 4
        fi
        log "$BETA_TEMPLATE is in use by another session; attempt $attempt of $attempts, retrying in \${retry_seconds}s"
        attempt=$((attempt + 1))
        sleep "$retry_seconds" ;;
      *) echo "$err" >&2; exit 1 ;;
    esac
  done
  sql_seal_clone | q
  log "cloned $BETA_TEMPLATE into $BETA_DATABASE"
}

case "$action" in
  clone) clone ;;
  reset) drop; clone ;;
  drop) drop ;;
  status)
    out=$(sql_status | q -tA)
    if [ -n "$out" ]; then echo "$out"; else printf '{"database":"%s","exists":false}\\n' "$BETA_DATABASE"; fi ;;
  *) log "unknown action $action (clone, reset, drop, status)"; exit 2 ;;
esac
`;
}

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
 * its clone), marked as Beta's so the platform never touches another role.
 */
export const TENANT_ROLE_SQL = `SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \\gexec
ALTER ROLE :"role" WITH LOGIN CREATEDB INHERIT NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'password';
COMMENT ON ROLE :"role" IS '${TENANT_ROLE_COMMENT}';`;

/** Tenants no longer listed: their database, then their role. Only roles Beta marked. */
export const DEPARTED_TENANTS_SQL = `SELECT format('ALTER DATABASE %I IS_TEMPLATE false', d.datname), format('DROP DATABASE %I WITH (FORCE)', d.datname)
  FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba
  WHERE shobj_description(r.oid, 'pg_authid') = '${TENANT_ROLE_COMMENT}' AND r.rolname LIKE 'beta\\_%'
    AND NOT (r.rolname = ANY (string_to_array(:'keep_roles', ','))) \\gexec
SELECT format('DROP ROLE %I', rolname) FROM pg_roles r
  WHERE shobj_description(r.oid, 'pg_authid') = '${TENANT_ROLE_COMMENT}' AND rolname LIKE 'beta\\_%'
    AND NOT (rolname = ANY (string_to_array(:'keep_roles', ','))) \\gexec`;

/**
 * Orphans: Beta clones (a tenant-owned database named `beta_<name>`) whose Beta no longer
 * exists. The template and every other database are never candidates.
 */
export const ORPHAN_DATABASES_SQL = `SELECT format('ALTER DATABASE %I IS_TEMPLATE false', d.datname), format('DROP DATABASE %I WITH (FORCE)', d.datname)
  FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba
  WHERE shobj_description(r.oid, 'pg_authid') = '${TENANT_ROLE_COMMENT}' AND d.datname = r.rolname
    AND d.datname <> :'template' AND NOT (d.datname = ANY (string_to_array(:'keep_databases', ','))) \\gexec`;

/**
 * The platform's script, run with the admin connection in a platform namespace:
 * `prepare` (tenant roles from the password files in $BETA_TENANTS_DIR, departed tenants
 * dropped, template owned by pg_database_owner and marked) and `reap` (drop Beta clones not
 * named in $BETA_KEEP_DATABASES, comma-separated).
 */
export function platformDatabaseScript(): string {
  return `set -eu
action="\${1:?usage: beta-database-admin prepare|reap}"
: "\${BETA_TEMPLATE:?}"
export PGCONNECT_TIMEOUT="\${PGCONNECT_TIMEOUT:-10}"
maintenance="\${BETA_MAINTENANCE_DATABASE:-postgres}"
export PGAPPNAME="beta-database-admin"
log() { echo "beta-database-admin: $*" >&2; }
q() { psql -X -q -v ON_ERROR_STOP=1 -v template="$BETA_TEMPLATE" "$@"; }
${sqlFunction("sql_tenant_role", TENANT_ROLE_SQL)}
${sqlFunction("sql_departed_tenants", DEPARTED_TENANTS_SQL)}
${sqlFunction("sql_mark_template", MARK_TEMPLATE_SQL)}
${sqlFunction("sql_own_template_objects", OWN_TEMPLATE_OBJECTS_SQL)}
${sqlFunction("sql_orphan_databases", ORPHAN_DATABASES_SQL)}

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
  sql_departed_tenants | q -d "$maintenance" -v keep_roles="$keep"
  sql_own_template_objects | q -d "$BETA_TEMPLATE"
  log "template $BETA_TEMPLATE ready: owned by pg_database_owner, IS_TEMPLATE, no CONNECT for PUBLIC"
}

reap() {
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
