#!/usr/bin/env bash
# Sets up a fresh machine for the tests and runs all of them, twice: on SQLite (the
# embedded default) and on PostgreSQL + PostGIS (a throwaway cluster on 127.0.0.1 that
# this script starts and deletes). The suite: sample-data checks, unit and property tests,
# HTTP, CLI, replica and client (GDAL, OWSLib) tests, doc tests, schemathesis over the
# OpenAPI document (scripts/schemathesis.sh); then the web map's end-to-end tests in
# headless Chromium against the real service (on SQLite).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export LANDREUSE_TEST_PYTHON="$PWD/.venv/bin/python"
python3 geodata/check_sample.py


echo "== tests on SQLite" >&2
cargo test "$@"
scripts/schemathesis.sh

echo "== web map in headless Chromium" >&2
(cd web && LANDREUSE_BIN="$(cd .. && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/landreuse" npm test)

echo "== tests on PostgreSQL + PostGIS" >&2
trap 'scripts/pg-test-cluster.sh stop' EXIT
LANDREUSE_TEST_DATABASE_URL=$(scripts/pg-test-cluster.sh start)
export LANDREUSE_TEST_DATABASE_URL
cargo test --tests "$@"
scripts/schemathesis.sh "$LANDREUSE_TEST_DATABASE_URL"
elapsed=$SECONDS
echo "== the whole suite took $((elapsed / 60)) min $((elapsed % 60)) s" >&2
