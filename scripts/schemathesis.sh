#!/usr/bin/env bash
# The OpenAPI contract checked by schemathesis against the running service: every
# operation of /api, the writes included (with an admin token on a scratch store), with
# the checks not_a_server_error, response_schema_conformance, status_code_conformance and
# content_type_conformance. Fails on any failure; prints the operations and test cases.
#
#   scripts/schemathesis.sh [DATABASE_SERVER_URL]
# Without an argument the scratch store is SQLite in a temporary directory; with the URL
# of a PostgreSQL server (scripts/pg-test-cluster.sh start prints one) it is a fresh
# database there. The service listens on a free port of 127.0.0.1 and is stopped at the end.
# env: SCHEMATHESIS_MAX_EXAMPLES (20), SCHEMATHESIS_SEED (1), LANDREUSE_BIN
set -euo pipefail
cd "$(dirname "$0")/.."

target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin=${LANDREUSE_BIN:-$target/debug/landreuse}
[[ -x "$bin" ]] || cargo build --quiet
st=.venv/bin/schemathesis
[[ -x "$st" ]] || { echo "schemathesis: $st is missing; run scripts/setup.sh --test" >&2; exit 1; }

scratch=$(mktemp -d)
server_pid=""
database=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  if [[ -n "$database" ]]; then
    psql -q "${1:-}" -c "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1 || true
  fi
  rm -rf "$scratch"
}

store=(--data-dir "$scratch/data")
backend=SQLite
if [[ -n "${1:-}" ]]; then
  database="lr_schemathesis_$$"
  psql -q "$1" -c "CREATE DATABASE $database" >/dev/null
  store=(--database-url "${1%/*}/$database")
  backend="PostgreSQL + PostGIS"
fi
trap 'cleanup "${1:-}"' EXIT

token=$("$bin" token create --role admin --name schemathesis "${store[@]}" 2>/dev/null | tail -1)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RUST_LOG=landreuse=warn "$bin" serve --bind "127.0.0.1:$port" "${store[@]}" >"$scratch/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 240); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/conformance" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$scratch/serve.log" >&2; exit 1; }
  sleep 0.5
done

echo "== schemathesis on $backend: every operation of /api, writes with an admin token" >&2
set +e
"$st" run "http://127.0.0.1:$port/api" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --header "Authorization: Bearer $token" \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-20}" \
  --seed "${SCHEMATHESIS_SEED:-1}" \
  --no-color --report-dir "$scratch/report" >"$scratch/run.txt" 2>&1
status=$?
set -e
# The summary (operations, phases, test cases); everything when something failed.
if [[ $status -ne 0 ]]; then
  cat "$scratch/run.txt"
  echo "schemathesis: failures on $backend (exit $status); server log:" >&2
  tail -50 "$scratch/serve.log" >&2
  exit 1
fi
sed -n '/SUMMARY/,$p' "$scratch/run.txt"
operations=$(grep -oE 'Tested: [0-9]+' "$scratch/run.txt" | grep -oE '[0-9]+')
cases=$(grep -oE '[0-9]+ generated, [0-9]+ passed' "$scratch/run.txt")
echo "schemathesis on $backend: $operations operations, $cases, 0 failures"
