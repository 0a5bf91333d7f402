"""Background work for connectors: fetching announced files, removing old raw bodies."""

from __future__ import annotations

from typing import Any

from sigap.connectors.files import FETCH_JOB, files_fetch
from sigap.connectors.models import ConnectorMessage
from sigap.connectors.retention import deliveries_remove_old_raw
from sigap.core.jobs import due_poller, job_handler


@job_handler(FETCH_JOB)
def fetch_files(payload: dict[str, Any]) -> None:
    record = ConnectorMessage.objects.select_related(
        "connector", "message", "message__ticket", "message__author_customer"
    ).get(pk=payload["connector_message"])
    files_fetch(record)


@due_poller("connectors_raw_retention")
def remove_old_raw() -> int:
    return deliveries_remove_old_raw()
