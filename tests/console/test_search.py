"""Console search (issue 10): every kind of query a person types finds the account,
and each result shows its status, balance, network and plan."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lastmile.accounts.models import Email, Phone, ServiceAddress
from lastmile.accounts.selectors import account_search, account_search_results, phone_key
from lastmile.accounts.services import account_create
from lastmile.billing.services import payment_post
from lastmile.catalog.models import Package
from lastmile.core import bulk
from lastmile.core.actors import superuser

pytestmark = pytest.mark.django_db


def _open(name, *, network="utopia", plan="classic", line1="12 Elm St", address_id="", phones=(), emails=()):
    return account_create(
        name=name, kind="residential", network=network, package=Package.objects.get(code=plan),
        address={"line1": line1, "city": "Orem", "state": "UT", "postal_code": "84057",
                 "address_id": address_id},
        phones=list(phones), emails=list(emails), service_start=dt.date(2025, 6, 5),
        actor=superuser("test"),
    )


@pytest.fixture
def people(today, catalog):
    kalani = _open("Kalani Taylor", line1="455 W Cedar Ln", address_id="UT-200661",
                   phones=["(801) 555-0134"], emails=["Kalani.T@Example.test"])
    tanner = _open("Tanner Taylor", network="wireless", plan="basic", line1="9 Oak Ave",
                   phones=["435-555-0188"], emails=["tanner@example.test"])
    ana = _open("Ana Lopez", address_id="UT-10042", phones=["+1 801 555 0101"], emails=["ana@example.test"])
    return {"kalani": kalani, "tanner": tanner, "ana": ana}


def _numbers(query):
    return [a.number for a in account_search(query=query)]


@pytest.mark.parametrize("query", ["Kalani Taylor", "kalani", "kalani tay", "Taylor, Kalani", "taylor,kalani",
                                   "TAYLOR KALANI"])
def test_search_by_name_and_last_comma_first(people, query):
    assert _numbers(query)[0] == people["kalani"].number
    assert people["ana"].number not in _numbers(query)


def test_a_last_name_finds_everyone_with_it(people):
    assert set(_numbers("Taylor")) == {people["kalani"].number, people["tanner"].number}


@pytest.mark.parametrize("query", ["(801) 555-0134", "801.555.0134", "+18015550134", "5550134",
                                   "801-555-0134", "1 801 555 0134"])
def test_search_by_phone_in_any_format(people, query):
    assert _numbers(query) == [people["kalani"].number]


def test_a_phone_stored_with_its_country_code_is_found_without_it(people):
    assert _numbers("8015550101") == [people["ana"].number]
    assert _numbers("555-0101") == [people["ana"].number]  # without the area code
    assert _numbers("0101") == []  # four digits are not a phone


def test_phone_key_reads_what_people_type():
    assert phone_key("(801) 555-0134") == ("last10", "8015550134")
    assert phone_key("+18015550134") == ("last10", "8015550134")
    assert phone_key("5550134") == ("last7", "5550134")
    assert phone_key("555-01") is None and phone_key("Taylor") is None


@pytest.mark.parametrize("query", ["kalani.t@example.test", "KALANI.T@EXAMPLE.TEST", "kalani.t@"])
def test_search_by_email(people, query):
    assert _numbers(query) == [people["kalani"].number]


def test_search_by_account_number(people):
    assert _numbers(people["tanner"].number)[0] == people["tanner"].number


@pytest.mark.parametrize("query", ["20066", "UT-200661", "ut-2006", "200661"])
def test_search_by_full_or_partial_address_id(people, query):
    assert _numbers(query) == [people["kalani"].number]


@pytest.mark.parametrize("query", ["455 W Cedar", "cedar ln", "Oak Ave"])
def test_search_by_street_address(people, query):
    expected = people["tanner"] if "Oak" in query else people["kalani"]
    assert _numbers(query) == [expected.number]


def test_nothing_matches_an_unknown_query(people):
    assert _numbers("Zebediah") == [] and _numbers("") == [] and _numbers("   ") == []


def test_rows_written_in_bulk_are_found_too(people):
    """The search keys are computed by the database, so the importer's raw COPY/INSERT
    (core.bulk.insert) needs to do nothing for its rows to be found."""
    tanner = people["tanner"]
    bulk.insert(Phone, ["account", "number", "position"], [(tanner.pk, "801 555 7777", 5)])
    bulk.insert(Email, ["account", "address", "position"], [(tanner.pk, "T.Two@Example.test", 5)])
    assert _numbers("(801) 555-7777") == [tanner.number]
    assert _numbers("t.two@example.test") == [tanner.number]
    ServiceAddress.objects.filter(account=tanner).update(line1="77 Juniper Way")
    assert _numbers("juniper") == [tanner.number]


def test_results_carry_the_balance_in_one_query(people, django_assert_max_num_queries):
    payment_post(account=people["tanner"], amount="20.00", method="phone", actor=superuser("test"))
    with django_assert_max_num_queries(12):
        rows = {a.number: a for a in account_search_results(query="taylor")}
    assert str(rows[people["tanner"].number].balance) == "-20.00"
    assert str(rows[people["kalani"].number].balance) == "0.00"


def test_the_results_show_status_balance_network_and_plan(console_as, people):
    client = console_as("agent")
    body = client.get(reverse("console:home"), {"q": "Taylor, Kalani"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in body
    assert reverse("console:account", args=[people["kalani"].number]) in body
    assert "Kalani Taylor" in body and "Tanner Taylor" not in body
    assert "UTOPIA fiber" in body and "Classic" in body and "Active" in body and "$0.00" in body
    body = client.get(reverse("console:home"), {"q": "435.555.0188"}, headers={"HX-Request": "true"}).content.decode()
    assert "Tanner Taylor" in body and "Fixed wireless" in body and "Basic" in body


def test_the_search_needs_a_login(client, people):
    response = client.get(reverse("console:home"), {"q": "Taylor"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
