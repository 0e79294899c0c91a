#!/usr/bin/env bash
# Install the Debian packages the suite needs and make sure PostgreSQL is up; `make test` runs
# this first. Idempotent and quick when everything is present: `apt-get update` only when a
# package is missing. Without root it installs nothing and says what to install.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# Debian package → why the suite needs it.
needed=(
  chromium            # the browser tests (Playwright drives /usr/bin/chromium)
  libpango-1.0-0      # WeasyPrint renders the invoice PDFs with Pango
  libpangoft2-1.0-0
  libharfbuzz-subset0 # WeasyPrint subsets the fonts it embeds with it (and warns without it)
  fonts-dejavu-core   # a font for those PDFs
  curl                # scripts/check_wheel.sh asks the installed app for its pages
  redis-server        # the sign-in throttle shared by several workers (tests/test_login_security.py)
)
admin_url=${QUARTERHOUR_PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
pg_local=
case $admin_url in *@127.0.0.1:5432/* | *@localhost:5432/*) pg_local=1 ;; esac
# The suite's default server is a local one: install it when there is none.
if [ -n "$pg_local" ]; then
  command -v pg_ctlcluster >/dev/null || needed+=(postgresql)
  command -v psql >/dev/null || needed+=(postgresql-client)
fi

missing=()
if command -v dpkg-query >/dev/null; then
  for pkg in "${needed[@]}"; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" = installed ] \
      || missing+=("$pkg")
  done
else
  echo "setup-machine: not a Debian system; make sure these (or their equivalents) are" \
       "installed: ${needed[*]}" >&2
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup-machine: the test suite needs these Debian packages: ${missing[*]}" >&2
    echo "Install them with:  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "setup-machine: installing ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# PostgreSQL must be up for the second run of the suite (trust authentication, see README).
if [ -n "$pg_local" ] && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup-machine: PostgreSQL does not answer on 127.0.0.1:5432. Start it, e.g." >&2
    echo "  sudo pg_ctlcluster --skip-systemctl-redirect <version> main start" >&2
    exit 1
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "setup-machine: starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -q -h 127.0.0.1 -p 5432 || {
    echo "setup-machine: PostgreSQL $version did not come up on 127.0.0.1:5432" >&2
    exit 1
  }
fi
if [ -n "$pg_local" ] && ! psql -w -Atq "$admin_url" -c 'SELECT 1' >/dev/null 2>&1; then
  echo "setup-machine: cannot sign in to $admin_url without a password; the suite needs" \
       "trust authentication for it (pg_hba.conf: host all postgres 127.0.0.1/32 trust)" >&2
  exit 1
fi
