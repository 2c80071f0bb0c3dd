"""The call queue stays true (DLQ-2, DLQ-3) and "where is my payment?" keeps what the
customer said (DLQ-6), in the console."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lastmile.accounts.models import Account
from lastmile.core import clock
from lastmile.delinquency.models import PaymentClaim
from lastmile.tickets.models import CallTask
from tests.mixins import run_scenario_text

pytestmark = pytest.mark.django_db

# utopia-billing: notice Wed Sep 16, warning call (one task a phone) Thu Sep 17
KIM = """
start: 2026-09-01
end: 2026-09-17
settings:
  policies: {utopia: utopia-billing}
accounts:
  - {ref: kim, name: Kim Ng, kind: residential, network: utopia, plan: classic,
     address: {line1: "3 Birch Ct", city: Orem, state: UT, postal_code: "84057", address_id: "UT-50001"},
     phones: ["801-555-0801", "801-555-0802"], emails: ["kim@example.test"], service_start: 2025-01-01}
"""


@pytest.fixture
def kim():
    run_scenario_text(KIM)
    with clock.use_clock(clock.FixedClock(dt.date(2026, 9, 17), hour=10)):
        yield Account.objects.get(name="Kim Ng")


def test_dlq3_queue_rows_show_balance_message_and_account(console_as, kim):
    page = console_as("agent").get(reverse("console:tasks")).content.decode()
    assert page.count('class="task-outcome"') == 2
    assert "$65.00" in page and "Kim Ng" in page and f"#{kim.number}" in page
    task = CallTask.objects.filter(account=kim).first()
    assert task.purpose in page


def test_dlq3_reached_on_one_phone_ends_the_other_call_of_the_step(console_as, kim):
    client = console_as("agent")
    first, second = CallTask.objects.filter(account=kim).order_by("id")
    queue = client.post(reverse("console:task_outcome", args=[first.pk]),
                        {"outcome": "reached", "note": "will pay Friday"}, headers={"HX-Request": "true"})
    assert queue.status_code == 200
    body = queue.content.decode()
    assert f'id="task-{second.pk}"' not in body and "The queue is empty." in body
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.status == "not_needed" and first.note == "will pay Friday"


def test_dlq6_claim_keeps_amount_date_method_reference_and_shows_on_the_account(console_as, kim):
    client = console_as("agent")
    url = reverse("console:payment_claim", args=[kim.number])
    bad = client.post(url, {"amount": "sixty", "method": "bill_pay", "confirm": "on"})
    assert bad.status_code == 422 and "Give the amount as dollars and cents" in bad.content.decode()
    done = client.post(url, {"amount": "65.00", "sent_on": "2026-09-14", "method": "bill_pay",
                             "reference": "BP-7781", "confirm": "on"})
    assert done.status_code == 302
    claim = PaymentClaim.objects.get(account=kim)
    assert (str(claim.amount), claim.sent_on, claim.method, claim.reference) == (
        "65.00", dt.date(2026, 9, 14), "bill_pay", "BP-7781")
    page = client.get(reverse("console:account", args=[kim.number])).content.decode()
    assert 'id="payment-claim"' in page
    assert "Customer says $65.00 was sent by bill pay on 2026-09-14, ref BP-7781; waiting until 2026-09-27" in page
