from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sigap.accounts.models import Team
from sigap.sops.models import SopVersion
from sigap.sops.services import current_run, sop_library_install
from sigap.tickets.models import Channel
from tests.factories import make_ticket

BUNDLED = {"complaint", "damaged-product", "general-enquiry", "greeting", "information-request"}


@pytest.mark.django_db
def test_the_library_installs_once_and_never_overwrites() -> None:
    assert set(sop_library_install()) == BUNDLED
    assert sop_library_install() == []
    assert SopVersion.objects.filter(status="active").count() == len(BUNDLED)


@pytest.mark.parametrize(
    ("channel", "subject", "body", "expected"),
    [
        (Channel.EMAIL, "Vas pecah", "Barangnya datang rusak", "damaged-product"),
        (Channel.EMAIL, "Kecewa", "Saya sangat kecewa dengan pelayanan kurir", "complaint"),
        (Channel.EMAIL, "Harga", "Berapa harga dan stok kemeja biru?", "information-request"),
        (Channel.CHAT, "Halo", "Halo kak", "greeting"),
        (Channel.EMAIL, "Jam buka", "Toko buka jam berapa?", "general-enquiry"),
        (Channel.SOCIAL, "Lawyer", "My lawyer will hear about this", "complaint"),
    ],
)
def test_each_kind_of_contact_gets_its_sop(
    team_a: Team, channel: Channel, subject: str, body: str, expected: str
) -> None:
    sop_library_install()

    ticket = make_ticket(team=team_a, channel=channel, subject=subject, body=body)

    run = current_run(ticket)
    assert run is not None
    assert run.version.sop.key == expected


@pytest.mark.django_db
def test_lint_names_the_line_and_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("key: x\ntitle: X\npurpose: P\nsteps:\n  - {id: a, kind: dance, title: A}\n")

    with pytest.raises(CommandError, match="1 file"):
        call_command("sop", "lint", str(broken))

    assert "line 5, steps[0].kind" in capsys.readouterr().err


@pytest.mark.django_db
def test_import_export_round_trip_and_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = Path(__file__).resolve().parents[2] / "sigap/sops/library/complaint.yaml"
    call_command("sop", "import", str(source), "--publish", "--notes", "v1")
    capsys.readouterr()

    call_command("sop", "export", "complaint")
    assert capsys.readouterr().out == source.read_text()

    call_command("sop", "schema")
    schema = json.loads(capsys.readouterr().out)
    assert "steps" in schema["properties"]
