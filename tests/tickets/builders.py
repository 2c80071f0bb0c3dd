"""States where a ticket waits on a person, built with the services (as the day run
and the agents' procedures build them). Shared by the tickets, console, API and e2e
tests of issue 9 (TKT-1, PKG-4, PKG-10, CAN-8, CON-8, DLQ-7)."""
from __future__ import annotations

import datetime as dt

from lastmile.core import clock
from lastmile.core.actors import automation, superuser
from lastmile.tickets.services import open_ticket_of_kind
from tests.mixins import ADDRESS


def make_account(*, name="Ana Lopez", network="utopia", plan="classic", emails=("ana@example.test",),
                 service_start=dt.date(2025, 6, 5), address_id="UT-10042"):
    """tests.mixins.make_account with its own address ID: two live accounts never share one."""
    from lastmile.accounts.services import account_create
    from lastmile.catalog.models import Package

    return account_create(
        name=name, kind="residential", network=network, package=Package.objects.get(code=plan),
        address={**ADDRESS, "address_id": address_id}, phones=["801-555-0101"], emails=list(emails),
        service_start=service_start, actor=superuser("test"),
    )

AGENT = superuser("agent on the phone")
OK = {"consent": "written", "consent_reference": "signed form 17"}


def premium_ticket(name="Wes Hall", address_id="UT-10042"):
    """PKG-4: a wireless account on Classic asks for Premium; availability unknown."""
    from lastmile.plans.services import plan_change_request

    account = make_account(name=name, network="wireless", plan="classic", emails=("wes@example.test",),
                           address_id=address_id)
    plan_change_request(account=account, to="premium", actor=AGENT, reason="more speed for gaming", **OK)
    return account, open_ticket_of_kind(account=account, kind="premium_availability")


def utopia_plan_ticket(name="Fay Ruiz", address_id="UT-10042"):
    """PKG-10: a UTOPIA account asks Classic -> Basic; an admin handles it with UTOPIA."""
    from lastmile.plans.services import plan_change_request

    account = make_account(name=name, network="utopia", plan="classic", emails=("fay@example.test",),
                           address_id=address_id)
    plan_change_request(account=account, to="basic", actor=AGENT, **OK)
    return account, open_ticket_of_kind(account=account, kind="utopia_admin")


def utopia_cancel_ticket(name="Hal Moss", last_day=None, address_id="UT-10042"):
    """CAN-8: a UTOPIA account asks to cancel; an admin handles it with UTOPIA first."""
    from lastmile.cancellations.services import cancellation_request

    account = make_account(name=name, network="utopia", plan="classic", emails=("hal@example.test",),
                           address_id=address_id)
    last_day = last_day or clock.today() + dt.timedelta(days=40)
    cancellation_request(account=account, last_day=last_day, reason="Moving to Denver", actor=AGENT)
    return account, open_ticket_of_kind(account=account, kind="utopia_admin")


def contract_ticket(name="Tia Grant", last_day=None, address_id="UT-10042"):
    """CON-8: a wireless account whose contract status is unknown asks to cancel."""
    from lastmile.cancellations.services import cancellation_request, contract_status_set

    account = make_account(name=name, network="wireless", plan="basic", emails=("tia@example.test",),
                           address_id=address_id, service_start=dt.date(2018, 1, 10))
    contract_status_set(account=account, status="unknown", actor=AGENT)
    last_day = last_day or clock.today() + dt.timedelta(days=40)
    cancellation_request(account=account, last_day=last_day, reason="Moving", actor=AGENT)
    return account, open_ticket_of_kind(account=account, kind="contract_lookup")


def shut_off_and_paid(name="Ana Lopez", address_id="UT-10042"):
    """DLQ-7: a UTOPIA account shut off, then paid: the unsuspend waits on the NOC
    (noc_auto_confirm off, or the real email channel)."""
    from lastmile.network.services import service_restore, service_shut_off

    bot = automation("delinquency step")
    account = make_account(name=name, address_id=address_id)
    service_shut_off(account=account, operation="suspend", actor=bot, key=f"test:suspend:{account.pk}")
    request = service_restore(account=account, actor=bot, key=f"test:restore:{account.pk}")
    return account, request


def noc_ticket(today, name="Ana Lopez", address_id="UT-10042"):
    """DLQ-7: ... and three minutes later nobody confirmed: a noc_followup ticket."""
    from lastmile.network.services import noc_followups_open

    account, request = shut_off_and_paid(name=name, address_id=address_id)
    today.advance(minutes=4)
    noc_followups_open()
    return account, request, open_ticket_of_kind(account=account, kind="noc_followup")
