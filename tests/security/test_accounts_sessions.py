"""Accounts and sessions (issue 15, docs/security.md): login throttling with django-axes,
the staff's TOTP second factor, cookies, HSTS and the refusal to serve production with the
development key, the Content-Security-Policy header, and templates without inline code."""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lastmile.api.services import api_token_create

pytestmark = pytest.mark.django_db
PASSWORD = "the right password 42"
ROOT = Path(__file__).resolve().parents[2]


def _user(name="admin", *roles, superuser=False):
    if superuser:
        return User.objects.create_superuser(name, f"{name}@example.test", PASSWORD)
    user = User.objects.create_user(name, f"{name}@example.test", PASSWORD)
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def _login(client, username, password, path="/accounts/login/"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR="203.0.113.7")


def _cool_off_passed():
    """django-axes counts failures since now minus AXES_COOLOFF_TIME: move them 16 minutes back."""
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))


# --- throttling ---------------------------------------------------------------------------------
def test_issue15_console_login_ten_wrong_then_the_right_one_refused_until_cool_off(client, caplog):
    _user("admin", superuser=True)
    for _ in range(9):
        assert _login(client, "admin", "wrong").status_code == 200  # the form again, with its error
    with caplog.at_level(logging.WARNING, logger="lastmile.security"):
        tenth = _login(client, "admin", "wrong")
    assert tenth.status_code == 429
    right = _login(client, "admin", PASSWORD)
    assert right.status_code == 429 and b"sign-in is locked for 15 minutes" in right.content
    assert "_auth_user_id" not in client.session
    assert any("login locked" in r.getMessage() and "'admin'" in r.getMessage() for r in caplog.records)
    entry = LogEntry.objects.filter(object_repr="admin").first()  # one per refused attempt while locked
    assert "Sign-in locked" in entry.change_message and "203.0.113.7" in entry.change_message
    _cool_off_passed()
    after = _login(client, "admin", PASSWORD)
    assert after.status_code == 302 and after["Location"] == "/console/"


def test_issue15_admin_login_locks_an_address_trying_many_usernames():
    _user("admin", superuser=True)
    client = Client()
    for i in range(10):
        _login(client, f"guess{i}", "wrong", path="/admin/login/?next=/admin/")
    refused = _login(client, "admin", PASSWORD, path="/admin/login/?next=/admin/")
    assert refused.status_code == 429
    other_address = Client().post("/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD},
                                  REMOTE_ADDR="198.51.100.9")
    assert other_address.status_code == 302  # the lock is on the address, and admin was not guessed


def test_issue15_nine_failures_do_not_lock(client):
    _user("agent1", "agent")
    for _ in range(9):
        _login(client, "agent1", "wrong")
    assert _login(client, "agent1", PASSWORD).status_code == 302


def test_issue15_the_portal_keeps_its_own_stricter_limit(client, today, catalog, caplog):
    from lastmile.portal import services
    from tests.mixins import make_account
    from tests.portal.conftest import PASSWORD as PORTAL_PASSWORD
    from tests.portal.conftest import link_token

    account = make_account(network="wireless")
    services.password_link_send(number=account.number, email="ana@example.test",
                                link_base="http://testserver/portal/password/set/")
    services.password_set(token=link_token(account), password=PORTAL_PASSWORD, again=PORTAL_PASSWORD)
    for _ in range(5):
        client.post("/portal/login/", {"number": account.number, "password": "wrong"})
    with caplog.at_level(logging.WARNING, logger="lastmile.security"):
        right = client.post("/portal/login/", {"number": account.number, "password": PORTAL_PASSWORD})
    assert right.status_code == 409 and b"too many failed sign-ins" in right.content.lower()
    assert any("portal sign-in locked" in r.getMessage() for r in caplog.records)


# --- the second factor --------------------------------------------------------------------------
def _code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_issue15_a_staff_user_enrols_then_signs_in_with_password_and_code(client):
    _user("maria", "manager")
    assert _login(client, "maria", PASSWORD).status_code == 302
    page = client.get("/accounts/2fa/enrol/")
    html = page.content.decode()
    assert page.status_code == 200 and "otpauth://totp/" in html and "<svg" in html
    assert "cdn" not in html.lower() and "https://" not in html
    device = TOTPDevice.objects.get(user__username="maria", confirmed=False)
    assert client.post("/accounts/2fa/enrol/", {"code": "000000" if _code(device) != "000000" else "111111"}
                       ).status_code == 422
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0,  # django-otp's own
                                                   throttling_failure_timestamp=None)  # back-off
    done = client.post("/accounts/2fa/enrol/", {"code": _code(device)})
    assert done.status_code == 302 and TOTPDevice.objects.get(pk=device.pk).confirmed

    fresh = Client()
    assert _login(fresh, "maria", PASSWORD).status_code == 302
    held = fresh.get("/console/")
    assert held.status_code == 302 and held["Location"].startswith("/accounts/2fa/?next=/console/")
    assert fresh.get("/admin/").status_code == 302
    assert fresh.post("/accounts/2fa/", {"code": "12ab56"}).status_code == 422
    device.refresh_from_db()
    device.last_t = -1  # the enrolment's code is refused as a replay; the next step's is fine
    device.save()
    ok = fresh.post("/accounts/2fa/?next=/console/", {"code": _code(device), "next": "/console/"})
    assert ok.status_code == 302 and ok["Location"] == "/console/"
    assert fresh.get("/console/").status_code == 200


