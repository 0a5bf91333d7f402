"""Files a connector message announced (a Telegram photo or document), fetched after intake.

The message is on the ticket at once; its files follow from a background job, so a slow or
failing download never holds up or loses the message. A file the desk does not keep (too
large, a refused type, gone at the source) is named on the ticket's timeline.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from sigap.connectors.egress import ForbiddenDestination, guarded_client
from sigap.connectors.models import ConnectorMessage
from sigap.connectors.outbound import NotYet
from sigap.connectors.registry import FileRef, PermanentFailure, TemporaryFailure, kind_get
from sigap.connectors.vault import SecretsUnreadable, unseal
from sigap.core import clock
from sigap.core.jobs import job_enqueue
from sigap.intake.attachments import (
    Refused,
    attachments_receive,
    clean_filename,
    refusals_record,
)
from sigap.intake.parsing import ParsedAttachment

FETCH_JOB = "connector_fetch_files"


def files_fetch_enqueue(record: ConnectorMessage) -> None:
    """Call in the transaction that took the message: the job exists if the message does."""
    job_enqueue(
        kind=FETCH_JOB,
        payload={"connector_message": record.pk},
        idempotency_key=f"connector-files:{record.pk}",
    )


def files_fetch(record: ConnectorMessage) -> None:
    """Download and attach every announced file. Raises NotYet for the job to retry later."""
    connector = record.connector
    message = record.message
    kind = kind_get(connector.kind)
    limit = int(settings.ATTACHMENT_MAX_BYTES)
    parts: list[ParsedAttachment] = []
    refused: list[Refused] = []
    files = [FileRef(**entry) for entry in record.files]
    try:
        secrets = unseal(connector.sealed_secrets)
    except SecretsUnreadable as error:
        refused = [Refused(filename=_name(file), reason=str(error)) for file in files]
        files = []
        secrets = {}
    with guarded_client(max_response_bytes=limit + 1) as client:
        for file in files:
            try:
                payload = kind.fetch_file(
                    connector=connector, secrets=secrets, file=file, client=client, max_bytes=limit
                )
            except (PermanentFailure, ForbiddenDestination) as error:
                refused.append(Refused(filename=_name(file), reason=str(error)))
                continue
            except TemporaryFailure as error:
                raise NotYet(str(error)) from error
            parts.append(
                ParsedAttachment(
                    filename=_name(file), content_type=file.content_type, payload=payload
                )
            )
    now = clock.now()
    written: list[Path] = []
    try:
        attachments_receive(message=message, parts=parts, at=now, written=written)
        # The files that could not be fetched are refused too, on the same timeline.
        refusals_record(message=message, refused=refused, at=now)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def _name(file: FileRef) -> str:
    return clean_filename(file.filename, file.content_type)
