#!/usr/bin/env bash
# Headless Chromium (Debian's chromium + chromium-driver, driven by selenium from PyPI in a venv
# under .build/) against `mottak-dev` (debug build): Swagger UI at /swagger submits a plan with
# "Try it out", the demo form at /demo submits one and watches it complete, and neither page
# reaches beyond the machine (every other host is unresolvable for the browser). Part of
# `make test`; screenshots go to .build/screenshots (BROWSER_SCREENSHOTS=docs/screenshots to
# refresh docs/screenshots).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-packages.sh chromium chromium-driver curl
venv=.build/browser-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import selenium" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "selenium==4.27.1"
fi
exec "$venv/bin/python" scripts/browser_test.py "$@"
