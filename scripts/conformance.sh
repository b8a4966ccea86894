#!/usr/bin/env bash
# Runs Redis 7.0.15's own test suite (../shared/conformance) against Redoubt, unit by unit, and
# checks each unit's pass count against conformance/floors.txt.
#   scripts/conformance.sh                 every line of floors.txt
#   scripts/conformance.sh UNIT [MODE]     one unit; MODE is external (default), spawn or spawn-tls
# floors.txt lines: UNIT FLOOR [MODE]  (# comments). External mode runs a fresh Redoubt per unit;
# spawn mode lets the suite start Redoubt itself with its own config files, as Redis's CI does.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${REDOUBT_SHARED:-$ROOT/../shared}
CONF=$SHARED/conformance
FLOORS=$ROOT/conformance/floors.txt
SERVER_JS="$ROOT/dist/bin/redoubt-server.js"
[ -x "$CONF/run-redis-suite.sh" ] || { echo "conformance: $CONF not found, skipped"; exit 0; }
"$CONF/get-redis-suite.sh" >/dev/null || { echo "conformance: could not fetch the suite"; exit 1; }
# A private copy of the suite (18 MB): its tests/tmp holds the servers' directories, and another
# run sharing the cached tree (a second checkout, a helper) would delete them under this one.
SUITE=${REDIS_SRC:-${REDOUBT_CONFORMANCE_CACHE:-$HOME/.cache/redis-suite-7.0.15}/redis-src}
PRIVATE=$(mktemp -d)
trap 'rm -rf "$PRIVATE"' EXIT
cp -r "$SUITE" "$PRIVATE/redis-src" && rm -rf "$PRIVATE/redis-src/tests/tmp" && mkdir "$PRIVATE/redis-src/tests/tmp"
export REDIS_SRC=$PRIVATE/redis-src

if [ $# -gt 0 ]; then
  JOBS=("$1 ${2:-external}")
else
  mapfile -t JOBS < <(awk '{sub(/#.*/, "")} NF{print $1, ($3 == "" ? "external" : $3)}' "$FLOORS")
fi

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=${CONFORMANCE_PORT:-23000}
while ! port_free "$PORT"; do PORT=$((PORT+1)); done
# Servers the suite starts itself get their own port range, clear of ours.
RANGE=(-- --baseport $((PORT + 1)) --portcount 200)
certs_made=0

run_external() { # unit
  local log pid out wd
  log=$(mktemp)
  wd=$(mktemp -d) # SAVE / DEBUG RELOAD write dump.rdb into `dir`: a fresh one per unit
  node "$SERVER_JS" --port "$PORT" --bind 127.0.0.1 --dir "$wd" --enable-debug-command yes \
    --enable-protected-configs yes --enable-module-command yes >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do grep -q 'Ready to accept' "$log" && break; sleep 0.1; done
  out=$("$CONF/run-redis-suite.sh" --quiet 127.0.0.1 "$PORT" "$1" "${RANGE[@]}" 2>&1)
  # SIGTERM saves first (default save points); a server whose save fails keeps running, as
  # Redis does, so give it 30 s and then end it for good.
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rm -rf "$log" "$wd"
  printf '%s\n' "$out"
}

run_spawn() { # unit tls(0|1)
  local tls=()
  if [ "$2" = 1 ]; then
    if [ $certs_made = 0 ]; then "$CONF/run-redis-suite.sh" --gen-certs >/dev/null 2>&1; certs_made=1; fi
    tls=(--tls)
  fi
  "$CONF/run-redis-suite.sh" --quiet "${tls[@]}" --spawn "node $SERVER_JS" "$1" "${RANGE[@]}" 2>&1
}

fail=0
for job in "${JOBS[@]}"; do
  read -r unit mode <<<"$job"
  case $mode in
    external) out=$(run_external "$unit") ;;
    spawn) out=$(run_spawn "$unit" 0) ;;
    spawn-tls) out=$(run_spawn "$unit" 1) ;;
    *) echo "conformance: unknown mode $mode for $unit"; fail=1; continue ;;
  esac
  line=$(printf '%s\n' "$out" | grep -E "^$unit: " | head -1)
  passed=$(printf '%s\n' "$line" | sed -nE 's/^[^:]+: ([0-9]+) passed.*/\1/p')
  floor=$(awk -v u="$unit" -v m="$mode" '{sub(/#.*/, "")} $1 == u && ($3 == "" ? "external" : $3) == m {print $2}' "$FLOORS")
  echo "${line:-$unit: no result} [$mode; floor ${floor:-none}]"
  if [ -z "$passed" ] || { [ -n "$floor" ] && [ "$passed" -lt "$floor" ]; }; then
    echo "conformance: $unit ($mode) below its floor"
    fail=1
  fi
done
exit $fail
