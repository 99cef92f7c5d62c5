#!/usr/bin/env bash
# Makes the PostgreSQL the tests use, idempotently, and prints its connection URL on stdout.
#
# When OPENKMS_TEST_POSTGRES_URL is set, that database is used as given: nothing is started
# or created, and the URL is not printed (it may carry a password). Otherwise this starts the
# machine's Debian cluster if it is down (pg_ctlcluster), and creates the role and database
# `openkms_test` when missing. It runs the administrative commands as the `postgres` OS user,
# so it needs root (or to be that user, or sudo).
#
# The password below is a fixed, test-only credential for a local database that holds only
# throwaway test data; the tests use the same URL when OPENKMS_TEST_POSTGRES_URL is unset.
set -euo pipefail

if [ -n "${OPENKMS_TEST_POSTGRES_URL:-}" ]; then
  echo "test-postgres.sh: OPENKMS_TEST_POSTGRES_URL is set; using that database as it is" >&2
  exit 0
fi

ROLE=openkms_test
DATABASE=openkms_test
PASSWORD=openkms_test_password
HOST=127.0.0.1

fail() {
  echo "test-postgres.sh: $*" >&2
  echo "test-postgres.sh: the PostgreSQL test suites need a database; install PostgreSQL (Debian: postgresql)," >&2
  echo "  or set OPENKMS_TEST_POSTGRES_URL=postgres://user:password@host:port/database to use another one." >&2
  exit 1
}

as_postgres() {
  if [ "$(id -un)" = postgres ]; then
    "$@"
  elif [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    sudo -n -u postgres -- "$@"
  fi
}

command -v pg_lsclusters >/dev/null 2>&1 || fail "pg_lsclusters not found (is PostgreSQL installed?)"

# Two runs at once (e.g. two checkouts) must not both start the cluster or create the role.
# (flock needs only a read descriptor, so a lock file another user created works too.)
LOCK_FILE="${TMPDIR:-/tmp}/openkms-test-postgres.lock"
[ -e "$LOCK_FILE" ] || : >"$LOCK_FILE"
exec 9<"$LOCK_FILE"
flock -w 120 9 || fail "another test-postgres.sh did not finish within 120 s"

# The first cluster Debian knows of: "<version> <name> <port> <status> ...".
read -r VERSION CLUSTER PORT STATUS _ < <(pg_lsclusters --no-header | head -n 1) || fail "no PostgreSQL cluster found (pg_lsclusters lists none)"
if [[ "$STATUS" != online* ]]; then
  echo "test-postgres.sh: starting PostgreSQL cluster $VERSION/$CLUSTER" >&2
  # 9>&-: the server must not inherit (and so hold forever) the lock's file descriptor.
  pg_ctlcluster "$VERSION" "$CLUSTER" start 9>&- || fail "could not start cluster $VERSION/$CLUSTER"
fi

# Wait (bounded) until it accepts connections over TCP, as the tests connect.
for _ in $(seq 1 60); do
  pg_isready -q -h "$HOST" -p "$PORT" && break
  sleep 0.5
done
pg_isready -q -h "$HOST" -p "$PORT" || fail "cluster $VERSION/$CLUSTER does not accept connections on $HOST:$PORT"

psql_admin() {
  as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" -d postgres "$@"
}

if [ "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != 1 ]; then
  psql_admin -c "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'"
fi
if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != 1 ]; then
  psql_admin -c "CREATE DATABASE $DATABASE OWNER $ROLE ENCODING 'UTF8' TEMPLATE template0"
fi

echo "postgres://$ROLE:$PASSWORD@$HOST:$PORT/$DATABASE"
