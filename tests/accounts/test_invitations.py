from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client

from sigap.accounts.models import Invitation, Role, Team, User
from sigap.accounts.selectors import user_roles
from sigap.accounts.services import invitation_create
from sigap.core.errors import NotAllowed
from sigap.core.models import Job
from tests import factories
from tests.accounts.mailbox import deliver, link_in
from tests.web.pages import alert

PASSWORD = "lantern-orchid-57-harbour"


@pytest.fixture
def admin_client(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client


def _invite(
    client: Client, email: str, role: str = "agent", teams: list[Team] | None = None
) -> Any:
    data: dict[str, Any] = {"email": email, "role": role, "teams": [t.pk for t in teams or []]}
    return client.post("/team/invitations/", data)


def _invited_link(client: Client, email: str = "wulan@mail.example", **kwargs: Any) -> str:
    assert _invite(client, email, **kwargs).status_code == 302
    assert deliver() == 1
    return link_in(mail.outbox[-1])


def _accept(link: str, username: str = "wulan", password: str = PASSWORD, **extra: str) -> Any:
    data = {"username": username, "password1": password, "password2": password, **extra}
    return Client().post(link, data)


def test_an_admin_invites_someone_who_then_joins_with_role_and_teams(
    admin_client: Client, team_a: Team
) -> None:
    response = _invite(admin_client, "wulan@mail.example", teams=[team_a])

    assert response.status_code == 302
    assert response["Location"] == "/team/invitations/"
    page = admin_client.get("/team/invitations/").content.decode()
    assert "An invitation is on its way to wulan@mail.example." in page
    assert "<td>wulan@mail.example</td>" in page
    assert mail.outbox == []  # mailed by the background worker

    assert deliver() == 1
    sent = mail.outbox[0]
    assert sent.to == ["wulan@mail.example"]
    assert sent.subject == "You are invited to Sigap"
    assert "Admin invites you to work on the Sigap customer-service desk as Agent." in sent.body

    invited = Client()
    form = invited.get(link_in(sent))
    assert form.status_code == 200
    assert "You were invited as Agent for wulan@mail.example." in form.content.decode()
    data = {"username": "wulan", "password1": PASSWORD, "password2": PASSWORD}
    data["first_name"] = "Wulan"
    joined = invited.post(link_in(sent), data)

    assert joined.status_code == 302
    assert joined["Location"] == "/"
    inbox = invited.get("/")
    assert inbox.status_code == 200
    assert "Welcome to the desk, Wulan." in inbox.content.decode()
    user = User.objects.get(username="wulan")
    assert user.email == "wulan@mail.example"
    assert user_roles(user) == ["agent"]
    assert list(user.teams.all()) == [team_a]
    assert Client().post("/login/", {"username": "wulan", "password": PASSWORD}).status_code == 302
    assert "wulan@mail.example" not in admin_client.get("/team/invitations/").content.decode()


def test_the_link_token_is_stored_only_as_a_hash(admin_client: Client) -> None:
    link = _invited_link(admin_client)
    token = link.strip("/").split("/")[-1]

    invitation = Invitation.objects.get()
    assert invitation.digest
    assert token not in invitation.digest
    assert all(token not in str(job.payload) for job in Job.objects.all())


def test_a_used_invitation_link_says_so(admin_client: Client) -> None:
    link = _invited_link(admin_client)
    assert _accept(link).status_code == 302

    again = _accept(link, username="someone-else")

    assert again.status_code == 410
    assert (
        alert(again) == "This invitation has already been used. Sign in with the account it made."
    )
    assert Client().get(link).status_code == 410
    assert not User.objects.filter(username="someone-else").exists()


def test_an_invitation_expires_after_three_days(admin_client: Client) -> None:
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as traveller:
        link = _invited_link(admin_client)
        traveller.shift(timedelta(hours=71, minutes=59))
        assert Client().get(link).status_code == 200

        traveller.shift(timedelta(minutes=1))
        late = _accept(link)

    assert late.status_code == 410
    assert (
        alert(late) == "This invitation has expired. Ask the person who invited you for a new one."
    )
    assert not User.objects.filter(username="wulan").exists()


def test_the_invitation_lifetime_is_a_setting(admin_client: Client, settings: Any) -> None:
    settings.INVITATION_HOURS = 24
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as traveller:
        link = _invited_link(admin_client)
        traveller.shift(timedelta(hours=24))

        assert Client().get(link).status_code == 410


def test_a_made_up_or_damaged_link_is_refused(admin_client: Client) -> None:
    link = _invited_link(admin_client)

    response = Client().get(link[:-5] + "AAAA/")

    assert response.status_code == 404
    assert alert(response) == "This invitation link is not valid. Check that it was copied whole."


def test_inviting_the_same_address_again_replaces_the_earlier_link(admin_client: Client) -> None:
    first = _invited_link(admin_client)
    second = _invited_link(admin_client)

    assert Client().get(first).status_code == 410
    assert _accept(second).status_code == 302


def test_a_weak_password_is_refused_and_the_invitation_stays_open(admin_client: Client) -> None:
    link = _invited_link(admin_client)

    weak = _accept(link, password="12345")

    assert weak.status_code == 400
    assert "This password is too short." in weak.content.decode()
    assert _accept(link).status_code == 302


def test_a_taken_username_is_refused_beside_the_field(admin_client: Client, agent: User) -> None:
    link = _invited_link(admin_client)

    taken = _accept(link, username="Sari")

    assert taken.status_code == 409
    assert "The username Sari is taken; choose another." in taken.content.decode()
    assert _accept(link, username="wulan").status_code == 302


def test_mismatched_passwords_are_refused(admin_client: Client) -> None:
    link = _invited_link(admin_client)
    data = {"username": "wulan", "password1": PASSWORD, "password2": PASSWORD + "x"}

    response = Client().post(link, data)

    assert response.status_code == 400
    assert "The two passwords differ." in response.content.decode()


def test_an_address_that_already_has_an_account_is_not_invited(
    admin_client: Client, agent: User
) -> None:
    response = _invite(admin_client, "Sari@desk.example")

    assert response.status_code == 409
    assert "Sari@desk.example already has an account on this desk." in response.content.decode()
    assert Invitation.objects.count() == 0


def test_an_agent_may_not_invite(client: Client, agent: User) -> None:
    client.force_login(agent)

    assert client.get("/team/invitations/").status_code == 403
    assert _invite(client, "wulan@mail.example").status_code == 403
    assert Invitation.objects.count() == 0
    assert "/team/invitations/" not in client.get("/").content.decode()


def test_only_an_admin_may_invite_an_admin(team_a: Team) -> None:
    hr = factories.make_user("hr", Role.MANAGER, [team_a])
    hr.user_permissions.add(*_permission("add_user"))
    hr = User.objects.get(pk=hr.pk)  # permissions are cached per instance

    invitation_create(email="a@mail.example", role=Role.AGENT, teams=[], by=hr, link_base="")
    with pytest.raises(NotAllowed):
        invitation_create(email="b@mail.example", role=Role.ADMIN, teams=[], by=hr, link_base="")


def _permission(codename: str) -> list[Any]:
    from django.contrib.auth.models import Permission

    return list(Permission.objects.filter(content_type__app_label="accounts", codename=codename))


def test_an_admin_can_withdraw_an_invitation_in_the_admin(admin_client: Client) -> None:
    link = _invited_link(admin_client)
    invitation = Invitation.objects.get()
    assert admin_client.get("/admin/accounts/invitation/").status_code == 200

    response = admin_client.post(
        f"/admin/accounts/invitation/{invitation.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert Client().get(link).status_code == 404


def test_an_invitation_replaced_before_its_mail_went_out_is_not_mailed(
    admin_client: Client,
) -> None:
    _invite(admin_client, "wulan@mail.example")
    _invite(admin_client, "wulan@mail.example")

    assert deliver() == 1
    assert _accept(link_in(mail.outbox[0])).status_code == 302
