"""Background work for connectors: fetching the files messages announced."""

from __future__ import annotations

from typing import Any

from sigap.connectors.files import FETCH_JOB, files_fetch
from sigap.connectors.models import ConnectorMessage
from sigap.core.jobs import job_handler


@job_handler(FETCH_JOB)
def fetch_files(payload: dict[str, Any]) -> None:
    record = ConnectorMessage.objects.select_related(
        "connector", "message", "message__ticket", "message__author_customer"
    ).get(pk=payload["connector_message"])
    files_fetch(record)
