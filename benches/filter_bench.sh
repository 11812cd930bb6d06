#!/usr/bin/env bash
# CQL2 filters at 1M parcels (issue 14): landreuse against tipg's CQL2 over PostGIS and
# against the same WHERE clauses in PostGIS SQL alone, in the same run.
#
# The load is the harness's (../shared/bench): its 500 seeded filters (gen_filters.py:
# eq, in, range, like, and, spatial, mixed), walked in order by wrk_paths.lua:
#   landreuse  GET $LR/collections/parcels/items?limit=100&<filters_geometry.txt line>
#   tipg       GET $TIPG/collections/public.$TABLE/items?limit=100&<filters_geom.txt line>
#   SQL        pgbench_sql.sh filters $TABLE: count(*) and the first 100 rows as GeoJSON
#              per filter, the database alone (no HTTP)
# Each repeat runs, in this order, landreuse and tipg at every concurrency in CONNS, then
# the SQL at SQL_CONNS, so the sides are interleaved; REPEATS repeats; medians at the end.
# tipg is run at 64 connections only if it answered every request at the lower ones
# without error (TIPG_C64=0 skips it, TIPG_C64=1 forces it).
#
# Needs (see docs/benchmarks.md, "CQL2 filters at 1M", Commands): the harness's data and
# filters in $DATA, its PostgreSQL cluster with $TABLE (import_bench.sh), tipg running
# (servers.sh start tipg) and landreuse serving the same parcels, all on 127.0.0.1.
#
# env: LR (http://127.0.0.1:8080), TIPG (http://127.0.0.1:8081), TABLE (parcels_1m),
#      CONNS ("1 8 64"), SQL_CONNS ("1 8"), REPEATS (3), DURATION (30s), PGB_DURATION (15),
#      WRK_TIMEOUT (30s: a slow answer is counted, not dropped), THREADS (2; 1 at c=1),
#      TIPG_C64 (auto), OUT (results directory, default $BENCH/results/filters-<time>),
#      HARNESS (../shared/bench)
# wrk walks each side's file in order from where each thread starts, so a 30-s run at c=1
# covers the filters it has time for; filter_check.py --timing sends every filter once.
# Writes $OUT/runs.tsv (one row per run) and $OUT/summary.md; prints the medians.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
HARNESS=${HARNESS:-$(cd "$HERE/../../shared/bench" 2>/dev/null && pwd || echo /work/shared/bench)}
source "$HARNESS/env.sh"
LR=${LR:-http://127.0.0.1:8080}
TIPG=${TIPG:-http://127.0.0.1:$TIPG_PORT}
TABLE=${TABLE:-parcels_1m}
CONNS=${CONNS:-"1 8 64"}
SQL_CONNS=${SQL_CONNS:-"1 8"}
DURATION=${DURATION:-30s}
export PGB_DURATION=${PGB_DURATION:-15}
WRK_TIMEOUT=${WRK_TIMEOUT:-30s}
THREADS=${THREADS:-2}
TIPG_C64=${TIPG_C64:-auto}
OUT=${OUT:-$BENCH/results/filters-$(date +%Y%m%d-%H%M%S)}
RUNS=$OUT/runs.tsv

for u in "$LR" "$TIPG"; do
  case "$u" in
    http://127.*|http://localhost*|http://\[::1\]*) ;;
    *) echo "refusing: load tests may only target loopback (got $u)" >&2; exit 2 ;;
  esac
done
for f in filters.tsv filters_geometry.txt filters_geom.txt; do
  [ -s "$DATA/$f" ] || { echo "missing $DATA/$f: run python3 $HARNESS/gen_filters.py" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "wrk is missing: $HARNESS/setup_deps.sh" >&2; exit 1; }
N=$(grep -c . "$DATA/filters.tsv")

LR_PATH='/collections/parcels/items?limit=100&{line}'
TIPG_PATH="/collections/public.$TABLE/items?limit=100&{line}"

# The compilers and test runners that would make a measurement invalid (counted, never touched).
busy() { pgrep -c -x 'rustc|cargo|cc1|cc1plus|ld|ld.lld|collect2|cmake|make' 2>/dev/null || true; }

summary() {  # runs.tsv: medians over the repeats, and the ratios landreuse ÷ peer
awk -F'\t' -v OFS='\t' '
  function median(s,   a, n, i, j, t) {
    n = split(s, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    if (n == 0) return "NA"
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  NR > 1 && $4 != "NA" {
    k = $1 SUBSEP $2; keys[k] = 1
    rps[k] = rps[k] " " $4; p50[k] = p50[k] " " $5; p99[k] = p99[k] " " $6
    if (min[k] == "" || $4 + 0 < min[k]) min[k] = $4 + 0
    if (max[k] == "" || $4 + 0 > max[k]) max[k] = $4 + 0
    err[k] += $7 + $8; n[k]++
  }
  END {
    print "| side | c | req/s median (min–max) | p50 ms (SQL: mean) | p99 ms | runs | errors+non-200 |"
    print "|---|---|---|---|---|---|---|"
    split("landreuse tipg sql", sides, " ")
    for (si = 1; si <= 3; si++) for (c = 1; c <= 1024; c++) {
      k = sides[si] SUBSEP c
      if (!(k in keys)) continue
      m[k] = median(rps[k])
      printf "| %s | %d | %.1f (%.1f–%.1f) | %s | %s | %d | %d |\n", sides[si], c, m[k], min[k], max[k],
        median(p50[k]), (sides[si] == "sql" ? "—" : median(p99[k])), n[k], err[k]
    }
    print ""
    for (c = 1; c <= 1024; c++) {
      l = "landreuse" SUBSEP c
      if (!(l in keys)) continue
      line = sprintf("c=%d: landreuse %.1f req/s", c, m[l])
      t = "tipg" SUBSEP c; s = "sql" SUBSEP c
      if (t in keys) line = line sprintf(", ÷ tipg %.1f× (goal 30×)", m[l] / m[t])
      if (s in keys) line = line sprintf(", ÷ SQL %.2f× (goal 2×)", m[l] / m[s])
      print line
    }
  }' "$1"
}

if [ "${1:-}" = --summary ]; then   # filter_bench.sh --summary RESULTS_DIR: the table again
  summary "${2:?results directory}/runs.tsv"; exit 0
fi
mkdir -p "$OUT"

smoke() {  # name base path lines
  local name=$1 base=$2 path=$3 lines=$4 line url code
  line=$(head -1 "$lines")
  url="$base${path%%\{line\}*}$line${path#*\{line\}}"
  code=$(curl -s -o "$OUT/smoke-$name.json" -w '%{http_code}' --max-time 120 \
    -H 'Accept: application/geo+json, application/json' "$url")
  local m; m=$(grep -o '"numberMatched": *[0-9]*' "$OUT/smoke-$name.json" | head -1 | grep -o '[0-9]*$' || true)
  log "smoke $name: HTTP $code, numberMatched ${m:-?}, $(stat -c %s "$OUT/smoke-$name.json") bytes"
  [ "$code" = 200 ] || { head -c 400 "$OUT/smoke-$name.json" >&2; echo >&2; return 1; }
}

printf 'side\tconc\trep\trps\tp50_ms\tp99_ms\terrors\tnon200\tbytes_per_resp\tloadavg\tbusy_before\tbusy_after\n' >"$RUNS"

wrk_run() {  # side base path lines conc rep
  local side=$1 base=$2 path=$3 lines=$4 c=$5 rep=$6 t la b0 b1 out res
  t=$(( c < THREADS ? c : THREADS ))
  la=$(loadavg); b0=$(busy)
  log "wrk $side c=$c rep=$rep (load $la, compilers $b0)"
  out=$(LINES=$lines PATH_TEMPLATE=$path WRK_THREADS=$t ACCEPT='application/geo+json' \
    timeout 300 wrk -t"$t" -c"$c" -d"$DURATION" --timeout "$WRK_TIMEOUT" \
    -s "$HARNESS/wrk_paths.lua" "$base" 2>&1) || { log "wrk $side c=$c failed: $(echo "$out" | tail -3)"; }
  b1=$(busy)
  echo "$out" >"$OUT/wrk-$side-c$c-r$rep.txt"
  res=$(echo "$out" | grep '^RESULT ' | head -1 || true)
  if [ -z "$res" ]; then
    printf '%s\t%s\t%s\tNA\tNA\tNA\tNA\tNA\tNA\t%s\t%s\t%s\n' "$side" "$c" "$rep" "$la" "$b0" "$b1" >>"$RUNS"
    return 1
  fi
  echo "$out" | grep -E '^(RESULT|FIRST_BAD)' | sed "s/^/  $side c=$c: /" >&2
  echo "$res" | awk -v s="$side" -v c="$c" -v r="$rep" -v la="$la" -v b0="$b0" -v b1="$b1" '{
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    gsub("ms", "", v["p50"]); gsub("ms", "", v["p99"])
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s, c, r, v["rps"], v["p50"], v["p99"],
      v["errors"], v["non200"], v["body_bytes/resp"], la, b0, b1 }' >>"$RUNS"
  sleep 2
}

sql_run() {  # conc rep
  local c=$1 rep=$2 la b0 b1 line tps lat
  la=$(loadavg); b0=$(busy)
  log "pgbench SQL c=$c rep=$rep (load $la, compilers $b0)"
  line=$(RESULTS=$OUT REPEATS=1 timeout $((PGB_DURATION + 300)) "$HARNESS/pgbench_sql.sh" filters "$TABLE" "$c" | tail -1)
  b1=$(busy)
  tps=$(echo "$line" | grep -o '"tps":[0-9.]*' | cut -d: -f2)
  lat=$(echo "$line" | grep -o '"latency_avg_ms":[0-9.]*' | cut -d: -f2)
  log "  sql c=$c: tps=$tps latency_avg=${lat} ms"
  printf 'sql\t%s\t%s\t%s\t%s\tNA\t0\t0\tNA\t%s\t%s\t%s\n' "$c" "$rep" "${tps:-NA}" "${lat:-NA}" "$la" "$b0" "$b1" >>"$RUNS"
  sleep 2
}

{
  echo "date: $(date -Is)  host: $(uname -srm)  cores: $(nproc)  load: $(loadavg)"
  echo "landreuse: $LR  ($(curl -s --max-time 10 "$LR/" -o /dev/null -w 'HTTP %{http_code}'))"
  echo "tipg: $TIPG  ($("$BENCH/venv-tipg/bin/pip" freeze 2>/dev/null | grep -iE '^(tipg|uvicorn|cql2|asyncpg)==' | tr '\n' ' '))"
  "$PGBIN/postgres" --version
  psql -qtAX -c "SELECT postgis_full_version()" 2>/dev/null | cut -c1-160 || true
  echo "table $TABLE: $(psql -qtAX -c "SELECT count(*) FROM $TABLE") rows; filters: $N ($(cut -f1 "$DATA/filters.tsv" | sort | uniq -c | awk '{printf "%s %s, ", $2, $1}'))"
  wrk -v 2>&1 | head -1 || true
  echo "DURATION=$DURATION CONNS=$CONNS SQL_CONNS=$SQL_CONNS REPEATS=$REPEATS PGB_DURATION=$PGB_DURATION THREADS=$THREADS WRK_TIMEOUT=$WRK_TIMEOUT"
} >"$OUT/conditions.txt"
cat "$OUT/conditions.txt" >&2

smoke landreuse "$LR" "$LR_PATH" "$DATA/filters_geometry.txt"
smoke tipg "$TIPG" "$TIPG_PATH" "$DATA/filters_geom.txt"

tipg_ok=1   # cleared when tipg fails a request at a lower concurrency (then c=64 is skipped)
for rep in $(seq 1 "$REPEATS"); do
  for c in $CONNS; do
    wrk_run landreuse "$LR" "$LR_PATH" "$DATA/filters_geometry.txt" "$c" "$rep" || true
    if [ "$c" -ge 64 ]; then
      case $TIPG_C64 in
        0) continue ;;
        auto) if [ "$tipg_ok" != 1 ]; then log "tipg c=$c skipped: it failed requests at lower concurrency"; continue; fi ;;
      esac
    fi
    if wrk_run tipg "$TIPG" "$TIPG_PATH" "$DATA/filters_geom.txt" "$c" "$rep"; then
      if [ "$c" -lt 64 ] && awk -F'\t' -v c="$c" -v r="$rep" '$1=="tipg" && $2==c && $3==r && ($7+0>0 || $8+0>0) {f=1} END{exit !f}' "$RUNS"; then
        tipg_ok=0
      fi
    else
      [ "$c" -lt 64 ] && tipg_ok=0
    fi
    curl -sf -o /dev/null --max-time 60 "$TIPG/collections" || { log "tipg no longer answers"; tipg_ok=0; }
  done
  for c in $SQL_CONNS; do sql_run "$c" "$rep"; done
done

summary "$RUNS" | tee "$OUT/summary.md"
log "runs: $RUNS; summary: $OUT/summary.md"
