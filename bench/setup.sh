#!/usr/bin/env bash
# What `make bench` needs beyond `make install`: wrk and WeasyPrint's libraries (Debian packages,
# installed as root when missing), the profilers (bench/requirements.txt, into .venv) and, when
# PostgreSQL is benchmarked, a running cluster with the bench role (as .ci/run does for the tests).
set -euo pipefail
dbs="${1:-sqlite postgresql}"
packages=(wrk fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0)
[[ " $dbs " == *" postgresql "* ]] && packages+=(postgresql)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "Installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
.venv/bin/pip install -q -r bench/requirements.txt 2>&1 | { grep -v '^WARNING: Location' || true; }

if [[ " $dbs " == *" postgresql "* ]] && [ -z "${BENCH_PG_URL:-}" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  if [ "$(id -u)" -eq 0 ]; then
    pg_lsclusters -h | grep -q "^$version main" || pg_createcluster "$version" main >/dev/null
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
      || pg_ctlcluster --skip-systemctl-redirect "$version" main status >/dev/null
    for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
    # The bench creates and drops its own databases (hwaas_bench_s, hwaas_bench_l) as this role.
    su postgres -c "psql -q -v ON_ERROR_STOP=1" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hwaas') THEN
    CREATE ROLE hwaas LOGIN PASSWORD 'hwaas' CREATEDB;
  END IF;
END $$;
SQL
    # The role's own database: where the bench connects to create and drop the others.
    su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'hwaas'\"" | grep -q 1 \
      || su postgres -c "psql -q -c 'CREATE DATABASE hwaas OWNER hwaas'"
  fi
  pg_isready -q -h 127.0.0.1 || { echo "PostgreSQL is not running on 127.0.0.1 (set BENCH_PG_URL, or run as root)" >&2; exit 1; }
fi
