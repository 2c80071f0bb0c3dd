"""Reusable test builders (NetBox style): make an account, run a scenario text."""
from __future__ import annotations

import datetime as dt
import textwrap

from lastmile.accounts.services import account_create
from lastmile.catalog.models import Package
from lastmile.core.actors import superuser

ADDRESS = {"line1": "12 Elm St", "city": "Orem", "state": "UT", "postal_code": "84057",
           "address_id": "UT-10042"}


def make_account(*, plan: str = "classic", network: str = "utopia", kind: str = "residential",
                 name: str = "Ana Lopez", phones=("801-555-0101",), emails=("ana@example.test",),
                 service_start=dt.date(2025, 6, 5), **extra):
    package = Package.objects.get(code=plan)
    return account_create(
        name=name, kind=kind, network=network, package=package, address=dict(ADDRESS),
        phones=list(phones), emails=list(emails), service_start=service_start,
        actor=superuser("test"), **extra,
    )


def run_scenario_text(text: str, *, repeat_days: bool = False) -> dict:
    """Parse and run a scenario on the test database (same code as `lastmile simulate`)."""
    from lastmile.simulation import scenario
    from lastmile.simulation.runner import run

    return run(scenario.parse(textwrap.dedent(text)), repeat_days=repeat_days)


def of_type(result: dict, type_: str, account: str | None = None) -> list[dict]:
    return [e for e in result["timeline"] if e["type"] == type_ and (account is None or e["account"] == account)]
