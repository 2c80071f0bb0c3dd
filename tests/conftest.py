"""Shared fixtures: the injected clock, ISP settings, an actor with every role, and
builders for accounts (NetBox-style reusable helpers live in tests/mixins.py)."""
from __future__ import annotations

import datetime as dt

import pytest

from lastmile.core import clock, ispconfig
from lastmile.core.actors import superuser


@pytest.fixture
def today():
    """The day the test runs on, moved with `today.set(...)`."""
    fixed = clock.FixedClock(dt.date(2026, 9, 1), hour=9)
    with clock.use_clock(fixed):
        yield fixed


@pytest.fixture
def isp():
    """ISP settings with the shipped defaults; override with `with ispconfig.override(...)`."""
    with ispconfig.override() as settings:
        yield settings


@pytest.fixture
def agent():
    return superuser("test agent")


@pytest.fixture
def catalog(db):
    from lastmile.catalog.services import catalog_load

    return {p.code: p for p in catalog_load()}
