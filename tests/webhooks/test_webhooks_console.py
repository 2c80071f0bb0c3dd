"""The console's webhooks page (issue 11): admins register, turn off and delete
endpoints (with a confirmation page) and read the delivery log; no one else may."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from lastmile.core import timeline
from lastmile.webhooks import services
from lastmile.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.mixins import make_account
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db


def test_an_admin_adds_a_webhook_and_sees_its_secret_and_the_delivery_log(today, catalog, console_as):
    admin = console_as("admin")
    page = admin.get(reverse("console:webhooks"))
    assert page.status_code == 200 and "No webhook is registered" in page.content.decode()
    with Receiver(500) as receiver:
        answer = admin.post(reverse("console:webhooks"), {"url": receiver.url, "event_types": "payment.posted",
                                                          "description": "the accounting system"}, follow=True)
        endpoint = WebhookEndpoint.objects.get()
        html = answer.content.decode()
        assert endpoint.created_by.startswith("admin") and endpoint.event_types == ["payment.posted"]
        assert "gets its first events from now on" in html and endpoint.secret in html
        ana = make_account()
        timeline.record("payment.posted", account=ana, actor="test", amount="65.00", method="card")
        services.webhooks_fan_out()
        services.webhooks_deliver()
    html = admin.get(reverse("console:webhooks")).content.decode()
    row = re.search(r'<tr class="webhook-delivery pending".*?</tr>', html, re.S).group(0)
    assert "payment.posted" in row and ana.number in row and "HTTP 500" in row
    assert "Sep 1, 2026, 9:01 AM MDT" in row  # the next try, a minute after the first, in the ISP's zone
    delivery = WebhookDelivery.objects.get()
    detail = admin.get(reverse("console:webhook_delivery", args=[delivery.pk])).content.decode()
    assert str(delivery.event_id) in detail and "the next try is at Sep 1, 2026, 9:01 AM MDT" in detail


def test_an_unknown_event_type_is_refused_on_the_form(today, console_as):
    answer = console_as("admin").post(reverse("console:webhooks"), {"url": "https://example.com/h",
                                                                     "event_types": "payment.postd"})
    assert answer.status_code == 422
    assert "is not an event type of the timeline" in answer.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_turn_off_then_delete_after_the_confirmation_page(today, console_as):
    admin = console_as("admin")
    endpoint = services.endpoint_register(url="https://example.com/h", event_types="*",
                                          actor=services_admin())
    admin.post(reverse("console:webhook_disable", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert not endpoint.active
    confirm = admin.get(reverse("console:webhook_delete", args=[endpoint.pk]))
    assert confirm.status_code == 200 and "Delete the webhook to https://example.com/h?" in confirm.content.decode()
    assert WebhookEndpoint.objects.exists()  # asking deletes nothing
    answer = admin.post(reverse("console:webhook_delete", args=[endpoint.pk]), follow=True)
    assert "deleted, with its delivery log" in answer.content.decode()
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("role", ["agent", "billing", "manager", "noc"])
def test_only_an_admin_may_see_or_register_webhooks(today, console_as, role):
    client = console_as(role)
    assert client.get(reverse("console:webhooks")).status_code == 403
    answer = client.post(reverse("console:webhooks"), {"url": "https://example.com/h", "event_types": "*"})
    assert answer.status_code == 403 and "managed by an admin" in answer.content.decode()
    assert not WebhookEndpoint.objects.exists()
    assert 'id="nav-webhooks"' not in client.get(reverse("console:tasks")).content.decode()


def services_admin():
    from lastmile.core.actors import with_role

    return with_role("admin")


def test_the_django_admin_lists_endpoints_and_shows_a_delivery_with_its_attempts(today, catalog, client,
                                                                                django_user_model):
    from lastmile.core.actors import with_role

    with Receiver(500, 200) as receiver:
        services.endpoint_register(url=receiver.url, event_types="*", actor=with_role("admin"))
        make_account()  # its timeline entries go to "*"
        services.webhooks_fan_out()
        services.webhooks_deliver()  # the first answers 500; the rest wait for the next run
    delivery = WebhookDelivery.objects.order_by("id").first()
    client.force_login(django_user_model.objects.create(username="root", is_staff=True, is_superuser=True))
    listing = client.get("/admin/webhooks/webhookendpoint/")
    assert listing.status_code == 200 and receiver.url in listing.content.decode()
    page = client.get(f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/")
    assert page.status_code == 200 and str(delivery.event_id) in page.content.decode()
    assert "the receiver answered 500" in page.content.decode()
