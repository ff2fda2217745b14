"""Everything an operator (or a test) can set on the web service, in one immutable object."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

#: Request bodies above this many bytes are refused with 413 (an article is rarely over 100 kB).
DEFAULT_MAX_BODY_BYTES = 1_000_000


@dataclass(frozen=True)
class WebSettings:
    """Settings of one running app.

    `rate_limit` is requests per second per client address (0 turns limiting off) with bursts up to
    `rate_burst`; `/healthz` and static files are never limited. The client address is the connecting
    socket's unless `trust_proxy_headers` is set (`serve --trust-proxy-headers`): only then does uvicorn
    take it from X-Forwarded-For, and only from a proxy at 127.0.0.1 (or the addresses in the
    FORWARDED_ALLOW_IPS environment variable). Off, a client cannot lift its limit by sending that header.

    `allow_loopback_fetch` is for tests only: it admits 127.0.0.1/::1 URLs so a local redirecting server
    can show that every hop is re-checked; every other private range stays refused. `refuse_fetch` turns
    URL fetching off. `fetch_timeout` bounds a whole fetch (connect, headers, body, redirects). URL
    fetches run on their own `fetch_threads` threads, so slow servers cannot take the threads other
    requests need; `max_pending_fetches` more may wait for one, and beyond that a fetch answers 503.
    """

    db: Path | None = None
    model: str | None = None
    workers: int = 1
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    rate_limit: float = 5.0
    rate_burst: int = 20
    max_pending: int = 64
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    allow_loopback_fetch: bool = False
    refuse_fetch: bool = False
    fetch_timeout: float = 20.0
    fetch_threads: int = 8
    max_pending_fetches: int = 16
    trust_proxy_headers: bool = False
