"""`lastmile demo` builds a demo ISP with history made by the real day run."""
import datetime as dt

import pytest
from django.contrib.auth import authenticate

from lastmile.accounts.models import Account
from lastmile.billing.models import Statement
from lastmile.core import clock
from lastmile.core.models import TimelineEntry
from lastmile.demo import build_demo


@pytest.mark.django_db
def test_demo_builds_both_networks_with_history_and_a_working_login():
    with clock.use_clock(clock.FixedClock(dt.date(2026, 11, 21), hour=9)):
        info = build_demo(accounts=40)
        again = build_demo(accounts=40)
    assert info["accounts"] == again["accounts"] == Account.objects.count() == 40
    networks = set(Account.objects.values_list("network", flat=True))
    assert networks == {"utopia", "wireless"}
    assert Statement.objects.filter(period_start=dt.date(2026, 11, 1)).exists()
    assert TimelineEntry.objects.filter(type="payment.posted").exists()
    assert authenticate(username=info["username"], password=again["password"]) is not None
    assert again["token"].startswith("lm_")


@pytest.mark.django_db
def test_demo_leaves_work_waiting_on_people_and_a_login_per_role():
    """A fresh demo shows each procedure's people's half: tickets that ask a question
    and an unsuspend the NOC has not confirmed, with a user of each role to answer."""
    from lastmile.network.models import NocRequest
    from lastmile.tickets.models import Ticket

    with clock.use_clock(clock.FixedClock(dt.date(2026, 11, 21), hour=9)):
        info = build_demo(accounts=60)
    kinds = set(Ticket.objects.filter(status="open").values_list("kind", flat=True))
    assert {"premium_availability", "utopia_admin", "contract_lookup"} <= kinds
    assert Ticket.objects.filter(status="open", kind="utopia_admin").count() == 2  # a change and a cancellation
    assert NocRequest.objects.filter(state="sent", operation="unsuspend").exists()
    from lastmile.delinquency.models import Arrangement

    assert Arrangement.objects.filter(status="proposed").count() == 1
    for username in info["users"]:
        assert authenticate(username=username, password=info["password"]) is not None
