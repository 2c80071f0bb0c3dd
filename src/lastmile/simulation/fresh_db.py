"""The simulator's throw-away database: SQLite in memory, or a new PostgreSQL
database created beside the one a URL names and dropped afterwards."""
from __future__ import annotations

import contextlib
import os
import uuid


@contextlib.contextmanager
def fresh_database(database_url: str | None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lastmile.config.settings")
    url = database_url or "sqlite://:memory:"
    temp_name = None
    if url.startswith(("postgres://", "postgresql://")):
        import dj_database_url
        import psycopg

        cfg = dj_database_url.parse(url)
        temp_name = f"lastmile_sim_{uuid.uuid4().hex[:12]}"
        admin = psycopg.connect(
            dbname=cfg["NAME"], user=cfg["USER"] or None, host=cfg["HOST"] or None,
            port=cfg["PORT"] or None, password=cfg["PASSWORD"] or None, autocommit=True,
        )
        admin.execute(f'CREATE DATABASE "{temp_name}"')
        admin.close()
        url = url.rsplit("/", 1)[0] + "/" + temp_name
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    try:
        yield
    finally:
        if temp_name:
            from django.db import connections

            connections.close_all()
            import dj_database_url
            import psycopg

            cfg = dj_database_url.parse(database_url)
            admin = psycopg.connect(
                dbname=cfg["NAME"], user=cfg["USER"] or None, host=cfg["HOST"] or None,
                port=cfg["PORT"] or None, password=cfg["PASSWORD"] or None, autocommit=True,
            )
            admin.execute(f'DROP DATABASE IF EXISTS "{temp_name}"')
            admin.close()
