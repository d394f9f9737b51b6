#!/usr/bin/env bash
# Install what the browser test (tests/test_browser.py) needs, and nothing when it is already there:
#   - Debian's chromium (apt-get; the test never downloads a browser build of its own),
#   - the playwright Python package into the project's virtual environment.
# Usage: scripts/install_browser.sh            (as root, or with sudo available for apt-get)
# Environment: VENV (default .venv) names the virtual environment to install playwright into.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VENV:-.venv}"
CHROMIUM="${SNNLIB_CHROMIUM:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
    echo "install_browser: chromium present at $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
else
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=""
    elif command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install_browser: $CHROMIUM is missing and this user cannot run apt-get;" \
             "install Debian's chromium as root (apt-get install chromium) and run this again" >&2
        exit 1
    fi
    echo "install_browser: installing Debian's chromium with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
    if [ ! -x "$CHROMIUM" ]; then
        echo "install_browser: apt-get finished but $CHROMIUM is still missing" >&2
        exit 1
    fi
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "install_browser: no virtual environment at $VENV; run 'make test' (or make lab) once to create it" >&2
    exit 1
fi
if "$VENV/bin/python" -c "import playwright.sync_api" >/dev/null 2>&1; then
    echo "install_browser: playwright present in $VENV"
else
    echo "install_browser: installing the playwright Python package into $VENV"
    # The package only: its own browser download ('playwright install') is never run.
    "$VENV/bin/python" -m pip install -q 'playwright>=1.40'
fi
echo "install_browser: ready"
