"""core.bulk's `__among` lookup (issue 14): the ids of a day-run chunk written into
the SQL as integers, with the answers `__in` would give."""
import pytest

from lastmile.accounts.models import Account, Phone
from lastmile.core.bulk import Ids, date_from_db, money_from_db
from tests.mixins import make_account


@pytest.mark.django_db
def test_among_answers_as_in_does(today, catalog):
    accounts = [make_account() for _ in range(3)]
    wanted = [accounts[0].pk, accounts[2].pk]
    assert (sorted(Account.objects.filter(pk__among=Ids(wanted)).values_list("pk", flat=True))
            == sorted(Account.objects.filter(pk__in=wanted).values_list("pk", flat=True)) == sorted(wanted))
    assert (sorted(Phone.objects.filter(account_id__among=Ids(wanted)).values_list("pk", flat=True))
            == sorted(Phone.objects.filter(account_id__in=wanted).values_list("pk", flat=True)))
    assert list(Account.objects.filter(pk__among=Ids([]))) == []
    assert Account.objects.filter(pk__among=Ids([])).update(name="x") == 0


def test_among_takes_only_integers():
    with pytest.raises(ValueError):
        Ids(["1) OR (1=1"])
    with pytest.raises(TypeError):
        list(Account.objects.filter(pk__among=[1, 2]))


def test_raw_values_read_as_the_fields_read_them():
    import datetime as dt
    from decimal import Decimal

    assert money_from_db(65) == Decimal("65.00")
    assert money_from_db(0.1 + 0.2) == Decimal("0.30")
    assert money_from_db(Decimal("12.30")) == Decimal("12.30")
    assert money_from_db(None) is None
    assert date_from_db("2026-09-16") == dt.date(2026, 9, 16)


@pytest.mark.django_db
def test_update_one_changes_the_row_only_while_its_guard_is_empty(today, catalog):
    """Issue 14: the cached one-row UPDATE writes what the ORM's update would, and
    leaves a row whose `where_null` field is set (an attempt already settled)."""
    import datetime as dt

    from lastmile.core import bulk, clock
    from lastmile.core.models import ScheduledEvent
    from lastmile.core.scheduling import event_schedule

    account = make_account()
    event = event_schedule(account=account, action="uninstall", run_on=dt.date(2026, 9, 30), actor="test")
    other = event_schedule(account=account, action="uninstall", run_on=dt.date(2026, 10, 30), actor="test")
    done_at = clock.now()
    assert bulk.update_one(ScheduledEvent, event.pk, {"result": "first", "done_at": bulk.db_datetime(done_at, ScheduledEvent)},
                           where_null=("done_at",)) == 1
    assert bulk.update_one(ScheduledEvent, event.pk, {"result": "second"}, where_null=("done_at",)) == 0
    event.refresh_from_db()
    other.refresh_from_db()
    assert (event.result, event.done_at) == ("first", done_at)
    assert (other.result, other.done_at) == ("", None)
