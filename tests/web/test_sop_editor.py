"""Writing an SOP in the web editor: the YAML checked line by line, saved as a draft."""

from __future__ import annotations

from django.test import Client

from sigap.accounts.models import User
from sigap.sops.models import Sop, SopVersion, VersionStatus

GOOD = """\
key: walk-in-greeting
title:
  id: Menyapa tamu
  en: Greeting a visitor
purpose: Every visitor is greeted by name within a minute.
triggers:
  channels: [walk_in]
  keywords:
    en: [hello]
steps:
  - id: greet
    kind: action
    title: Greet the visitor
  - id: note
    kind: action
    title: Note why they came
    mandatory: false
    after: [greet]
"""

BAD = """\
key: walk-in-greeting
title: Greeting a visitor
purpose: Every visitor is greeted.
steps:
  - id: greet
    kind: action
    title: Greet
    responsible: janitor
"""


def test_an_author_gets_a_new_sop_page_starting_from_a_valid_example(
    client: Client, supervisor: User
) -> None:
    client.force_login(supervisor)

    response = client.get("/sops/new/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "New SOP" in page
    assert "key: my-new-sop" in page
    assert 'data-check="valid"' in page
    assert "sop-editor.js" in page
    assert "<script>" not in page  # no inline script: the CSP forbids it


def test_an_agent_without_the_right_to_write_sops_is_refused(
    client: Client, agent: User, damaged_product: SopVersion
) -> None:
    client.force_login(agent)

    assert client.get("/sops/new/").status_code == 403
    assert client.post("/sops/new/", {"document": GOOD}).status_code == 403
    assert client.get("/sops/damaged-product/edit/").status_code == 403
    assert not Sop.objects.filter(key="walk-in-greeting").exists()


def test_saving_a_valid_document_makes_a_draft_with_exactly_that_text(
    client: Client, supervisor: User
) -> None:
    client.force_login(supervisor)

    response = client.post("/sops/new/", {"document": GOOD.replace("\n", "\r\n")})

    version = SopVersion.objects.get(sop__key="walk-in-greeting")
    assert response.status_code == 302
    assert response["Location"] == "/sops/walk-in-greeting/?version=1"
    assert (version.number, version.status, version.source) == (1, VersionStatus.DRAFT, GOOD)
    assert version.created_by == supervisor


def test_an_invalid_document_is_refused_with_its_lines_and_the_text_kept(
    client: Client, supervisor: User
) -> None:
    client.force_login(supervisor)

    response = client.post("/sops/new/", {"document": BAD})

    page = response.content.decode()
    assert response.status_code == 400
    assert not Sop.objects.exists()
    assert "The document has 1 problem; it is listed with its line." in page
    assert 'data-line="8"' in page
    assert "Line 8" in page
    assert "step 1 › responsible" in page
    assert "responsible must be one of agent, supervisor, manager" in page
    assert "responsible: janitor" in page  # what was typed is shown back, nothing lost


def test_editing_opens_the_latest_source_and_saving_never_touches_the_published_version(
    client: Client, supervisor: User, damaged_product: SopVersion
) -> None:
    client.force_login(supervisor)
    page = client.get("/sops/damaged-product/edit/").content.decode()
    assert "key: damaged-product" in page
    assert "Saving makes a new draft" in page
    changed = damaged_product.source.replace("within: 1h", "within: 2h", 1)

    response = client.post("/sops/damaged-product/edit/", {"document": changed})

    assert response.status_code == 302
    damaged_product.refresh_from_db()
    draft = SopVersion.objects.get(sop__key="damaged-product", number=2)
    assert (draft.status, draft.source) == (VersionStatus.DRAFT, changed)
    assert damaged_product.status == VersionStatus.ACTIVE
    assert "within: 1h" in damaged_product.source


def test_editing_cannot_move_the_document_to_another_key(
    client: Client, supervisor: User, damaged_product: SopVersion
) -> None:
    client.force_login(supervisor)

    response = client.post("/sops/damaged-product/edit/", {"document": GOOD})

    assert response.status_code == 400
    assert "The key must stay damaged-product." in response.content.decode()
    assert not Sop.objects.filter(key="walk-in-greeting").exists()


def test_a_new_sop_may_not_take_the_key_of_one_that_exists(
    client: Client, supervisor: User, damaged_product: SopVersion
) -> None:
    client.force_login(supervisor)

    response = client.post("/sops/new/", {"document": damaged_product.source})

    assert response.status_code == 409
    assert "An SOP with the key damaged-product already exists" in response.content.decode()
    assert damaged_product.sop.versions.count() == 1


def test_the_live_check_lists_problems_by_line_and_field(client: Client, supervisor: User) -> None:
    client.force_login(supervisor)

    response = client.post("/sops/new/check/", {"document": BAD + "    colour: red\n"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "2 problems to fix" in page
    assert page.index('data-line="8"') < page.index('data-line="9"')
    assert "step 1 › colour" in page
    assert "this field is not known here" in page


def test_the_live_check_names_the_line_of_broken_yaml(client: Client, supervisor: User) -> None:
    client.force_login(supervisor)

    page = client.post("/sops/new/check/", {"document": "key: a\nsteps: [\n"}).content.decode()

    assert "this is not valid YAML" in page
    assert 'data-line="3"' in page


def test_the_live_check_sums_up_a_valid_document(client: Client, supervisor: User) -> None:
    client.force_login(supervisor)

    page = client.post("/sops/new/check/", {"document": GOOD}).content.decode()

    assert "Valid" in page
    assert "2 steps, 1 required" in page
    assert "Walk-in" in page
    assert "hello" in page


def test_the_live_check_speaks_the_readers_language(client: Client, supervisor: User) -> None:
    client.force_login(supervisor)
    client.cookies["django_language"] = "id"

    page = client.post("/sops/new/check/", {"document": GOOD}).content.decode()

    assert 'lang="id"' not in page  # a fragment, not a page
    assert "Greeting a visitor" not in page  # the Indonesian title is shown
    assert "Menyapa tamu" in page


def test_the_live_check_needs_the_csrf_token(supervisor: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(supervisor)

    refused = client.post("/sops/new/check/", {"document": GOOD})
    saved = client.post("/sops/new/", {"document": GOOD})

    assert refused.status_code == 403
    assert saved.status_code == 403
    assert not Sop.objects.exists()


def test_the_live_check_is_for_signed_in_people_only(client: Client) -> None:
    response = client.post("/sops/new/check/", {"document": GOOD})

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_authors_see_new_and_edit_links_agents_do_not(
    client: Client, supervisor: User, agent: User, damaged_product: SopVersion
) -> None:
    client.force_login(supervisor)
    assert "/sops/new/" in client.get("/sops/").content.decode()
    assert "/sops/damaged-product/edit/" in client.get("/sops/damaged-product/").content.decode()

    client.force_login(agent)
    assert "/sops/new/" not in client.get("/sops/").content.decode()
    assert (
        "/sops/damaged-product/edit/" not in client.get("/sops/damaged-product/").content.decode()
    )
