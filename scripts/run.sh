#!/usr/bin/env bash
# Sets up a fresh machine and serves the sample zone on http://127.0.0.1:8080
# (SQLite database in ./data; arguments are passed to `landreuse serve`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec cargo run --release --bin landreuse -- serve "$@"
