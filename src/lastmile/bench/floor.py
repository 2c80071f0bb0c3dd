"""The bill run's floor, in the engine it ran on (issue 14).

The floor is what the database costs at least for the bill run's writes: exactly the
rows it wrote, in every table (statements, ledger entries, timeline entries and
whatever else), inserted raw into copies of those tables with the same columns,
indexes and unique constraints, in the same engine: `executemany` on SQLite,
`COPY` on PostgreSQL. The rows are read back a chunk at a time (untimed) and only the
inserts and the commit are timed, so memory stays flat at a million accounts.

`marks()` before the bill run and `written(before)` after it find the rows by the
growth of each table's integer primary key.
"""
from __future__ import annotations

import re
import sys
import time

CHUNK = 20_000
PREFIX = "floor_"


def _tables():
    from django.apps import apps
    from django.db import models

    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or not isinstance(meta.pk, models.AutoField | models.BigAutoField):
            continue
        yield meta.db_table, meta.pk.column


def marks() -> dict[str, int]:
    """Each table's highest id now."""
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for table, pk in _tables():
            cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')
            out[table] = cursor.fetchone()[0]
    return out


def written(before: dict[str, int]) -> dict[str, int]:
    """The tables that grew since `before`, with how many rows they gained."""
    from django.db import connection

    grew = {}
    with connection.cursor() as cursor:
        for table, pk in _tables():
            cursor.execute(f'SELECT COUNT(*) FROM "{table}" WHERE "{pk}" > %s', [before.get(table, 0)])
            n = cursor.fetchone()[0]
            if n:
                grew[table] = n
    return grew


def _clone_sqlite(cursor, table: str) -> None:
    cursor.execute("SELECT type, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL", [table])
    statements = cursor.fetchall()
    # the table first, then its indexes; names are rewritten to the copy's
    for kind, sql in sorted(statements, key=lambda r: r[0] != "table"):
        if kind == "table":
            sql = re.sub(rf'^CREATE TABLE "?{table}"?', f'CREATE TABLE "{PREFIX}{table}"', sql)
        elif kind == "index":
            sql = re.sub(r'^CREATE (UNIQUE )?INDEX (IF NOT EXISTS )?"?(\w+)"? ON "?(\w+)"?',
                         rf'CREATE \1INDEX "{PREFIX}\3" ON "{PREFIX}\4"', sql)
        else:
            continue
        # foreign keys would point at the live tables; the floor checks only its own rows
        sql = re.sub(r' REFERENCES "[^"]+" \("[^"]+"\)( DEFERRABLE INITIALLY DEFERRED)?', "", sql)
        cursor.execute(sql)


def measure(before: dict[str, int]) -> tuple[float, int]:
    """Insert the rows written since `before` again, raw, in one transaction; the
    seconds (inserts and commit only) and the row count."""
    from django.db import connection, transaction

    tables = dict(_tables())
    grew = written(before)
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        for table in grew:
            cursor.execute(f'DROP TABLE IF EXISTS "{PREFIX}{table}"')
            if postgres:
                cursor.execute(f'CREATE TABLE "{PREFIX}{table}" (LIKE "{table}" INCLUDING ALL)')
            else:
                _clone_sqlite(cursor, table)
    elapsed, rows = 0.0, 0
    block = transaction.atomic()
    block.__enter__()
    try:
        raw = connection.connection
        for table in grew:
            elapsed_t, rows_t = _copy_table(raw, table, tables[table], before.get(table, 0), postgres)
            elapsed += elapsed_t
            rows += rows_t
    except BaseException:
        block.__exit__(*sys.exc_info())
        raise
    started = time.perf_counter()
    block.__exit__(None, None, None)
    elapsed += time.perf_counter() - started
    with transaction.atomic(), connection.cursor() as cursor:
        for table in grew:
            cursor.execute(f'DROP TABLE "{PREFIX}{table}"')
    return elapsed, rows


def _copy_table(raw, table: str, pk: str, last: int, postgres: bool) -> tuple[float, int]:
    from django.db import connection

    columns = _columns(table)
    col_sql = ", ".join(f'"{c}"' for c in columns)
    at = columns.index(pk)
    elapsed, rows = 0.0, 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT {col_sql} FROM "{table}" WHERE "{pk}" > %s ORDER BY "{pk}" LIMIT {CHUNK}',
                           [last])
            chunk = cursor.fetchall()
        if not chunk:
            return elapsed, rows
        last = chunk[-1][at]
        started = time.perf_counter()
        if postgres:
            with raw.cursor() as cur, cur.copy(f'COPY "{PREFIX}{table}" ({col_sql}) FROM STDIN') as copy:
                for row in chunk:
                    copy.write_row(row)
        else:
            marks_ = ", ".join("?" for _ in columns)
            raw.executemany(f'INSERT INTO "{PREFIX}{table}" ({col_sql}) VALUES ({marks_})', chunk)
        elapsed += time.perf_counter() - started
        rows += len(chunk)


def _columns(table: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        described = connection.introspection.get_table_description(cursor, table)
    # generated columns are computed by the database, as in the live table
    generated = _generated(table)
    return [c.name for c in described if c.name not in generated]


def _generated(table: str) -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
                " AND is_generated = 'ALWAYS'", [table])
            return {r[0] for r in cursor.fetchall()}
        cursor.execute(f'PRAGMA table_xinfo("{table}")')
        return {r[1] for r in cursor.fetchall() if r[6] in (2, 3)}
