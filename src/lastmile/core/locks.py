"""Named locks that two processes on one database both see (issue 15: a cron overlap,
a retried job, two workers on one chunk).

Why session locks and not one transaction per stage: a stage commits account by
account (a card charge must not hold a transaction open while the processor
answers), so the lock has to outlive its transactions. Both kinds below are let go
by the operating system or the server when the process dies, so a `kill -9` never
leaves a lock behind and the rerun takes it at once.

- PostgreSQL: `pg_advisory_lock(k1, k2)`, a session advisory lock keyed by a hash of
  the name (the server frees it when the connection drops).
- SQLite in a file: a POSIX byte-range lock (`fcntl.lockf`) on one byte of a
  `<database>-locks` file beside the database, at an offset given by the name's
  hash (the kernel frees it when the process exits).
- Always, first: a lock per name inside the process, since POSIX locks and one
  shared connection do not tell two threads of one process apart.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import threading

_local_guard = threading.Lock()
_local: dict[str, threading.Lock] = {}
_files: dict[str, int] = {}


def _keys(name: str) -> tuple[int, int]:
    digest = hashlib.sha256(name.encode()).digest()
    return (int.from_bytes(digest[:4], "big", signed=True), int.from_bytes(digest[4:8], "big", signed=True))


def _thread_lock(name: str) -> threading.Lock:
    with _local_guard:
        return _local.setdefault(name, threading.Lock())


@contextlib.contextmanager
def held(name: str, *, wait: bool = True):
    """Hold the lock `name` for the block; yields False (and holds nothing) when
    `wait` is off and another process or thread holds it."""
    local = _thread_lock(name)
    if not local.acquire(blocking=wait):
        yield False
        return
    try:
        with _database_lock(name, wait=wait) as got:
            yield got
    finally:
        local.release()


@contextlib.contextmanager
def _database_lock(name: str, *, wait: bool):
    from django.db import connections

    conn = connections["default"]
    if conn.vendor == "postgresql":
        with _pg_lock(conn, name, wait=wait) as got:
            yield got
    elif conn.vendor == "sqlite" and _sqlite_path(conn):
        with _file_lock(_sqlite_path(conn), name, wait=wait) as got:
            yield got
    else:  # an in-memory database lives in this process only: the thread lock is enough
        yield True


@contextlib.contextmanager
def _pg_lock(conn, name: str, *, wait: bool):
    k1, k2 = _keys(name)
    with conn.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [k1, k2])
            got = True
        else:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [k1, k2])
            got = bool(cursor.fetchone()[0])
    try:
        yield got
    finally:
        if got:
            _pg_unlock(conn, k1, k2)


def _pg_unlock(conn, k1: int, k2: int) -> None:
    try:
        if conn.connection is not None and not conn.needs_rollback:
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [k1, k2])
            return
    except Exception:  # noqa: BLE001 - a broken session: closing it frees the lock
        pass
    if not conn.in_atomic_block:
        conn.close()  # the server frees every session lock of a closed connection


def _sqlite_path(conn) -> str:
    name = str(conn.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or "mode=memory" in name:
        return ""
    return name


@contextlib.contextmanager
def _file_lock(db_path: str, name: str, *, wait: bool):
    fd = _files.get(db_path)
    if fd is None:
        fd = os.open(f"{db_path}-locks", os.O_RDWR | os.O_CREAT, 0o600)
        _files[db_path] = fd
    offset = int.from_bytes(hashlib.sha256(name.encode()).digest()[:5], "big")
    flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
    try:
        fcntl.lockf(fd, flags, 1, offset, os.SEEK_SET)
    except (BlockingIOError, PermissionError):
        yield False
        return
    try:
        yield True
    finally:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, offset, os.SEEK_SET)
