"""Webhook fixtures: logged-in console clients with a role (as tests/console has,
without hashing a password: force_login needs none)."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client


@pytest.fixture
def console_as(db):
    count = [0]

    def build(*roles: str) -> Client:
        count[0] += 1
        user = User(username=f"{'_'.join(roles) or 'nobody'}{count[0]}")
        user.set_unusable_password()
        user.save()
        for role in roles:
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        client = Client()
        client.force_login(user)
        return client

    return build
