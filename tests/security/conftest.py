"""The security tests' fixtures: the browser ones come from tests/e2e (the same Chromium
and the same lifting of the insert-only triggers for a live server's flush)."""
from __future__ import annotations

import pytest

from tests.api.conftest import api_as  # noqa: F401
from tests.e2e.conftest import _insert_only_triggers_lifted, browser_page  # noqa: F401


@pytest.fixture(autouse=True)
def _axes_reset(db):
    """Each test starts with no failed sign-in on record."""
    from axes.models import AccessAttempt, AccessFailureLog

    AccessAttempt.objects.all().delete()
    AccessFailureLog.objects.all().delete()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Dozens of sign-ins per test: a fast hasher (the throttle counts attempts, not their cost)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
