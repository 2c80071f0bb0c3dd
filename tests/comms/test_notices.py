"""NOT-1 end to end: delinquency notices as email (text + HTML over real SMTP) and
text, quiet hours for texts and call tasks, and no notice once the balance is paid."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.mail import get_connection

from lastmile.billing.services import payment_post
from lastmile.comms.models import Channel, OutboxMessage, OutboxStatus
from lastmile.comms.services import email_send, outbox_deliver
from lastmile.core import ispconfig
from lastmile.core.actors import superuser
from lastmile.core.dayrun import run_day
from lastmile.core.timeline import TimelineEntry
from lastmile.tickets.models import CallTask
from tests.comms.conftest import mobile_account
from tests.portal.mail import SmtpServer

pytestmark = pytest.mark.django_db
DENVER = ZoneInfo("America/Denver")
ACTOR = superuser("test")


def _smtp(server):
    return get_connection("django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=server.port,
                          timeout=5)


def test_an_email_goes_out_as_multipart_alternative_over_smtp(today, catalog):
    from tests.mixins import make_account

    account = make_account()
    with ispconfig.override(isp_name="Canyon Fiber & Air", isp_phone="385-555-0199"):
        email_send(template="plan_change_summary", to=["ana@example.test"], account=account, actor=ACTOR,
                   key="pcs-1", context={"plan_name": "Premium", "monthly": "85.00", "prorated": "10.00",
                                         "prorated_is_credit": False, "next_bill_date": "October 1, 2026",
                                         "next_bill_amount": "95.00"})
    with SmtpServer() as server:
        assert outbox_deliver(connection=_smtp(server)) == {"sent": 1, "failed": 0}
        [mail] = server.inbox.messages()
    assert mail.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    for figure in ("Canyon Fiber & Air", "385-555-0199", "$85.00", "$10.00", "October 1, 2026", "$95.00"):
        assert figure in text
    for figure in ("Canyon Fiber &amp; Air", "385-555-0199", "$85.00", "$10.00", "October 1, 2026", "$95.00",
                   account.number):
        assert figure in html
    assert mail["Subject"] == "Your Canyon Fiber & Air plan is now Premium"


@pytest.fixture
def delinquent(db, today, catalog, twilio):
    """Ana, with a mobile number, billed $65.00 on Sep 1 and not paying (seed 001's policy:
    the notice is the 16th's email, the call the 17th's)."""
    with ispconfig.override(policies={"utopia": "utopia-billing"}):
        account = mobile_account(opening_balance="0.00")
        run_day(dt.date(2026, 9, 1))
        yield account


def _sent(types=("email.sent", "sms.sent", "call_task.created")):
    return [(e.date.isoformat(), e.type, {k: v for k, v in e.data.items() if k not in ("subject", "purpose")})
            for e in TimelineEntry.objects.filter(type__in=types).order_by("id")]


@pytest.mark.parametrize("path", ["bulk", "per_case"])
def test_not1_the_notice_goes_by_email_and_text_and_nothing_is_for_quiet_hours(delinquent, path, monkeypatch):
    """The day run (06:00) writes the notice; its text waits for 08:00, and the next
    day's call task is for 08:00. The bulk path writes what the per-case path writes."""
    from lastmile.delinquency import bulk

    if path == "per_case":
        monkeypatch.setattr(bulk, "bulk_ok", lambda *a, **k: False)
    with ispconfig.override(policies={"utopia": "utopia-billing"}):
        run_day(dt.date(2026, 9, 16))
        run_day(dt.date(2026, 9, 17))
    assert _sent() == [
        ("2026-09-16", "email.sent", {"to": "ana@example.test", "template": "delinquency_notice"}),
        ("2026-09-16", "sms.sent", {"to": "+18015550101", "template": "delinquency_notice",
                                    "send_at": "2026-09-16T08:00-06:00"}),
        ("2026-09-17", "call_task.created", {"phone": "801-555-0101", "call_from": "2026-09-17T08:00-06:00"}),
    ]
    email = OutboxMessage.objects.get(channel=Channel.EMAIL, template="delinquency_notice")
    text = OutboxMessage.objects.get(channel=Channel.SMS)
    assert "Balance owed on September 16: $65.00." in email.body
    assert "$65.00" in email.html_body and "Friday, September 18, 2026" in email.html_body
    assert "$65.00 owed" in text.body and "September 18" in text.body
    assert text.next_attempt_at == dt.datetime(2026, 9, 16, 8, 0, tzinfo=DENVER)
    task = CallTask.objects.get()
    assert task.created_at == dt.datetime(2026, 9, 17, 8, 0, tzinfo=DENVER)
    assert task.created_on == dt.date(2026, 9, 17)


