"""Shared fixtures: the people of a small desk, and the outsider who must be refused."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from sigap.accounts.models import Role, Team, User
from sigap.routing.services import routing_cache_clear
from sigap.sla.configuration import cache_clear as sla_cache_clear
from sigap.sops.models import SopVersion
from sigap.sops.services import live_cache_clear as sop_live_cache_clear
from sigap.sops.services import sop_import, sop_publish
from sigap.tickets.models import Ticket
from tests import factories


@pytest.fixture(autouse=True)
def _test_settings(settings: Any) -> None:
    # Assertions read English messages; the Indonesian UI has its own tests.
    settings.LANGUAGE_CODE = "en"
    # Real hashing costs a quarter second per persona and proves nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    # Each test has its own database, so no policy or calendar read in another may be reused;
    # sign-in and reset throttle counts live in Django's cache, and each test starts with none.
    sla_cache_clear()
    routing_cache_clear()
    sop_live_cache_clear()
    cache.clear()


@pytest.fixture
def team_a(db: None) -> Team:
    return factories.make_team("Pelanggan Retail")


@pytest.fixture
def team_b(db: None) -> Team:
    return factories.make_team("Korporat")


@pytest.fixture
def agent(team_a: Team) -> User:
    return factories.make_user("sari", Role.AGENT, [team_a], first_name="Sari")


@pytest.fixture
def teammate(team_a: Team) -> User:
    return factories.make_user("budi", Role.AGENT, [team_a], first_name="Budi")


@pytest.fixture
def outsider(team_b: Team) -> User:
    """An agent of another team: must never see or touch team A's tickets."""
    return factories.make_user("rina", Role.AGENT, [team_b], first_name="Rina")


@pytest.fixture
def supervisor(team_a: Team) -> User:
    return factories.make_user("dewi", Role.SUPERVISOR, [team_a], first_name="Dewi")


@pytest.fixture
def manager(team_a: Team, team_b: Team) -> User:
    return factories.make_user("agus", Role.MANAGER, [], first_name="Agus")


@pytest.fixture
def admin_user(db: None) -> User:
    return factories.make_user("admin", Role.ADMIN, [], first_name="Admin")


@pytest.fixture
def ticket(team_a: Team) -> Ticket:
    return factories.make_ticket(team=team_a)


SOP_LIBRARY = Path(__file__).resolve().parents[1] / "sigap" / "sops" / "library"


@pytest.fixture
def damaged_product(db: None) -> SopVersion:
    """The bundled damaged-product SOP (MISSION.md §B), published and live."""
    draft = sop_import(text=(SOP_LIBRARY / "damaged-product.yaml").read_text(), by=None)
    return sop_publish(version=draft, by=None, notes="First version")


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def on_postgres() -> bool:
    from django.conf import settings

    return bool(settings.DATABASES["default"]["ENGINE"].endswith("postgresql"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgres` belong to the PostgreSQL pass; the SQLite pass leaves them out."""
    if on_postgres():
        return
    kept, left_out = [], []
    for item in items:
        (left_out if item.get_closest_marker("postgres") else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


def require_service(name: str, reason: str) -> None:
    """Skip loudly when a real component is missing on a laptop; under CI that is a failure."""
    message = f"{name} is not available: {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: real components are required)")
    pytest.skip(f"!!! {message} !!!")


@pytest.fixture
def redis_url() -> str:
    import redis

    url = os.environ.get("SIGAP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
        client.flushdb()
    except redis.RedisError as error:
        require_service("Redis", f"{url}: {error}")
    return url
