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
 * The platform's side (tenant roles, the template, departures, reaping) is lib/database-admin.ts.
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
export const sqlFunction = (name: string, sql: string) => `${name}() {\n  cat <<'BETA_SQL'\n${sql}\nBETA_SQL\n}`;

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
