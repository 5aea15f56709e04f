#!/bin/sh
# rsync's remote shell for `beta sync`: turns rsync's rsh call into `kubectl exec`.
#
# rsync runs its remote shell as `<rsh> <host> <command...>`, e.g.
#   sh kubectl-rsh.sh beta rsync --server -sltEre.iLsfxCIvu
# but kubectl needs `kubectl exec -i -n NS POD -c CONTAINER -- <command...>`: the target
# comes before `--`, and without `--` kubectl would read rsync's `--server ...` as its own
# flags. So the engine gives rsync a placeholder host ("beta"), which is dropped here, and
# passes the real target in the environment (no quoting of names through rsync's -e parser,
# nothing re-parsed by a shell). -i keeps stdin open for rsync's protocol; there is no -t:
# a TTY would mangle the binary stream.
set -eu
shift
if [ -n "${BETA_SYNC_CONTEXT:-}" ]; then
  exec "${BETA_SYNC_KUBECTL:-kubectl}" --context "$BETA_SYNC_CONTEXT" exec -i -n "$BETA_SYNC_NAMESPACE" "$BETA_SYNC_POD" -c "$BETA_SYNC_CONTAINER" -- "$@"
fi
exec "${BETA_SYNC_KUBECTL:-kubectl}" exec -i -n "$BETA_SYNC_NAMESPACE" "$BETA_SYNC_POD" -c "$BETA_SYNC_CONTAINER" -- "$@"
