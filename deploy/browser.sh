#!/usr/bin/env bash
# deploy/browser.sh — a headless browser for the end-to-end UI tests.
# Installs Debian's chromium and chromium-driver (no browser downloads from
# elsewhere: only Debian's packages are reachable on CI).
#
# Usage: deploy/browser.sh install|status|env
#   install  apt-get install chromium chromium-driver if either is missing
#   status   exit 0 if both are installed, 1 otherwise
#   env      print PAKN_CHROMIUM=<path> and PAKN_CHROMEDRIVER=<path>
set -euo pipefail

log() { printf 'browser.sh: %s\n' "$*" >&2; }
die() {
  printf 'browser.sh: error: %s\n' "$*" >&2
  exit 1
}

usage() {
  printf 'usage: deploy/browser.sh install|status|env\n' >&2
  exit 2
}

chromium_path() { command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null; }
driver_path() { command -v chromedriver 2>/dev/null; }

installed() { chromium_path >/dev/null && driver_path >/dev/null; }

cmd_install() {
  if installed; then
    log "chromium and chromedriver already installed ($(chromium_path), $(driver_path))"
    return 0
  fi
  ((EUID == 0)) || die "chromium/chromium-driver are missing and installing them needs root"
  command -v apt-get >/dev/null 2>&1 || die "chromium/chromium-driver are missing and apt-get is not available"
  log "installing Debian's chromium and chromium-driver ..."
  local started=$SECONDS
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed"
  # fonts-liberation: pages render with real metrics without the recommends.
  apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-liberation >/dev/null \
    || die "apt-get install chromium chromium-driver failed"
  installed || die "chromium installed but chromium/chromedriver not found on PATH"
  log "installed in $((SECONDS - started)) s: $("$(chromium_path)" --version 2>/dev/null || true)"
}

cmd_status() {
  if installed; then
    log "installed: $(chromium_path), $(driver_path)"
    return 0
  fi
  log "not installed (run: deploy/browser.sh install)"
  return 1
}

cmd_env() {
  installed || die "not installed (run: deploy/browser.sh install)"
  printf 'PAKN_CHROMIUM=%s\nPAKN_CHROMEDRIVER=%s\n' "$(chromium_path)" "$(driver_path)"
}

main() {
  (($# == 1)) || usage
  case $1 in
    install) cmd_install ;;
    status) cmd_status ;;
    env) cmd_env ;;
    -h | --help | help) usage ;;
    *)
      log "unknown command '$1'"
      usage
      ;;
  esac
}

main "$@"
