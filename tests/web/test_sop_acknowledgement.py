from __future__ import annotations

import pytest
from django.test import Client

from sigap.accounts.models import User
from sigap.core.errors import InvalidInput
from sigap.sops.models import Acknowledgement, SopVersion
from sigap.sops.selectors import unread_versions
from sigap.sops.services import sop_acknowledge, sop_import, sop_publish
from tests.conftest import SOP_LIBRARY


def test_a_new_version_asks_every_agent_to_read_it(
    client: Client, agent: User, teammate: User, damaged_product: SopVersion
) -> None:
    client.force_login(agent)

    inbox = client.get("/").content.decode()
    assert "SOPs changed since you last read them" in inbox
    assert "Product arrived damaged v1" in inbox

    page = client.get("/sops/damaged-product/").content.decode()
    assert "I have read this version" in page
    client.post("/sops/damaged-product/acknowledge/", {"version": "1"})

    assert "SOPs changed since you last read them" not in client.get("/").content.decode()
    read = client.get("/sops/damaged-product/").content.decode()
    assert "You confirmed reading this version." in read
    assert "Read by 1 person: Sari" in read
    assert unread_versions(teammate) == [damaged_product]

    second = sop_publish(
        version=sop_import(
            text=(SOP_LIBRARY / "damaged-product.yaml").read_text().replace("1h}", "30m}", 1),
            by=None,
        ),
        by=None,
        notes="Reply within 30 minutes",
    )
    assert unread_versions(agent) == [second]


def test_acknowledging_twice_is_one_record_and_drafts_cannot_be_acknowledged(
    agent: User, damaged_product: SopVersion
) -> None:
    sop_acknowledge(version=damaged_product, by=agent)
    sop_acknowledge(version=damaged_product, by=agent)
    draft = sop_import(text=(SOP_LIBRARY / "complaint.yaml").read_text(), by=None)

    assert Acknowledgement.objects.filter(user=agent).count() == 1
    with pytest.raises(InvalidInput):
        sop_acknowledge(version=draft, by=agent)
