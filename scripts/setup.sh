#!/usr/bin/env bash
# Installs what landreuse needs on a fresh Debian 12 machine with a Rust toolchain.
#   scripts/setup.sh          build and run: cmake (PROJ is compiled from the proj crate's
#                             bundled sources) and pkg-config; the web map in web/dist
#                             (npm packages from the registry, built with Vite)
#   scripts/setup.sh --test   also what the tests use: PostgreSQL 15 with PostGIS (the second
#                             backend), gdal-bin (ogrinfo/ogr2ogr, the OAPIF client),
#                             OWSLib, pyogrio (GDAL 3.12) and schemathesis in .venv, headless Chromium
#                             with a CJK font (chromium, fonts-noto-cjk: the report's PDF and
#                             the web map's browser tests)
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake pkg-config)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(postgresql-15 postgresql-15-postgis-3 gdal-bin python3-venv chromium fonts-noto-cjk)
fi

as_root() { if [[ "$(id -u)" == 0 ]]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]} from Debian" >&2
  as_root apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null \
    || { as_root apt-get update -qq && as_root apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
fi

if ! command -v cargo >/dev/null; then
  echo "setup: cargo is not on PATH; install Rust (https://rustup.rs) and run this again" >&2
  exit 1
fi

if [[ "${1:-}" == "--test" ]]; then
  if [[ ! -x .venv/bin/python ]] || ! .venv/bin/python -c "import owslib, pyogrio, schemathesis" 2>/dev/null; then
    echo "setup: installing OWSLib, pyogrio (GDAL 3.12) and schemathesis into .venv" >&2
    python3 -m venv .venv
    .venv/bin/pip install -q -r tests/clients/requirements.txt
  fi
fi

# The web map: built into web/dist when it is missing or older than its sources.
if ! command -v npm >/dev/null || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)' 2>/dev/null; then
  echo "setup: the web map needs Node.js 20.19 or newer with npm (found: $(node --version 2>/dev/null || echo none)); install it and run this again" >&2
  exit 1
fi
if [[ ! -d web/node_modules ]] || [[ web/package-lock.json -nt web/node_modules/.package-lock.json ]]; then
  echo "setup: installing the web map's npm packages" >&2
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
if [[ ! -f web/dist/index.html ]] || [[ -n "$(find web/src web/index.html web/vite.config.js web/package-lock.json -newer web/dist/index.html 2>/dev/null | head -1)" ]]; then
  echo "setup: building the web map into web/dist" >&2
  (cd web && npm run build --silent >/dev/null)
fi
