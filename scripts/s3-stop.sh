#!/usr/bin/env bash
# Stop the Ceph daemons started by scripts/s3-radosgw.sh (by the pid files in its directory).
set -uo pipefail
C=${1:-/tmp/skillbridge-s3}
shopt -s nullglob
pids=()
for f in "$C"/run/*.pid; do
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then pids+=("$pid"); kill -TERM "$pid"; fi
done
[ ${#pids[@]} -eq 0 ] && { echo "nothing running from $C"; exit 0; }
# radosgw sometimes needs a second SIGTERM.
for _ in $(seq 1 20); do
  alive=()
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
  [ ${#alive[@]} -eq 0 ] && { echo "stopped ${pids[*]}"; exit 0; }
  sleep 0.5
done
for pid in "${alive[@]}"; do kill -TERM "$pid" 2>/dev/null; done
sleep 2
for pid in "${alive[@]}"; do kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"; done
echo "stopped ${pids[*]}"
