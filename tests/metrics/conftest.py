"""Fixtures of the metrics tests: a second agent, and API clients with bearer tokens."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from sigap.accounts.models import Role, Team, User
from sigap.accounts.services import token_create
from tests import factories

ApiClient = Callable[[User], Client]


@pytest.fixture
def other_agent(team_b: Team) -> User:
    return factories.make_user("tono", Role.AGENT, [team_b], first_name="Tono")


@pytest.fixture
def api_as() -> ApiClient:
    def client_for(user: User) -> Client:
        token = token_create(user=user, name="test").token
        return Client(headers={"Authorization": f"Bearer {token}"})

    return client_for
