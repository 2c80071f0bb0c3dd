"""Token authentication for `/api/v1/`: `Authorization: Bearer <key>` (401 otherwise).

The key is looked up by its SHA-256 (lastmile.api.services.key_hash); the user it
belongs to becomes the request's user, and its actor is `from_user(user)`, so the
services decide what that user may do (403 with the sentence otherwise).
"""
from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from ninja.security import HttpBearer

from lastmile.core.actors import Actor, from_user
from lastmile.core.security import must_enrol

from .services import api_token_user


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        user = api_token_user(key=token.strip())
        if user is None or must_enrol(user):  # issue 15: LASTMILE_REQUIRE_2FA, enrol first
            return None
        request.user = user
        return user


def actor_of(request) -> Actor:
    """The actor of an authenticated API request (AUD-1: the user is who did it)."""
    return from_user(request.auth)


def _bearer_user(request):
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return api_token_user(key=key.strip())


def docs_guard(view):
    """The schema and the docs page also need a login: a console session or a token."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or _bearer_user(request) is not None:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return JsonResponse({"detail": "Unauthorized"}, status=401)
        return redirect_to_login(request.get_full_path())

    return guarded
