"""Two web nodes sharing PostgreSQL and Redis behave as one desk (DESIGN §2)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from websockets.sync.client import connect

from sigap.accounts.models import Team, User
from sigap.accounts.services import token_create
from tests.factories import make_ticket
from tests.processes import database_url, running, sigap_process, wait_until_up
from tests.smtp import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _session_cookie(user: User) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    assert session.session_key is not None
    return session.session_key


@pytest.fixture
def two_nodes(redis_url: str, tmp_path: Path) -> Iterator[list[int]]:
    env = {
        **os.environ,
        "SIGAP_DATABASE_URL": database_url(),
        "SIGAP_REDIS_URL": redis_url,
        "SIGAP_DATA_DIR": str(tmp_path),
        # Both nodes must sign sessions alike, as a real deployment shares one secret.
        "SIGAP_SECRET_KEY": django_settings.SECRET_KEY,
    }
    ports = [free_port(), free_port()]
    nodes = [
        sigap_process(
            ["serve", "--no-workers", "--port", str(port)], env, tmp_path / f"node{port}.log"
        )
        for port in ports
    ]
    with running(nodes):
        for port in ports:
            wait_until_up(port, tmp_path / f"node{port}.log")
        yield ports


def test_a_change_on_one_node_reaches_an_agent_watching_another(
    agent: User, team_a: Team, two_nodes: list[int]
) -> None:
    watching, changing = two_nodes
    ticket = make_ticket(team=team_a)
    token = token_create(user=agent).token

    with connect(
        f"ws://127.0.0.1:{watching}/ws/inbox/",
        additional_headers={
            "Cookie": f"sessionid={_session_cookie(agent)}",
            "Origin": f"http://127.0.0.1:{watching}",
        },
        open_timeout=10,
    ) as socket:
        response = httpx.patch(
            f"http://127.0.0.1:{changing}/api/tickets/{ticket.pk}",
            json={"priority": "urgent"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        notice = json.loads(socket.recv(timeout=10))

    assert notice == {"event": "changed", "ticket": ticket.pk}
    ticket.refresh_from_db()
    assert ticket.priority == "urgent"


def test_a_quiet_inbox_socket_stays_open_and_still_hears_changes(
    agent: User, team_a: Team, two_nodes: list[int]
) -> None:
    # The channel layer waits for messages with a 5 s blocking pop; longer than that with
    # nothing to hear must not end the agent's live connection.
    watching, changing = two_nodes
    ticket = make_ticket(team=team_a)
    token = token_create(user=agent).token

    with connect(
        f"ws://127.0.0.1:{watching}/ws/inbox/",
        additional_headers={
            "Cookie": f"sessionid={_session_cookie(agent)}",
            "Origin": f"http://127.0.0.1:{watching}",
        },
        open_timeout=10,
    ) as socket:
        time.sleep(12)
        response = httpx.patch(
            f"http://127.0.0.1:{changing}/api/tickets/{ticket.pk}",
            json={"priority": "urgent"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        notice = json.loads(socket.recv(timeout=10))

    assert notice == {"event": "changed", "ticket": ticket.pk}
