"""`sourcetrace serve` as a user runs it: user mistakes are one error line and exit 2, and a started
server answers on loopback."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from typer.testing import CliRunner

from sourcetrace.cli import app

SOURCETRACE = Path(sys.executable).with_name("sourcetrace")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_missing_store_is_one_error_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--db", str(tmp_path / "nope.duckdb")])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "no such corpus store" in lines[0]
    assert "Traceback" not in result.output


def test_taken_port_is_one_error_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["serve", "--port", str(port), "--no-fetch"])
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and f"127.0.0.1:{port}" in errors[0]
    assert "Traceback" not in result.output


@contextlib.contextmanager
def _serving(*options: str) -> Iterator[str]:
    """`sourcetrace serve` in a subprocess on a free loopback port; the base URL once /healthz answers."""
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("FORWARDED_ALLOW_IPS", None)
    proc = subprocess.Popen(
        [str(SOURCETRACE), "serve", "--port", str(port), *options],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        health = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        assert health is not None and health.status_code == 200
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_started_server_answers_healthz_and_the_analyse_page() -> None:
    with _serving("--no-fetch") as base:
        page = httpx.get(f"{base}/", timeout=10)
        assert page.status_code == 200 and "<form" in page.text
        text = "The mayor said the bridge would reopen on Monday, according to a city statement."
        analysed = httpx.post(f"{base}/api/analyze", json={"text": text}, timeout=120)
        assert analysed.status_code == 200
        assert any(a["cue"]["text"] == "said" for a in analysed.json()["attributions"])


def test_x_forwarded_for_is_ignored_unless_proxy_headers_are_trusted() -> None:
    """uvicorn trusts X-Forwarded-For from 127.0.0.1 unless told not to; `serve` tells it not to, so a
    client cannot lift its rate limit by sending a new address with each request."""
    limited = ("--no-fetch", "--rate-limit", "0.001", "--rate-burst", "2")  # no refill during the test
    with _serving(*limited) as base:
        codes = [httpx.get(f"{base}/", headers={"X-Forwarded-For": f"203.0.113.{i}"}, timeout=10).status_code
                 for i in range(1, 5)]
    assert codes == [200, 200, 429, 429]


def test_help_documents_trusting_proxy_headers() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "--trust-proxy-headers" in result.output and "X-Forwarded-For" in result.output
