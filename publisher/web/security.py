"""What keeps the review server as hard to abuse as a bank's approval screen, in one place:
security headers on every response, the session and form-token cookies, the form-token check,
the sign-in rate limit, and serving files only from inside the output folder."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from pathlib import Path

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from publisher import atomic
from publisher.i18n import _

SESSION_COOKIE = "publisher_session"
SIGN_IN_COOKIE = "publisher_signin"
"""Holds the sign-in form's token before there is a session (double submit: form field and cookie agree)."""

OUTPUT_PREFIX = "/out/"
MAX_BODY = 64 * 1024
"""The largest request body accepted (bytes)."""

PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
               "img-src 'self' data:; media-src 'self'; font-src 'self' data:; frame-src 'self'; form-action 'self'; "
               "base-uri 'self'; frame-ancestors 'none'")
"""Our pages: no inline script at all, nothing from elsewhere, never framed by another site."""
OUTPUT_POLICY = ("default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; "
                 "font-src 'self' data:; frame-ancestors 'self'")
"""Files of the output (the WeChat article framed on a story page): shown, never run."""


class SecurityHeaders:
    """ASGI middleware: the headers every response carries."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        output = scope["path"].startswith(OUTPUT_PREFIX)
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                cached = any(k.lower() == b"cache-control" for k, _v in headers)
                headers += [
                    (b"content-security-policy", (OUTPUT_POLICY if output else PAGE_POLICY).encode()),
                    (b"x-frame-options", b"SAMEORIGIN" if output else b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"cross-origin-resource-policy", b"same-origin"),
                ]
                if not cached:  # pages and output files are never kept; fonts say otherwise
                    headers.append((b"cache-control", b"no-store"))
                if https:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message = {**message, "headers": headers}
            await send(message)

        if scope["method"] == "POST" and not _small_body(scope):
            await PlainTextResponse(_("request too large"), status_code=413)(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


def _small_body(scope: Scope) -> bool:
    """A form of a page (a sign-in, a decision) is a few hundred bytes: a body that says it is larger
    than ``MAX_BODY``, or will not say, is refused before it is read."""
    length = dict(scope.get("headers", [])).get(b"content-length")
    return length is not None and length.isdigit() and int(length) <= MAX_BODY


def cookie_options(secure: bool) -> dict:
    """HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Secure over HTTPS."""
    return {"httponly": True, "samesite": "strict", "secure": secure, "path": "/"}


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of form tokens; a missing one never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


class RateLimit:
    """At most ``limit`` events per ``seconds`` for each key (failed sign-ins per address: the lockout
    protects each account, this the server from one address trying many names)."""

    def __init__(self, limit: int, seconds: float):
        self.limit, self.seconds = limit, seconds
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            events = self._events.get(key)
            while events and now - events[0] > self.seconds:
                events.popleft()
            return bool(events) and len(events) >= self.limit

    def note(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._events.setdefault(key, deque()).append(now)
            if len(self._events) > 10000:  # forget idle addresses
                for idle in [k for k, v in self._events.items() if not v or now - v[-1] > self.seconds]:
                    del self._events[idle]


def output_file(out: Path, relative: str) -> Path | None:
    """The file ``relative`` names inside the output folder, or None: no ``..``, no hidden parts, no
    symbolic link on the way, only regular files (what the browser asks for is never trusted)."""
    parts = relative.replace("\\", "/").split("/")
    if not relative or any(part in ("", ".", "..") or part.startswith(".") or "\0" in part for part in parts):
        return None
    path = out.joinpath(*parts)
    if not atomic.confined(out, path) or not path.is_file():
        return None
    return path
