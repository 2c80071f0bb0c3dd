"""Actions offered by state and role (issue 10): the account page offers what the
account's state and the user's role allow, shows the rest disabled with the
service's reason, and the services still refuse what is not offered."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from lastmile.billing.choices import ChargeKind
from lastmile.billing.services import charge_post
from lastmile.console.offers import account_offers
from lastmile.core.actors import superuser, with_role
from lastmile.core.choices import AccountStatus
from lastmile.delinquency.services import arrangement_propose, case_open, policy_for_network
from tests.mixins import make_account

pytestmark = pytest.mark.django_db

ROLES = ("agent", "billing", "manager", "noc", "admin")
STATUSES = [s.value for s in AccountStatus]


def _offers(account, role):
    return {o.key: o for o in account_offers(account=account, actor=with_role(role))}


@pytest.fixture
def accounts(today, catalog):
    """One UTOPIA account in each status."""
    return {s: make_account(name=f"Ana {s}", status=s) for s in STATUSES}


# status -> role -> is "reinstate" offered (True allowed, False disabled, None absent)
REINSTATE = {
    "active": dict.fromkeys(ROLES),
    "delinquent": dict.fromkeys(ROLES),
    "suspended": {"agent": True, "billing": True, "manager": True, "noc": False, "admin": True},
    "not_active": {"agent": True, "billing": True, "manager": True, "noc": False, "admin": True},
    "uninstall": dict.fromkeys(ROLES),
    "cancelled": dict.fromkeys(ROLES),
}


@pytest.mark.parametrize("status", STATUSES)
def test_the_grid_of_status_and_role_offers_reinstate_only_when_shut_off(accounts, status):
    for role in ROLES:
        offer = _offers(accounts[status], role).get("reinstate")
        expected = REINSTATE[status][role]
        got = None if offer is None else offer.allowed
        assert got is expected, f"reinstate for {role} on a {status} account: {got}, expected {expected}"
        if offer is not None and not offer.allowed:
            assert offer.reason == "Needs the agent, billing, manager or admin role."


@pytest.mark.parametrize("status", STATUSES)
def test_the_grid_plan_cancel_and_suspend(accounts, status):
    closed = status in ("uninstall", "cancelled")
    shut_off = status in ("suspended", "not_active")
    for role in ROLES:
        offers = _offers(accounts[status], role)
        assert ("plan_change" in offers) is not closed and ("cancel" in offers) is not closed
        assert ("suspend" in offers) is not (closed or shut_off)
        if not closed:
            assert offers["plan_change"].allowed is (role != "noc")
            assert offers["cancel"].allowed is (role != "noc")
        if "suspend" in offers:  # a UTOPIA account is suspended by the admin (PKG-10)
            assert offers["suspend"].allowed is (role == "admin")
            if role != "admin":
                assert offers["suspend"].reason == "Needs an admin."
        assert "emails" in offers and offers["account_edit"].allowed is (role != "noc")


def test_a_cancellation_under_way_is_shown_disabled_with_the_services_reason(accounts):
    from lastmile.cancellations.services import cancellation_request

    account = accounts["active"]
    cancellation_request(account=account, last_day=dt.date(2026, 9, 30), reason="moving", actor=superuser())
    account.refresh_from_db()
    cancel = _offers(account, "agent")["cancel"]
    assert not cancel.allowed and cancel.reason.startswith("A cancellation with last day 2026-09-30 is already under way")
    assert "CAN-" not in cancel.reason


@pytest.fixture
def delinquent(today, catalog):
    account = make_account(name="Bo Chen", status=AccountStatus.DELINQUENT)
    case_open(account=account, policy=policy_for_network("utopia"), d=dt.date(2026, 8, 16), owed=Decimal("65.00"),
              as_of=dt.date(2026, 8, 16))
    return account


def test_dlq4_an_agent_proposes_and_a_manager_approves(delinquent):
    agent, manager = _offers(delinquent, "agent"), _offers(delinquent, "manager")
    assert agent["arrangement"].label == "Propose arrangement" and agent["arrangement"].allowed
    assert manager["arrangement"].label == "Approve arrangement" and manager["arrangement"].allowed
    assert agent["payment_claim"].allowed and "reinstate" not in agent  # delinquent, not shut off
    arrangement_propose(account=delinquent, actor=with_role("agent", "dana"),
                        installments=[{"on": dt.date(2026, 9, 5), "amount": "65.00"}])
    waiting = _offers(delinquent, "agent")["arrangement"]
    assert not waiting.allowed and "waiting for a manager's approval" in waiting.reason
    approve = _offers(delinquent, "manager")["arrangement_approve"]
    assert approve.allowed and approve.label == "Approve the proposed arrangement"
    assert approve.url == reverse("console:approvals")


def test_dlq5_the_fee_waiver_is_offered_by_its_basis(today, accounts):
    account = accounts["suspended"]
    assert "fee_waive" not in _offers(account, "agent")  # no fee to waive
    for key in ("reactivation:1", "reactivation:2"):
        charge_post(account=account, kind=ChargeKind.REACTIVATION_FEE, amount="35.00", actor=superuser(), key=key,
                    description="reactivation fee", reason="test")
    agent, manager = _offers(account, "agent")["fee_waive"], _offers(account, "manager")["fee_waive"]
    assert not agent.allowed and "a manager must override the waiver" in agent.reason
    assert manager.allowed


def test_the_account_page_for_an_agent_and_for_a_manager(console_as, delinquent, accounts):
    agent_page = console_as("agent").get(reverse("console:account", args=[delinquent.number])).content.decode()
    manager_page = console_as("manager").get(reverse("console:account", args=[delinquent.number])).content.decode()
    actions = lambda page: page[page.index('id="account-actions"'):page.index("</nav>", page.index('id="account-actions"'))]  # noqa: E731
    assert "Propose arrangement" in actions(agent_page) and "Approve" not in actions(agent_page)
    assert "Approve arrangement" in actions(manager_page) and "Propose arrangement" not in actions(manager_page)
    assert "Reinstate" not in actions(agent_page)
    # a suspend of a UTOPIA account: disabled for the agent, with the reason as text
    assert 'data-offer="suspend" class="btn button disabled btn-disabled" aria-disabled="true"' in agent_page
    assert "<strong>Suspend</strong>: Needs an admin." in agent_page
    active = console_as("agent").get(reverse("console:account", args=[accounts["active"].number])).content.decode()
    assert "Reinstate" not in actions(active)
    suspended = console_as("agent").get(reverse("console:account", args=[accounts["suspended"].number])).content.decode()
    assert f'href="{reverse("console:reinstate", args=[accounts["suspended"].number])}"' in actions(suspended)


def test_the_services_still_refuse_what_is_not_offered(console_as, accounts):
    account = accounts["active"]
    response = console_as("agent").post(reverse("console:suspend", args=[account.number]),
                                        {"confirm_address_id": account.address.address_id, "confirm": "on"})
    assert response.status_code == 403 and "needs the role admin" in response.content.decode()
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE


def test_the_forms_of_the_account_page_follow_the_role(console_as, accounts):
    number = accounts["active"].number
    noc = console_as("noc").get(reverse("console:account", args=[number])).content.decode()
    agent = console_as("agent").get(reverse("console:account", args=[number])).content.decode()
    assert 'id="payment-form"' not in noc and 'id="payment-not-offered"' in noc and 'id="card-form"' not in noc
    assert 'id="payment-form"' in agent and 'id="card-form"' in agent and "payment-not-offered" not in agent
