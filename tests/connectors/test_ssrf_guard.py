"""Connector URLs cannot reach the desk's own network unless an admin allows it (Zammad
CVE-2021-42091): checked when saved, and again when sending, because DNS answers change."""

from __future__ import annotations

import socket
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from sigap.accounts.models import User
from sigap.connectors.egress import ForbiddenDestination, check_url, guarded_client
from sigap.connectors.models import Connector
from sigap.core.jobs import run_due_jobs
from sigap.tickets.events import EventKind
from sigap.tickets.models import DeliveryStatus, Ticket
from sigap.tickets.services import ticket_reply
from tests.connectors.conftest import message_payload, post_signed
from tests.connectors.fake_servers import FakeServer

_real_getaddrinfo = socket.getaddrinfo


def fake_dns(monkeypatch: pytest.MonkeyPatch, names: dict[str, list[str]]) -> None:
    """Names in `names` resolve to those addresses; everything else as usual."""

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in names:
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))
                for address in names[host]
            ]
        return _real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


REFUSED = [
    ("http://127.0.0.1/hook", "loopback"),
    ("http://127.1.2.3:8080/hook", "loopback"),
    ("http://[::1]/hook", "loopback"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[fe80::1]/hook", "link-local"),
    ("http://10.1.2.3/hook", "private"),
    ("http://172.16.0.5/hook", "private"),
    ("http://192.168.1.10/hook", "private"),
    ("http://[fc00::5]/hook", "private"),
    ("http://0.0.0.0/hook", "unspecified"),
    ("http://224.0.0.1/hook", "multicast"),
    ("http://240.0.0.1/hook", "reserved"),
    ("http://100.64.0.1/hook", "not a public address"),
    ("http://[::ffff:127.0.0.1]/hook", "loopback address (IPv4 inside IPv6)"),
    ("http://[::ffff:a9fe:a9fe]/hook", "link-local address (IPv4 inside IPv6)"),
    ("http://[64:ff9b::7f00:1]/hook", "IPv4 inside IPv6"),
    ("http://[2002:7f00:1::]/hook", "IPv4 inside IPv6"),
    ("http://localhost:8000/hook", "loopback"),
    # Other spellings of 127.0.0.1 that resolvers accept.
    ("http://2130706433/hook", "loopback"),
    ("http://0x7f000001/hook", "loopback"),
    ("http://127.1/hook", "loopback"),
    ("http://[::127.0.0.1]/hook", "IPv4 inside IPv6"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_addresses_inside_the_network_are_refused(
    nothing_allowed: None, url: str, reason: str
) -> None:
    with pytest.raises(ForbiddenDestination) as refused:
        check_url(url)

    assert reason in refused.value.message
    assert "unless an admin allows" in refused.value.message


def test_a_public_address_is_accepted(nothing_allowed: None) -> None:
    check_url("https://93.184.215.14/hook")
    check_url("https://[2606:4700::1111]/hook")


@pytest.mark.parametrize(
    "url", ["ftp://93.184.215.14/x", "file:///etc/passwd", "gopher://93.184.215.14/", "http:///x"]
)
def test_only_http_and_https_with_a_host_are_accepted(nothing_allowed: None, url: str) -> None:
    with pytest.raises(ForbiddenDestination):
        check_url(url)


def test_a_host_name_resolving_inward_is_refused_even_with_a_public_address_too(
    nothing_allowed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dns(monkeypatch, {"hooks.toko.example": ["93.184.215.14", "10.0.0.7"]})

    with pytest.raises(ForbiddenDestination, match="10.0.0.7"):
        check_url("https://hooks.toko.example/in")


def test_the_admin_allow_list_lets_a_named_network_through(settings: Any) -> None:
    settings.CONNECTOR_ALLOWED_NETWORKS = ["192.168.1.0/24", "::1/128"]

    check_url("http://192.168.1.10/hook")
    check_url("http://[::1]/hook")
    with pytest.raises(ForbiddenDestination):
        check_url("http://192.168.2.10/hook")
    with pytest.raises(ForbiddenDestination):
        check_url("http://127.0.0.1/hook")


def test_sending_checks_the_address_again_and_refuses_a_network_no_longer_allowed(
    client: Client, webhook: Connector, receiver: FakeServer, agent: User, settings: Any
) -> None:
    post_signed(client, webhook, message_payload())
    ticket = Ticket.objects.get()
    settings.CONNECTOR_ALLOWED_NETWORKS = []

    reply = ticket_reply(ticket=ticket, by=agent, body="Halo")
    run_due_jobs()

    assert receiver.received == []
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED
    reason = ticket.events.get(kind=EventKind.DELIVERY_FAILED).data["reason"]
    assert "loopback" in reason


def test_a_dns_answer_that_turns_inward_after_saving_is_refused_when_sending(
    client: Client,
    webhook: Connector,
    receiver: FakeServer,
    agent: User,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DNS rebinding: the name was public when saved and points at loopback when sending."""
    settings.CONNECTOR_ALLOWED_NETWORKS = []
    fake_dns(monkeypatch, {"hooks.toko.example": ["93.184.215.14"]})
    check_url(f"http://hooks.toko.example:{receiver.port}/replies")
    webhook.outbound_url = f"http://hooks.toko.example:{receiver.port}/replies"
    webhook.save()
    post_signed(client, webhook, message_payload())
    ticket = Ticket.objects.get()
    fake_dns(monkeypatch, {"hooks.toko.example": ["127.0.0.1"]})

    reply = ticket_reply(ticket=ticket, by=agent, body="Halo")
    run_due_jobs()

    assert receiver.received == []
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED


def test_the_connection_goes_to_the_address_that_was_checked(
    client: Client,
    webhook: Connector,
    receiver: FakeServer,
    agent: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The socket is opened to the checked address, with the name kept for the Host header."""
    fake_dns(monkeypatch, {"hooks.toko.example": ["127.0.0.1"]})
    webhook.outbound_url = f"http://hooks.toko.example:{receiver.port}/replies"
    webhook.save()
    post_signed(client, webhook, message_payload())

    reply = ticket_reply(ticket=Ticket.objects.get(), by=agent, body="Halo")
    run_due_jobs()

    [request] = receiver.received
    assert request.headers["Host"] == f"hooks.toko.example:{receiver.port}"
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT


def test_the_connection_itself_is_refused_when_the_name_turns_inward_after_the_check(
    receiver: FakeServer, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard sits in the socket layer, not only in check_url: a request made without
    checking first, or after DNS changed, cannot reach a forbidden address."""
    settings.CONNECTOR_ALLOWED_NETWORKS = []
    fake_dns(monkeypatch, {"hooks.toko.example": ["127.0.0.1"]})

    with guarded_client() as client, pytest.raises(ForbiddenDestination, match="loopback"):
        client.post(f"http://hooks.toko.example:{receiver.port}/replies", content=b"{}")

    assert receiver.received == []


def test_a_name_that_does_not_resolve_for_a_while_is_retried_not_given_up(
    client: Client,
    webhook: Connector,
    receiver: FakeServer,
    agent: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    webhook.outbound_url = f"http://hooks.toko.example:{receiver.port}/replies"
    webhook.save()
    post_signed(client, webhook, message_payload())

    def no_answer(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "hooks.toko.example":
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return _real_getaddrinfo(host, port, *args, **kwargs)

    with time_machine.travel("2026-11-23 09:00:00+00:00", tick=False) as traveller:
        monkeypatch.setattr(socket, "getaddrinfo", no_answer)
        reply = ticket_reply(ticket=Ticket.objects.get(), by=agent, body="Halo")
        run_due_jobs()
        reply.refresh_from_db()
        assert reply.delivery_status == DeliveryStatus.QUEUED
        fake_dns(monkeypatch, {"hooks.toko.example": ["127.0.0.1"]})
        traveller.shift(timedelta(minutes=1))
        run_due_jobs()

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT
    assert len(receiver.received) == 1


def test_saving_a_url_whose_name_does_not_resolve_is_refused(
    nothing_allowed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sigap.connectors.egress import HostNotFound

    def no_answer(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_answer)

    with pytest.raises(HostNotFound, match="cannot be resolved"):
        check_url("https://tidak-ada.toko.example/hook")