def test_issue15_without_a_device_the_password_is_enough_when_2fa_is_optional(client):
    _user("maria", "manager")
    _login(client, "maria", PASSWORD)
    assert client.get("/console/").status_code == 200


def test_issue15_require_2fa_sends_admins_and_managers_to_enrolment(settings):
    settings.LASTMILE_REQUIRE_2FA = True
    _user("maria", "manager")
    _user("alex", "agent")
    manager, agent = Client(), Client()
    _login(manager, "maria", PASSWORD)
    _login(agent, "alex", PASSWORD)
    sent = manager.get("/console/")
    assert sent.status_code == 302 and sent["Location"] == "/accounts/2fa/enrol/"
    assert b"Admins and managers need a second step" in manager.get("/accounts/2fa/enrol/").content
    assert agent.get("/console/").status_code == 200  # an agent may enrol, and need not
    key = api_token_create(user=User.objects.get(username="maria"))
    refused = Client().get("/api/v1/accounts", headers={"Authorization": f"Bearer {key}"})
    assert refused.status_code == 401
    agent_key = api_token_create(user=User.objects.get(username="alex"))
    assert Client().get("/api/v1/accounts", headers={"Authorization": f"Bearer {agent_key}"}).status_code == 200


# --- cookies, headers, production ------------------------------------------------------------
def test_issue15_session_and_csrf_cookies_are_httponly_and_samesite_lax(client):
    _user("alex", "agent")
    client.get("/accounts/login/")
    response = _login(client, "alex", PASSWORD)
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    csrf = client.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    assert not session["secure"]  # LASTMILE_DEV=1 (the default) serves plain http on loopback


def _settings_of(env: dict) -> dict:
    code = ("import json; from lastmile.config import settings as s; print(json.dumps({k: getattr(s, k, None) "
            "for k in ('SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_HTTPONLY')}))")
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True,
                         check=True, cwd=ROOT)
    import json

    return json.loads(out.stdout)


def test_issue15_production_has_secure_cookies_and_hsts():
    prod = _settings_of({"LASTMILE_DEV": "0", "LASTMILE_SECRET_KEY": "x" * 50})
    assert prod == {"SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True, "SECURE_HSTS_SECONDS": 31_536_000,
                    "SESSION_COOKIE_HTTPONLY": True}
    dev = _settings_of({"LASTMILE_DEV": "1"})
    assert dev["SESSION_COOKIE_SECURE"] is False and dev["SECURE_HSTS_SECONDS"] is None


def test_issue15_serve_refuses_production_with_the_development_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "LASTMILE_SECRET_KEY"}
    env.update(LASTMILE_DEV="0", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    done = subprocess.run([sys.executable, "-m", "lastmile.cli", "serve", "--port", "1"], env=env,
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("lastmile serve: LASTMILE_DEV=0 needs a secret key of its own")
    assert not (tmp_path / "x.sqlite3").exists()  # refused before touching the database


def test_issue15_production_problems(settings):
    from lastmile.core.security import DEV_SECRET_KEY, production_problems

    settings.LASTMILE_DEV, settings.SECRET_KEY = False, DEV_SECRET_KEY
    assert len(production_problems()) == 1
    settings.SECRET_KEY = "a-real-key-" + "k" * 40
    assert production_problems() == []
    settings.LASTMILE_DEV, settings.SECRET_KEY = True, DEV_SECRET_KEY
    assert production_problems() == []


def test_issue15_csp_header_and_the_existing_headers(client):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
                      "object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'", "form-action 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "http" not in csp
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"


def test_issue15_stripe_is_allowed_only_on_the_stripe_card_page(settings):
    from lastmile.core.security import ContentSecurityPolicyMiddleware

    middleware = ContentSecurityPolicyMiddleware(lambda request: __import__("django.http").http.HttpResponse())
    from django.test import RequestFactory

    settings.LASTMILE_PAYMENTS = "stripe"
    assert "js.stripe.com" in middleware(RequestFactory().get("/portal/card/"))["Content-Security-Policy"]
    assert "stripe" not in middleware(RequestFactory().get("/portal/pay/"))["Content-Security-Policy"]
    settings.LASTMILE_PAYMENTS = "test"
    assert "stripe" not in middleware(RequestFactory().get("/portal/card/"))["Content-Security-Policy"]


# templates that are never served under the CSP: emails, and the statement's PDF stylesheet
# (its HTML view links the stylesheet instead, css_href)
NOT_SERVED = {"comms/templates/comms/email_layout.html": "<style>",
              "comms/templates/comms/statement/statement.html": "<style>{{ css }}</style>"}
INLINE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|<style\b|\son[a-z]+\s*=|\sstyle\s*=",
                    re.I)


def test_issue15_no_inline_script_handler_or_style_in_served_templates():
    src = ROOT / "src" / "lastmile"
    found = []
    for path in src.rglob("templates/**/*.html"):
        rel = path.relative_to(src).as_posix()
        text = path.read_text()
        if rel in NOT_SERVED:
            text = text.replace(NOT_SERVED[rel], "")
        found += [f"{rel}: {m.group(0)}" for m in INLINE.finditer(text)]
    assert found == []


def test_issue15_api_docs_are_served_from_our_own_static_files(client):
    client.force_login(_user("alex", "agent"))
    page = client.get("/api/v1/docs")
    html = page.content.decode()
    assert page.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html and "/static/ninja/swagger-ui-init.js" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # no CDN, no other host
    assert not INLINE.search(html.replace('<script type="application/json" id="swagger-settings">', ""))