def test_not1_a_notice_paid_before_it_goes_out_is_not_sent(delinquent, today, twilio):
    """Queue the notice, post the payment, run the outbox: no SMTP delivery, no text."""
    with ispconfig.override(policies={"utopia": "utopia-billing"}):
        run_day(dt.date(2026, 9, 16))
    assert OutboxMessage.objects.filter(template="delinquency_notice").count() == 2  # email and text
    today.set_day(dt.date(2026, 9, 16), hour=9)
    payment_post(account=delinquent, amount=Decimal("65.00"), method="phone", actor=ACTOR)
    with SmtpServer() as server:
        result = outbox_deliver(connection=_smtp(server))
        delivered = server.inbox.messages()
    assert result == {"sent": 0, "failed": 0, "skipped": 2}
    assert not [m for m in delivered if "past due" in m["Subject"]]
    assert twilio.requests == []
    for message in OutboxMessage.objects.filter(template="delinquency_notice"):
        assert message.status == OutboxStatus.SKIPPED and message.sent_at is None
        assert re.search(r"balance is \$0\.00 now: nothing is owed", message.skip_reason)
    assert TimelineEntry.objects.filter(type="notice.skipped", account=delinquent).count() == 2


def test_not1_a_notice_still_owed_goes_out_over_smtp_with_both_parts(delinquent, today, twilio):
    with ispconfig.override(policies={"utopia": "utopia-billing"}):
        run_day(dt.date(2026, 9, 16))
    today.set_day(dt.date(2026, 9, 16), hour=9)
    payment_post(account=delinquent, amount=Decimal("20.00"), method="phone", actor=ACTOR)  # still owes
    with SmtpServer() as server:
        assert outbox_deliver(connection=_smtp(server)) == {"sent": 2, "failed": 0}
        [mail] = [m for m in server.inbox.messages() if "past due" in m["Subject"]]
    assert {p.get_content_type() for p in mail.iter_parts()} == {"text/plain", "text/html"}
    assert "801-555-0100" in mail.get_body(preferencelist=("html",)).get_content()
    assert [r["form"]["To"] for r in twilio.requests] == ["+18015550101"]


def test_bil8_the_statement_email_has_an_html_part_beside_the_text_and_the_pdf(today, catalog):
    """The statement email is rendered at delivery (its PDF too); its HTML part is on
    the same layout, with the ISP and the statement's figures."""
    from lastmile.comms.statements import statement_emails_queue
    from tests.mixins import make_account

    make_account(opening_balance=Decimal("20.00"))
    run_day(dt.date(2026, 9, 1))
    today.set_day(dt.date(2026, 9, 1), hour=9)
    assert statement_emails_queue() == 1
    with SmtpServer() as server:
        assert outbox_deliver(connection=_smtp(server)) == {"sent": 1, "failed": 0}
        [mail] = server.inbox.messages()
    kinds = [part.get_content_type() for part in mail.walk()]
    assert kinds == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/pdf"]
    html = mail.get_body(preferencelist=("html",)).get_content()
    # amount due $85.00: the $65.00 month and the $20.00 brought over
    for figure in ("lastmile ISP", "801-555-0100", "<th>Amount due</th><td>$85.00</td>",
                   "Saturday, September 5, 2026", "Sep 1 – Sep 30, 2026", "12 Elm St, Orem, UT 84057"):
        assert figure in html, figure
    assert "Amount due: $85.00" in mail.get_body(preferencelist=("plain",)).get_content()
