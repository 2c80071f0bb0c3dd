"""Ticket tests run on the simulated network with the NOC not confirming by itself,
so a reinstatement waits on a person (DLQ-7)."""
from __future__ import annotations

import pytest

from lastmile.core import ispconfig
from lastmile.simulation.state import simulation


@pytest.fixture
def sim_manual(today, catalog):
    with simulation(), ispconfig.override(noc_auto_confirm=False) as settings:
        yield settings
