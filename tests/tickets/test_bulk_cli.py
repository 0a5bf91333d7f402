"""`sigap ticket status|assign`: one line per ticket, exit code 1 when any was refused and 2
for a command that cannot be carried out; the SOP close gate holds here too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sigap.accounts.models import Team, User
from sigap.sops.models import SopVersion
from sigap.tickets.bulk import MAX_TICKETS
from sigap.tickets.models import Status, format_reference
from tests.factories import make_ticket
from tests.tickets.bulk_desk import GATE, batch, read_only_agent, status_of, untouched


def test_the_close_gate_refuses_one_ticket_and_the_command_exits_1(
    damaged_product: SopVersion,
    team_a: Team,
    team_b: Team,
    agent: User,
    supervisor: User,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tickets = batch(team_a, team_b, supervisor)
    references = [t.reference for t in (tickets.gated, tickets.waived, tickets.foreign)]

    with pytest.raises(CommandError) as refused:
        call_command("ticket", "status", *references, "--to", "resolved", "--as", agent.username)

    assert refused.value.returncode == 1
    assert str(refused.value) == "2 of 3 ticket(s) were refused and left unchanged."
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{references[0]}: refused: {GATE}")
    assert lines[1] == f"{references[1]}: done"
    assert lines[2] == (
        f"{references[2]}: refused: No ticket {references[2]}, or you may not see it."
    )
    assert untouched(tickets.gated)
    assert status_of(tickets.waived) == Status.RESOLVED
    assert untouched(tickets.foreign)


def test_assign_with_short_references(
    team_a: Team, agent: User, teammate: User, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = make_ticket(team=team_a), make_ticket(team=team_a)

    call_command(
        "ticket", "assign", str(first.pk), f"#{second.pk}", "--to", "budi", "--as", agent.username
    )

    assert capsys.readouterr().out.splitlines() == [
        f"{first.reference}: done",
        f"{second.reference}: done",
    ]
    first.refresh_from_db()
    assert first.assignee == teammate


def test_someone_who_may_not_change_tickets_is_refused(team_a: Team) -> None:
    ticket = make_ticket(team=team_a)
    reader = read_only_agent(team_a)

    with pytest.raises(CommandError) as refused:
        call_command(
            "ticket", "status", ticket.reference, "--to", "closed", "--as", reader.username
        )

    assert refused.value.returncode == 1
    assert str(refused.value) == "You may not change tickets."
    assert untouched(ticket)


def test_an_unknown_person_a_bad_reference_or_too_many_is_exit_2(team_a: Team, agent: User) -> None:
    ticket = make_ticket(team=team_a)
    too_many = [str(pk) for pk in range(ticket.pk, ticket.pk + MAX_TICKETS + 1)]
    attempts = {
        "--as: no active user nobody.": [ticket.reference, "--to", "open", "--as", "nobody"],
        "kulkas is not a ticket reference (SGP-000042 or 42).": [
            "kulkas",
            "--to",
            "open",
            "--as",
            agent.username,
        ],
        f"At most {MAX_TICKETS} tickets at once; {MAX_TICKETS + 1} were chosen. "
        "Nothing was changed.": [*too_many, "--to", "resolved", "--as", agent.username],
    }

    for message, arguments in attempts.items():
        with pytest.raises(CommandError) as refused:
            call_command("ticket", "status", *arguments)
        assert (refused.value.returncode, str(refused.value)) == (2, message)

    assert untouched(ticket)


SEED = """
from sigap.accounts.models import Role
from sigap.accounts.services import team_create, user_create
from sigap.customers.models import IdentityKind
from sigap.customers.services import IdentityInput, customer_create
from sigap.tickets.models import Channel
from sigap.tickets.services import ticket_open, ticket_change_status
team = team_create(name="Pelanggan Retail", slug="retail")
agent = user_create(username="sari", email="sari@desk.example", password="pw-sari-12345",
                    role=Role.AGENT, teams=[team])
wati = customer_create(by=None, name="Wati", identities=[IdentityInput(IdentityKind.EMAIL,
                       "wati@mail.example")])
for subject in ("Kulkas tidak dingin", "Ongkos kirim"):
    ticket_open(customer=wati, identity=wati.identities.first(), channel=Channel.EMAIL,
                subject=subject, body="Mohon bantuannya.", team=team)
"""


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A desk of its own on disk, for the real command and its real exit codes."""
    data: Path = tmp_path_factory.mktemp("cli-desk")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGAP_")}
    env |= {
        "SIGAP_DATA_DIR": str(data),
        "SIGAP_DATABASE_URL": f"sqlite:///{data / 'desk.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "sigap.settings",
        "SIGAP_LANGUAGE": "en",
    }
    for arguments in (["migrate", "--verbosity", "0"], ["shell", "--command", SEED]):
        _sigap(env, *arguments, check=True)
    return env


def _sigap(
    env: dict[str, str], *arguments: str, check: bool = False
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 -- our own command with fixed arguments
        [sys.executable, "-m", "sigap", *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=check,
    )


def test_the_real_command_exits_0_1_and_2(desk: dict[str, str]) -> None:
    first, second = format_reference(1), format_reference(2)

    done = _sigap(desk, "ticket", "status", first, "--to", "closed", "--as", "sari")
    refused = _sigap(desk, "ticket", "status", first, second, "--to", "open", "--as", "sari")
    usage = _sigap(desk, "ticket", "status", second, "--to", "archived", "--as", "sari")
    unknown = _sigap(desk, "ticket", "assign", second, "--to", "sari", "--as", "nobody")

    assert (done.returncode, done.stdout) == (0, f"{first}: done\n")
    assert refused.returncode == 1
    assert refused.stdout.splitlines() == [
        f"{first}: refused: A ticket that is Closed cannot become Open.",
        f"{second}: done",
    ]
    assert "1 of 2 ticket(s) were refused and left unchanged." in refused.stderr
    assert usage.returncode == 2
    assert "invalid choice: 'archived'" in usage.stderr
    assert unknown.returncode == 2
    assert "--as: no active user nobody." in unknown.stderr
    assert unknown.stdout == ""
