#!/usr/bin/env bash
# bbox latency while heavy work runs (issue 13, item 6).
#
# One landreuse server over a 1M-parcel SQLite store. The same wrk bbox load as the
# peer benchmarks (../shared/bench/wrk_bbox.lua over queries.txt, limit 100) runs three
# times, each for DURATION:
#   idle      nothing else;
#   report    a client asks for the 1M land-reserve report (f=html) again and again;
#   coverage  a client asks for the 1M school-coverage analysis again and again (it
#             reads a snapshot of the index);
# and in the last two, a planner updates a school under construction every second (its
# percent complete), so that the index catches up while the heavy work holds a snapshot.
# The heavy request under way when a phase's wrk ends is let finish, and its time counts.
# Before the phases, each heavy request runs once alone, for its time without load.
# Prints one line per phase and the ratios of p50/p99 to the idle phase (same run, same
# server, same queries). Only 127.0.0.1 is used.
#
# usage: benches/report_under_load.sh
#   BIN       release binary (default $CARGO_TARGET_DIR/release/landreuse)
#   PARCELS   GeoJSONSeq of parcels (default /tmp/bench/data/parcels_1m.geojsonl, from
#             ../shared/bench/gen_parcels.py -n 1000000 --seed 42)
#   QUERIES   bbox file (default /tmp/bench/data/queries.txt, gen_queries.py)
#   WORK      scratch directory (default /tmp/bench/heavy); the store is kept for reruns
#   DURATION  seconds per phase (default 30); CONNS wrk connections (default 8)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-${CARGO_TARGET_DIR:-target}/release/landreuse}
PARCELS=${PARCELS:-/tmp/bench/data/parcels_1m.geojsonl}
export QUERIES=${QUERIES:-/tmp/bench/data/queries.txt}
WORK=${WORK:-/tmp/bench/heavy}
DURATION=${DURATION:-30}
CONNS=${CONNS:-8}
PORT=${PORT:-18093}
HARNESS=${HARNESS:-$(cd ../shared/bench 2>/dev/null && pwd || echo /work/shared/bench)}
URL=http://127.0.0.1:$PORT
STORE=$WORK/store
mkdir -p "$WORK"
log() { echo "bench: $*" >&2; }

[[ -x $BIN ]] || { echo "no release binary at $BIN: cargo build --release" >&2; exit 1; }
[[ -f $PARCELS && -f $QUERIES ]] || { echo "missing $PARCELS or $QUERIES (see ../shared/bench/README.md)" >&2; exit 1; }

if [[ ! -f $STORE/.loaded ]]; then
  rm -rf "$STORE"
  log "importing $(wc -l <"$PARCELS") parcels into $STORE"
  for c in zones roads schools; do "$BIN" import "geodata/$c.geojson" --collection "$c" --data-dir "$STORE" >/dev/null; done
  "$BIN" import "$PARCELS" --collection parcels --data-dir "$STORE" >/dev/null
  touch "$STORE/.loaded"
fi
SECRET=$("$BIN" token create --name "bench writer $(date +%s)" --role planner --data-dir "$STORE" 2>"$WORK/token.log" | tail -1) \
  || { echo "cannot create the writer's token: $(cat "$WORK/token.log")" >&2; exit 1; }

"$BIN" serve --data-dir "$STORE" --no-sample --bind "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
BACKGROUND=()
cleanup() {
  for p in "${BACKGROUND[@]}" "$SERVER"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 600); do curl -sf "$URL/conformance" >/dev/null && break; sleep 1; done
curl -sf "$URL/conformance" >/dev/null || { echo "the server did not start; see $WORK/serve.log" >&2; exit 1; }
SCHOOL=$(curl -sf "$URL/collections/schools/items?status=under_construction&limit=1&f=json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["features"][0]["id"])')
log "serving $URL (load1 $(cut -d' ' -f1 /proc/loadavg)); the writer updates school $SCHOOL"

# Asks for PATH over and over, one at a time, logging each answer's time.
heavy_loop() {
  local path=$1 out=$2
  while [[ ! -f $WORK/stop ]]; do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$URL$path" >>"$out" || true
  done
}
# Updates the school every second, logging each answer's time.
writer_loop() {
  local out=$1 pct=40
  while :; do
    pct=$(( pct == 40 ? 41 : 40 ))
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -X PATCH \
      -H "Authorization: Bearer $SECRET" -H 'Content-Type: application/json' \
      -d "{\"percent_complete\":$pct}" "$URL/schools/$SCHOOL" >>"$out" || true
    sleep 1
  done
}

phase() {
  local name=$1 heavy_path=${2:-}
  BACKGROUND=()
  local heavy_pid=
  rm -f "$WORK/stop"
  : >"$WORK/$name.heavy" ; : >"$WORK/$name.writes"
  if [[ -n $heavy_path ]]; then
    heavy_loop "$heavy_path" "$WORK/$name.heavy" & heavy_pid=$!
    writer_loop "$WORK/$name.writes" & BACKGROUND+=($!)
    sleep 5 # the heavy work is under way before the measurement starts
  fi
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  local result
  result=$(PATH_TEMPLATE=/collections/parcels/items LIMIT=100 CHECK_EVERY=10 \
    wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 30s -s "$HARNESS/wrk_bbox.lua" "$URL" | grep '^RESULT')
  for p in "${BACKGROUND[@]}"; do kill "$p" 2>/dev/null || true; done
  wait "${BACKGROUND[@]}" 2>/dev/null || true
  # The heavy request under way when wrk stopped finishes (its time is counted; the
  # last part of it ran with the cores to itself).
  touch "$WORK/stop"
  [[ -z $heavy_pid ]] || wait "$heavy_pid" 2>/dev/null || true
  local heavy writes
  heavy=$(awk '$1==200{n++; t+=$2} END{printf "%d done, mean %.1f s", n, n? t/n : 0}' "$WORK/$name.heavy")
  writes=$(awk '{n++; if($1!=200) bad++; if($2>m) m=$2} END{printf "%d writes (%d not 200), slowest %.2f s", n, bad, m}' "$WORK/$name.writes")
  echo "$name load1=$load $result | heavy: $heavy | $writes"
}

alone() { # one heavy request with nothing else running
  curl -s -o /dev/null -w "alone $1: %{http_code} in %{time_total} s\n" "$URL$2"
}
{
  alone report "/reports/land-reserve?f=html"
  alone coverage "/analysis/coverage-gaps?level=primary&limit=1000000"
  phase idle
  phase report "/reports/land-reserve?f=html"
  phase coverage "/analysis/coverage-gaps?level=primary&limit=1000000"
} | tee "$WORK/phases.txt"

awk '
  { for (i = 1; i <= NF; i++) { if ($i ~ /^p50=/) p50[$1] = substr($i, 5) + 0; if ($i ~ /^p99=/) p99[$1] = substr($i, 5) + 0; if ($i ~ /^rps=/) rps[$1] = substr($i, 5) + 0 } }
  END {
    for (k in p50) if (k != "idle")
      printf "ratio %s/idle: p50 %.2f, p99 %.2f, throughput %.2f\n", k, p50[k] / p50["idle"], p99[k] / p99["idle"], rps[k] / rps["idle"]
  }' "$WORK/phases.txt"
