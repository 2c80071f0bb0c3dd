"""Builders for the portal's tests: a customer with a portal password set through the
emailed link, and a signed-in browser session (the portal's own session key)."""
from __future__ import annotations

import re

import pytest

from lastmile.comms.models import OutboxMessage

PASSWORD = "correct horse 42"


def link_token(account) -> str:
    body = OutboxMessage.objects.filter(account=account, template="portal_set_password").latest("id").body
    return re.search(r"/portal/password/set/([^/\s]+)/", body).group(1)


@pytest.fixture
def customer(db, today, catalog):
    from lastmile.portal import services
    from tests.mixins import make_account

    account = make_account(network="wireless", premium_available="yes")
    assert services.password_link_send(number=account.number, email="ana@example.test",
                                       link_base="http://testserver/portal/password/set/")
    services.password_set(token=link_token(account), password=PASSWORD, again=PASSWORD)
    return account


@pytest.fixture
def signed_in(client, customer):
    session = client.session
    session["portal_account"] = customer.pk
    session.save()
    return client
