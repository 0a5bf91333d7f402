"""Files that came with a ticket's messages."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class AttachmentOut(Schema):
    id: int
    message_id: int
    filename: str = Field(description="The sender's file name, cleaned; a label, not a path.")
    content_type: str = Field(description="The type recorded when the file was received.")
    size: int = Field(description="Bytes.")
    sha256: str
    url: str = Field(
        description="Download address (same bearer token). Only images, PDF and plain text are "
        "served as themselves; anything else comes as application/octet-stream."
    )
    created_at: datetime
