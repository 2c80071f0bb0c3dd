"""Running a scenario (scenarios.md): set up, then each day the early-morning day run
followed by the scenario's own events in file order, then the periodic checks of the
business day. The simulator swaps only the clock and the database; every action goes
through the same services as the live system."""
from __future__ import annotations

import logging
import sys
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from lastmile.accounts.models import Account
from lastmile.accounts.services import account_create
from lastmile.billing.selectors import balances
from lastmile.catalog.selectors import package_get
from lastmile.catalog.services import DEFAULT_CATALOG, catalog_load
from lastmile.core import clock, ispconfig, periodic, timeline
from lastmile.core.actors import superuser, with_role
from lastmile.core.dayrun import run_day
from lastmile.core.errors import LastmileError
from lastmile.core.models import TimelineEntry
from lastmile.core.money import ZERO, fmt

from . import registry
from .scenario import Scenario
from .state import simulation
from .yamlload import ScenarioError

log = logging.getLogger(__name__)

BUSINESS_DAY_OPENS = 9
BUSINESS_DAY_CLOSES = 17


@dataclass
class Context:
    """What a verb handler may need beyond its account: the other accounts by ref."""

    scenario: Scenario
    accounts: dict[str, Account] = field(default_factory=dict)
    event_line: int = 0


def run(scenario: Scenario, *, repeat_days: bool = False) -> dict:
    """Run `scenario` on the current database and return the scenarios.md output.

    With `repeat_days` every day run is done twice, which must change nothing.
    """
    sim_clock = clock.FixedClock(scenario.start, hour=5)
    overrides = {"noc_auto_confirm": True}
    overrides.update(scenario.settings)
    with clock.use_clock(sim_clock), ispconfig.override(**overrides), simulation():
        ctx = _set_up(scenario)
        first_entry = TimelineEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        by_day = defaultdict(list)
        for event in scenario.events:
            by_day[event.on].append(event)
        for day in scenario.days():
            sim_clock.set_day(day, hour=6)
            run_day(day)
            if repeat_days:
                run_day(day)
            sim_clock.set_day(day, hour=BUSINESS_DAY_OPENS)
            for event in by_day.get(day, ()):
                sim_clock.advance(minutes=1)
                _dispatch(ctx, event)
                periodic.run_periodic(simulated=True)
            sim_clock.set_day(day, hour=BUSINESS_DAY_CLOSES)
            periodic.run_periodic(simulated=True)
        return output(ctx, since_id=first_entry)


def _set_up(scenario: Scenario) -> Context:
    ctx = Context(scenario)
    spec = None  # the account being set up, for the error's line
    try:
        with transaction.atomic():
            catalog_load(plans=scenario.plans or DEFAULT_CATALOG)
            for spec in scenario.accounts:
                values = dict(spec.values)
                values["package"] = package_get(code=values.pop("plan"))
                ctx.accounts[spec.ref] = account_create(actor=superuser("scenario set-up"), **values)
                if values.get("autopay"):
                    _autopay_card(ctx.accounts[spec.ref])
                for key, parsed in spec.extras.items():
                    registry.account_keys()[key].apply(ctx, ctx.accounts[spec.ref], parsed)
    except LastmileError as exc:
        where = f"account {spec.ref!r}: " if spec else ""
        raise ScenarioError(getattr(spec, "line", None), f"{where}{exc}") from None
    return ctx


def _autopay_card(account) -> None:
    """Issue 9 bug: `autopay: true` without a card declined every autopay charge. The
    account gets the card on file that `enable_autopay` gives (BIL-5, BIL-6)."""
    from lastmile.accounts.selectors import default_card
    from lastmile.accounts.services import card_add

    if default_card(account=account) is None:
        card_add(account=account, token=f"tok_sim_{account.number}", last4="4242", brand="visa",
                 actor=superuser("scenario set-up"), why="Card on file for autopay (scenario account).")


def _dispatch(ctx: Context, event) -> None:
    spec = registry.get_verb(event.verb)
    account = ctx.accounts[event.ref]
    account.refresh_from_db()
    actor = with_role(event.role, name=f"scenario {event.role}") if event.role else superuser("scenario agent")
    ctx.event_line = event.line
    try:
        with transaction.atomic():
            spec.handler(ctx, account, actor, **event.fields)
    except LastmileError as exc:
        _refuse(account, event, actor, exc.message if not exc.field else f"{exc.message} ({exc.field})")
    except Exception as exc:  # noqa: BLE001 - an event never stops the simulation
        log.exception("event on line %s failed", event.line)
        print(f"lastmile: internal error on line {event.line}: {exc!r}", file=sys.stderr)
        _refuse(account, event, actor, f"internal error: {exc}")


def _refuse(account, event, actor, reason: str) -> None:
    timeline.record("action.refused", account=account, actor=actor, verb=event.verb, reason=reason,
                    line=event.line)


def output(ctx: Context, *, since_id: int = 0) -> dict:
    by_id = {a.pk: ref for ref, a in ctx.accounts.items()}
    by_number = {a.number: ref for ref, a in ctx.accounts.items()}
    totals = balances(account_ids=list(by_id))
    accounts = {}
    for ref, account in ctx.accounts.items():
        account.refresh_from_db()
        accounts[ref] = {
            "status": account.status,
            "plan": account.package.code,
            "balance": fmt(totals.get(account.pk) or ZERO),
            "portal_access": account.portal_access,
            "autopay": account.autopay,
            "number": account.number,
        }
    entries = []
    for row in TimelineEntry.objects.filter(id__gt=since_id).order_by("id"):
        if row.account_id is not None and row.account_id not in by_id:
            continue
        item = {"date": row.date.isoformat(), "account": by_id.get(row.account_id), "type": row.type}
        for key, value in row.data.items():
            if key == "accounts" and isinstance(value, list):
                value = [by_number.get(v, v) for v in value]
            item.setdefault(key, value)
        entries.append(item)
    return {"accounts": accounts, "timeline": entries}
