#!/usr/bin/env bash
# Installs what Beta and its tests need on a Debian or Ubuntu machine: Node.js 20+, the npm
# packages of package-lock.json, and the real nginx (with the Lua module and libraries the
# router config uses), dnsmasq, rsync and PostgreSQL the tests run.
# Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] || missing+=(dnsmasq-base)
# The router's Lua: the nginx module, lua-resty-core (which the module needs), the LRU cache and
# the DNS client (Debian's name for lua-resty-dns).
for package in libnginx-mod-http-lua lua-resty-core lua-resty-lrucache lua-nginx-dns; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
command -v rsync >/dev/null 2>&1 || missing+=(rsync)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
# examples/e2e.sh asks through curl; its tests run it against a stand-in router.
command -v curl >/dev/null 2>&1 || missing+=(curl)
# Database tests start their own server with initdb/pg_ctl (Debian: /usr/lib/postgresql/<v>/bin)
# and run the Jobs' psql; as root they run it as the package's unprivileged `postgres` user.
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
# The database reap's claim reader is tested over HTTPS with a certificate openssl makes.
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} with apt-get" >&2
  # Tests start their own nginx and PostgreSQL on loopback ports; don't let the packages start theirs.
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | sudo_if_needed tee "$policy" >/dev/null
    sudo_if_needed chmod +x "$policy"
    created_policy=1
  fi
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ "$created_policy" -eq 1 ]; then sudo_if_needed rm -f "$policy"; fi
fi

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "setup: Node.js $(node --version) is too old; Beta needs Node.js 20 or newer." >&2
  echo "       Install it from https://nodejs.org or your distribution's backports, then run this again." >&2
  exit 1
fi

# npm ci wipes node_modules; skip it when the installed tree already matches the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
