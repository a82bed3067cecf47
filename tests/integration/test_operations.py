"""What a self-hoster watches: /healthz knows whether the check-in sweep is running,
HEARTBEAT_URL hears from every sweep (a real local HTTP server here), and Sentry
reports errors only when SENTRY_DSN is set."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from assessments.checkins import services as checkins
from assessments.models import Heartbeat
from ladder import views

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


class Recorder(BaseHTTPRequestHandler):
    """Answers every request with ``status`` and keeps (method, path, body)."""

    status = 200
    seen: list[tuple[str, str, bytes]]

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        self.seen.append((self.command, self.path, raw))
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = _record

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[str, type[Recorder]]]:
    """A real HTTP server on a free local port; its handler class keeps the requests."""
    handler = type("Handler", (Recorder,), {"seen": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def sweep() -> None:
    checkins.sweep(send=checkins.send_inline)


# --- /healthz and the sweep's heartbeat ---------------------------------------------


def test_healthz_says_when_the_sweep_last_ran(client, settings):
    settings.SWEEP_EXPECTED = False
    before = client.get("/healthz").json()
    assert before["status"] == "ok"
    assert before["sweep"] == {
        "expected": False,
        "last_run": None,
        "minutes_ago": None,
        "late": False,
    }
    sweep()
    after = client.get("/healthz").json()
    assert after["sweep"]["last_run"] == Heartbeat.objects.get().beat_at.isoformat()
    assert after["sweep"]["minutes_ago"] == 0


def test_healthz_is_503_when_a_worker_is_configured_and_the_sweep_stopped(
    client, settings, monkeypatch
):
    settings.SWEEP_EXPECTED = True
    monkeypatch.setattr(views, "STARTED_AT", timezone.now() - timedelta(days=1))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sweep()
    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        assert client.get("/healthz").status_code == 200
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        late = client.get("/healthz")
        assert late.status_code == 503
        assert late.json()["status"] == "error"
        assert late.json()["sweep"]["late"] is True
        assert late.json()["sweep"]["minutes_ago"] == 61
        sweep()  # beat is back
        assert client.get("/healthz").status_code == 200


def test_a_fresh_deploy_gives_the_first_sweep_an_hour(client, settings, monkeypatch):
    settings.SWEEP_EXPECTED = True
    started = timezone.now()
    monkeypatch.setattr(views, "STARTED_AT", started)
    assert client.get("/healthz").status_code == 200  # never swept, but only just started
    with time_machine.travel(started + timedelta(minutes=61), tick=False):
        assert client.get("/healthz").status_code == 503


def test_without_a_worker_a_stale_sweep_is_reported_but_not_an_error(client, settings):
    settings.SWEEP_EXPECTED = False
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sweep()
    with time_machine.travel(start + timedelta(days=3), tick=False):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["sweep"]["minutes_ago"] == 3 * 24 * 60


def test_every_sweep_pings_the_heartbeat_url(settings, http_server):
    url, handler = http_server
    settings.HEARTBEAT_URL = f"{url}/ping/abc"
    sweep()
    sweep()
    assert [(method, path) for method, path, _ in handler.seen] == [
        ("GET", "/ping/abc"),
        ("GET", "/ping/abc"),
    ]


def test_a_heartbeat_url_that_fails_does_not_stop_the_sweep(settings, http_server, caplog):
    url, handler = http_server
    handler.status = 500
    settings.HEARTBEAT_URL = f"{url}/ping/abc"
    sweep()  # no exception
    assert len(handler.seen) == 1
    settings.HEARTBEAT_URL = "http://127.0.0.1:1/nothing-listens"
    sweep()
    assert Heartbeat.objects.count() == 1
    assert "Heartbeat ping" in caplog.text


def test_no_heartbeat_url_pings_nothing(settings, http_server):
    _, handler = http_server
    settings.HEARTBEAT_URL = ""
    sweep()
    assert handler.seen == []


# --- Sentry -------------------------------------------------------------------------


def test_sentry_is_off_without_a_dsn():
    import sentry_sdk

    assert not os.environ.get("SENTRY_DSN")
    assert not sentry_sdk.get_client().is_active()


def test_with_a_dsn_an_error_reaches_sentry_without_personal_data(http_server):
    url, handler = http_server
    dsn = url.replace("http://", "http://publickey@") + "/42"
    script = (
        "import django; django.setup()\n"
        "import logging, sentry_sdk\n"
        # Spelt backwards here, so only a leak of the running values can show them.
        "address, words = 'moc.elpmaxe@ana'[::-1], 'eton etavirp ym'[::-1]\n"
        "logging.getLogger('ladder').warning('Refused for good: %s', address)\n"
        "def send(invited=address, note=words):\n"
        "    raise ZeroDivisionError(f'could not reach {invited}')\n"
        "try:\n"
        "    send()\n"
        "except ZeroDivisionError:\n"
        "    sentry_sdk.capture_exception()\n"
        "sentry_sdk.flush(timeout=10)\n"
    )
    env = {**os.environ, "SENTRY_DSN": dsn, "DJANGO_SETTINGS_MODULE": "ladder.settings"}
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=60)
    [(method, path, raw)] = handler.seen
    assert (method, path) == ("POST", "/api/42/envelope/")
    items = [json.loads(line) for line in raw.splitlines() if line.startswith(b"{")]
    event = next(item for item in items if "exception" in item)
    assert event["exception"]["values"][0]["type"] == "ZeroDivisionError"
    assert "user" not in event
    # Nobody's address or words: no local variables, addresses redacted everywhere.
    assert b"ana@example.com" not in raw
    assert b"my private note" not in raw
    assert "could not reach [email]" in event["exception"]["values"][0]["value"]
