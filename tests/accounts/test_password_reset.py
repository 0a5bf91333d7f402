from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client

from sigap.accounts.models import User
from sigap.core.models import Job
from tests.accounts.mailbox import deliver, link_in
from tests.factories import PASSWORD
from tests.web.pages import alert

NEW_PASSWORD = "lantern-orchid-57-harbour"
SENT = "If an account exists for that address, we sent a link to choose a new password."
GONE = "The password-reset link was used already, has expired or is incomplete."


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> None:
    settings.PASSWORD_RESET_TIMEOUT = 3600
    settings.PASSWORD_RESET_THROTTLE_PER_EMAIL = 3
    settings.PASSWORD_RESET_THROTTLE_PER_CLIENT = 10
    settings.PASSWORD_RESET_THROTTLE_WINDOW_SECONDS = 3600


def _ask(client: Client, email: str, ip: str = "10.0.0.1") -> Any:
    return client.post("/password/reset/", {"email": email}, REMOTE_ADDR=ip)


def _reset_link(client: Client) -> str:
    """Ask for Sari's reset link and read it from the mail the background worker sends."""
    _ask(client, "sari@desk.example")
    assert deliver() == 1
    return link_in(mail.outbox[-1])


def _set_password(client: Client, link: str, password: str = NEW_PASSWORD) -> Any:
    """Follow a mailed link and choose a password, as a person in a browser does."""
    opened = client.get(link)
    if opened.status_code != 302:
        return opened
    data = {"new_password1": password, "new_password2": password}
    return client.post(opened["Location"], data)


def _signs_in(username: str, password: str) -> bool:
    response = Client().post("/login/", {"username": username, "password": password})
    return response.status_code == 302


def test_the_sign_in_page_offers_a_reset_link(client: Client) -> None:
    page = client.get("/login/").content.decode()

    assert '<a href="/password/reset/">Forgot password?</a>' in page
    assert client.get("/password/reset/").status_code == 200


def test_a_mailed_link_lets_the_person_choose_a_new_password(client: Client, agent: User) -> None:
    response = _ask(client, "sari@desk.example")

    assert response.status_code == 302
    assert response["Location"] == "/password/reset/sent/"
    assert SENT in client.get("/password/reset/sent/").content.decode()
    assert mail.outbox == []  # sent by the background worker, not inside the request

    assert deliver() == 1
    sent = mail.outbox[0]
    assert sent.to == ["sari@desk.example"]
    assert sent.subject == "Reset your Sigap password"
    assert "The link works once, within 1 hour." in sent.body

    done = _set_password(client, link_in(sent))
    assert done.status_code == 302
    assert done["Location"] == "/password/reset/done/"
    assert _signs_in("sari", NEW_PASSWORD)
    assert not _signs_in("sari", PASSWORD)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client: Client, agent: User) -> None:
    known = _ask(client, "sari@desk.example", ip="10.0.0.1")
    unknown = _ask(client, "nobody@desk.example", ip="10.0.0.2")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    # The request did the same work for both: one queued job, looked up only by the worker.
    assert Job.objects.count() == 2
    assert deliver() == 1
    assert mail.outbox[0].to == ["sari@desk.example"]


def test_the_link_goes_to_the_address_on_the_account_whatever_the_case_typed(
    client: Client, agent: User
) -> None:
    _ask(client, "SARI@Desk.Example")

    assert deliver() == 1
    assert mail.outbox[0].to == ["sari@desk.example"]


def test_a_deactivated_account_gets_no_link(client: Client, agent: User) -> None:
    link_holder = Client()
    link = _reset_link(link_holder)
    agent.is_active = False
    agent.save()

    _ask(client, "sari@desk.example", ip="10.0.0.2")

    assert deliver() == 0
    assert _set_password(link_holder, link).status_code == 410


def test_the_link_works_only_once(client: Client, agent: User) -> None:
    link = _reset_link(client)
    assert _set_password(client, link).status_code == 302

    again = _set_password(Client(), link, password="another-long-passphrase-9")

    assert again.status_code == 410
    assert alert(again) == GONE
    assert _signs_in("sari", NEW_PASSWORD)


def test_the_link_expires_after_an_hour(client: Client, agent: User) -> None:
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as traveller:
        link = _reset_link(client)

        traveller.shift(timedelta(hours=1, seconds=1))
        late = _set_password(client, link)

    assert late.status_code == 410
    assert alert(late) == GONE
    assert _signs_in("sari", PASSWORD)


