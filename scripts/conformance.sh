#!/usr/bin/env bash
# Runs Redis 7.0.15's own test suite (../shared/conformance) against a fresh Redoubt per unit,
# in external mode, and checks every unit's pass count against conformance/floors.txt.
#   scripts/conformance.sh [UNIT...]     (default: every unit in floors.txt)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${REDOUBT_SHARED:-$ROOT/../shared}
CONF=$SHARED/conformance
FLOORS=$ROOT/conformance/floors.txt
[ -x "$CONF/run-redis-suite.sh" ] || { echo "conformance: $CONF not found, skipped"; exit 0; }
"$CONF/get-redis-suite.sh" >/dev/null || { echo "conformance: could not fetch the suite"; exit 1; }

if [ $# -gt 0 ]; then UNITS=("$@"); else mapfile -t UNITS < <(grep -v '^#' "$FLOORS" | awk 'NF{print $1}'); fi

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=${CONFORMANCE_PORT:-23000}
while ! port_free "$PORT"; do PORT=$((PORT+1)); done

fail=0
summary=""
for unit in "${UNITS[@]}"; do
  log=$(mktemp)
  node "$ROOT/dist/bin/redoubt-server.js" --port "$PORT" --bind 127.0.0.1 --enable-debug-command yes \
    --enable-protected-configs yes --enable-module-command yes --loglevel warning >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do grep -q 'Ready to accept' "$log" && break; sleep 0.1; done
  # Servers the suite starts itself get their own port range, clear of ours.
  out=$("$CONF/run-redis-suite.sh" --quiet 127.0.0.1 "$PORT" "$unit" -- --baseport $((PORT + 1)) --portcount 200 2>&1)
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  rm -f "$log"
  line=$(printf '%s\n' "$out" | grep -E "^$unit: " | head -1)
  passed=$(printf '%s\n' "$line" | sed -nE 's/^[^:]+: ([0-9]+) passed.*/\1/p')
  floor=$(grep -E "^$unit[[:space:]]" "$FLOORS" | awk '{print $2}')
  echo "${line:-$unit: no result}  [floor ${floor:-none}]"
  if [ -z "$passed" ] || { [ -n "$floor" ] && [ "$passed" -lt "$floor" ]; }; then
    echo "conformance: $unit below its floor"
    fail=1
  fi
done
exit $fail
