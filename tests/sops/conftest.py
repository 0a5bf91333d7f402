from __future__ import annotations

from pathlib import Path

import pytest

from sigap.sops.models import SopVersion
from sigap.sops.services import sop_import, sop_publish

LIBRARY = Path(__file__).resolve().parents[2] / "sigap" / "sops" / "library"


@pytest.fixture
def damaged_product(db: None) -> SopVersion:
    draft = sop_import(text=(LIBRARY / "damaged-product.yaml").read_text(), by=None)
    return sop_publish(version=draft, by=None, notes="First version")