def test_the_link_still_works_just_before_it_expires(client: Client, agent: User) -> None:
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as traveller:
        link = _reset_link(client)
        traveller.shift(timedelta(minutes=59))

        assert _set_password(client, link).status_code == 302


def test_the_lifetime_of_the_link_is_a_setting(client: Client, agent: User, settings: Any) -> None:
    settings.PASSWORD_RESET_TIMEOUT = 3 * 3600
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as traveller:
        link = _reset_link(client)
        assert "within 3 hours" in mail.outbox[0].body
        traveller.shift(timedelta(hours=2, minutes=30))

        assert _set_password(client, link).status_code == 302


def test_a_tampered_link_is_refused(client: Client, agent: User) -> None:
    link = _reset_link(client)
    uid, token = link.strip("/").split("/")[-2:]
    forged = f"/password/reset/{uid}/{token[:-1]}{'a' if token[-1] != 'a' else 'b'}/"

    response = _set_password(client, forged)

    assert response.status_code == 410
    assert alert(response) == GONE
    assert _signs_in("sari", PASSWORD)


def test_a_weak_new_password_is_refused_and_the_link_still_works(
    client: Client, agent: User
) -> None:
    opened = client.get(_reset_link(client))

    weak = client.post(opened["Location"], {"new_password1": "12345", "new_password2": "12345"})

    assert weak.status_code == 400
    assert "This password is too short." in weak.content.decode()
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post(opened["Location"], data).status_code == 302


def test_resetting_the_password_signs_the_account_out_everywhere(
    client: Client, agent: User
) -> None:
    elsewhere = Client()
    elsewhere.force_login(agent)
    assert elsewhere.get("/").status_code == 200

    _set_password(client, _reset_link(client))

    response = elsewhere.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_a_reset_lifts_the_sign_in_lockout(client: Client, agent: User, settings: Any) -> None:
    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    for _ in range(2):
        Client().post("/login/", {"username": "sari", "password": "wrong"}, REMOTE_ADDR="10.9.0.1")

    _set_password(client, _reset_link(client))

    assert _signs_in("sari", NEW_PASSWORD)


def test_too_many_requests_for_one_address_are_refused(client: Client, agent: User) -> None:
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        assert _ask(client, "sari@desk.example", ip=ip).status_code == 302

    refused = _ask(client, "sari@desk.example", ip="10.0.0.4")

    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert alert(refused) == "Too many reset requests. Try again in 60 minutes."
    assert deliver() == 3


def test_the_refusal_reads_the_same_whether_or_not_the_address_has_an_account(
    client: Client, agent: User
) -> None:
    for _ in range(3):
        _ask(client, "sari@desk.example", ip="10.0.1.1")
        _ask(client, "ghost@desk.example", ip="10.0.2.1")

    known = _ask(client, "sari@desk.example", ip="10.0.1.1")
    unknown = _ask(client, "ghost@desk.example", ip="10.0.2.1")

    assert known.status_code == unknown.status_code == 429
    assert known["Retry-After"] == unknown["Retry-After"]
    assert alert(known) == alert(unknown)


def test_too_many_requests_from_one_client_are_refused(client: Client, agent: User) -> None:
    for number in range(10):
        assert _ask(client, f"person{number}@desk.example", ip="10.0.0.9").status_code == 302

    assert _ask(client, "sari@desk.example", ip="10.0.0.9").status_code == 429
    assert _ask(client, "sari@desk.example", ip="10.0.0.10").status_code == 302


def test_requests_are_accepted_again_once_the_window_has_passed(
    client: Client, agent: User
) -> None:
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as traveller:
        for _ in range(3):
            _ask(client, "sari@desk.example")
        traveller.shift(timedelta(minutes=45))
        refused = _ask(client, "sari@desk.example")
        assert refused.status_code == 429
        assert refused["Retry-After"] == "900"

        traveller.shift(timedelta(minutes=15, seconds=1))
        assert _ask(client, "sari@desk.example").status_code == 302


def test_a_malformed_address_is_refused_beside_the_field(client: Client, db: None) -> None:
    response = _ask(client, "not an address")

    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert Job.objects.count() == 0
