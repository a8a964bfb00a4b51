#!/usr/bin/env bash
# Sets up everything the app needs on a fresh machine; `--dev` adds what the tests need.
#   Debian packages: dataset-fashion-mnist (the real data), plus chromium + chromium-driver with --dev.
#   A virtual environment in .venv with the pinned requirements (reinstalled only when they change).
#   The browser's libraries pinned in js/package-lock.json (plotly.js's cartesian bundle), by `npm ci` into
#   js/node_modules, when npm is there (always with --dev); without them the app's own charts (the live chart, the
#   Train page's results) load the plotly package's full plotly.js instead (a slow device evaluates it in 4-6 s
#   against about 1 s).
#   With --dev, the npm test tools pinned in tests/package-lock.json (axe-core), by `npm ci` into tests/node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=false
[ "${1:-}" = "--dev" ] && dev=true

# -- Debian packages, when apt is there ------------------------------------------------
packages=(dataset-fashion-mnist)
$dev && packages+=(chromium chromium-driver)
$dev && ! command -v npm >/dev/null 2>&1 && packages+=(npm)  # any npm will do (NodeSource's nodejs brings its own)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "setup: installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: no apt-get here; without dataset-fashion-mnist, set FASHION_MNIST_DIR or let Keras download it." >&2
  fi
fi

# -- Python --------------------------------------------------------------------------
python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
requirements=requirements.txt
$dev && requirements=requirements-dev.txt
stamp=".venv/.installed-$(cat requirements.txt "$requirements" | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup: installing $requirements into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements"
  touch "$stamp"
fi

# -- npm: each folder's pinned packages, reinstalled only when its lock file changes; read from disk -----------
npm_install() {  # npm_install FOLDER WHAT
  local stamp="$1/node_modules/.installed-$(sha256sum "$1/package-lock.json" | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    echo "setup: installing $2 ($1/package-lock.json)"
    npm ci --prefix "$1" --no-audit --no-fund --loglevel=error
    touch "$stamp"
  fi
}
if command -v npm >/dev/null 2>&1; then
  npm_install js "the browser's libraries"
else
  echo "setup: no npm here; the live chart will load the plotly package's full plotly.js (js/package.json)." >&2
fi
$dev && npm_install tests "the npm test tools"
