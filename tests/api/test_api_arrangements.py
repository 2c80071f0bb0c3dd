"""GET /api/v1/arrangements (issue 9, DLQ-4): the approval queue over the API."""
from __future__ import annotations

import datetime as dt

import pytest

from lastmile.core.actors import with_role
from lastmile.core.dayrun import run_day
from lastmile.delinquency.services import arrangement_propose
from tests.mixins import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_proposals(today, catalog):
    ana = make_account(name="Ana Lopez")
    bo = make_account(name="Bo Chen", phones=("801-555-0102",), emails=("bo@example.test",))
    day = dt.date(2026, 8, 1)
    while day <= dt.date(2026, 8, 17):
        today.set_day(day)
        run_day(day)
        day += dt.timedelta(days=1)
    made = []
    for account, hour in ((bo, 9), (ana, 10)):
        today.set_day(dt.date(2026, 8, 17), hour=hour)
        made.append(arrangement_propose(account=account, actor=with_role("agent"),
                                        installments=[{"on": dt.date(2026, 8, 20), "amount": "30.00"},
                                                      {"on": dt.date(2026, 8, 27), "amount": "35.00"}]))
    return made


def test_dlq4_get_arrangements_proposed_oldest_first_and_paged(api_as, two_proposals):
    client = api_as("manager")
    body = client.get("/api/v1/arrangements", status="proposed").json()
    assert body["count"] == 2
    first, second = body["items"]
    assert [first["id"], second["id"]] == [a.pk for a in two_proposals]
    assert first["account"] == two_proposals[0].account.number and first["account_name"] == "Bo Chen"
    assert first["status"] == "proposed" and first["total"] == "65.00"
    assert first["installments"] == [{"on": "2026-08-20", "amount": "30.00"}, {"on": "2026-08-27", "amount": "35.00"}]
    assert first["proposed_by"] == str(with_role("agent")) and first["created"].startswith("2026-08-17")
    paged = client.get("/api/v1/arrangements", status="proposed", limit=1, offset=1).json()
    assert paged["count"] == 2 and [a["id"] for a in paged["items"]] == [two_proposals[1].pk]
    assert client.get("/api/v1/arrangements", status="active").json()["count"] == 0


def test_dlq4_get_arrangements_unknown_status_is_422_naming_the_field(api_as, two_proposals):
    response = api_as("agent").get("/api/v1/arrangements", status="pending")
    assert response.status_code == 422
    assert "status must be one of proposed" in response.content.decode()
