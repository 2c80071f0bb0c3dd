"""NOT-1: staff mark the numbers that take texts and the customer's opt-out
(GET/PUT /api/v1/accounts/{n}/texts); a phone edit keeps what is known of a number."""
from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from lastmile.accounts.services import account_contacts_update
from lastmile.api.services import api_token_create
from lastmile.comms.models import OutboxStatus
from lastmile.comms.services import sms_send
from lastmile.core.actors import superuser
from tests.comms.conftest import mobile_account
from tests.mixins import make_account

pytestmark = pytest.mark.django_db


def _client(*roles):
    user = User.objects.create_user("_".join(roles) or "nobody", "u@example.test", "pw-user-42")
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=user)}"})


def _put(client, number, data):
    return client.put(f"/api/v1/accounts/{number}/texts", json.dumps(data), content_type="application/json")


def test_not1_put_texts_marks_mobiles_and_opt_out(today, catalog, twilio):
    account = make_account(phones=("801-555-0101", "801-555-0102"), opening_balance="65.00")
    agent = _client("agent")
    assert agent.get(f"/api/v1/accounts/{account.number}/texts").json() == {
        "phones": ["801-555-0101", "801-555-0102"], "mobile": [], "opted_out": False}
    response = _put(agent, account.number, {"mobile": ["801-555-0102"]})
    assert response.status_code == 200, response.content
    assert response.json()["mobile"] == ["801-555-0102"]
    [text] = sms_send(template="delinquency_notice", account=account, actor=superuser(), key="k")
    assert text.to == ["+18015550102"]
    response = _put(agent, account.number, {"opted_out": True})
    assert response.json() == {"phones": ["801-555-0101", "801-555-0102"], "mobile": ["801-555-0102"],
                               "opted_out": True}
    text.refresh_from_db()
    assert text.status == OutboxStatus.SKIPPED


def test_not1_put_texts_refuses_a_number_not_on_the_account_and_a_role_without_the_right(today, catalog):
    account = make_account()
    response = _put(_client("agent"), account.number, {"mobile": ["801-555-9999"]})
    assert response.status_code == 422  # InvalidInput, as the API answers every invalid field
    assert response.json()["field"] == "mobile" and "801-555-9999 is not a phone number" in response.json()["detail"]
    assert _put(_client("noc"), account.number, {"opted_out": True}).status_code == 403


def test_not1_a_phone_edit_keeps_the_mobile_mark_of_the_numbers_kept(today, catalog):
    account = mobile_account(phones=("801-555-0101", "801-555-0102"), mobile=("801-555-0102",))
    account_contacts_update(account=account, actor=superuser(), phones=["801-555-0102", "801-555-0199"])
    assert dict(account.phones.values_list("number", "mobile")) == {"801-555-0102": True, "801-555-0199": False}
