"""AUD-1 in the database itself: triggers that refuse UPDATE and DELETE on the
insert-only tables, on SQLite and PostgreSQL, so not even raw SQL edits history."""
from __future__ import annotations

from django.db import migrations


def insert_only(*tables: str) -> migrations.RunPython:
    def forwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for table in tables:
            for statement in _sql(vendor, table):
                schema_editor.execute(statement, params=None)

    def backwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for table in tables:
            for op in ("update", "delete"):
                if vendor == "sqlite":
                    schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
                elif vendor == "postgresql":
                    schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op} ON {table}")

    return migrations.RunPython(forwards, backwards)


def _sql(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op} BEFORE {op.upper()} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is insert-only'); END"
            for op in ("update", "delete")
        ]
    if vendor == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION lastmile_insert_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '% is insert-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql",
            *[
                f"CREATE TRIGGER {table}_no_{op} BEFORE {op.upper()} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION lastmile_insert_only()"
                for op in ("update", "delete")
            ],
        ]
    return []
