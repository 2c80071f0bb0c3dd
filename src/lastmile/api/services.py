"""Writes of the API context: tokens (shown once, stored hashed) and the day-run trigger."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction

from lastmile.core import clock
from lastmile.core.actors import Actor
from lastmile.core.errors import InvalidInput, RuleRefusal

from .models import ApiToken

KEY_PREFIX = "lm_"


def key_hash(key: str) -> str:
    """The stored form of a key: its SHA-256, hex."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str = "") -> str:
    """Create a token for `user` and return its key: the only time it is ever shown.

    The key's owner acts as that user; every write still goes through the services'
    permission checks (architecture.md "Roles").
    """
    if user is None or not getattr(user, "pk", None):
        raise InvalidInput("a token belongs to a saved user", field="user")
    if not user.is_active:
        raise RuleRefusal(f"{user.get_username()} is not active; activate the user first", field="user")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, name=name[:100], prefix=key[:10], key_hash=key_hash(key), created=clock.now(),
    )
    return key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Actor) -> bool:
    """Revoke a token (kept, never deleted). A user revokes their own; an admin any."""
    if token.user_id != actor.user_id:
        actor.require("day.run", "revoking another user's API token")
    updated = ApiToken.objects.filter(pk=token.pk, revoked=False).update(revoked=True, revoked_at=clock.now())
    return bool(updated)


def api_token_user(*, key: str):
    """The active user a key authenticates, or None; notes when it was last used."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_hash(key), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = clock.now()
    if token.last_used is None or now - token.last_used > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user


def day_run_trigger(*, as_of: dt.date | None, actor: Actor):
    """Run the day's automation on demand (admin only). Idempotent by natural keys."""
    from lastmile.core.dayrun import run_day

    actor.require("day.run", "running the day's automation")
    return run_day(as_of or clock.today())
