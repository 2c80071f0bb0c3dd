#!/usr/bin/env bash
# The whole suite: lint, then pytest on SQLite and, at the same time, on PostgreSQL when
# 127.0.0.1:5432 answers. Called by `make test` (and so by .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin

echo "== browser for the e2e test (Playwright drives Debian's Chromium; never 'playwright install')"
"$BIN/python" -c "import playwright" 2>/dev/null || "$BIN/pip" install -q playwright \
  || echo "playwright could not be installed: the browser test will skip"
command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium) \
  || echo "chromium could not be installed: the browser test will skip"
command -v radclient >/dev/null && command -v freeradius >/dev/null \
  || (apt-get update -qq && apt-get install -y -qq freeradius freeradius-utils freeradius-rest) \
  || echo "FreeRADIUS could not be installed: the RADIUS integration test will skip"  # NET-3

bash scripts/syslibs.sh  # Pango & co. for WeasyPrint's statement PDFs (BIL-8)

echo "== ruff"
"$BIN/ruff" check src tests

PG_URL=${LASTMILE_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}
pg_up() {
  "$BIN/python" - "$PG_URL" <<'PY'
import socket, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
try:
    socket.create_connection((u.hostname, u.port or 5432), timeout=2).close()
except OSError:
    sys.exit(1)
PY
}

if ! pg_up; then
  echo "== PostgreSQL is not reachable at $PG_URL: the PostgreSQL run is skipped"
  echo "== pytest on SQLite"
  DATABASE_URL="sqlite:///$(pwd)/.test-sqlite.sqlite3" "$BIN/pytest" "$@"
  exit $?
fi

# The two engines' runs share nothing (their own test databases, free ports for the
# live servers and FreeRADIUS), so they run at once: CI waits for the longer one.
logs=$(mktemp -d)
echo "== pytest on SQLite and on PostgreSQL ($PG_URL), at once; each log follows when both are done"
DATABASE_URL="sqlite:///$(pwd)/.test-sqlite.sqlite3" "$BIN/pytest" "$@" >"$logs/sqlite.log" 2>&1 &
sqlite_pid=$!
DATABASE_URL="$PG_URL" "$BIN/pytest" "$@" >"$logs/postgresql.log" 2>&1 &
pg_pid=$!
sqlite_rc=0; pg_rc=0
wait "$sqlite_pid" || sqlite_rc=$?
wait "$pg_pid" || pg_rc=$?
echo "== pytest on SQLite (exit $sqlite_rc)"
cat "$logs/sqlite.log"
echo "== pytest on PostgreSQL (exit $pg_rc)"
cat "$logs/postgresql.log"
rm -rf "$logs"
[ "$sqlite_rc" -eq 0 ] && [ "$pg_rc" -eq 0 ]
