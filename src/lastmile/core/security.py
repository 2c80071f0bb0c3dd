"""Accounts, sessions and headers (issue 15; docs/security.md).

- `ContentSecurityPolicyMiddleware`: one policy for every page, with no inline
  script or style and no other host, so an injected `<script>` or `onclick=` does
  nothing even where escaping failed. The only exception is the portal's card
  page with `LASTMILE_PAYMENTS=stripe`, which must load Stripe.js from Stripe
  (PCI keeps the card number off our pages); it is widened for that page only.
- `SecondFactorMiddleware`: a staff user with a TOTP device is not signed in until
  the code is given; with `LASTMILE_REQUIRE_2FA=1` an admin or a manager without a
  device can only reach the enrolment page.
- `production_problems()`: what `lastmile serve` (and the WSGI application)
  refuse to start with when `LASTMILE_DEV=0`.
- `log_lockout`: django-axes' lock of an account or an address, written to the
  `lastmile.security` log and, for a staff user, to the audit log of Django's admin.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

log = logging.getLogger("lastmile.security")

DEV_SECRET_KEY = "insecure-dev-key-set-LASTMILE_SECRET_KEY-in-production"

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}

# the portal's card form with Stripe (docs/payments.md): Stripe.js and its card iframe
STRIPE_POLICY = {
    "script-src": "'self' https://js.stripe.com",
    "frame-src": "'self' https://js.stripe.com https://hooks.stripe.com",
    "connect-src": "'self' https://api.stripe.com",
}


def policy_header(extra: dict[str, str] | None = None) -> str:
    policy = dict(POLICY)
    policy.update(extra or {})
    return "; ".join(f"{name} {value}" for name, value in policy.items())


class ContentSecurityPolicyMiddleware:
    """Adds the policy unless the view set its own (the header is never weakened by default)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = policy_header()
        self.stripe_header = policy_header(STRIPE_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            stripe_page = (request.path == "/portal/card/"
                           and getattr(settings, "LASTMILE_PAYMENTS", "test") == "stripe")
            response["Content-Security-Policy"] = self.stripe_header if stripe_page else self.header
        return response


# --- the second factor -------------------------------------------------------------------
# paths a signed-in user still reaches before the code: the code page, enrolment, logout, static
_OPEN_PREFIXES = ("/accounts/", "/static/", "/portal/", "/internal/", "/webhooks/")


def require_2fa() -> bool:
    return getattr(settings, "LASTMILE_REQUIRE_2FA", False)


def must_enrol(user) -> bool:
    """With LASTMILE_REQUIRE_2FA=1 an admin or a manager (or a superuser) needs a device."""
    if not require_2fa() or not user.is_authenticated:
        return False
    from django_otp import user_has_device

    from lastmile.core.actors import from_user
    from lastmile.core.choices import Role

    roles = from_user(user).roles
    if not (roles & {Role.ADMIN, Role.MANAGER}):
        return False
    return not user_has_device(user, confirmed=True)


def needs_code(request) -> bool:
    """Signed in with the password, has a confirmed device, has not given the code yet."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)


class SecondFactorMiddleware:
    """After django_otp's OTPMiddleware: sends a half-signed-in user to the code or enrolment page.

    The API answers 401 to a token whose user must enrol first; a token is a
    second secret of its own, so a verified device is not asked of it otherwise.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if not path.startswith(_OPEN_PREFIXES):
            user = request.user
            if needs_code(request):
                return redirect(f"{reverse('otp_verify')}?next={path}")
            if must_enrol(user):
                return redirect(reverse("otp_enrol"))
        return self.get_response(request)


# --- what production refuses ----------------------------------------------------------------
def production_problems() -> list[str]:
    """Sentences saying why the server will not start; empty when it may."""
    if getattr(settings, "LASTMILE_DEV", True):
        return []
    problems = []
    if settings.SECRET_KEY in ("", DEV_SECRET_KEY):
        problems.append("LASTMILE_DEV=0 needs a secret key of its own: set LASTMILE_SECRET_KEY "
                        "to a long random value (the development key signs sessions anyone can forge).")
    return problems


# --- django-axes' lock ---------------------------------------------------------------------------
from axes.backends import AxesStandaloneBackend  # noqa: E402


class ThrottledBackend(AxesStandaloneBackend):
    """django-axes' check for every sign-in through a web request.

    `authenticate()` without a request (the command line, the test client's
    `login()`) is not a way to guess passwords from outside, so it is not counted.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def log_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    """The `user_locked_out` signal: a log line, and an admin log entry on the staff user."""
    log.warning("login locked: %s failed sign-ins in %s for user %r from %s; locked for %s",
                settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME, username, ip_address,
                settings.AXES_COOLOFF_TIME)
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    user = get_user_model().objects.filter(username=username or "").first()
    if user is not None:
        LogEntry.objects.create(
            user=user, content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk),
            object_repr=str(user)[:200], action_flag=CHANGE,
            change_message=f"Sign-in locked for {settings.AXES_COOLOFF_TIME} after "
                           f"{settings.AXES_FAILURE_LIMIT} wrong passwords (from {ip_address}).",
        )


# connected when the middleware module is first imported, which is before the first request
from axes.signals import user_locked_out  # noqa: E402

user_locked_out.connect(log_lockout, dispatch_uid="lastmile.security.log_lockout")
