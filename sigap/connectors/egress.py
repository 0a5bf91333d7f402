"""Requests the desk makes to addresses an admin typed in, kept away from the desk's own network.

A connector's outbound URL is checked when it is saved (a clear form error) and again on every
connection: the host is resolved, every address it resolves to must be public, and the socket
is opened to the checked address itself, so a DNS answer that changes between the check and the
connection (rebinding) cannot slip through. Redirects are never followed. Addresses an admin
explicitly allows (SIGAP_CONNECTOR_ALLOWED_NETWORKS, e.g. a gateway on the office network) are
let through.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import socket
import ssl
import typing
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpcore
import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from sigap.connectors.registry import PermanentFailure, TemporaryFailure
from sigap.core.env import env_list

# httpx logs every request's URL at INFO; a Telegram URL carries the bot token.
logging.getLogger("httpx").setLevel(logging.WARNING)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# The NAT64 well-known prefix: 64:ff9b::a.b.c.d reaches the IPv4 address a.b.c.d.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Deprecated IPv4-compatible addresses (::a.b.c.d), still routed by some stacks.
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# Connector endpoints answer with a small JSON document; more than this is not read.
MAX_RESPONSE_BYTES = 1_000_000


class ForbiddenDestination(Exception):
    """The URL leads somewhere the desk must not send requests to. Never worth retrying."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class HostNotFound(TemporaryFailure):
    """The name does not resolve now; DNS trouble passes, so sending is tried again later."""


class AnswerTooLarge(PermanentFailure):
    """The other side answered with more than the desk reads."""


def allowed_networks() -> list[IPNetwork]:
    """The admin's allow-list: setting CONNECTOR_ALLOWED_NETWORKS, else the environment."""
    configured: Iterable[str] | None = getattr(settings, "CONNECTOR_ALLOWED_NETWORKS", None)
    if configured is None:
        configured = env_list("SIGAP_CONNECTOR_ALLOWED_NETWORKS", [])
    return [ipaddress.ip_network(item, strict=False) for item in configured]


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, NAT64, compatible)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _why_forbidden(address: IPAddress) -> str | None:
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            reason = _why_forbidden(inner)
            return (
                None if reason is None else _("%(reason)s (IPv4 inside IPv6)") % {"reason": reason}
            )
    if address.is_unspecified:
        return _("an unspecified address")
    if address.is_loopback:
        return _("a loopback address")
    if address.is_link_local:
        return _("a link-local address")
    if address.is_multicast:
        return _("a multicast address")
    if address.is_reserved:
        return _("a reserved address")
    if address.is_private:
        return _("a private address")
    if not address.is_global:
        return _("not a public address")
    return None


def _is_allowed(address: IPAddress, networks: list[IPNetwork]) -> bool:
    candidates: list[IPAddress] = [address]
    if isinstance(address, ipaddress.IPv6Address) and (inner := _embedded_ipv4(address)):
        candidates.append(inner)
    return any(
        candidate.version == network.version and candidate in network
        for candidate in candidates
        for network in networks
    )


def check_address(host: str, address: IPAddress) -> None:
    """Refuse an address that is not public, unless the admin allows its network."""
    reason = _why_forbidden(address)
    if reason is not None and not _is_allowed(address, allowed_networks()):
        raise ForbiddenDestination(
            _(
                "%(host)s leads to %(address)s, %(reason)s; the desk does not send requests "
                "there unless an admin allows that network."
            )
            % {"host": host, "address": address, "reason": reason}
        )


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to now, each checked; ForbiddenDestination if any fails."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        check_address(host, literal)
        return [literal]
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise HostNotFound(
            _("The host %(host)s cannot be resolved (%(error)s).") % {"host": host, "error": error}
        ) from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in found:
        # Scope ids ("fe80::1%eth0") are dropped; the bare address is what is judged.
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    # One forbidden answer refuses the host: a name that also points inward is not trusted.
    for address in addresses:
        check_address(host, address)
    return addresses


def check_url(url: str) -> None:
    """A URL the desk may send to: http(s), a host, and only allowed addresses behind it."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise ForbiddenDestination(_("Only http and https addresses can be used."))
    if not parts.hostname:
        raise ForbiddenDestination(_("The address has no host name."))
    if parts.username or parts.password:
        raise ForbiddenDestination(_("Put credentials in the connector's secrets, not the URL."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ForbiddenDestination(_("The address has an invalid port.")) from None
    resolve(parts.hostname, port)


class _GuardedBackend(httpcore.SyncBackend):
    """Opens sockets only to addresses that pass the check, resolved at connection time."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        last_error: Exception | None = None
        for address in resolve(host, port):
            try:
                return super().connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as error:
                last_error = error
        raise last_error or httpcore.ConnectError(f"no address to connect to for {host}")


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA certificates takes tens of milliseconds; one context serves every client
    # (an SSLContext may be shared between threads).
    return httpx.create_ssl_context()


def _read_bounded(response: httpcore.Response, limit: int) -> bytes:
    """The body of an answer; an endpoint cannot make the desk read more than it needs."""
    content = bytearray()
    for chunk in typing.cast(typing.Iterable[bytes], response.stream):
        content += chunk
        if len(content) > limit:
            raise AnswerTooLarge(_("The answer is longer than %(max)s bytes.") % {"max": limit})
    return bytes(content)


class GuardedTransport(httpx.BaseTransport):
    """httpx transport over a connection pool whose every socket goes through the guard.

    No proxy from the environment is used: a proxy would make the requests on our behalf and
    the check of the final address would be lost.
    """

    def __init__(self, max_response_bytes: int = MAX_RESPONSE_BYTES) -> None:
        self.max_response_bytes = max_response_bytes
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(),
            network_backend=_GuardedBackend(),
            max_connections=20,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            response = self._pool.handle_request(core_request)
            try:
                content = _read_bounded(response, self.max_response_bytes)
            finally:
                response.close()
        except httpcore.TimeoutException as error:
            raise httpx.TimeoutException(str(error), request=request) from error
        except httpcore.ConnectError as error:
            raise httpx.ConnectError(str(error), request=request) from error
        except (httpcore.NetworkError, httpcore.ProtocolError) as error:
            raise httpx.TransportError(str(error), request=request) from error
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            content=content,
            extensions=response.extensions,
            request=request,
        )

    def close(self) -> None:
        self._pool.close()


def guarded_client(max_response_bytes: int = MAX_RESPONSE_BYTES) -> httpx.Client:
    """A client for connector requests: guarded sockets, no redirects, bounded time and size."""
    return httpx.Client(
        transport=GuardedTransport(max_response_bytes),
        follow_redirects=False,
        timeout=TIMEOUT,
        trust_env=False,
    )
