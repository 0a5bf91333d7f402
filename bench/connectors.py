"""Messaging connectors: signed webhook messages in, agents' replies out.

    .venv/bin/python bench/connectors.py [--messages 1000] [--db sqlite|postgres|both]

For each database, on a fresh migrated one with the bundled SOP library installed:

1. inbound: `--messages` signed webhook requests through the Django test client (URL routing,
   rate limit, HMAC check, raw request kept, customer found or added, ticket opened with its SOP
   run and timers, or the message threaded into the conversation's open ticket — every second
   message continues a conversation); messages per second, p50/p99 per request;
2. replays: a tenth of those deliveries sent again; duplicates answered per second;
3. outbound: an agent's reply on each of 200 tickets, delivered by the outbox executor
   (`run_due_jobs`) as signed POSTs to a receiver on 127.0.0.1 (allowed explicitly, as an admin
   would); replies delivered per second.

Not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time

import _common
from _common import say

SECRET = "bench-signing-secret"
REPLIES = 200


def _receiver() -> tuple[object, int]:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b'{"id": "ok"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, int(server.server_address[1])


def run(db: str, messages: int) -> None:
    with _common.django_database(db, "sigap_bench_connectors", f"Connectors on {db}"):
        from django.conf import settings
        from django.test import Client

        from sigap.accounts.models import Role
        from sigap.accounts.services import team_create, user_create
        from sigap.connectors.models import Connector
        from sigap.connectors.services import connector_set_secrets
        from sigap.connectors.signing import signed_headers
        from sigap.core import clock
        from sigap.core.jobs import run_due_jobs
        from sigap.sops.services import sop_library_install
        from sigap.tickets.models import DeliveryStatus, Message, Ticket
        from sigap.tickets.services import ticket_reply

        settings.CONNECTOR_INBOUND_PER_MINUTE = 10**9
        settings.CONNECTOR_ALLOWED_NETWORKS = ["127.0.0.0/8"]
        sop_library_install()
        team = team_create(name="Bench", slug="bench")
        agent = user_create(
            username="agen",
            email="agen@bench.example",
            password="x" * 20,
            role=Role.AGENT,
            teams=[team],
            first_name="Agen",
        )
        server, port = _receiver()
        connector = Connector.objects.create(
            name="bench",
            kind="webhook",
            team=team,
            network="bench",
            outbound_url=f"http://127.0.0.1:{port}/replies",
        )
        connector_set_secrets(connector=connector, secrets={"signing_secret": SECRET})
        client = Client()
        url = f"/connectors/in/{connector.inbound_key}"

        def post(i: int) -> int:
            body = json.dumps(
                {
                    "message": {"id": f"m-{i}", "text": f"Paket saya rusak, pesanan nomor {i}"},
                    "conversation": {"id": f"c-{i // 2}"},
                    "sender": {"id": f"pelanggan-{i // 2}", "name": f"Pelanggan {i // 2}"},
                }
            ).encode()
            headers = signed_headers(
                secret=SECRET,
                timestamp=int(clock.now().timestamp()),
                body=body,
                delivery=f"d-{i}",
            )
            response = client.post(url, data=body, content_type="application/json", headers=headers)
            return int(response.status_code)

        for i in range(20):  # warm-up, not counted
            post(10_000_000 + i)
        timings: list[float] = []
        started = time.perf_counter()
        statuses = []
        for i in range(messages):
            one = time.perf_counter()
            statuses.append(post(i))
            timings.append(time.perf_counter() - one)
        took = time.perf_counter() - started
        assert set(statuses) == {200}, statuses
        cuts = statistics.quantiles(timings, n=100)
        say(
            f"inbound: {messages} messages in {took:.1f}s = {messages / took:,.0f}/s; "
            f"p50 {cuts[49] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms per request"
        )
        say(f"tickets: {Ticket.objects.count() - 10}, messages: {Message.objects.count() - 20}")

        replays = max(messages // 10, 1)
        started = time.perf_counter()
        for i in range(replays):
            post(i)
        took = time.perf_counter() - started
        say(f"replays: {replays} duplicates answered in {took:.1f}s = {replays / took:,.0f}/s")

        tickets = list(Ticket.objects.order_by("pk")[:REPLIES])
        for ticket in tickets:
            ticket_reply(ticket=ticket, by=agent, body="Mohon maaf, kami kirim pengganti besok.")
        started = time.perf_counter()
        while run_due_jobs():
            pass
        took = time.perf_counter() - started
        sent = Message.objects.filter(delivery_status=DeliveryStatus.SENT).count()
        say(f"outbound: {sent} replies delivered in {took:.1f}s = {sent / took:,.0f}/s")
        server.shutdown()  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    if args.db == "both":
        _common.each_database(__file__, ["--messages", str(args.messages)])
        return
    run(args.db, args.messages)


if __name__ == "__main__":
    sys.exit(main())
