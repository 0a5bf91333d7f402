from __future__ import annotations

from django.test import Client

from sigap.accounts.models import Team, User
from sigap.sops.models import SopVersion
from sigap.sops.selectors import sop_summaries, step_health
from sigap.sops.services import sop_import, sop_publish, sop_step_complete, sop_step_waive
from tests.conftest import SOP_LIBRARY
from tests.factories import make_ticket


def _run_many(team: Team, agent: User, count: int, waive: int) -> None:
    for n in range(count):
        ticket = make_ticket(team=team, subject="Vas pecah", body="Datang rusak")
        if n < waive:
            sop_step_waive(
                ticket=ticket, step_id="acknowledge", by=agent, reason="Dijawab lewat telepon"
            )
        else:
            sop_step_complete(ticket=ticket, step_id="acknowledge", by=agent)


def test_steps_often_waived_flag_the_sop_for_review(
    agent: User, team_a: Team, damaged_product: SopVersion
) -> None:
    _run_many(team_a, agent, count=6, waive=2)

    summary = sop_summaries()[0]
    health = {h.step_id: h for h in step_health(damaged_product)}

    assert (summary.runs, summary.waived, summary.needs_review) == (6, 2, True)
    assert (health["acknowledge"].ended, health["acknowledge"].waived) == (6, 2)
    assert health["verify"].ended == 0


def test_the_sop_pages_show_versions_health_and_what_changed(
    client: Client, agent: User, supervisor: User, team_a: Team, damaged_product: SopVersion
) -> None:
    _run_many(team_a, agent, count=1, waive=1)
    source = (SOP_LIBRARY / "damaged-product.yaml").read_text()
    second = sop_publish(
        version=sop_import(
            text=source.replace("review_every_days: 90", "review_every_days: 60"), by=supervisor
        ),
        by=supervisor,
        notes="Review every two months",
    )
    client.force_login(agent)

    listing = client.get("/sops/").content.decode()
    detail = client.get("/sops/damaged-product/?version=1").content.decode()
    diff = client.get("/sops/damaged-product/diff/?from=1&to=2").content.decode()

    assert "Product arrived damaged" in listing
    assert f"v{second.number}" in listing
    assert "<meter" in detail
    assert "Reply with thanks and an apology" in detail
    assert 'class="line-removed">- review_every_days: 90' in diff
    assert 'class="line-added">+ review_every_days: 60' in diff
    assert client.get("/sops/no-such-sop/").status_code == 404
    assert client.get("/sops/damaged-product/?version=99").status_code == 404


def test_sop_pages_carry_no_inline_code(
    client: Client, agent: User, damaged_product: SopVersion
) -> None:
    from tests.web.test_page_safety import INLINE_HANDLER, INLINE_SCRIPT, INLINE_STYLE

    client.force_login(agent)
    for path in ("/sops/damaged-product/", "/sops/damaged-product/diff/?from=1&to=1"):
        page = client.get(path).content.decode()
        assert INLINE_SCRIPT.findall(page) == INLINE_HANDLER.findall(page) == []
        assert INLINE_STYLE.findall(page) == []


def test_sop_pages_read_in_indonesian(
    client: Client, agent: User, damaged_product: SopVersion
) -> None:
    client.force_login(agent)

    listing = client.get("/sops/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    detail = client.get("/sops/damaged-product/", HTTP_ACCEPT_LANGUAGE="id").content.decode()

    assert "Produk diterima dalam keadaan rusak" in listing
    assert "<h1>Produk diterima dalam keadaan rusak" in detail
    assert "Product arrived damaged</a>" not in listing
