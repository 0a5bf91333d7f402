"""Schemathesis fuzzes every operation in /api/openapi.json against the app, in-process.

Each operation gets generated requests, valid and invalid, sent with a real agent's bearer token
to a desk holding a team, a customer and a ticket running the damaged-product SOP. Every answer
must be something other than a 5xx, and must match what the schema promises: a documented
status code, the documented content type and headers, and a body of the documented shape.

Left out on purpose: schemathesis' checks that a schema-valid request is accepted and a
schema-violating one refused. The first cannot hold for a business desk — a well-formed request
for a category that does not exist, an empty reply or a step that is not open is refused with a
problem body by the services, which the schema cannot express. The second trips on pydantic's
documented lax coercion (`0` accepted as `false`), which the API keeps for friendlier clients.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sigap.accounts.models import User
from sigap.accounts.services import token_create
from sigap.sops.models import SopVersion
from sigap.tickets.models import Ticket
from sigap.wsgi import application
from tests.api.conftest import ApiClient

# Loaded once at import from the app itself (no server, no network). schemathesis'
# from_fixture() loader cannot be used: it reads a pytest node attribute pytest 9 removed.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def _connection_kept_open() -> Iterator[None]:
    """Requests go straight to the WSGI app, whose request signals close the database connection
    as a server should; inside the test's transaction that would lose the test data (on
    PostgreSQL). Django's own test client keeps the connection open in the same way.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(agent: User, damaged_product: SopVersion, ticket: Ticket) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_create(user=agent, name='fuzz').token}"}


@schema.parametrize()
@pytest.mark.usefixtures("_connection_kept_open")
# Bounded so the whole file runs in well under a minute; the database fixtures are set up once
# per operation and shared by its examples, which only makes the fuzzing meaner.
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_is_within_the_schema_and_never_a_server_error(
    case: Any, bearer: dict[str, str], db: None
) -> None:
    case.call_and_validate(headers=bearer, checks=CHECKS)


# What the fuzzer found on PostgreSQL, which refuses NUL characters in a query: each of these
# was a 500. Kept as fixed examples so they are checked on every run, not only when drawn.
NUL_CASES = [
    ("/api/tickets/{ticket}/sop/switch", {"sop": "a\u0000", "reason": "Wrong SOP"}, 400),
    ("/api/sops/a%00", None, 404),
    ("/api/tickets/{ticket}/sop/steps/a%00/complete", {}, 404),
    ("/api/tickets/{ticket}/sop/steps/a%00/waive", {"reason": "Not needed"}, 404),
]


@pytest.mark.parametrize(("address", "body", "status"), NUL_CASES)
def test_a_nul_character_is_refused_with_a_problem(
    api_as: ApiClient,
    supervisor: User,
    damaged_product: SopVersion,
    ticket: Ticket,
    address: str,
    body: dict[str, str] | None,
    status: int,
) -> None:
    client = api_as(supervisor)
    url = address.format(ticket=ticket.pk)

    if body is None:
        response = client.get(url)
    else:
        response = client.post(url, body, content_type="application/json")

    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
