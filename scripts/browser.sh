#!/usr/bin/env bash
# Debian's Chromium for the browser tests (test/browser), which playwright-core drives: it
# downloads no browser of its own. `scripts/browser.sh install` installs the package when the
# machine has none (as root, from the Debian archive); `scripts/browser.sh path` prints where
# the tests will find it. CHROMIUM_PATH names another Chromium.
set -euo pipefail

CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
LOG_DIR="$(cd "$(dirname "$0")/.." && pwd)/.cache/browser"

info() { echo "[browser] $*"; }
die() { echo "[browser] error: $*" >&2; exit 1; }

cmd_install() {
  if [[ -x $CHROMIUM ]]; then
    info "installed: $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null | head -n 1))"
    return 0
  fi
  [[ -z ${CHROMIUM_PATH:-} ]] || die "CHROMIUM_PATH names $CHROMIUM, which is not there"
  [[ $(id -u) == 0 ]] || die "Chromium is not installed; install Debian's package as root: apt-get install chromium"
  mkdir -p "$LOG_DIR"
  local started=$SECONDS
  info "installing Debian's chromium package ..."
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } >"$LOG_DIR/install.log" 2>&1; then
    tail -n 40 "$LOG_DIR/install.log" >&2
    die "apt-get install chromium failed (full output: $LOG_DIR/install.log)"
  fi
  [[ -x $CHROMIUM ]] || die "the chromium package installed no $CHROMIUM"
  info "installed $CHROMIUM in $((SECONDS - started))s"
}

case "${1:-}" in
  install) cmd_install ;;
  path) echo "$CHROMIUM" ;;
  *)
    echo "usage: $0 {install|path}" >&2
    exit 2
    ;;
esac
