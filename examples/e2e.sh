#!/usr/bin/env bash
# The end-to-end checks of .github/workflows/e2e-kind.yml, one per step, run against the kind
# cluster of examples/kind.yaml through the router at http://<host>.beta.localhost:8080.
# Each check retries for a while (the router resolves a Beta per request, so a change shows
# as soon as its pods are ready) and on failure prints what it asked and what it got.
#
#   bash examples/e2e.sh routes alice bob        # default app and api--<name> answer from beta-<name>
#   bash examples/e2e.sh not-found               # an unknown Beta gets the router's 404 page
#   bash examples/e2e.sh stopped alice api       # scaled to zero: the 503 page; scaled back: answers
#   bash examples/e2e.sh isolation alice bob     # a pod in beta-alice reaches alice's web, not bob's
#   bash examples/e2e.sh edit-web DIR            # a copy of examples/web with an edited page, for beta sync
#   bash examples/e2e.sh synced alice bob        # alice serves the edit, bob does not
#   bash examples/e2e.sh personal-copy alice bob # alice's api reaches her own echo, bob's the shared one
#   bash examples/e2e.sh destroyed alice         # no stack, nothing of the Beta left, namespace kept
#
# Env: E2E_VERSION (routes: the version every app must show), E2E_DOMAIN (beta.localhost),
# E2E_ADDRESS (127.0.0.1) and E2E_PORT (8080): where the router listens on this machine,
# E2E_CONTEXT (kind-beta), E2E_ATTEMPTS (60) and E2E_INTERVAL (2 s): how long a check retries,
# KUBECTL (kubectl), PULUMI (pulumi).
set -euo pipefail

domain="${E2E_DOMAIN:-beta.localhost}"
address="${E2E_ADDRESS:-127.0.0.1}"
port="${E2E_PORT:-8080}"
context="${E2E_CONTEXT:-kind-beta}"
attempts="${E2E_ATTEMPTS:-60}"
interval="${E2E_INTERVAL:-2}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The heading examples/web/page.html starts with, and what edit-web makes of it.
original_heading="Hello from web"
synced_heading="Hello from a synced edit"
# What the shared echo backend (examples/shared/echo.yaml) answers; api relays it.
echo_text="hello from the shared echo service"
# What a Beta's personal copy of echo answers (examples/echo/server.js), followed by its namespace.
copy_text="hello from echo, the personal copy in"

kube() { "${KUBECTL:-kubectl}" --context "$context" "$@"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
pass() { echo "ok: $*"; }

# GET http://<host>:<port><path> through the router; sets STATUS (000: no answer) and BODY.
# --resolve sends <host> to the router without DNS (curl 7.85.0 and newer also resolve
# *.localhost to loopback by themselves, curl/curl#9296).
get() {
  local host="$1" path="${2:-/}" out
  out="$(curl -sS --max-time 10 --noproxy "*" --resolve "$host:$port:$address" -H "Accept: text/html" \
    -w $'\n%{http_code}' "http://$host:$port$path" 2>&1)" || true
  STATUS="${out##*$'\n'}"
  BODY="${out%$'\n'*}"
}

# expect <status> <host> [+text | -text]...: retries until the answer has the status, holds
# every +text and none of the -texts.
expect() {
  local want="$1" host="$2" try problem
  shift 2
  for ((try = 1; try <= attempts; try++)); do
    get "$host" /
    problem=""
    [[ "$STATUS" == "$want" ]] || problem="status $STATUS, not $want"
    local check
    for check in "$@"; do
      [[ -n "$problem" ]] && break
      case "$check" in
        +*) [[ "$BODY" == *"${check:1}"* ]] || problem="no \"${check:1}\" in the answer" ;;
        -*) [[ "$BODY" != *"${check:1}"* ]] || problem="\"${check:1}\" in the answer" ;;
      esac
    done
    if [[ -z "$problem" ]]; then
      pass "http://$host:$port/ answers $want"
      return 0
    fi
    ((try < attempts)) && sleep "$interval"
  done
  fail "http://$host:$port/ (after $attempts attempts): $problem. It answered:
$(printf '%s\n' "$BODY" | head -n 30)"
}

