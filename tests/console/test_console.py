"""The agents' console: login everywhere, CSRF on every POST, the services' refusals
shown with their sentence and status, and the forms doing what they say."""
from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

from lastmile.accounts.models import Note, PaymentCard
from lastmile.billing.models import LedgerEntry
from lastmile.console.urls import urlpatterns
from lastmile.core.models import TimelineEntry
from lastmile.tickets.models import CallTask
from lastmile.tickets.services import call_tasks_create, ticket_open
from tests.mixins import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(today, catalog):
    return make_account(name="Ana Lopez", phones=["801-555-0101", "801-555-0102"])


def _console_paths():
    """Every console URL, parameters filled with samples."""
    paths = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                route = re.sub(r"<int:[^>]+>", "1", route)
                route = re.sub(r"<(str:)?[^>]+>", "100001", route)
                paths.append("/console/" + route)

    walk(urlpatterns, "")
    return paths


def test_the_console_has_the_expected_pages():
    paths = _console_paths()
    assert "/console/" in paths and "/console/tasks/" in paths and "/console/accounts/100001/payment/" in paths
    assert len(paths) >= 10


@pytest.mark.parametrize("path", _console_paths())
def test_every_console_route_needs_a_login(path, ana):
    for method in ("get", "post"):
        response = getattr(Client(), method)(path)
        assert response.status_code == 302, (method, path)
        assert response["Location"].startswith("/accounts/login/?next=")
    assert not LedgerEntry.objects.exists() and not Note.objects.exists()


def test_csrf_is_enforced_on_console_posts(console_as, ana):
    client = console_as("agent", enforce_csrf=True)
    url = reverse("console:payment", args=[ana.number])
    refused = client.post(url, {"amount": "10.00", "method": "phone"})
    assert refused.status_code == 403
    assert not LedgerEntry.objects.exists()
    # with the token from the page (as the browser sends it), it goes through
    page = client.get(reverse("console:account", args=[ana.number]))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    ok = client.post(url, {"amount": "10.00", "method": "phone", "csrfmiddlewaretoken": token})
    assert ok.status_code == 302
    assert LedgerEntry.objects.filter(account=ana, kind="payment").count() == 1
    # htmx posts carry it in the X-CSRFToken header set on <body>
    assert 'hx-headers=\'{"X-CSRFToken": "' in page.content.decode()
    tasks = call_tasks_create(account=ana, phones=["801-555-0101"], purpose="past due", batch="t:1", actor="t")
    outcome_url = reverse("console:task_outcome", args=[tasks[0].pk])
    assert client.post(outcome_url, {"outcome": "reached"}, headers={"HX-Request": "true"}).status_code == 403
    ok = client.post(outcome_url, {"outcome": "reached"}, headers={"HX-Request": "true", "X-CSRFToken": token})
    assert ok.status_code == 200


def test_search_by_name_address_and_address_id_live(console_as, ana):
    client = console_as("agent")
    for query in ("ana", "Elm St", "UT-10042"):
        partial = client.get(reverse("console:home"), {"q": query}, headers={"HX-Request": "true"})
        assert partial.status_code == 200
        body = partial.content.decode()
        assert "<html" not in body  # htmx gets the results only
        assert reverse("console:account", args=[ana.number]) in body
    full = client.get(reverse("console:home"), {"q": "nobody"})
    assert "<html" in full.content.decode() and "No account matches" in full.content.decode()
    assert 'hx-get="/console/"' in full.content.decode()


def test_account_page_shows_status_plan_balance_and_timeline(console_as, ana):
    client = console_as("agent")
    page = client.get(reverse("console:account", args=[ana.number])).content.decode()
    assert "Ana Lopez" in page and "Classic" in page and "$0.00" in page and "UT-10042" in page
    assert "account.created" in page  # the timeline
    assert "/static/console/htmx.min.js" in page
    assert client.get(reverse("console:account", args=["999999"])).status_code == 404


