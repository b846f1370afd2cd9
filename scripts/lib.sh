# Shared by the run and test scripts: tools a fresh machine may lack.

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/depot-target}"

log() { printf '\n== %s\n' "$*"; }

# Det Fælles Designsystem (npm package dkfds), served from frontend/node_modules.
ensure_frontend() {
  if [[ -f frontend/node_modules/dkfds/dist/css/dkfds.min.css ]]; then return; fi
  if ! command -v npm >/dev/null 2>&1; then
    log "installing Node.js and npm (Debian packages)"
    apt_install nodejs npm
  fi
  log "installing front-end packages (npm)"
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
}

apt_updated=""
apt_install() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "error: need to install $* but not running as root" >&2
    return 1
  fi
  if [[ -z "$apt_updated" ]]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
