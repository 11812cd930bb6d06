#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + PostGIS cluster for the tests, on 127.0.0.1 only.
#   scripts/pg-test-cluster.sh start   initdb (as the postgres user) and start; prints the URL
#   scripts/pg-test-cluster.sh stop    stop and delete the cluster
# env: LANDREUSE_TEST_PGPORT (55440), LANDREUSE_TEST_PGDIR (/tmp/landreuse-test-pg)
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${LANDREUSE_TEST_PGPORT:-55440}
DIR=${LANDREUSE_TEST_PGDIR:-/tmp/landreuse-test-pg}
URL="postgres://postgres@127.0.0.1:$PORT/postgres"

# PostgreSQL refuses to run as root: run it as the postgres user when we are root.
as_pg() { if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# Waits (up to 30 s) until nothing listens on the port: a cluster of an earlier run that
# is still shutting down holds it for a moment.
wait_for_free_port() {
  for _ in $(seq 30); do
    (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || return 0
    sleep 1
  done
  echo "port $PORT on 127.0.0.1 is taken by another process; set LANDREUSE_TEST_PGPORT to a free port" >&2
  exit 1
}

start() {
  stop >/dev/null 2>&1 || true
  wait_for_free_port
  mkdir -p "$DIR/data" "$DIR/sock"
  [[ "$(id -u)" == 0 ]] && chown -R postgres:postgres "$DIR"
  chmod 700 "$DIR/data"
  as_pg "$PGBIN/initdb" -D "$DIR/data" -U postgres -E UTF8 --locale=C.UTF-8 -A trust >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
  cat >>"$DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR/sock'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >/dev/null \
    || { tail -20 "$DIR/server.log" >&2; exit 1; }
  echo "$URL"
}

stop() {
  if [[ -f "$DIR/data/postmaster.pid" ]]; then
    as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null || true
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