def test_take_a_payment_shows_in_the_timeline(console_as, ana):
    client = console_as("agent")
    response = client.post(reverse("console:payment", args=[ana.number]),
                           {"amount": "65.00", "method": "phone", "reference": "conf 1"}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Payment posted." in page and "payment.posted" in page and "$-65.00" in page
    entry = LedgerEntry.objects.get(account=ana, kind="payment")
    assert entry.actor == client.user.username and entry.reference == "conf 1"


def test_bad_amount_is_shown_on_the_form(console_as, ana):
    client = console_as("agent")
    response = client.post(reverse("console:payment", args=[ana.number]), {"amount": "0", "method": "phone"})
    assert response.status_code == 422
    assert "a payment must be more than 0.00" in response.content.decode()
    assert not LedgerEntry.objects.exists()


def test_permission_refusal_is_403_with_the_sentence(console_as, ana):
    client = console_as()  # logged in, no role
    response = client.post(reverse("console:payment", args=[ana.number]), {"amount": "10.00", "method": "phone"})
    assert response.status_code == 403
    assert "taking a payment needs the role" in response.content.decode()
    response = client.post(reverse("console:card", args=[ana.number]), {"token": "tok_1", "last4": "4242"})
    assert response.status_code == 403
    assert not LedgerEntry.objects.exists() and not PaymentCard.objects.exists()


def test_a_card_number_is_refused(console_as, ana):
    """BIL-6: the token field refuses a card number; nothing is stored."""
    client = console_as("agent")
    response = client.post(reverse("console:card", args=[ana.number]),
                           {"token": "4111 1111 1111 1111", "last4": "1111"})
    assert response.status_code == 422
    assert "that looks like a card number" in response.content.decode()
    assert "4111" not in response.content.decode()  # the number is not echoed into the page
    assert not PaymentCard.objects.exists()
    ok = client.post(reverse("console:card", args=[ana.number]), {"token": "tok_abc", "last4": "4242"}, follow=True)
    assert "ending 4242" in ok.content.decode()
    assert PaymentCard.objects.get().token == "tok_abc"


def test_add_a_note(console_as, ana):
    client = console_as("agent")
    response = client.post(reverse("console:note", args=[ana.number]), {"body": "Called about the bill."},
                           follow=True)
    assert "Called about the bill." in response.content.decode()
    assert Note.objects.get().author == client.user.username


def test_dlq3_call_queue_outcome_swaps_the_queue_and_keeps_the_note(console_as, ana):
    client = console_as("agent")
    tasks = call_tasks_create(account=ana, phones=["801-555-0101", "801-555-0102"], purpose="past due",
                              batch="t:1", actor="t")
    page = client.get(reverse("console:tasks")).content.decode()
    assert "801-555-0102" in page and f'hx-post="/console/tasks/{tasks[0].pk}/outcome/"' in page
    row = client.post(reverse("console:task_outcome", args=[tasks[0].pk]),
                      {"outcome": "voicemail", "note": "left the amount"}, headers={"HX-Request": "true"})
    assert row.status_code == 200
    # the queue comes back without the call just recorded, and says what was recorded
    queue = row.content.decode()
    assert f'id="task-{tasks[0].pk}"' not in queue and f'id="task-{tasks[1].pk}"' in queue
    assert "Left a voicemail" in queue
    assert CallTask.objects.get(pk=tasks[0].pk).note == "left the amount"
    again = client.post(reverse("console:task_outcome", args=[tasks[0].pk]), {"outcome": "reached"},
                        headers={"HX-Request": "true"})
    assert again.status_code == 409 and "already has an outcome" in again.content.decode()
    assert CallTask.objects.get(pk=tasks[0].pk).outcome == "voicemail"
    # a user without the role is refused by the service
    nobody = console_as()
    refused = nobody.post(reverse("console:task_outcome", args=[tasks[1].pk]), {"outcome": "reached"},
                          headers={"HX-Request": "true"})
    assert refused.status_code == 403 and "recording a call needs the role" in refused.content.decode()


def test_tickets_list_and_close_asks_for_confirmation(console_as, ana):
    client = console_as("agent")
    ticket = ticket_open(account=ana, kind="troubleshooting", subject="Slow speeds", actor="t")
    assert "Slow speeds" in client.get(reverse("console:tickets")).content.decode()
    url = reverse("console:ticket", args=[ticket.pk])
    unconfirmed = client.post(url, {"note": "done"})
    assert unconfirmed.status_code == 422 and "Tick the box to confirm." in unconfirmed.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "open"
    client.post(url, {"note": "done", "confirm": "on"})
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    assert TimelineEntry.objects.filter(type="ticket.closed", account=ana).exists()


def test_timeline_pages_with_htmx(console_as, ana):
    from lastmile.billing.services import payment_post
    from lastmile.core.actors import superuser

    for _ in range(55):
        payment_post(account=ana, amount="1.00", method="cash", actor=superuser("t"))
    client = console_as("agent")
    page = client.get(reverse("console:account", args=[ana.number])).content.decode()
    assert page.count('class="tl-entry"') == 50
    more = re.search(r'hx-get="(/console/accounts/\d+/timeline/\?before=\d+)"', page).group(1)
    older = client.get(more, headers={"HX-Request": "true"}).content.decode()
    assert older.count('class="tl-entry"') == 6  # 55 payments + account.created
    assert "account.created" in older
