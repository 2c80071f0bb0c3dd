"""Webhook fixtures: logged-in console clients with a role (as tests/console has)."""
from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import make_user


@pytest.fixture
def console_as(db):
    count = [0]

    def build(*roles: str) -> Client:
        count[0] += 1
        user = make_user(f"{'_'.join(roles) or 'nobody'}{count[0]}", *roles)
        client = Client()
        client.force_login(user)
        return client

    return build
