"""API clients that sign in the way integrations do: with a bearer token."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from sigap.accounts.models import User
from sigap.accounts.services import token_create

ApiClient = Callable[[User], Client]


@pytest.fixture
def api_as() -> ApiClient:
    def client_for(user: User) -> Client:
        token = token_create(user=user, name="test").token
        return Client(headers={"Authorization": f"Bearer {token}"})

    return client_for
