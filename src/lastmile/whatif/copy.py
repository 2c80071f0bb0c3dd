"""Throw-away copies of the live database for a what-if, and the checksums that show
the live one was not written.

SQLite: the online backup API of the live connection (a consistent copy while the
live system keeps working). PostgreSQL: `pg_dump -Fc` of the live database into a
new database (`CREATE DATABASE ... TEMPLATE` would need every other session off the
live database). The copy is the only database the arms ever open.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from urllib.parse import quote

from django.db import connection

from lastmile.core.backup import checksums, pg_client, table_names


class CopyError(Exception):
    """The copy could not be made; the message says why and what to do."""


def _pg_url(settings: dict, name: str) -> str:
    user = quote(str(settings.get("USER") or ""))
    password = f":{quote(str(settings['PASSWORD']))}" if settings.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{name}"


@contextlib.contextmanager
def copies(count: int):
    """`count` copies of the live database, as DATABASE_URLs; dropped afterwards."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        if connection.in_atomic_block:  # the backup would wait for ever on its own write lock
            raise CopyError("a what-if copies the database outside any transaction")
        with tempfile.TemporaryDirectory(prefix="lastmile-whatif-") as tmp:
            connection.ensure_connection()
            urls = []
            for i in range(count):
                path = os.path.join(tmp, f"arm{i}.sqlite3")
                target = sqlite3.connect(path)
                try:
                    connection.connection.backup(target)
                finally:
                    target.close()
                urls.append(f"sqlite:///{path}")
            yield urls
        return
    if connection.vendor != "postgresql":
        raise CopyError(f"what-if copies SQLite or PostgreSQL, not {connection.vendor}")
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            raise CopyError(f"{tool} is not installed (Debian: postgresql-client)")
    names = [f"lastmile_whatif_{uuid.uuid4().hex[:10]}_{i}" for i in range(count)]
    base, env = pg_client(settings)
    with tempfile.NamedTemporaryFile(prefix="lastmile-whatif-", suffix=".dump") as dump:
        done = subprocess.run(["pg_dump", "-Fc", "--no-owner", *base, "-f", dump.name, settings["NAME"]],
                              env=env, capture_output=True, text=True)
        if done.returncode:
            raise CopyError(f"pg_dump of {settings['NAME']} failed: {done.stderr.strip()}")
        try:
            for name in names:
                with connection.cursor() as cursor:
                    cursor.execute(f'CREATE DATABASE "{name}"')
                done = subprocess.run(["pg_restore", "--no-owner", "-j", "2", *base, "-d", name, dump.name],
                                      env=env, capture_output=True, text=True)
                if done.returncode:
                    raise CopyError(f"pg_restore into {name} failed: {done.stderr.strip()}")
            yield [_pg_url(settings, name) for name in names]
        finally:
            for name in names:
                with connection.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def table_checksums() -> dict[str, dict]:
    """Every table's row count and digest (core.backup's, the same as a restore checks)."""
    with connection.cursor() as cursor:
        return checksums(cursor, table_names(cursor, connection.vendor))
