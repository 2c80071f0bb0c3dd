"""Databases of their own for the fault tests (issue 15): the `lastmile` command runs
in subprocesses, which cannot see pytest-django's test database (its data is never
committed), so each test gets a database cloned from one seeded template.

The engine follows DATABASE_URL, as the rest of the suite: a SQLite file (copied
with SQLite's backup API) or a PostgreSQL database (`CREATE DATABASE ... TEMPLATE`)
beside the named one, dropped at the end of the session.

The ISP is the benchmark's synthetic one (bench/synth.py), small: a few hundred
accounts billed and paid for August 2026. The days run are the bill day (Sep 1),
the autopay due day (Sep 5: BIL-5, `due_days` 4), the delinquency day (Sep 16)
and the shut-off day (Sep 18), as `lastmile bench` runs them.
"""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

BIN = Path(sys.executable).parent
LASTMILE = str(BIN / "lastmile")
ACCOUNTS = int(os.environ.get("LASTMILE_RELIABILITY_ACCOUNTS", "300"))
BILL_DAY, AUTOPAY_DAY = dt.date(2026, 9, 1), dt.date(2026, 9, 5)
DELINQUENCY_DAY, SHUTOFF_DAY = dt.date(2026, 9, 16), dt.date(2026, 9, 18)
DAYS = (BILL_DAY, AUTOPAY_DAY, DELINQUENCY_DAY, SHUTOFF_DAY)
RUN_TIMEOUT = 300
# left out of "the same state": a log, not an action (each run writes its own row,
# issue 10's day-run log, by design), and the schema's own bookkeeping, which follows
# the code checked out when each `run-day` migrates, not the ISP's data
LOG_TABLES = frozenset({"core_dayrun", "django_migrations", "django_content_type", "auth_permission"})

SEED = f"""
import datetime as dt
from lastmile.cli import _setup, _migrate
_setup(); _migrate()
from lastmile.bench import synth
synth.build({ACCOUNTS}, month=dt.date(2026, 9, 1))
"""


def engine() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


@dataclass
class Db:
    url: str
    name: str  # the SQLite file, or the PostgreSQL database's name

    @property
    def vendor(self) -> str:
        return "postgresql" if self.url.startswith("postgres") else "sqlite"

    def env(self, **extra) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("LASTMILE_CELERY_BROKER",)}
        env.update(DATABASE_URL=self.url, LASTMILE_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
        env.update(extra)
        return env

    # --- the command --------------------------------------------------------------
    def run_day(self, day: dt.date, **kw) -> subprocess.CompletedProcess:
        return subprocess.run([LASTMILE, "run-day", "--as-of", day.isoformat()], env=self.env(),
                              capture_output=True, text=True, timeout=RUN_TIMEOUT, **kw)

    def spawn_run_day(self, day: dt.date) -> subprocess.Popen:
        return subprocess.Popen([LASTMILE, "run-day", "--as-of", day.isoformat()], env=self.env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def lastmile(self, *args, **kw) -> subprocess.CompletedProcess:
        return subprocess.run([LASTMILE, *args], env=self.env(), capture_output=True, text=True,
                              timeout=RUN_TIMEOUT, **kw)

    # --- what is in it -----------------------------------------------------------
    def connect(self):
        if self.vendor == "sqlite":
            return sqlite3.connect(self.name, timeout=30)
        import psycopg

        return psycopg.connect(self.url, autocommit=True)

    def tables(self, conn) -> list[str]:
        cur = conn.cursor()
        if self.vendor == "sqlite":
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        else:
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return sorted(row[0] for row in cur.fetchall())

    def state(self) -> dict:
        """Every table's row count and every account's ledger sum (issue 15's "same state")."""
        conn = self.connect()
        try:
            cur = conn.cursor()
            counts = {}
            for table in self.tables(conn):
                if table in LOG_TABLES:
                    continue
                cur.execute(f'SELECT COUNT(*) FROM "{table}"')
                counts[table] = cur.fetchone()[0]
            cur.execute("SELECT account_id, SUM(amount) FROM billing_ledgerentry GROUP BY account_id")
            sums = {pk: Decimal(str(total)).quantize(Decimal("0.01")) for pk, total in cur.fetchall()}
        finally:
            conn.close()
        return {"counts": counts, "ledger": sums}


def differences(expected: dict, got: dict) -> list[str]:
    """What differs, in words (empty when the states are equal)."""
    out = []
    for table in sorted(set(expected["counts"]) | set(got["counts"])):
        a, b = expected["counts"].get(table), got["counts"].get(table)
        if a != b:
            out.append(f"{table}: {a} rows in the reference, {b} here")
    wrong = [pk for pk in set(expected["ledger"]) | set(got["ledger"])
             if expected["ledger"].get(pk) != got["ledger"].get(pk)]
    for pk in sorted(wrong)[:10]:
        out.append(f"account {pk}: ledger sum {expected['ledger'].get(pk)} in the reference, "
                   f"{got['ledger'].get(pk)} here")
    if len(wrong) > 10:
        out.append(f"... and {len(wrong) - 10} more accounts")
    return out


# --- creating and dropping databases ------------------------------------------------
class Factory:
    """Seeded template, clones of it, and the cleanup."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.base_url = os.environ.get("DATABASE_URL", "")
        self.created: list[Db] = []
        self.tag = uuid.uuid4().hex[:8]
        self.template = self.empty("tpl")
        done = subprocess.run([sys.executable, "-c", SEED], env=self.template.env(), capture_output=True,
                              text=True, timeout=RUN_TIMEOUT)
        assert done.returncode == 0, done.stderr[-3000:]

    def _pg(self):
        import psycopg

        parts = urllib.parse.urlparse(self.base_url)
        return psycopg.connect(urllib.parse.urlunparse(parts._replace(path="/postgres")), autocommit=True)

    def _pg_url(self, name: str) -> str:
        parts = urllib.parse.urlparse(self.base_url)
        return urllib.parse.urlunparse(parts._replace(path=f"/{name}"))

    def empty(self, label: str) -> Db:
        if engine() == "sqlite":
            path = self.workdir / f"{label}-{uuid.uuid4().hex[:6]}.sqlite3"
            db = Db(f"sqlite:///{path}", str(path))
        else:
            name = f"lmrel_{self.tag}_{label}_{uuid.uuid4().hex[:6]}"
            with self._pg() as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            db = Db(self._pg_url(name), name)
        self.created.append(db)
        return db

    def clone(self, label: str, source: Db | None = None) -> Db:
        source = source or self.template
        if engine() == "sqlite":
            path = self.workdir / f"{label}-{uuid.uuid4().hex[:6]}.sqlite3"
            src, dst = sqlite3.connect(source.name), sqlite3.connect(path)
            with dst:
                src.backup(dst)
            src.close()
            dst.close()
            db = Db(f"sqlite:///{path}", str(path))
        else:
            name = f"lmrel_{self.tag}_{label}_{uuid.uuid4().hex[:6]}"
            with self._pg() as conn:
                for _ in range(50):  # the template must have no session left (a process just ended)
                    try:
                        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source.name}"')
                        break
                    except Exception as exc:  # noqa: BLE001
                        if "being accessed by other users" not in str(exc):
                            raise
                        time.sleep(0.2)
            db = Db(self._pg_url(name), name)
        self.created.append(db)
        return db

    def drop_all(self) -> None:
        if engine() == "sqlite":
            return  # tmp_path_factory removes the files
        with self._pg() as conn:
            for db in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')
