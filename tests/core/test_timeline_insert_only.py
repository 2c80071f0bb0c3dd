"""AUD-1: timeline records (and the ledger, notes, cards) cannot be edited or deleted,
not through the ORM and not through raw SQL."""
import pytest
from django.db import DatabaseError, connection, transaction

from lastmile.billing.models import LedgerEntry
from lastmile.billing.services import charge_post
from lastmile.core import timeline
from lastmile.core.models import TimelineEntry
from tests.mixins import make_account


@pytest.mark.django_db
def test_aud1_timeline_entry_cannot_be_edited_or_deleted(today, catalog, agent):
    account = make_account()
    entry = timeline.record("customer.contacted", account=account, actor=agent, why="test", how="called")
    assert entry.actor == "test agent" and entry.reason == "test" and entry.date == today.today()
    entry.type = "something.else"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        TimelineEntry.objects.filter(pk=entry.pk).update(type="x")
    with pytest.raises(PermissionError):
        TimelineEntry.objects.filter(pk=entry.pk).delete()


@pytest.mark.django_db
@pytest.mark.parametrize("table", ["core_timelineentry", "billing_ledgerentry"])
def test_aud1_raw_sql_cannot_rewrite_history(today, catalog, agent, table):
    account = make_account()
    charge_post(account=account, kind="adjustment", amount="5.00", actor=agent)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET actor = 'mallory'")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
    assert LedgerEntry.objects.filter(account=account).count() == 1
