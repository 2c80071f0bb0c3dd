"""Issue 15, "bad input never crashes": schemathesis against the API's own
/api/v1/openapi.json, every operation, as a user holding every role, with a bounded
number of generated requests per operation (LASTMILE_SCHEMATHESIS_EXAMPLES, default 5).

Two checks, on every response: no 5xx (not_a_server_error), and the body matches
the schema the API publishes for that status (response_schema_conformance). A 4xx
with a sentence is a right answer to nonsense; a 500 or an answer the schema does
not describe is not. Every failure is collected (operation, check, request) and
reported together.
"""
from __future__ import annotations

import contextlib
import logging
import os

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings

from lastmile.core.choices import Role
from tests.api.conftest import make_user
from tests.mixins import make_account

EXAMPLES = int(os.environ.get("LASTMILE_SCHEMATHESIS_EXAMPLES", "5"))

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the test extra (pyproject.toml)")


@contextlib.contextmanager
def wsgi_in_the_test_transaction():
    """The WSGI handler closes the connection after each request, which would end the
    test's transaction; Django's own test client does the same as this (and puts the
    receivers back after each of its requests, so this is entered after the last one)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()  # before quieting: it configures logging again
    quiet = logging.getLogger("django.request")  # thousands of "Not Found" lines say nothing
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        yield app
    finally:
        quiet.setLevel(level)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_schemathesis_every_operation_as_every_role_no_5xx_and_no_schema_violation(
        today, catalog, client):
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    from lastmile.api.services import api_token_create

    user = make_user("everyrole", *[r.value for r in Role])
    token = api_token_create(user=user)
    headers = {"Authorization": f"Bearer {token}"}
    for i in range(3):  # something for the paths that name an account to find
        make_account(name=f"Fuzz {i}", emails=(f"f{i}@example.test",))
    answer = client.get("/api/v1/openapi.json", headers=headers)
    assert answer.status_code == 200
    schema = schemathesis.openapi.from_dict(answer.json())

    failures, counted = [], {"examples": 0, "operations": 0}
    checks = [not_a_server_error, response_schema_conformance]

    def fuzz(operation):
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def one(case):
            counted["examples"] += 1
            with transaction.atomic():  # one request, one transaction, as when served
                response = case.call(app=app, headers=headers)
                transaction.set_rollback(True)
            try:
                case.validate_response(response, checks=checks)
            except Exception as exc:  # noqa: BLE001 - collect every failure, report them together
                failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:600]}")

        one()

    with wsgi_in_the_test_transaction() as app:
        for result in schema.get_all_operations():
            counted["operations"] += 1
            fuzz(result.ok())
    operations, examples = counted["operations"], counted["examples"]
    print(f"schemathesis: {operations} operations, {examples} examples, {len(failures)} failures")
    assert operations >= 40 and examples >= operations
    assert failures == [], "\n\n".join(failures[:20])
