"""Fixtures for the import tests: the catalog, an admin, the day of the move."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lastmile.core import clock
from lastmile.core.actors import with_role

DATA = Path(__file__).parent / "data"
MOVE_DAY = dt.date(2026, 12, 2)


@pytest.fixture
def move_day(db):
    fixed = clock.FixedClock(MOVE_DAY, hour=9)
    with clock.use_clock(fixed):
        yield fixed


@pytest.fixture
def admin():
    return with_role("admin", "onboarding admin")


@pytest.fixture
def packages(db):
    from lastmile.catalog.services import catalog_load

    return {p.code: p for p in catalog_load()}


def read(name: str) -> tuple[str, str]:
    return name, (DATA / name).read_text()


@pytest.fixture
def do_import(move_day, packages, admin):
    from lastmile.imports.services import import_files

    def run(source, *names, texts=(), dry_run=False, mapping=None, actor=None):
        files = [read(n) for n in names] + list(texts)
        return import_files(source=source, files=files, actor=actor or admin, dry_run=dry_run, mapping=mapping)

    return run


@pytest.fixture
def console_as(db):
    """console_as("admin") -> a logged-in console client for a user with that role."""
    from django.test import Client

    from tests.api.conftest import make_user

    count = [0]

    def build(*roles: str) -> Client:
        count[0] += 1
        client = Client()
        client.force_login(make_user(f"imp_{'_'.join(roles)}{count[0]}", *roles))
        return client

    return build
