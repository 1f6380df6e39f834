#!/usr/bin/env bash
# Stops the Request Tracker server that test/rt/setup-rt.sh started, by the PID it recorded
# ($RT_STATE_DIR/rt.pid). Does nothing when there is none. Quiet unless it fails.
set -euo pipefail

state=${RT_STATE_DIR:-/tmp/deskops-rt}
pid_file=$state/rt.pid

[ -s "$pid_file" ] || exit 0
pid=$(cat "$pid_file")
if ! [[ "$pid" =~ ^[0-9]+$ ]]; then
  echo "stop-rt: $pid_file does not hold a PID: $pid" >&2
  exit 1
fi
# Only the process setup-rt.sh started: check it is still RT's server, not a reused PID.
if kill -0 "$pid" 2>/dev/null && grep -q 'rt-server' "/proc/$pid/cmdline" 2>/dev/null; then
  kill -TERM "$pid"
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  if kill -0 "$pid" 2>/dev/null; then
    echo "stop-rt: RT server $pid did not stop" >&2
    exit 1
  fi
fi
rm -f "$pid_file"
