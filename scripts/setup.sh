#!/usr/bin/env bash
# Sets up everything this project needs on a fresh Debian machine, idempotently:
# system packages (Chromium, Firefox ESR, nginx, Apache, LibreOffice, poppler, CJK fonts), a Python
# >= 3.12 virtual environment at .venv/ with the project and its tools, and the npm packages
# (Pyodide runtime, OOXML validator, puppeteer-core). Safe to run again; it skips what is
# already there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*"; }

# --- system packages -------------------------------------------------------------------------
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v soffice >/dev/null 2>&1 || need_apt+=(libreoffice-writer-nogui)
# Calc: the tests open the generated 附件5 .xlsx as a spreadsheet program would.
dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 || need_apt+=(libreoffice-calc-nogui)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
# A second browser engine for the tests (driven over WebDriver BiDi by npm puppeteer-core).
command -v firefox-esr >/dev/null 2>&1 || need_apt+=(firefox-esr)
# The tests serve dist/ with nginx and Apache and the configuration the build ships; they
# start their own (temporary config, loopback port), never the system services.
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need_apt+=(nginx)
[ -x /usr/sbin/apache2 ] || command -v apache2 >/dev/null 2>&1 || need_apt+=(apache2)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK\|Noto Serif CJK" || need_apt+=(fonts-noto-cjk)
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing system packages: ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# Official forms name 仿宋_GB2312/宋体/方正小标宋; map them to Noto CJK for LibreOffice previews.
if [ -d /etc/fonts/conf.d ] && ! cmp -s scripts/fontconfig/formsite-cjk.conf /etc/fonts/conf.d/65-formsite-cjk.conf; then
  log "installing CJK font aliases for document previews"
  $SUDO install -m 0644 scripts/fontconfig/formsite-cjk.conf /etc/fonts/conf.d/65-formsite-cjk.conf
  $SUDO fc-cache -f >/dev/null
fi

# --- Python >= 3.12 (pyodide-build refuses older ones) ---------------------------------------
find_python() {
  local c
  for c in "${FORMSITE_PYTHON:-}" python3.13 python3.12 python3.14 \
           "$HOME"/.pyenv/versions/3.13*/bin/python3 "$HOME"/.pyenv/versions/3.12*/bin/python3 python3; do
    [ -n "$c" ] || continue
    command -v "$c" >/dev/null 2>&1 || [ -x "$c" ] || continue
    if "$c" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      echo "$c"; return 0
    fi
  done
  return 1
}
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then
  py=$(find_python) || {
    log "no Python >= 3.12 found; installing Debian's python3 venv support did not help either."
    log "install Python 3.12+ (or set FORMSITE_PYTHON=/path/to/python3.12) and run again"; exit 1; }
  log "creating .venv with $py ($("$py" --version))"
  rm -rf .venv
  "$py" -m venv .venv
fi
stamp=.venv/.formsite-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  log "installing Python packages"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev]"
  touch "$stamp"
fi

# --- npm packages ----------------------------------------------------------------------------
if [ ! -d node_modules/pyodide ] || [ package.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund; else npm install --silent --no-audit --no-fund; fi
fi
log "ready"
