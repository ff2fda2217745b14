"""Request hygiene as plain ASGI middleware: per-client rate limit (429), a request body cap (413) and
security headers on every response.

Plain ASGI rather than Starlette's BaseHTTPMiddleware, which wraps every response in a task group
and a stream: these only need to look at the scope, count bytes and add headers.

The body cap is this module's rather than FastAPI's `max_body_size`: that one swaps the app's answer
to a request whose Content-Length is over the cap for a plain-text "Content Too Large", so /api/* would
answer its one error that is not JSON. Here the cap raises inside the app, and the app's own error
handlers answer it like every other error.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Defence in depth under the HTML escaping: even a missed escape could not run inline script, load a
#: script from elsewhere, or frame the page. Styles set through the CSSOM (claim shading) are allowed by
#: CSP; style *attributes* in markup are not, and the templates use none.
#: The rate limiter's key prefix (one limiter per app; the namespace only keeps its keys apart).
NAMESPACE = "sourcetrace"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


async def send_json(send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                    *headers],
    })
    await send({"type": "http.response.body", "body": body})


class BodyTooLarge(HTTPException):
    """A request body over the cap; a Starlette HTTPException, so FastAPI passes it to the handlers."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"request body too large: the limit is {max_bytes:,} bytes")


class BodyLimit:
    """Refuses request bodies over `max_bytes` with 413.

    A declared Content-Length over the cap fails the first read of the body, before a byte of it is taken
    in; a body sent without one (chunked) fails as soon as the bytes received pass the cap, so streaming
    does not get round it. Routes that never read a body are not affected.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        received = 0

        async def limited() -> Message:
            nonlocal received
            if declared is not None and declared > self.max_bytes:
                raise BodyTooLarge(self.max_bytes)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, limited, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            return int(value) if value.isdigit() else None
    return None


class RateLimit:
    """At most `burst` requests per client address in any window of `burst / rate` seconds: on average
    `rate` requests per second, bursts up to `burst`. The counting is the `limits` library's moving
    window in memory (the engine of Flask-Limiter and slowapi); this middleware only picks the client,
    spares the exempt paths and answers 429 in the API's JSON with a Retry-After.

    The client address is the ASGI scope's `client`: the connecting socket's, unless the server was told
    to trust proxy headers (`serve --trust-proxy-headers`), when uvicorn puts X-Forwarded-For there.
    A client's entry expires with its window, so memory follows the clients of the last window only.
    """

    def __init__(
        self,
        app: ASGIApp,
        rate: float,
        burst: int,
        exempt: tuple[str, ...] = ("/healthz", "/static/"),
    ) -> None:
        self.app = app
        self.rate = rate
        self.burst = max(1, burst)
        self.exempt = exempt
        window = max(1, math.ceil(self.burst / rate)) if rate > 0 else 1
        self._limit = RateLimitItemPerSecond(self.burst, window)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def _wait(self, client: str) -> float:
        """0 when the request is allowed, else the seconds until the client's window has room."""
        if self._limiter.hit(self._limit, NAMESPACE, client):
            return 0.0
        stats = self._limiter.get_window_stats(self._limit, NAMESPACE, client)
        return max(1.0, stats.reset_time - time.time())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or self.rate <= 0 or path.startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self._wait(client)
        if wait:
            retry = str(max(1, math.ceil(wait))).encode()
            await send_json(send, 429, "too many requests; slow down", [(b"retry-after", retry)])
            return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Adds the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
