from __future__ import annotations

from typing import Any

from django.test import Client

from sigap.accounts.models import User
from sigap.accounts.services import token_create
from tests.factories import PASSWORD

NEW_PASSWORD = "lantern-orchid-57-harbour"


def _signed_in(username: str, ip: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": PASSWORD}, REMOTE_ADDR=ip)
    assert response.status_code == 302
    return client


def _change(client: Client, old: str = PASSWORD, new: str = NEW_PASSWORD) -> Any:
    data = {"old_password": old, "new_password1": new, "new_password2": new}
    return client.post("/password/change/", data)


def test_changing_the_password_keeps_this_session_and_ends_the_others(agent: User) -> None:
    laptop = _signed_in("sari", "10.0.0.1")
    phone = _signed_in("sari", "10.0.0.2")

    response = _change(laptop)

    assert response.status_code == 302
    assert response["Location"] == "/"
    inbox = laptop.get("/")
    assert inbox.status_code == 200
    assert "Every other place you were signed in is signed out." in inbox.content.decode()
    signed_out = phone.get("/")
    assert signed_out.status_code == 302
    assert signed_out["Location"] == "/login/?next=/"


def test_another_person_s_sessions_are_not_touched(agent: User, teammate: User) -> None:
    laptop = _signed_in("sari", "10.0.0.1")
    colleague = _signed_in("budi", "10.0.0.2")

    _change(laptop)

    assert colleague.get("/").status_code == 200


def test_a_wrong_current_password_changes_nothing(agent: User) -> None:
    laptop = _signed_in("sari", "10.0.0.1")
    phone = _signed_in("sari", "10.0.0.2")

    response = _change(laptop, old="not-my-password")

    assert response.status_code == 400
    assert "Your old password was entered incorrectly." in response.content.decode()
    assert phone.get("/").status_code == 200


def test_the_page_is_for_signed_in_people_and_linked_from_every_page(
    client: Client, agent: User
) -> None:
    response = client.get("/password/change/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/password/change/"

    client.force_login(agent)
    assert '<a class="account" href="/password/change/">Change password</a>' in (
        client.get("/").content.decode()
    )


def test_api_tokens_keep_working_after_a_password_change(agent: User) -> None:
    # Deliberate: tokens belong to integrations and are revoked one by one when they leak.
    token = token_create(user=agent, name="shop").token
    api = Client(headers={"Authorization": f"Bearer {token}"})

    _change(_signed_in("sari", "10.0.0.1"))

    assert api.get("/api/me").status_code == 200
