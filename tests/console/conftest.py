"""Console fixtures: logged-in clients with a role."""
from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import make_user


@pytest.fixture
def console_as(db):
    """console_as("agent") -> a logged-in test client for a user with that role."""
    count = [0]

    def build(*roles: str, enforce_csrf: bool = False) -> Client:
        count[0] += 1
        user = make_user(f"{'_'.join(roles) or 'nobody'}{count[0]}", *roles)
        client = Client(enforce_csrf_checks=enforce_csrf)
        client.force_login(user)
        client.user = user
        return client

    return build
