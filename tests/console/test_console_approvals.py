"""The approval queue and the arrangement page (issue 9, DLQ-4): an agent proposes,
the case pauses only when a manager approves; refusals show the service's sentence."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lastmile.accounts.models import Account
from lastmile.billing.selectors import balance
from lastmile.core.actors import with_role
from lastmile.core.dayrun import run_day
from lastmile.delinquency import selectors
from lastmile.delinquency.models import Arrangement, ArrangementStatus
from lastmile.delinquency.services import arrangement_propose
from tests.mixins import make_account

pytestmark = pytest.mark.django_db


def _days(today, account, until: dt.date, start: dt.date = dt.date(2026, 8, 1)) -> Account:
    day = start
    while day <= until:
        today.set_day(day)
        run_day(day)
        day += dt.timedelta(days=1)
    account.refresh_from_db()
    return account


@pytest.fixture
def ana(today, catalog):
    """Past due on the utopia policy: delinquent on Aug 16 ($65.00 owed)."""
    return _days(today, make_account(name="Ana Lopez"), dt.date(2026, 8, 17))


def _propose(account, *items):
    return arrangement_propose(account=account, actor=with_role("agent"),
                               installments=[{"on": dt.date.fromisoformat(on), "amount": amount}
                                             for on, amount in items])


def test_dlq4_the_queue_lists_the_proposal_with_owed_total_and_who(console_as, ana):
    proposal = _propose(ana, ("2026-08-20", "30.00"), ("2026-08-27", "35.00"))
    page = console_as("manager").get(reverse("console:approvals"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Ana Lopez" in html and ana.number in html and reverse("console:account", args=[ana.number]) in html
    assert "Thu Aug 20, 2026: $30.00" in html and "Thu Aug 27, 2026: $35.00" in html
    assert html.count("$65.00") >= 2  # owed now and the total
    assert f"by {proposal.proposed_by}" in html
    assert reverse("console:approval_approve", args=[proposal.pk]) in html
    assert 'id="nav-approvals"' in html


def test_dlq4_agent_sees_the_queue_read_only_and_no_nav_link(console_as, ana):
    _propose(ana, ("2026-08-20", "65.00"))
    html = console_as("agent").get(reverse("console:approvals")).content.decode()
    assert "Ana Lopez" in html and "A manager approves these." in html
    assert "approve-form" not in html and 'id="nav-approvals"' not in html


def test_dlq4_manager_approves_the_case_pauses(console_as, ana):
    proposal = _propose(ana, ("2026-08-20", "65.00"))
    response = console_as("manager").post(reverse("console:approval_approve", args=[proposal.pk]), follow=True)
    assert response.status_code == 200
    assert "Arrangement approved for Ana Lopez; the case is paused while it is kept." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ArrangementStatus.ACTIVE and proposal.approved_by
    assert selectors.open_case(account=ana).paused
    assert "No arrangements are waiting for approval." in response.content.decode()


def test_dlq4_agent_may_not_approve_403_with_the_sentence(console_as, ana):
    proposal = _propose(ana, ("2026-08-20", "65.00"))
    response = console_as("agent").post(reverse("console:approval_approve", args=[proposal.pk]))
    assert response.status_code == 403
    assert "Approving a payment arrangement needs the role manager" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ArrangementStatus.PROPOSED
    assert not selectors.open_case(account=ana).paused


def test_dlq4_decline_needs_a_reason_422(console_as, ana):
    proposal = _propose(ana, ("2026-08-20", "65.00"))
    manager = console_as("manager")
    response = manager.post(reverse("console:approval_decline", args=[proposal.pk]), {"reason": "  "})
    assert response.status_code == 422
    assert "Say why the arrangement is declined" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ArrangementStatus.PROPOSED
    response = manager.post(reverse("console:approval_decline", args=[proposal.pk]),
                            {"reason": "Two months of history; ask for a bigger first payment"}, follow=True)
    assert "Arrangement for Ana Lopez declined" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ArrangementStatus.DECLINED
    assert proposal.declined_reason == "Two months of history; ask for a bigger first payment"


def test_dlq4_balance_grew_approval_refused_409_with_the_shortfall(console_as, today, ana):
    proposal = _propose(ana, ("2026-08-21", "65.00"))
    _days(today, ana, dt.date(2026, 8, 19), start=dt.date(2026, 8, 18))  # shut off: + $35.00 fee
    assert balance(account=ana) == 100
    response = console_as("manager").post(reverse("console:approval_approve", args=[proposal.pk]))
    assert response.status_code == 409
    html = response.content.decode()
    assert "The installments add up to $65.00 but $100.00 is owed, fees included: $35.00 short" in html
    assert "$35.00 short of the balance" in html  # the row says it before anyone clicks
    proposal.refresh_from_db()
    assert proposal.status == ArrangementStatus.PROPOSED


def test_dlq4_arrangement_page_shows_owed_deadline_and_the_role_label(console_as, ana):
    url = reverse("console:arrangement", args=[ana.number])
    agent_html = console_as("agent").get(url).content.decode()
    assert "$65.00" in agent_html and "Mon Aug 31, 2026" in agent_html  # Aug 17 + 14 days
    assert "Propose for a manager&#x27;s approval" in agent_html or "Propose for a manager's approval" in agent_html
    assert "Approve the arrangement" not in agent_html
    assert 'id="arrangement-total"' in agent_html
    assert "Approve the arrangement" in console_as("manager").get(url).content.decode()


def test_dlq4_agent_proposes_from_the_page_the_case_waits(console_as, ana):
    response = console_as("agent").post(reverse("console:arrangement", args=[ana.number]),
                                        {"on_1": "2026-08-20", "amount_1": "65.00"}, follow=True)
    assert "Payment arrangement proposed; a manager approves it from Approvals." in response.content.decode()
    assert Arrangement.objects.get(account=ana).status == ArrangementStatus.PROPOSED
    assert not selectors.open_case(account=ana).paused


def test_dlq4_a_short_arrangement_is_refused_on_the_page_with_the_shortfall(console_as, today, ana):
    _days(today, ana, dt.date(2026, 9, 1), start=dt.date(2026, 8, 18))  # suspended, fee and September's bill
    assert ana.status == "suspended" and balance(account=ana) == 165
    response = console_as("agent").post(reverse("console:arrangement", args=[ana.number]),
                                        {"on_1": "2026-09-05", "amount_1": "50.00"})
    assert response.status_code == 409
    assert ("the installments add up to $50.00 but $165.00 is owed, fees included: $115.00 short"
            in response.content.decode())
    assert not Arrangement.objects.filter(account=ana).exists()
