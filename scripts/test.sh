#!/usr/bin/env bash
# Set up everything (idempotent), build dist/ from this tree, then run the whole test suite:
# unit tests, rule examples in CPython and in Pyodide, DOCX checks, and the browser tests
# (Playwright driving Debian's Chromium against dist/ served on 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python build.py
exec .venv/bin/python -m pytest "$@"
