"""Two nodes starting at the same moment on a new PostgreSQL database both install the standard
response times: the one that comes second keeps the first one's and starts all the same."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from sigap.sla import configuration
from sigap.sla.configuration import DEFAULT_POLICY_FILE, sla_defaults_install, sla_policy_save
from sigap.sla.models import Calendar, Policy

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_node_that_installs_second_keeps_the_first_ones_policy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert not Policy.objects.exists()
    original = configuration._no_default
    raced: list[str] = []

    def other_node_first() -> bool:
        # Asked after this node found no policy and before it stores one: the other node's
        # policy is committed in between.
        if not raced:
            raced.append("other node")

            def install() -> None:
                try:
                    sla_policy_save(source=DEFAULT_POLICY_FILE.read_text("utf-8"), by=None)
                finally:
                    connection.close()

            other = threading.Thread(target=install)
            other.start()
            other.join(30)
        return original()

    monkeypatch.setattr(configuration, "_no_default", other_node_first)

    installed = sla_defaults_install()

    assert raced == ["other node"]
    assert Policy.objects.filter(key="standard").count() == 1
    assert installed == [f"calendar:{Calendar.objects.get().key}"]
