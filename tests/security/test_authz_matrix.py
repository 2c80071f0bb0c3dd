"""The authorization matrix as a test (issue 15): every API operation (from the OpenAPI
document) and every console, portal and sign-in URL (from the URL patterns), crossed with
anonymous, a signed-in customer and each role of core/actors.py, answers exactly what
authz_matrix.py says; and docs/security.md shows that table.

`LASTMILE_AUTHZ_RECORD=1` writes what was observed to authz_matrix.observed.py beside this
file, for a person to read and copy into the table."""
from __future__ import annotations

import os
import re
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.security.authz_matrix import ACTORS, MATRIX
from tests.security.render_matrix import DOC, updated

pytestmark = pytest.mark.django_db
SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "dlq_arrangement.yaml"
PAGE_PREFIXES = ("console/", "portal/", "accounts/")
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def _patterns(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def page_paths() -> list[str]:
    """Every console, portal and sign-in URL, its parameters as {name}; and the admin's index."""
    paths = {"/" + PARAM.sub(r"{\1}", p) for p in _patterns(get_resolver().url_patterns)
             if p.startswith(PAGE_PREFIXES)}
    return sorted(paths) + ["/admin/"]


def api_operations() -> list[tuple[str, str]]:
    from lastmile.api.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return sorted((method.upper(), path) for path, ops in schema["paths"].items() for method in ops)


@pytest.fixture
def world(today, catalog):
    """Real objects for every path parameter, built by the services and a shipped scenario."""
    from lastmile.billing.models import LedgerEntry, Statement
    from lastmile.delinquency.models import Arrangement
    from lastmile.network.models import NocRequest
    from lastmile.tickets.models import CallTask
    from tests.mixins import run_scenario_text
    from tests.tickets.builders import premium_ticket

    run_scenario_text(SCENARIO.read_text())
    _, ticket = premium_ticket(address_id="UT-90001")
    arrangement = Arrangement.objects.order_by("id").first()
    account = arrangement.account if arrangement else ticket.account
    payment = LedgerEntry.objects.filter(account=account, kind="payment").order_by("id").first()
    try:
        from lastmile.reports.registry import REPORTS

        slug = sorted(REPORTS)[0]
    except ImportError:  # the reports app is not there: its URLs are not either
        slug = "none"
    values = {
        "number": account.number,
        "entry_id": payment.pk if payment else LedgerEntry.objects.filter(account=account).first().pk,
        "statement_id": Statement.objects.filter(account=account).order_by("id").first().pk,
        "ticket_id": ticket.pk,
        "task_id": CallTask.objects.order_by("id").first().pk,
        "arrangement_id": arrangement.pk,
        "request_id": NocRequest.objects.order_by("id").first().pk,
        "outcome": "confirmed",
        "slug": slug,
        "token": "not-a-token",
    }
    clients = {"anonymous": Client(raise_request_exception=False)}
    customer = Client(raise_request_exception=False)
    session = customer.session
    session["portal_account"] = account.pk
    session.save()
    clients["customer"] = customer
    headers = {"anonymous": {}, "customer": {}}
    from lastmile.api.services import api_token_create

    for role in ACTORS[2:]:
        user = User.objects.create_user(f"matrix_{role}", f"{role}@example.test", "pw")
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients[role] = client
        headers[role] = {"Authorization": f"Bearer {api_token_create(user=user)}"}
    return values, clients, headers


def _fill(path: str, values: dict) -> str:
    return re.sub(r"{(\w+)}", lambda m: str(values.get(m.group(1), 999999)), path)


def _copy(client: Client) -> Client:
    """The actor's session in a client of its own: a logout in one row ends no other row's."""
    fresh = Client(raise_request_exception=False)
    fresh.cookies = SimpleCookie(client.cookies.output(header="", sep=";"))
    return fresh


def _status(send) -> int:
    """One request, in a transaction rolled back after it: every row sees the same world."""
    with transaction.atomic():
        response = send()
        transaction.set_rollback(True)
    return response.status_code


def observe(world) -> dict[tuple[str, str], str]:
    values, clients, headers = world
    seen = {}
    for method, path in api_operations():
        url = _fill(path, values)
        codes = []
        for actor in ACTORS:
            client = Client(raise_request_exception=False)  # a token, never the session
            codes.append(_status(lambda c=client, a=actor, m=method, u=url: c.generic(
                m, u, "{}" if m != "GET" else "", content_type="application/json", headers=headers[a])))
        seen[(method, path)] = " ".join(map(str, codes))
    for path in page_paths():
        url = _fill(path, values)
        for method in ("GET", "POST"):
            codes = [_status(lambda a=a, m=method, u=url: _copy(clients[a]).generic(
                m, u, "", content_type="application/x-www-form-urlencoded")) for a in ACTORS]
            seen[(method, path)] = " ".join(map(str, codes))
    return seen


def _record(seen: dict) -> None:
    rows = "\n".join(f"    ({m!r}, {p!r}): {c!r}," for (m, p), c in sorted(seen.items(), key=lambda kv: (kv[0][1], kv[0][0])))
    (Path(__file__).with_name("authz_matrix.observed.py")).write_text("MATRIX = {\n" + rows + "\n}\n")


def test_issue15_every_operation_and_url_answers_each_actor_as_the_table_says(world):
    seen = observe(world)
    if os.environ.get("LASTMILE_AUTHZ_RECORD"):
        _record(seen)
    missing = sorted(set(seen) - set(MATRIX))
    gone = sorted(set(MATRIX) - set(seen))
    assert not missing, f"not in tests/security/authz_matrix.py yet: {missing}"
    assert not gone, f"in the table but no longer served: {gone}"
    wrong = {k: f"table {MATRIX[k]!r}, answered {v!r}" for k, v in seen.items() if MATRIX[k] != v}
    assert wrong == {}
    assert not any(" 500" in v or v.startswith("500") for v in seen.values())


def test_issue15_the_matrix_covers_every_role_and_no_one_gets_in_unsigned():
    from lastmile.core.actors import ALL_ROLES

    assert set(ACTORS[2:]) == set(ALL_ROLES)
    for (method, path), codes in MATRIX.items():
        anonymous = codes.split()[0]
        if path.startswith("/api/"):
            assert anonymous == "401", (method, path)
        elif path.startswith("/console/"):
            assert anonymous in ("302", "405"), (method, path)


def test_issue15_docs_security_md_shows_the_table():
    text = DOC.read_text()
    assert updated(text) == text, "docs/security.md is out of date: python -m tests.security.render_matrix"
