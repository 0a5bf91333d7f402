"""Replies on social tickets leave through the ticket's connector."""

from __future__ import annotations

from sigap.connectors.outbound import connector_send
from sigap.tickets.delivery import transport
from sigap.tickets.models import Channel

transport(Channel.SOCIAL)(connector_send)
