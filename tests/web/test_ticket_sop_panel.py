from __future__ import annotations

from django.test import Client

from sigap.accounts.models import Team, User
from sigap.sops.models import SopVersion, StepStatus
from sigap.sops.services import current_run, sop_import, sop_publish, sop_step_complete
from sigap.tickets.models import Ticket
from tests.factories import make_customer, make_ticket


def _report(team: Team) -> Ticket:
    customer = make_customer("Wulan Sari")
    return make_ticket(team=team, customer=customer, subject="Vas pecah", body="Datang rusak")


def _state(ticket: Ticket, step_id: str) -> str:
    run = current_run(ticket)
    assert run is not None
    return run.steps.get(step_id=step_id).status


def test_the_ticket_page_shows_the_checklist_with_a_live_deadline(
    client: Client, agent: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    client.force_login(agent)

    page = client.get(f"/tickets/{ticket.pk}/").content.decode()

    assert "Product arrived damaged" in page
    assert "Reply with thanks and an apology" in page
    assert "data-countdown" in page
    assert "keyword “rusak”" in page
    assert "countdown.js" in page


def test_using_the_template_fills_the_reply_and_sending_it_ticks_the_step(
    client: Client, agent: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    client.force_login(agent)

    page = client.get(f"/tickets/{ticket.pk}/?use=acknowledge").content.decode()
    assert "Halo Wulan Sari, terima kasih" in page  # the customer's language, their name
    assert ticket.reference in page

    response = client.post(
        f"/tickets/{ticket.pk}/reply/",
        {"body": "Halo Wulan Sari, terima kasih sudah melapor.", "sop_step": "acknowledge"},
    )

    assert response.status_code == 302
    assert _state(ticket, "acknowledge") == StepStatus.DONE
    assert _state(ticket, "ask-evidence") == StepStatus.OPEN
    assert ticket.messages.filter(direction="out").count() == 1


def test_the_customer_choice_opens_its_branch(
    client: Client, agent: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    for step in ("acknowledge", "ask-evidence", "verify"):
        sop_step_complete(ticket=ticket, step_id=step, by=agent)
    client.force_login(agent)

    response = client.post(
        f"/tickets/{ticket.pk}/sop/steps/resolution/complete/", {"outcome": "repair"}
    )

    assert response.status_code == 302
    assert _state(ticket, "send-to-repair") == StepStatus.OPEN
    assert _state(ticket, "refund") == StepStatus.SKIPPED


def test_a_refund_above_the_agents_authority_is_refused_on_the_page(
    client: Client, agent: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    for step in ("acknowledge", "ask-evidence", "verify"):
        sop_step_complete(ticket=ticket, step_id=step, by=agent)
    sop_step_complete(ticket=ticket, step_id="resolution", by=agent, outcome="refund")
    client.force_login(agent)

    response = client.post(
        f"/tickets/{ticket.pk}/sop/steps/refund/complete/",
        {"outcome": "approved", "amount": "2000000"},
    )

    assert response.status_code == 403
    assert "above your authority" in response.content.decode()
    assert _state(ticket, "refund") == StepStatus.OPEN


def test_resolving_with_steps_open_is_refused_and_says_which(
    client: Client, agent: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    client.force_login(agent)

    response = client.post(
        f"/tickets/{ticket.pk}/properties/",
        {"subject": ticket.subject, "status": "resolved", "priority": "normal", "team": team_a.pk},
    )

    assert response.status_code == 409
    assert (
        "Finish or waive these SOP steps first: “Reply with thanks and an apology”"
        in response.content.decode()
    )
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_waiving_needs_a_reason(
    client: Client, agent: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    client.force_login(agent)

    refused = client.post(f"/tickets/{ticket.pk}/sop/steps/acknowledge/waive/", {"reason": ""})
    accepted = client.post(
        f"/tickets/{ticket.pk}/sop/steps/acknowledge/waive/",
        {"reason": "Sudah dijawab lewat telepon"},
    )

    assert refused.status_code == 400
    assert accepted.status_code == 302
    assert _state(ticket, "acknowledge") == StepStatus.WAIVED


def test_an_outsider_cannot_reach_the_checklist(
    client: Client, outsider: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    client.force_login(outsider)

    for url, data in [
        (f"/tickets/{ticket.pk}/sop/steps/acknowledge/complete/", {}),
        (f"/tickets/{ticket.pk}/sop/steps/acknowledge/waive/", {"reason": "saya mau"}),
        (f"/tickets/{ticket.pk}/sop/switch/", {"version": damaged_product.pk, "reason": "x"}),
    ]:
        assert client.post(url, data).status_code == 404
    assert _state(ticket, "acknowledge") == StepStatus.OPEN


def test_the_checklist_reads_in_indonesian(
    client: Client, agent: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    client.force_login(agent)

    page = client.get(f"/tickets/{ticket.pk}/", HTTP_ACCEPT_LANGUAGE="id").content.decode()

    assert "Produk diterima dalam keadaan rusak" in page
    assert "kata kunci “rusak”" in page
    assert "Balas dengan terima kasih dan permintaan maaf" in page
    assert 'data-units="hr,j,mnt,dtk"' in page
    assert "keyword" not in page


def test_an_agent_is_not_offered_to_waive_an_approval(
    client: Client, agent: User, supervisor: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    for step in ("acknowledge", "ask-evidence", "verify"):
        sop_step_complete(ticket=ticket, step_id=step, by=agent)
    sop_step_complete(ticket=ticket, step_id="resolution", by=agent, outcome="refund")
    waive_refund = f"/tickets/{ticket.pk}/sop/steps/refund/waive/"

    client.force_login(agent)
    assert waive_refund not in client.get(f"/tickets/{ticket.pk}/").content.decode()
    refused = client.post(waive_refund, {"reason": "Pelanggan sudah lama menunggu"})
    client.force_login(supervisor)
    offered = client.get(f"/tickets/{ticket.pk}/").content.decode()

    assert refused.status_code == 403
    assert _state(ticket, "refund") == StepStatus.OPEN
    assert waive_refund in offered


ONE_LANGUAGE_DECISION = """\
key: callback
title: Call back
purpose: Decide whether to call the customer back.
triggers:
  keywords:
    id: [telepon]
steps:
  - id: choose
    kind: decision
    title: Call back?
    options:
      - {key: call, label: {id: "Ya, telepon balik"}}
      - {key: skip, label: {id: Tidak perlu}}
"""


def test_a_decision_offers_its_options_in_the_readers_language(
    client: Client, agent: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    for step in ("acknowledge", "ask-evidence", "verify"):
        sop_step_complete(ticket=ticket, step_id=step, by=agent)
    client.force_login(agent)

    english = client.get(f"/tickets/{ticket.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    indonesian = client.get(f"/tickets/{ticket.pk}/", HTTP_ACCEPT_LANGUAGE="id").content.decode()

    assert '<button type="submit" name="outcome" value="refund">Full refund</button>' in english
    assert (
        '<button type="submit" name="outcome" value="refund">Pengembalian dana penuh</button>'
        in indonesian
    )


def test_an_option_labelled_in_one_language_shows_in_the_other_too(
    client: Client, agent: User, team_a: Team
) -> None:
    sop_publish(version=sop_import(text=ONE_LANGUAGE_DECISION, by=None), by=None, notes="")
    ticket = make_ticket(team=team_a, subject="Minta telepon", body="Tolong telepon saya")
    client.force_login(agent)

    english = client.get(f"/tickets/{ticket.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<button type="submit" name="outcome" value="call">Ya, telepon balik</button>' in english
    assert '<button type="submit" name="outcome" value="skip">Tidak perlu</button>' in english


def test_switching_is_offered_only_when_another_sop_is_live(
    client: Client, agent: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    client.force_login(agent)
    alone = client.get(f"/tickets/{ticket.pk}/").content.decode()
    sop_publish(version=sop_import(text=ONE_LANGUAGE_DECISION, by=None), by=None, notes="")

    offered = client.get(f"/tickets/{ticket.pk}/").content.decode()
    switched = client.post(
        f"/tickets/{ticket.pk}/sop/switch/",
        {"version": SopVersion.objects.get(sop__key="callback").pk, "reason": "Minta ditelepon"},
    )

    assert "Switch to another SOP" not in alone
    assert "Switch to another SOP" in offered
    assert "Call back (v1)</option>" in offered
    assert switched.status_code == 302
    assert _state(ticket, "choose") == StepStatus.OPEN
