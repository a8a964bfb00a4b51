#!/usr/bin/env bash
# The test command: set up with the test tools, lint, then run the whole suite (unit, AppTest, browser).
# pytest exits 5 when it collects nothing, and any non-zero exit fails this script: an empty run is never green.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
