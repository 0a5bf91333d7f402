"""SIGAP_DATABASE_URL: what each URL connects to, and the one option Sigap reads itself."""

from __future__ import annotations

import pytest
from django.db import connection

from sigap.core.env import ConfigurationError, database_from_url


def test_postgresql_prepares_its_statements_unless_told_not_to() -> None:
    found = database_from_url("postgres://desk:rahasia@db.example:6543/sigap?sslmode=require")

    assert found["NAME"] == "sigap"
    assert (found["HOST"], found["PORT"], found["USER"]) == ("db.example", "6543", "desk")
    assert found["OPTIONS"] == {
        "sslmode": "require",
        "server_side_binding": True,
        "prepare_threshold": 1,
    }
    # For a pooler in transaction mode that cannot keep prepared statements.
    off = database_from_url("postgres://db.example/sigap?prepared_statements=off")
    assert off["OPTIONS"] == {}


def test_a_misspelt_option_value_is_refused_by_name() -> None:
    with pytest.raises(ConfigurationError, match="prepared_statements must be on or off"):
        database_from_url("postgres://db.example/sigap?prepared_statements=maybe")


@pytest.mark.django_db
def test_the_suite_runs_on_what_the_desk_runs_on() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite: no statements to prepare")
    assert connection.features.uses_server_side_binding
