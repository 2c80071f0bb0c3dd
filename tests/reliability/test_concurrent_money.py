"""Issue 15, money at the same moment, with threads on PostgreSQL (each thread its
own connection, its own transaction, data committed):

- payments posted at once to one account take turns (billing.services.ledger
  `_account_lock`): each sees the others, so BIL-7's ceiling holds for the sum and no
  payment is lost;
- two autopay runs at once attempt each card charge once (the attempt row is claimed
  before the processor is asked; the processor's idempotency key is the same key).

SQLite is skipped: its write transactions are one at a time by construction
(`transaction_mode` IMMEDIATE), and the suite's SQLite test database is one
in-memory database that threads cannot use as separate connections.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection, connections

from lastmile.accounts.services import card_add
from lastmile.billing import autopay
from lastmile.billing.billrun import bill_run
from lastmile.billing.models import LedgerEntry
from lastmile.billing.processors import services as card_services
from lastmile.billing.processors.models import ProcessorPayment
from lastmile.billing.processors.test import TestProcessor
from lastmile.billing.selectors import balance
from lastmile.billing.services import charge_post, payment_post
from lastmile.billing.services import ledger as ledger_services
from lastmile.core import clock
from lastmile.core.actors import superuser
from lastmile.core.errors import InvalidInput
from tests.mixins import make_account

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="threads need separate connections to one database: PostgreSQL only"),
]

DAY = dt.date(2026, 9, 1)


def _in_threads(n: int, fn) -> list:
    """Run fn(i) in n threads released at the same moment; their results or errors."""
    barrier = threading.Barrier(n)
    out: list = [None] * n

    def work(i):
        try:
            with clock.use_clock(clock.FixedClock(DAY + dt.timedelta(days=4), hour=7)):
                barrier.wait()
                out[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - the test looks at what each thread got
            out[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return out


def test_payments_at_the_same_moment_to_one_account_each_see_the_others(today, catalog, monkeypatch):
    account = make_account(name="Two Payers")
    charge_post(account=account, kind="adjustment", amount="100.00", actor=superuser("test"))
    real = ledger_services._ceiling

    def slow_ceiling(acct, amount):  # hold the transaction open: a wide race window
        real(acct, amount)
        time.sleep(0.3)

    monkeypatch.setattr(ledger_services, "_ceiling", slow_ceiling)
    # alone, 1,050.00 passes BIL-7 (owed 100.00 + margin 1,000.00); after the other, it does not
    got = _in_threads(2, lambda i: payment_post(account=account, amount=Decimal("1050.00"), method="phone",
                                                actor=superuser(f"agent {i}")))
    posted = [g for g in got if isinstance(g, LedgerEntry)]
    refused = [g for g in got if isinstance(g, InvalidInput)]
    assert (len(posted), len(refused)) == (1, 1), got
    assert balance(account=account) == Decimal("-950.00")


def test_many_small_payments_at_once_none_lost(today, catalog):
    account = make_account(name="Many Payers")
    charge_post(account=account, kind="adjustment", amount="100.00", actor=superuser("test"))
    got = _in_threads(8, lambda i: payment_post(account=account, amount=Decimal("10.00"), method="phone",
                                                actor=superuser(f"agent {i}"), key=f"lockbox:{i}"))
    assert all(isinstance(g, LedgerEntry) for g in got), got
    assert balance(account=account) == Decimal("20.00")
    assert LedgerEntry.objects.filter(account=account, entry_type="payment").count() == 8


class CountingProcessor(TestProcessor):
    calls: Counter = Counter()
    guard = threading.Lock()

    def charge(self, *, token, amount, idempotency_key, **kw):
        with self.guard:
            self.calls[idempotency_key] += 1
        time.sleep(0.05)  # a processor takes a moment: the other run is there meanwhile
        return super().charge(token=token, amount=amount, idempotency_key=idempotency_key, **kw)


def test_two_autopay_runs_at_once_attempt_each_charge_once(today, catalog, monkeypatch):
    today.set_day(DAY)
    accounts = [make_account(name=f"Auto {i}", emails=(f"a{i}@example.test",), autopay=True,
                             bill_cycle_day=1, service_start=dt.date(2026, 6, 1)) for i in range(6)]
    for i, account in enumerate(accounts):
        card_add(account=account, token=f"tok_visa_{i}", last4="4242", actor=superuser("test"))
    assert bill_run(as_of=DAY) == 6
    CountingProcessor.calls = Counter()
    monkeypatch.setattr(card_services, "processor", CountingProcessor)
    due = DAY + dt.timedelta(days=4)
    got = _in_threads(3, lambda i: autopay.autopay_run(as_of=due))
    assert not [g for g in got if isinstance(g, Exception)], got
    assert sum(got) == 6  # each statement charged by exactly one of the runs
    assert set(CountingProcessor.calls.values()) == {1} and len(CountingProcessor.calls) == 6
    assert ProcessorPayment.objects.filter(status="succeeded").count() == 6
    for account in accounts:
        assert LedgerEntry.objects.filter(account=account, entry_type="payment").count() == 1