check_routes() {
  (($# > 0)) || fail "routes: name at least one Beta"
  local name other version_web=() version_api=()
  if [[ -n "${E2E_VERSION:-}" ]]; then
    version_web=("+<code id=\"version\">$E2E_VERSION</code>" "+&quot;version&quot;: &quot;$E2E_VERSION&quot;")
    version_api=("+\"version\": \"$E2E_VERSION\"")
  fi
  for name in "$@"; do
    local others=()
    for other in "$@"; do [[ "$other" == "$name" ]] || others+=("-beta-$other<" "-beta-$other&" "-\"beta-$other\""); done
    # The default app, and through it the api and the shared backend, all of this Beta.
    expect 200 "$name.$domain" "+<code id=\"namespace\">beta-$name</code>" \
      "+&quot;namespace&quot;: &quot;beta-$name&quot;" "+$echo_text" "${version_web[@]}" "${others[@]}"
    expect 200 "api--$name.$domain" "+\"namespace\": \"beta-$name\"" "+\"says\": \"$echo_text\"" "${version_api[@]}" "${others[@]}"
  done
}

check_not_found() {
  local name="nobody-$RANDOM"
  expect 404 "$name.$domain" "+Beta named $name" "-<code id=\"namespace\">"
  expect 404 "api--$name.$domain" "+Beta named $name"
}

check_stopped() {
  local name="${1:?stopped: give the Beta}" app="${2:?stopped: give the app}" host
  [[ "$app" == web ]] && host="$name.$domain" || host="$app--$name.$domain"
  kube -n "beta-$name" scale deployment "$app" --replicas=0
  # Gone already is fine too (kubectl may call that an error); the 503 below is the proof.
  kube -n "beta-$name" wait --for=delete pod -l "app.kubernetes.io/name=$app" --timeout=120s || true
  expect 503 "$host" "+is not answering" "+$app"
  # Back to what the stack declares, so the next `pulumi up` finds no drift.
  kube -n "beta-$name" scale deployment "$app" --replicas=1
  kube -n "beta-$name" rollout status deployment "$app" --timeout=180s
  expect 200 "$host" "+beta-$name"
}

check_isolation() {
  local from="${1:?isolation: give the Beta the probe runs in}" to="${2:?isolation: give the other Beta}"
  local pod="e2e-probe" ns="beta-$from" result
  # A non-root curl image, so the tenant's Pod Security (baseline, warn restricted) admits it.
  kube -n "$ns" delete pod "$pod" --ignore-not-found --wait=true >/dev/null
  kube -n "$ns" run "$pod" --image=curlimages/curl:8.11.1 --restart=Never \
    --labels=app.kubernetes.io/name=e2e-probe --command -- sleep 600 >/dev/null
  kube -n "$ns" wait --for=condition=Ready "pod/$pod" --timeout=120s >/dev/null
  # Own Beta first: it must answer, or a refusal below would prove nothing.
  result="$(kube -n "$ns" exec "$pod" -- curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://web.$ns.svc.cluster.local/" || true)"
  [[ "$result" == 200 ]] || fail "isolation: a pod in $ns cannot reach its own web (got '$result'); the probe is broken, not isolated"
  pass "a pod in $ns reaches web.$ns"
  result="$(kube -n "$ns" exec "$pod" -- curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://web.beta-$to.svc.cluster.local/" || true)"
  kube -n "$ns" delete pod "$pod" --wait=false >/dev/null
  [[ "$result" == 000 ]] || fail "isolation: a pod in $ns reached web.beta-$to (HTTP $result): NetworkPolicy is not enforced"
  pass "a pod in $ns cannot reach web.beta-$to"
}

edit_web() {
  local dir="${1:?edit-web: give the directory to write}"
  mkdir -p "$dir"
  cp -R "$here/web/." "$dir/"
  rm -f "$dir/VERSION"
  sed -i.orig "s/$original_heading/$synced_heading/" "$dir/page.html" && rm -f "$dir/page.html.orig"
  grep -q "$synced_heading" "$dir/page.html" || fail "edit-web: examples/web/page.html no longer has \"$original_heading\""
  echo "$dir"
}

check_synced() {
  local name="${1:?synced: give the Beta that was synced}" other
  shift
  expect 200 "$name.$domain" "+$synced_heading" "-$original_heading"
  for other in "$@"; do expect 200 "$other.$domain" "+$original_heading" "-$synced_heading"; done
}

# After `beta up <name> --service echo`: that Beta's api reaches its own echo (which names the
# Beta), and every other Beta's api still reaches the shared one.
check_personal_copy() {
  local name="${1:?personal-copy: give the Beta that runs its own echo}" other
  shift
  (($# > 0)) || fail "personal-copy: name at least one Beta that still shares echo"
  expect 200 "api--$name.$domain" "+\"says\": \"$copy_text beta-$name\"" "-$echo_text"
  for other in "$@"; do expect 200 "api--$other.$domain" "+\"says\": \"$echo_text\"" "-$copy_text"; done
}

check_destroyed() {
  local name="${1:?destroyed: give the Beta}" ns left try
  ns="beta-$name"
  if "${PULUMI:-pulumi}" stack ls --json | grep -q "\"name\": *\"\([^\"]*/\)\?$ns\""; then
    fail "destroyed: stack $ns still exists"
  fi
  pass "no stack $ns"
  kube get namespace "$ns" -o name >/dev/null || fail "destroyed: namespace $ns is gone; it belongs to the platform and must stay"
  for ((try = 1; try <= attempts; try++)); do
    # Everything a Beta declares or makes run; the platform's guard rails (quota, limits,
    # policies, role binding) and Kubernetes' own default ServiceAccount and root CA stay.
    left="$(kube -n "$ns" get deployments,replicasets,pods,services,endpointslices,secrets,configmaps,jobs,persistentvolumeclaims \
      -o name | grep -v '^configmap/kube-root-ca.crt$' || true)"
    [[ -z "$left" ]] && break
    ((try < attempts)) && sleep "$interval"
  done
  [[ -z "$left" ]] || fail "destroyed: namespace $ns still holds:
$left"
  pass "namespace $ns is kept and empty"
}

check="${1:-}"
shift || true
case "$check" in
  routes) check_routes "$@" ;;
  not-found) check_not_found ;;
  stopped) check_stopped "$@" ;;
  isolation) check_isolation "$@" ;;
  edit-web) edit_web "$@" ;;
  synced) check_synced "$@" ;;
  personal-copy) check_personal_copy "$@" ;;
  destroyed) check_destroyed "$@" ;;
  *) fail "unknown check \"$check\"; one of: routes, not-found, stopped, isolation, edit-web, synced, personal-copy, destroyed" ;;
esac
