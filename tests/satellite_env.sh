#!/usr/bin/env bash
# The registry's real wyoming-satellite (1.0.0, the newest on PyPI) in its own throwaway
# virtualenv, .cache/satellite-venv (git-ignored): it pins wyoming==1.4.1, which conflicts with
# her wyoming==1.10.2, so it cannot share her venv. tests/test_real_satellite.py runs it as a
# subprocess. Idempotent: a second run does nothing. PYTHON picks the interpreter (python3).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.cache/satellite-venv
VERSION=1.0.0
STAMP="$VENV/.installed-$VERSION"
[ -f "$STAMP" ] && exit 0
rm -rf "$VENV"
"${PYTHON:-python3}" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "wyoming-satellite==$VERSION"
"$VENV/bin/python" -c "import wyoming_satellite.satellite, wyoming; print('wyoming-satellite $VERSION ready')"
touch "$STAMP"
