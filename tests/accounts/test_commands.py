from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client

from sigap.accounts.models import ApiToken, User
from sigap.accounts.services import token_authenticate


@pytest.mark.django_db
def test_createadmin_makes_a_superuser_who_can_sign_in(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("createadmin", username="kepala", password="s3cret-pass-99", email="k@toko.id")

    user = User.objects.get(username="kepala")
    assert user.is_superuser
    assert user.groups.filter(name="admin").exists()
    assert Client().login(username="kepala", password="s3cret-pass-99")
    assert "Admin kepala created." in capsys.readouterr().out


@pytest.mark.django_db
def test_createadmin_refuses_a_taken_username() -> None:
    call_command("createadmin", username="kepala", password="pw-1234567", email="")

    with pytest.raises(CommandError, match="already exists"):
        call_command("createadmin", username="kepala", password="other-pw-123", email="")


def test_token_create_prints_a_token_that_authenticates(
    agent: User, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("token", "create", "--user", agent.username)

    token = capsys.readouterr().out.strip()
    assert token_authenticate(token) == agent
    record = ApiToken.objects.get()
    assert token not in (record.digest, record.prefix)  # only a hash is kept


def test_revoked_token_no_longer_authenticates(
    agent: User, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("token", "create", "--user", agent.username)
    token = capsys.readouterr().out.strip()

    call_command("token", "revoke", "--user", agent.username, "--prefix", token[:12])

    assert token_authenticate(token) is None


@pytest.mark.django_db
def test_every_role_exists_after_migrating() -> None:
    assert set(Group.objects.values_list("name", flat=True)) == {
        "agent",
        "supervisor",
        "manager",
        "admin",
    }
    manager = Group.objects.get(name="manager")
    assert manager.permissions.filter(codename="view_all_tickets").exists()
    assert (
        not Group.objects.get(name="agent").permissions.filter(codename="view_all_tickets").exists()
    )


@pytest.mark.django_db
def test_the_first_admin_is_created_once_even_when_two_nodes_start_together() -> None:
    from sigap.accounts.services import first_admin_ensure

    first = first_admin_ensure()
    User.objects.filter(is_superuser=True).update(
        is_superuser=False
    )  # the other node's check ran before

    second = first_admin_ensure()

    assert first is not None
    assert second is None
    assert User.objects.filter(username="admin").count() == 1
