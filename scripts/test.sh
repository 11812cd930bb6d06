#!/usr/bin/env bash
# Sets up a fresh machine for the tests and runs all of them: the sample-data checks,
# unit, property, HTTP, CLI and client (GDAL, OWSLib) tests, and the doc tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export LANDREUSE_TEST_PYTHON="$PWD/.venv/bin/python"
python3 geodata/check_sample.py
cargo test --all-features "$@"
