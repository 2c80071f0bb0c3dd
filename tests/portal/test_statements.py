"""Statement documents (BIL-8): the PDF carries everything the rule lists; statements
are emailed with the PDF through the outbox and SMTP, queued by their own step and
rendered at delivery, never inside the bill run."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.mail import get_connection

from lastmile.billing.models import Statement
from lastmile.billing.services import charge_post, payment_post
from lastmile.comms.models import OutboxMessage
from lastmile.comms.services import outbox_deliver
from lastmile.comms.statements import statement_emails_queue, statement_pdf
from lastmile.core import ispconfig
from lastmile.core.actors import superuser
from lastmile.core.dayrun import run_day
from tests.mixins import make_account
from tests.portal.mail import SmtpServer

pypdf = pytest.importorskip("pypdf")


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def billed(db, today, catalog):
    """Ana billed on Sep 1 (with an August balance forward), paid $30, billed on Oct 1."""
    ana = make_account()
    charge_post(account=ana, kind="recurring", amount="65.00", actor="automation", description="August service")
    run_day(dt.date(2026, 9, 1))
    payment_post(account=ana, amount="30.00", method="phone", actor=superuser(), reference="call 9/3")
    charge_post(account=ana, kind="equipment_fee", amount="25.00", actor="automation",
                description="Router replacement")
    run_day(dt.date(2026, 10, 1))
    return ana, Statement.objects.filter(account=ana).order_by("period_start").last()


def test_bil8_the_pdf_has_every_part_of_the_statement(billed):
    ana, statement = billed
    with ispconfig.override(isp_name="Wasatch Wireless", isp_address="9 Canyon Rd, Provo, UT 84601",
                            isp_phone="801-555-0199"):
        data = statement_pdf(statement)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for part in ("Wasatch Wireless", "9 Canyon Rd, Provo, UT 84601", "801-555-0199", ana.number, "Ana Lopez",
                 "12 Elm St, Orem, UT 84057", "Oct 1, 2026", "Oct 31, 2026",  # the period
                 "Earlier balance", "130.00",  # August 65 + September 65, before this statement
                 "Payment, thank you (phone)", "-30.00", "Router replacement", "25.00",
                 "service Oct 01 - Oct 31, 2026", "65.00",
                 "Amount due $190.00", "Due by Monday, October 5, 2026", "How to pay", "check to Wasatch Wireless"):
        assert part in text, part


def test_bil8_the_bill_run_queues_no_email_and_renders_no_pdf(billed):
    assert not OutboxMessage.objects.filter(template="statement").exists()


def test_bil8_statements_are_queued_once_each_to_the_accounts_addresses(billed, catalog):
    ana, statement = billed
    make_account(name="No Mail", emails=())
    run_day(dt.date(2026, 10, 1))
    assert statement_emails_queue() == 2  # Ana's two statements; the account without email gets none
    assert statement_emails_queue() == 0
    message = OutboxMessage.objects.get(key=f"statement:{statement.pk}")
    assert message.to == ["ana@example.test"] and message.attachment_ref == statement.pk
    assert message.subject == "Your lastmile ISP statement: $190.00 due October 5"


def test_bil8_delivery_renders_the_pdf_and_sends_it_over_smtp(billed):
    ana, statement = billed
    statement_emails_queue()
    with SmtpServer() as smtp:
        connection = get_connection("django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1",
                                    port=smtp.port, timeout=5)
        assert outbox_deliver(connection=connection) == {"sent": 2, "failed": 0}
        messages = smtp.inbox.messages()
    mail = next(m for m in messages if "$190.00" in m["Subject"])
    assert mail["To"] == "ana@example.test"
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Amount due: $190.00, by Monday, October 5, 2026." in body
    [pdf] = [part for part in mail.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == f"statement-{ana.number}-2026-10-01.pdf"
    assert "Amount due $190.00" in pdf_text(pdf.get_content())


def test_bil8_staff_open_the_pdf_from_the_account_page_and_anonymous_visitors_cannot(billed, client,
                                                                                     django_user_model):
    ana, statement = billed
    url = f"/console/accounts/{ana.number}/statements/{statement.pk}/pdf/"
    assert client.get(url).status_code == 302  # to the staff login
    django_user_model.objects.create_user("alice", "alice@example.test", "pw alice 42")
    client.login(username="alice", password="pw alice 42")
    page = client.get(f"/console/accounts/{ana.number}/")
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Amount due $190.00" in pdf_text(response.content)
    assert client.get(f"/console/accounts/{ana.number}/statements/999999/pdf/").status_code == 404
