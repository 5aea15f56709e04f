/**
 * Claims: how the platform learns which isolated databases still have a Beta, so a Beta
 * destroyed by a plain `pulumi destroy` (or switched back to `shared`) loses its database too.
 * A Job cannot run when Pulumi deletes a resource, so the drop is level-triggered: the Beta's
 * stack declares the ConfigMap `database-claim` in its namespace (removed with the stack), and
 * the platform's scheduled reap reads each tenant's claim and drops, after a grace period,
 * the databases whose claim is confirmed gone (lib/database-admin.ts).
 *
 * The reap's pod reads the claims with the Kubernetes API over HTTPS and its service-account
 * token, as "Accessing the Kubernetes API from a Pod" does without a proxy
 * (https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/#without-using-a-proxy:
 * the token and `ca.crt` from a mounted service-account volume, `https://kubernetes.default.svc`).
 * It does so in an init container of a pinned curl image (the curl project's own,
 * https://github.com/curl/curl-container, Alpine with /bin/sh), writing one file per developer
 * into an emptyDir the psql container reads: the postgres image has no HTTPS client, and the
 * kubectl image Kubernetes publishes is distroless, with no shell to write a file
 * (kubernetes/kubernetes build/common.sh: KUBECTL_BASE_IMAGE defaults to
 * gcr.io/distroless/static).
 */
import { betaNamespace } from "./names";

/** The marker a Beta with an isolated database declares in `beta-<name>`. */
export const DATABASE_CLAIM = "database-claim";
/** ClusterRole: `get` on ConfigMaps named `database-claim`, bound in each tenant namespace only. */
export const CLAIM_READER_ROLE = "beta-database-claim-reader";
/** The scheduled reap's ServiceAccount, in namespace `databases`. */
export const REAPER_SERVICE_ACCOUNT = "database-reaper";
/** Pinned: a moving tag would change what reads the claims. */
export const DEFAULT_CLAIMS_IMAGE = "curlimages/curl:8.11.1";
/** Every 15 minutes; with the default grace of 30 minutes a database is seen unclaimed by three runs before it goes. */
export const DEFAULT_REAP_SCHEDULE = "*/15 * * * *";

/** The claim's API path, for one developer. */
export function claimPath(developer: string): string {
  return `/api/v1/namespaces/${betaNamespace(developer)}/configmaps/${DATABASE_CLAIM}`;
}

/**
 * The init container's script: for each developer of $BETA_DEVELOPERS (comma-separated), GET
 * its claim and write `present` (200), `absent` (404 for that very ConfigMap) or
 * `unknown <code>` to $BETA_CLAIMS_DIR/<developer>. Only a NotFound Status naming the
 * ConfigMap counts as absent: apimachinery's NewNotFound sets `reason: NotFound` and
 * `details.kind` to the resource (staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go),
 * whereas a wrong path answers 404 with no such details, and a Forbidden (no RoleBinding yet)
 * or a timeout is unknown. The reap drops nothing on unknown.
 */
export function claimsScript(): string {
  return `set -eu
: "\${BETA_DEVELOPERS?}" "\${BETA_CLAIMS_DIR:?}" "\${BETA_TOKEN_FILE:?}" "\${BETA_CA_FILE:?}"
api="\${BETA_API_SERVER:-https://kubernetes.default.svc}"
body="$BETA_CLAIMS_DIR/.body"
for developer in $(echo "$BETA_DEVELOPERS" | tr ',' ' '); do
  code=$(curl -sS -o "$body" -w '%{http_code}' --max-time 10 --cacert "$BETA_CA_FILE" \\
    -H "Authorization: Bearer $(cat "$BETA_TOKEN_FILE")" "$api/api/v1/namespaces/beta-$developer/configmaps/${DATABASE_CLAIM}") || code="error"
  case "$code" in
    200) state=present ;;
    404) if grep -q '"reason":"NotFound"' "$body" && grep -q '"kind":"configmaps"' "$body"; then state=absent; else state="unknown 404 without the ConfigMap's NotFound"; fi ;;
    *) state="unknown $code" ;;
  esac
  echo "$state" > "$BETA_CLAIMS_DIR/$developer"
  echo "beta-claims: beta-$developer: $state" >&2
done
rm -f "$body"
`;
}
