"""Production settings come from the environment: Django's deploy check passes on them, and
the defaults still serve plain http on 127.0.0.1 for local use."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
READY_SECONDS = 60.0

# The production block documented in README's "Behind TLS" section.
PRODUCTION = {
    "SIGAP_DEBUG": "false",
    "SIGAP_ALLOWED_HOSTS": "desk.example.com",
    "SIGAP_CSRF_TRUSTED_ORIGINS": "https://desk.example.com",
    "SIGAP_HTTPS": "true",
    "SIGAP_HSTS_PRELOAD": "true",
}

# Requests through Django's full middleware stack, in a process that reads the given settings.
PROBE = """
import json, django
django.setup()
from django.test import Client
from django.urls import reverse
host = "desk.example.com" if "desk.example.com" in __import__("os").environ.get(
    "SIGAP_ALLOWED_HOSTS", "") else "127.0.0.1"
client = Client(HTTP_HOST=host)
result = {}
for name, kwargs in [("http", {}), ("https", {"secure": True}),
                     ("proxied", {"headers": {"X-Forwarded-Proto": "https"}})]:
    response = client.get(reverse("login"), **kwargs)
    result[name] = {
        "status": response.status_code,
        "location": response.get("Location", ""),
        "hsts": response.get("Strict-Transport-Security", ""),
        "csrf_cookie_secure": bool(response.cookies["csrftoken"]["secure"])
        if "csrftoken" in response.cookies else None,
    }
result["healthz"] = client.get("/healthz").status_code
print(json.dumps(result))
"""


def _environment(tmp_path: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGAP_")}
    env["SIGAP_DATA_DIR"] = str(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "sigap.settings"
    return {**env, **extra}


def _run(arguments: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *arguments], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def production(tmp_path: Path) -> dict[str, str]:
    return _environment(tmp_path, {**PRODUCTION, "SIGAP_SECRET_KEY": secrets.token_urlsafe(50)})


def test_deploy_check_reports_nothing_on_production_settings(production: dict[str, str]) -> None:
    result = _run(["-m", "sigap.cli", "check", "--deploy", "--fail-level", "WARNING"], production)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_preload_the_deploy_check_only_mentions_preloading(
    production: dict[str, str],
) -> None:
    env = {k: v for k, v in production.items() if k != "SIGAP_HSTS_PRELOAD"}
    result = _run(["-m", "sigap.cli", "check", "--deploy"], env)
    assert result.returncode == 0, result.stderr
    reported = result.stdout + result.stderr
    assert "security.W021" in reported
    assert "System check identified 1 issue" in reported


def test_deploy_check_names_what_a_plain_http_setup_lacks(tmp_path: Path) -> None:
    env = _environment(tmp_path, {"SIGAP_ALLOWED_HOSTS": "desk.example.com"})
    result = _run(["-m", "sigap.cli", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    for warning in ["W004", "W008", "W012", "W016"]:
        assert f"security.{warning}" in result.stderr + result.stdout


def test_production_redirects_to_https_and_keeps_cookies_on_it(
    production: dict[str, str],
) -> None:
    result = _run(["-c", PROBE], production)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["http"]["status"] == 301
    assert seen["http"]["location"].startswith("https://desk.example.com/")
    assert seen["https"]["status"] == 200
    assert "max-age=31536000" in seen["https"]["hsts"]
    assert "includeSubDomains" in seen["https"]["hsts"]
    assert seen["https"]["csrf_cookie_secure"] is True
    # Without SIGAP_PROXY_SSL_HEADER a client cannot claim https by sending the header itself.
    assert seen["proxied"]["status"] == 301
    # Load balancers probing over plain http still get an answer.
    assert seen["healthz"] == 200


def test_behind_a_proxy_its_https_header_is_trusted_when_named(
    production: dict[str, str],
) -> None:
    env = {**production, "SIGAP_PROXY_SSL_HEADER": "X-Forwarded-Proto"}
    result = _run(["-c", PROBE], env)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["proxied"]["status"] == 200
    assert "max-age=31536000" in seen["proxied"]["hsts"]
    assert seen["http"]["status"] == 301


def test_local_defaults_serve_plain_http(tmp_path: Path) -> None:
    result = _run(["-c", PROBE], _environment(tmp_path, {}))
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["http"]["status"] == 200
    assert seen["http"]["hsts"] == ""
    assert seen["http"]["csrf_cookie_secure"] is False


def test_a_bad_proxy_header_name_is_refused(production: dict[str, str]) -> None:
    env = {**production, "SIGAP_PROXY_SSL_HEADER": "X-Forwarded-Proto: https"}
    result = _run(["-m", "sigap.cli", "check"], env)
    assert result.returncode != 0
    assert "SIGAP_PROXY_SSL_HEADER must be a header name" in result.stderr


def test_serve_behind_a_local_tls_proxy_neither_loops_nor_leaks_http(
    production: dict[str, str], tmp_path: Path
) -> None:
    # The proxy on this machine forwards to `sigap serve` with X-Forwarded-Proto; uvicorn
    # believes it from 127.0.0.1, so no SIGAP_PROXY_SSL_HEADER is needed.
    env = {**production, "SIGAP_ALLOWED_HOSTS": "127.0.0.1"}
    port = free_port()
    log = tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "sigap", "serve", "--no-workers", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + READY_SECONDS
        while True:
            assert process.poll() is None, f"serve exited early:\n{log.read_text()}"
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"no answer on /healthz:\n{log.read_text()}"
            time.sleep(0.1)
        plain = httpx.get(f"{base}/login/")
        proxied = httpx.get(f"{base}/login/", headers={"X-Forwarded-Proto": "https"})
    finally:
        process.kill()
        process.wait()

    assert plain.status_code == 301
    assert plain.headers["location"] == f"https://127.0.0.1:{port}/login/"
    assert proxied.status_code == 200
    assert "max-age=31536000" in proxied.headers["strict-transport-security"]
    assert "secure" in proxied.headers["set-cookie"].lower()
