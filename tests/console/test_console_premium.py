"""Premium in the procedure's order (PKG-3, PKG-4, PKG-6): first the reason and the
speed question, then what is known of availability, then the price, then consent;
a package known not to be sold at the address is not offered."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lastmile.accounts.services import account_create, premium_availability_set
from lastmile.core.actors import superuser
from lastmile.plans.models import PlanChange
from lastmile.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def wes(today, catalog):
    today.set_day(dt.date(2026, 9, 16))
    return account_create(
        name="Wes Park", kind="residential", network="wireless", package=catalog["classic"],
        address={"line1": "9 Oak Ave", "city": "Provo", "state": "UT", "postal_code": "84601"},
        phones=["801-555-0199"], emails=["wes@example.test"], service_start=dt.date(2025, 1, 1),
        actor=superuser("test"),
    )


def test_pkg4_premium_known_unavailable_is_not_offered(console_as, wes):
    premium_availability_set(account=wes, available=False, actor=superuser("admin"))
    page = console_as("agent").get(reverse("console:plan_change", args=[wes.number])).content.decode()
    assert 'value="premium"' not in page
    assert 'value="basic"' in page
    assert "Premium is not offered: an admin confirmed it is not sold at 9 Oak Ave" in page


def test_pkg3_reason_and_speed_are_asked_before_any_price(console_as, wes):
    client = console_as("agent")
    url = reverse("console:plan_change", args=[wes.number])
    page = client.get(url, {"to": "premium"}).content.decode()
    assert 'id="premium-questions"' in page and 'name="speed_issues"' in page
    assert "price-preview" not in page and 'id="consent-form"' not in page
    # a consent posted before the questions were answered changes nothing
    skipped = client.post(url, {"to": "premium", "consent": "written", "consent_reference": "x",
                                "identity_verified": "on", "step": "consent"})
    assert skipped.status_code == 422
    wes.refresh_from_db()
    assert wes.package.code == "classic" and not PlanChange.objects.filter(account=wes).exists()


def test_pkg3_speed_problems_open_troubleshooting_without_price_or_consent(console_as, wes):
    client = console_as("agent")
    url = reverse("console:plan_change", args=[wes.number])
    page = client.get(url, {"to": "premium", "reason": "it is slow", "speed_issues": "yes"}).content.decode()
    assert 'id="speed-problems"' in page and "price-preview" not in page and 'id="consent-form"' not in page
    done = client.post(url, {"to": "premium", "reason": "it is slow", "speed_issues": "yes", "step": "troubleshoot"})
    assert done.status_code == 302
    ticket = Ticket.objects.get(account=wes, kind="troubleshooting")
    assert "it is slow" in ticket.notes.first().body
    wes.refresh_from_db()
    assert wes.package.code == "classic"
    assert PlanChange.objects.get(account=wes).status == "refused"


def test_pkg4_unknown_availability_is_said_then_price_then_consent_waits_for_admin(console_as, wes):
    client = console_as("agent")
    url = reverse("console:plan_change", args=[wes.number])
    page = client.get(url, {"to": "premium", "reason": "gaming", "speed_issues": "no"}).content.decode()
    assert 'id="availability"' in page and "Nobody has confirmed yet" in page
    assert page.index('id="availability"') < page.index('id="price-preview"') < page.index('id="consent-form"')
    assert "$85.00" in page
    done = client.post(url, {"to": "premium", "reason": "gaming", "speed_issues": "no", "step": "consent",
                             "consent": "verbal_recorded", "consent_reference": "call 7", "identity_verified": "on"})
    assert done.status_code == 302
    change = PlanChange.objects.get(account=wes)
    assert change.status == "pending" and change.pending_on == "premium_availability"
    assert change.reason == "gaming"
    assert Ticket.objects.filter(account=wes, kind="premium_availability", status="open").exists()


def test_pkg4_known_available_premium_is_applied_after_consent(console_as, wes):
    premium_availability_set(account=wes, available=True, actor=superuser("admin"))
    client = console_as("agent")
    url = reverse("console:plan_change", args=[wes.number])
    page = client.get(url, {"to": "premium", "reason": "gaming", "speed_issues": "no"}).content.decode()
    assert "An admin has confirmed that Premium is available" in page
    done = client.post(url, {"to": "premium", "reason": "gaming", "speed_issues": "no", "step": "consent",
                             "consent": "written", "consent_reference": "form 1", "identity_verified": "on"},
                       follow=True)
    assert "Done: the account is now on Premium." in done.content.decode()
    wes.refresh_from_db()
    assert wes.package.code == "premium"
