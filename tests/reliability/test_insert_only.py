"""AUD-1, issue 15 "insert-only, proven": raw UPDATE and DELETE on the ledger, the
timeline, account notes, cards and ticket notes are refused by the database itself
(core/dbtriggers.py), on SQLite and on PostgreSQL, with the row still there after.

Every table gets a row first: a row trigger is not asked about a statement that
touches no row, so an empty table would prove nothing.
"""
from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from lastmile.accounts.services import card_add, note_add
from lastmile.billing.services import charge_post
from lastmile.core import timeline
from lastmile.tickets.services import ticket_note_add, ticket_open
from tests.mixins import make_account

TABLES = ["billing_ledgerentry", "core_timelineentry", "accounts_note", "accounts_paymentcard",
          "tickets_ticketnote"]


@pytest.fixture
def one_row_each(today, catalog, agent):
    account = make_account()
    charge_post(account=account, kind="adjustment", amount="5.00", actor=agent)
    timeline.record("customer.contacted", account=account, actor=agent, why="test", how="called")
    note_add(account=account, body="called about the bill", actor=agent)
    card_add(account=account, token="tok_visa_4242", last4="4242", actor=agent)
    ticket = ticket_open(account=account, kind="troubleshooting", subject="no internet", actor=agent)
    ticket_note_add(ticket=ticket, body="asked the customer", actor=agent)
    return account


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        return cursor.fetchone()[0]


@pytest.mark.django_db
@pytest.mark.parametrize("table", TABLES)
def test_aud1_raw_update_and_delete_are_refused_by_the_database(one_row_each, table):
    before = _count(table)
    assert before >= 1, f"{table} needs a row for its trigger to be asked"
    with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET id = id")
    with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
    assert _count(table) == before


@pytest.mark.django_db
def test_aud1_every_insert_only_model_has_its_triggers():
    """A model marked insert-only in Python and left without triggers would only be
    protected from the ORM: each must have both, in the database."""
    from django.apps import apps

    from lastmile.core.models import InsertOnlyModel

    tables = sorted(m._meta.db_table for m in apps.get_models() if issubclass(m, InsertOnlyModel))
    assert set(TABLES) <= set(tables)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        triggers = {row[0] for row in cursor.fetchall()}
    missing = [f"{t}_no_{op}" for t in tables for op in ("update", "delete") if f"{t}_no_{op}" not in triggers]
    assert missing == []
