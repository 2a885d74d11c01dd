#!/usr/bin/env bash
# Starts a PostgreSQL server on loopback for the store's tests and prints
# the URL they read from CLOUDMASTER_TEST_DATABASE_URL. Installs Debian's
# package when the server is missing. Safe to run again: it reuses what is there.
#   eval "$(.ci/postgres.sh)"   # exports CLOUDMASTER_TEST_DATABASE_URL
set -euo pipefail

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "installing PostgreSQL from Debian's packages" >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi

version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  pg_ctlcluster "$version" main start >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')

# A role and database of the tests' own; the password only guards a loopback test server.
runuser -u postgres -- psql -q -p "$port" -v ON_ERROR_STOP=1 >&2 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cloudmaster_test') THEN
    CREATE ROLE cloudmaster_test LOGIN PASSWORD 'cloudmaster_test' CREATEDB;
  END IF;
END $$;
SQL
if ! runuser -u postgres -- psql -p "$port" -tAc "SELECT 1 FROM pg_database WHERE datname = 'cloudmaster_test'" | grep -q 1; then
  runuser -u postgres -- createdb -p "$port" -O cloudmaster_test cloudmaster_test >&2
fi

echo "export CLOUDMASTER_TEST_DATABASE_URL=postgres://cloudmaster_test:cloudmaster_test@127.0.0.1:${port}/cloudmaster_test"
