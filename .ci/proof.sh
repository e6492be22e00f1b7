#!/usr/bin/env bash
# Loopback proof of deploy/: installs nginx, PostgreSQL 15, Redis 7, OpenSSL, iproute2 and curl
# from Debian packages when they are missing, builds the CLI and runs test/deploy. The tests start
# the real programs with the deploy/ configuration on 127.0.0.0/8 or in network namespaces they
# create. Runs as root, as .ci/run does.
#
#   bash .ci/proof.sh                 install what is missing, then run the deploy tests
#   bash .ci/proof.sh --install-only  install what is missing and stop (npm test runs them later)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'proof: %s\n' "$*" >&2; }

install_only=0
case "${1:-}" in
  --install-only) install_only=1 ;;
  "") ;;
  *) log "unknown option '$1'; use --install-only or nothing"; exit 2 ;;
esac

missing_packages() {
  local packages=()
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || packages+=(nginx-light)
  [[ -x /usr/lib/postgresql/15/bin/postgres ]] || packages+=(postgresql-15)
  command -v redis-server >/dev/null || packages+=(redis-server redis-tools)
  command -v openssl >/dev/null || packages+=(openssl)
  # The topology test builds the compose networks with `ip netns` and requests with curl.
  command -v ip >/dev/null || packages+=(iproute2)
  command -v curl >/dev/null || packages+=(curl)
  printf '%s\n' "${packages[@]}"
}

install_packages() {
  local packages
  mapfile -t packages < <(missing_packages | sed '/^$/d')
  if [[ ${#packages[@]} -eq 0 ]]; then
    return
  fi
  log "installing ${packages[*]} from Debian packages"
  # The packages' own service scripts would start nginx on port 80 and the databases on their
  # default ports. A policy-rc.d that exits 101 keeps them from starting anything.
  local created_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  if [[ "$created_policy" == 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi
}

install_packages
log "$(nginx -v 2>&1), $(/usr/lib/postgresql/15/bin/postgres --version), $(redis-server --version | cut -d' ' -f1-3)"
if [[ "$install_only" == 1 ]]; then
  exit 0
fi

npm run build >/dev/null
CI="${CI:-true}" npx vitest run test/deploy
