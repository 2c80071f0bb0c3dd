"""The day run's jobs are set-based (issue 6): the number of queries does not grow
with the number of accounts, quiet days cost a raw query per job, and the fast paths
write exactly what the ORM wrote (BIL-1, BIL-4, BIL-5, AUD-1)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lastmile.accounts.services import autopay_enable, card_add
from lastmile.bench import synth
from lastmile.billing import selectors
from lastmile.billing.autopay import autopay_run
from lastmile.billing.billrun import bill_run
from lastmile.billing.models import LedgerEntry, Statement
from lastmile.billing.services import payment_post
from lastmile.core import timeline
from lastmile.core.models import TimelineEntry
from tests.mixins import make_account

D = dt.date


def _bill_run_queries(n: int) -> int:
    synth.build(n, month=D(2026, 9, 1), number_base=700000 + n * 10)
    with CaptureQueriesContext(connection) as ctx:
        assert bill_run(as_of=D(2026, 9, 1)) == n
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_bil1_bill_run_queries_do_not_grow_with_accounts(today):
    small = _bill_run_queries(20)
    big = _bill_run_queries(120)
    assert big == small  # set-based: one chunk, the same handful of statements


@pytest.mark.django_db
def test_bil1_bulk_bill_run_writes_what_the_rules_say(today, catalog):
    account = make_account(plan="classic", opening_balance="10.00")
    assert bill_run(as_of=D(2026, 9, 1)) == 1
    stmt = Statement.objects.get(account=account)
    assert (stmt.amount_due, stmt.balance, stmt.recurring) == (Decimal("75.00"), Decimal("75.00"), Decimal("65.00"))
    charge = LedgerEntry.objects.get(account=account, kind="recurring")
    assert charge.key == f"recurring:{account.pk}:2026-09-01"
    assert stmt.through_entry_id == charge.pk
    issued = TimelineEntry.objects.get(account=account, type="statement.issued")
    assert issued.data == {"amount": "75.00", "due": "2026-09-05", "period_start": "2026-09-01",
                           "period_end": "2026-09-30"}
    assert issued.date == D(2026, 9, 1) and issued.actor == "automation: bill run"
    assert bill_run(as_of=D(2026, 9, 1)) == 0  # idempotent


@pytest.mark.django_db
def test_quiet_day_costs_one_raw_query_per_job(today, catalog):
    make_account()
    with CaptureQueriesContext(connection) as ctx:
        assert bill_run(as_of=D(2026, 9, 10)) == 0
        assert autopay_run(as_of=D(2026, 9, 10)) == 0
    assert len(ctx.captured_queries) == 2
    assert all(q["sql"].startswith("SELECT 1 FROM") for q in ctx.captured_queries)


@pytest.mark.django_db
def test_bil5_a_decline_is_recorded_once_when_the_day_runs_twice(today, catalog, agent):
    account = make_account(plan="classic")
    card_add(account=account, token="decline_me", last4="0002", actor=agent)
    autopay_enable(account=account, actor=agent)
    bill_run(as_of=D(2026, 9, 1))
    today.set_day(D(2026, 9, 5))
    assert autopay_run(as_of=D(2026, 9, 5)) == 0
    assert autopay_run(as_of=D(2026, 9, 5)) == 0
    assert account.timeline.filter(type="payment.declined").count() == 1
    assert selectors.balance(account=account) == Decimal("65.00")


@pytest.mark.django_db
def test_bil5_autopay_in_chunks_charges_each_account_once(today, catalog, agent):
    accounts = [make_account(name=f"Customer {i}") for i in range(3)]
    for i, account in enumerate(accounts):
        card_add(account=account, token=f"tok_{i}", last4="4242", actor=agent)
        autopay_enable(account=account, actor=agent)
    bill_run(as_of=D(2026, 9, 1))
    today.set_day(D(2026, 9, 5))
    assert autopay_run(as_of=D(2026, 9, 5), account_ids=[accounts[0].pk]) == 1
    assert autopay_run(as_of=D(2026, 9, 5)) == 2
    assert autopay_run(as_of=D(2026, 9, 5)) == 0
    assert all(selectors.balance(account=a) == Decimal("0.00") for a in accounts)


@pytest.mark.django_db
def test_bil4_fast_payment_insert_is_a_saved_entry(today, catalog, agent):
    account = make_account(plan="classic", opening_balance="65.00")
    entry = payment_post(account=account, amount="40.00", method="phone", actor=agent, reference="r1")
    stored = LedgerEntry.objects.get(pk=entry.pk)
    assert (stored.amount, stored.method, stored.reference, stored.posted_on) == (
        Decimal("-40.00"), "phone", "r1", D(2026, 9, 1))
    assert entry._state.adding is False
    assert selectors.balance(account=account) == Decimal("25.00")
    with pytest.raises(PermissionError):
        entry.save()  # AUD-1 still holds for an entry saved by the fast path


@pytest.mark.django_db
def test_aud1_timeline_record_and_record_many_store_the_same_fields(today, catalog):
    account = make_account()
    one = timeline.record("payment.posted", account=account, actor="clerk", why="by phone",
                          amount=Decimal("5.00"), method="phone", on=D(2026, 9, 2))
    timeline.record_many([(account.pk, "payment.posted", "clerk", "by phone",
                           {"amount": Decimal("5.00"), "method": "phone", "on": D(2026, 9, 2)})])
    first, second = TimelineEntry.objects.filter(account=account, type="payment.posted").order_by("id")
    assert first.pk == one.pk
    for row in (first, second):
        assert row.data == {"amount": "5.00", "method": "phone", "on": "2026-09-02"}
        assert (row.actor, row.reason, row.date) == ("clerk", "by phone", D(2026, 9, 1))
    assert first.at == second.at


@pytest.mark.django_db
def test_dlq3_bulk_steps_write_call_tasks_without_falling_back(caplog):
    """A column added to a bulk-inserted table (CallTask.note) must not push the day run
    onto its slow per-case path: the fallback is logged, so its absence is checked."""
    from tests.mixins import run_scenario_text

    with caplog.at_level("WARNING", logger="lastmile.delinquency.bulk"):
        result = run_scenario_text("""
            start: 2026-09-01
            end: 2026-09-17
            accounts:
              - {ref: ana, name: Ana Lopez, kind: residential, network: utopia, plan: classic,
                 address: {line1: "12 Elm St", city: Orem, state: UT, postal_code: "84057", address_id: "UT-10042"},
                 phones: ["801-555-0101", "801-555-0102"], emails: ["ana@example.test"], service_start: 2025-06-05}
        """)
    assert [e["phone"] for e in result["timeline"] if e["type"] == "call_task.created"] == [
        "801-555-0101", "801-555-0102"]
    assert not [r for r in caplog.records if "case by case" in r.getMessage()]


@pytest.mark.django_db
def test_floor_inserts_exactly_the_rows_the_bill_run_wrote_in_copies_of_their_tables(today, catalog):
    """Issue 14: the bill run's floor is its own rows, raw, in the same engine; the
    copies are dropped afterwards and the live tables are left as they were."""
    from lastmile.bench import floor
    from lastmile.billing.models import LedgerEntry, Statement
    from lastmile.core.models import TimelineEntry

    for _ in range(3):
        make_account()
    before = floor.marks()
    bill_run(as_of=D(2026, 9, 1))
    grew = floor.written(before)
    assert grew[Statement._meta.db_table] == 3
    assert grew[LedgerEntry._meta.db_table] == 3
    assert grew[TimelineEntry._meta.db_table] >= 3
    live = (Statement.objects.count(), LedgerEntry.objects.count(), TimelineEntry.objects.count())
    seconds, rows = floor.measure(before)
    assert rows == sum(grew.values())
    assert seconds > 0
    assert (Statement.objects.count(), LedgerEntry.objects.count(), TimelineEntry.objects.count()) == live
    tables = connection.introspection.table_names()
    assert not [t for t in tables if t.startswith(floor.PREFIX)]
