#!/bin/sh
# rsync, but slow to start: lets a test make changes while a sync run is in progress.
# Appends a line to $SLOW_RSYNC_LOG when a run starts, then waits $SLOW_RSYNC_SECONDS.
[ -n "${SLOW_RSYNC_LOG:-}" ] && echo "start" >> "$SLOW_RSYNC_LOG"
sleep "${SLOW_RSYNC_SECONDS:-0.5}"
exec rsync "$@"
