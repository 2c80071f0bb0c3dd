"""`lastmile backup FILE` and `lastmile restore FILE` (issue 15, docs/operations.md).

A backup is taken while the ISP works (the day run, the console): it is one
consistent moment of the database, never a copy of files being written.

- SQLite: the online backup API (`sqlite3.Connection.backup`), which copies the
  pages of one read snapshot; the backup is itself a SQLite database.
- PostgreSQL: `pg_dump -Fc` from a snapshot exported by a repeatable-read
  transaction, which also computes the checksums, so the checksums describe exactly
  what the dump holds; restored with `pg_restore`.

Every backup carries a checksum of every table (`FILE.checksums.json`, beside it);
`restore` recomputes them on the restored database and says whether they match.
A restore that does not match exits 1 and names the tables.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path


class BackupError(Exception):
    """A sentence for the person at the terminal (exit 2)."""


@dataclass
class Outcome:
    path: Path
    tables: int
    rows: int
    mismatched: list[str]


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".checksums.json")


# --- checksums ----------------------------------------------------------------------
def _value(v) -> str:
    if isinstance(v, memoryview):
        v = bytes(v)
    return repr(v)


def checksums(cursor, tables: list[str]) -> dict[str, dict]:
    """Per table: its row count and a SHA-256 over every row, in a fixed order."""
    out = {}
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}" LIMIT 0')
        width = len(cursor.description)
        order = ", ".join(str(i) for i in range(1, width + 1))
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY {order}')
        digest, rows = hashlib.sha256(), 0
        while batch := cursor.fetchmany(2000):
            for row in batch:
                digest.update("\x1f".join(_value(v) for v in row).encode())
                digest.update(b"\x1e")
                rows += 1
        out[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return out


def _sqlite_tables(cursor) -> list[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    return [r[0] for r in cursor.fetchall()]


def _pg_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [r[0] for r in cursor.fetchall()]


def table_names(cursor, vendor: str) -> list[str]:
    """Every table of the database (SQLite or PostgreSQL), by name."""
    return _sqlite_tables(cursor) if vendor == "sqlite" else _pg_tables(cursor)


def _compare(expected: dict, got: dict) -> list[str]:
    wrong = []
    for table in sorted(set(expected) | set(got)):
        if expected.get(table) != got.get(table):
            e, g = expected.get(table), got.get(table)
            wrong.append(f"{table} (backup: {e['rows'] if e else 'missing'} rows, "
                         f"restored: {g['rows'] if g else 'missing'} rows, checksums differ)")
    return wrong


# --- the configured database ---------------------------------------------------------
def _settings() -> dict:
    from django.conf import settings

    return settings.DATABASES["default"]


def _vendor(db: dict) -> str:
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"backups support SQLite and PostgreSQL, not {engine}")


def _sqlite_file(db: dict) -> str:
    name = str(db["NAME"])
    if name in ("", ":memory:") or "mode=memory" in name:
        raise BackupError("the database is in memory: there is nothing to back up")
    return name


def pg_client(db: dict) -> tuple[list[str], dict]:
    """The connection arguments (host, port, user) and environment (password) of the
    PostgreSQL client tools for these Django database settings, without the database."""
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args, env = pg_client(db)
    return ["--dbname", db["NAME"], *args], env


def _pg_connect(db: dict):
    import psycopg

    return psycopg.connect(dbname=db["NAME"], host=db.get("HOST") or None, port=db.get("PORT") or None,
                           user=db.get("USER") or None, password=db.get("PASSWORD") or None)


def _pg_tool(name: str, conn) -> str:
    """The client tool, checked against the server: pg_dump refuses a newer server,
    and a dump from a newer pg_dump than pg_restore cannot be read."""
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client tools "
                          f"(Debian: apt-get install postgresql-client)")
    text = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"(\d+)(?:\.(\d+))?", text)
    client = int(match.group(1)) if match else 0
    server = conn.info.server_version // 10000
    if client < server:
        raise BackupError(f"{name} is version {client} but the server is PostgreSQL {server}: "
                          f"install the client tools of version {server} or newer")
    return tool


# --- backup -------------------------------------------------------------------------
def backup(path: str | Path) -> Outcome:
    db = _settings()
    path = Path(path)
    if _vendor(db) == "sqlite":
        sums = _sqlite_backup(_sqlite_file(db), path)
    else:
        sums = _pg_backup(db, path)
    manifest_path(path).write_text(json.dumps({"vendor": _vendor(db), "tables": sums}, indent=1))
    return Outcome(path, len(sums), sum(t["rows"] for t in sums.values()), [])


def _sqlite_backup(source: str, path: Path) -> dict:
    if path.exists():
        path.unlink()
    src = sqlite3.connect(source, timeout=60)
    dst = sqlite3.connect(path)
    try:
        src.backup(dst)  # all pages in one step: one read snapshot of a live database
    finally:
        src.close()
    try:
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        return checksums(dst.cursor(), _sqlite_tables(dst.cursor()))
    finally:
        dst.close()


def _pg_backup(db: dict, path: Path) -> dict:
    import psycopg

    conn = _pg_connect(db)
    try:
        tool = _pg_tool("pg_dump", conn)
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
            args, env = _pg_env(db)
            dump = subprocess.Popen([tool, "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                                     "--file", str(path), *args], env=env, stderr=subprocess.PIPE, text=True)
            sums = checksums(cursor, _pg_tables(cursor))  # the same snapshot, while pg_dump reads it
            _out, err = dump.communicate()
        conn.rollback()
    finally:
        conn.close()
    if dump.returncode != 0:
        raise BackupError(f"pg_dump failed: {err.strip()[-1500:]}")
    return sums


# --- restore ------------------------------------------------------------------------
def restore(path: str | Path) -> Outcome:
    """Restore FILE into the configured database (replacing what is there), then
    check every table against the backup's checksums."""
    db = _settings()
    path = Path(path)
    if not path.exists():
        raise BackupError(f"there is no backup at {path}")
    manifest = manifest_path(path)
    expected = json.loads(manifest.read_text())["tables"] if manifest.exists() else None
    if _vendor(db) == "sqlite":
        got = _sqlite_restore(path, _sqlite_file(db))
        if expected is None:  # the backup is a database itself: its own checksums
            src = sqlite3.connect(path)
            try:
                expected = checksums(src.cursor(), _sqlite_tables(src.cursor()))
            finally:
                src.close()
    else:
        if expected is None:
            raise BackupError(f"{manifest} is missing: a PostgreSQL backup is checked against it")
        got = _pg_restore(db, path)
    return Outcome(path, len(got), sum(t["rows"] for t in got.values()), _compare(expected, got))


def _sqlite_restore(path: Path, target: str) -> dict:
    for suffix in ("-wal", "-shm"):
        Path(target + suffix).unlink(missing_ok=True)
    src = sqlite3.connect(path)
    dst = sqlite3.connect(target, timeout=60)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
        return checksums(dst.cursor(), _sqlite_tables(dst.cursor()))
    finally:
        src.close()
        dst.close()


def _pg_restore(db: dict, path: Path) -> dict:
    conn = _pg_connect(db)
    try:
        tool = _pg_tool("pg_restore", conn)
    finally:
        conn.close()
    args, env = _pg_env(db)
    done = subprocess.run([tool, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                           "--exit-on-error", *args, str(path)], env=env, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()[-1500:]}")
    conn = _pg_connect(db)
    try:
        with conn.cursor() as cursor:
            return checksums(cursor, _pg_tables(cursor))
    finally:
        conn.close()
