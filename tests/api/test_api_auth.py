"""Authentication on every API route: a token (stored as its SHA-256) or 401."""
from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client

from lastmile.api.api import api
from lastmile.api.models import ApiToken
from lastmile.api.services import api_token_create, api_token_revoke
from lastmile.core.actors import from_user
from tests.api.conftest import make_user


def _routes():
    """Every (method, path) of the OpenAPI schema, path parameters filled with samples."""
    schema = api.get_openapi_schema()
    routes = []
    for path, operations in schema["paths"].items():
        concrete = re.sub(r"\{[^}]*_id\}", "1", path)
        concrete = re.sub(r"\{[^}]*\}", "100001", concrete)
        for method in operations:
            routes.append((method.upper(), concrete))
    return routes


def test_schema_lists_the_core_routes():
    routes = set(_routes())
    for expected in [("GET", "/api/v1/accounts"), ("POST", "/api/v1/accounts/100001/payments"),
                     ("POST", "/api/v1/accounts/100001/cards"), ("GET", "/api/v1/accounts/100001/timeline"),
                     ("POST", "/api/v1/call-tasks/1/outcome"), ("POST", "/api/v1/day-runs"),
                     ("POST", "/api/v1/tickets/1/close")]:
        assert expected in routes
    assert len(routes) >= 15


@pytest.mark.django_db
@pytest.mark.parametrize("method,path", _routes())
def test_every_route_rejects_a_request_without_a_token(method, path):
    client = Client()
    response = client.generic(method, path, "{}", content_type="application/json")
    assert response.status_code == 401, (method, path, response.content)
    bad = client.generic(method, path, "{}", content_type="application/json",
                         headers={"Authorization": "Bearer lm_not-a-real-token"})
    assert bad.status_code == 401, (method, path)


@pytest.mark.django_db
def test_every_route_rejects_a_console_session_without_a_token():
    """A browser session does not open the API (no token, no CSRF-able cookie auth)."""
    user = make_user("sess", superuser=True)
    client = Client()
    client.force_login(user)
    for method, path in _routes():
        assert client.generic(method, path, "{}", content_type="application/json").status_code == 401


@pytest.mark.django_db
def test_schema_and_docs_need_a_login():
    assert Client().get("/api/v1/openapi.json").status_code == 401
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 302 and "/accounts/login/" in docs["Location"]
    key = api_token_create(user=make_user("reader", "agent"))
    ok = Client().get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {key}"})
    assert ok.status_code == 200
    assert ok.json()["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


@pytest.mark.django_db
def test_token_is_stored_only_as_its_sha256_and_shown_once(today):
    user = make_user("tok", "agent")
    key = api_token_create(user=user, name="laptop")
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().first().values()]
    assert key not in stored
    assert token.last_used is None
    response = Client().get("/api/v1/accounts", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used is not None


@pytest.mark.django_db
def test_a_revoked_token_or_an_inactive_user_is_refused():
    user = make_user("rev", "agent")
    key = api_token_create(user=user)
    headers = {"Authorization": f"Bearer {key}"}
    assert Client().get("/api/v1/accounts", headers=headers).status_code == 200
    api_token_revoke(token=ApiToken.objects.get(user=user), actor=from_user(user))
    assert Client().get("/api/v1/accounts", headers=headers).status_code == 401
    key2 = api_token_create(user=user)
    user.is_active = False
    user.save()
    assert Client().get("/api/v1/accounts", headers={"Authorization": f"Bearer {key2}"}).status_code == 401


@pytest.mark.django_db
def test_only_an_admin_revokes_someone_elses_token():
    from lastmile.core.errors import PermissionRefused

    owner = make_user("owner", "agent")
    api_token_create(user=owner)
    other = make_user("other", "agent")
    with pytest.raises(PermissionRefused):
        api_token_revoke(token=ApiToken.objects.get(user=owner), actor=from_user(other))
    admin = make_user("boss", "admin")
    assert api_token_revoke(token=ApiToken.objects.get(user=owner), actor=from_user(admin))


@pytest.mark.django_db
def test_api_docs_load_swagger_from_the_package_not_a_cdn():
    """Nothing is served from a CDN: the docs work on a machine without internet."""
    client = Client()
    client.force_login(make_user("docsreader", "agent"))
    page = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in page
    assert "cdn.jsdelivr.net" not in page and "https://" not in page.split("<body")[0]
