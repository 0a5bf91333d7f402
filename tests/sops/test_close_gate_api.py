"""The close gate holds through the API too: neither a status change nor a reply that resolves
gets past an open mandatory step, and a refused reply is not sent. The refusal names the steps
as the checklist shows them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from sigap.accounts.models import Team, User
from sigap.accounts.services import token_create
from sigap.core.errors import Conflict
from sigap.sops.models import SopVersion
from sigap.sops.services import check_can_resolve, sop_step_waive
from sigap.tickets.models import Direction, Status
from tests.factories import make_ticket


def _api(user: User) -> Client:
    token = token_create(user=user, name="test").token
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_resolving_through_the_api_is_refused_while_a_mandatory_step_is_open(
    damaged_product: SopVersion, team_a: Team, agent: User
) -> None:
    ticket = make_ticket(team=team_a, subject="Vas pecah", body="Datang rusak")
    api = _api(agent)

    patched = api.patch(
        f"/api/tickets/{ticket.pk}", {"status": "resolved"}, content_type="application/json"
    )
    replied = api.post(
        f"/api/tickets/{ticket.pk}/replies",
        {"body": "Sudah kami proses.", "status": "resolved"},
        content_type="application/json",
    )

    assert patched.status_code == 409
    assert (
        "Finish or waive these SOP steps first: “Reply with thanks and an apology”,"
        " “Ask for a photo or video of the damage”" in (patched.json()["detail"])
    )
    assert replied.status_code == 409
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW
    assert not ticket.messages.filter(direction=Direction.OUTBOUND).exists()


def test_a_waived_step_no_longer_holds_the_ticket(
    damaged_product: SopVersion, team_a: Team, agent: User, supervisor: User
) -> None:
    ticket = make_ticket(team=team_a, subject="Vas pecah", body="Datang rusak")
    # Nobody chose at the decision, so none of its branches is taken.
    for step in ("acknowledge", "ask-evidence", "verify", "resolution"):
        sop_step_waive(ticket=ticket, step_id=step, by=supervisor, reason="Diselesaikan di toko")

    patched = _api(agent).patch(
        f"/api/tickets/{ticket.pk}", {"status": "resolved"}, content_type="application/json"
    )

    assert patched.status_code == 200
    assert patched.json()["status"] == "resolved"


def test_the_refusal_names_the_steps_in_the_readers_language(
    damaged_product: SopVersion, team_a: Team, agent: User
) -> None:
    ticket = make_ticket(team=team_a, subject="Vas pecah", body="Datang rusak")

    with translation.override("id"), pytest.raises(Conflict) as refused:
        check_can_resolve(ticket)

    assert str(refused.value).startswith(
        "Selesaikan atau kecualikan dulu langkah SOP berikut: “Balas dengan terima kasih dan"
        " permintaan maaf”, “Minta foto atau video kerusakan”, “Verifikasi kerusakan dari bukti”"
    )
