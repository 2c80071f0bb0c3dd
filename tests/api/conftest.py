"""API fixtures: users with a role (a Django group of that name), their tokens."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from lastmile.api.services import api_token_create


def make_user(username: str, *roles: str, superuser: bool = False) -> User:
    if superuser:
        return User.objects.create_superuser(username, f"{username}@example.test", "pw-" + username)
    user = User.objects.create_user(username, f"{username}@example.test", "pw-" + username)
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


class ApiClient:
    """A test client that sends `Authorization: Bearer <key>`."""

    def __init__(self, key: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def get(self, path, **params):
        return self.client.get(path, params, headers=self.headers)

    def post(self, path, data=None):
        return self.client.post(path, data or {}, content_type="application/json", headers=self.headers)


@pytest.fixture
def api_as(db):
    """api_as("agent") -> a client authenticated as a fresh user holding that role."""
    made = {}

    def build(*roles: str, superuser: bool = False) -> ApiClient:
        name = "_".join(roles) or ("root" if superuser else "nobody")
        name = f"{name}{len(made)}"
        user = make_user(name, *roles, superuser=superuser)
        made[name] = user
        client = ApiClient(api_token_create(user=user))
        client.user = user
        return client

    return build


@pytest.fixture
def agent_api(api_as):
    return api_as("agent")
