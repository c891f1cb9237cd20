"""The sign-in cookie as an HttpOnly cookie: a Streamlit script runs over a websocket and
cannot send ``Set-Cookie``, so it hands the signed token to this small HTTP route under a
one-time code, and the browser's request to the route receives the cookie.

The code is random, single-use and lives 60 s in this process's memory; the token itself
never reaches the page's JavaScript (docs/security.md).
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from exportdesk.review.sessions import COOKIE

PATH = "/_exportdesk/session"
CODE_SECONDS = 60.0
_pending: dict[str, tuple[Literal["set", "clear"], str, int, float]] = {}
_lock = threading.Lock()


def hand_over(action: Literal["set", "clear"], token: str, max_age: int) -> str:
    """Park a cookie change for the browser to collect; returns the one-time code."""
    code = secrets.token_urlsafe(32)
    now = time.monotonic()
    with _lock:
        for stale in [c for c, v in _pending.items() if v[3] < now]:
            del _pending[stale]
        _pending[code] = (action, token, max_age, now + CODE_SECONDS)
    return code


def _collect(code: str) -> tuple[Literal["set", "clear"], str, int] | None:
    with _lock:
        found = _pending.pop(code, None)
    if found is None or found[3] < time.monotonic():
        return None
    return found[0], found[1], found[2]


async def _session(request: Request) -> Response:
    change = _collect((await request.body()).decode("ascii", "replace").strip())
    if change is None:
        return Response("unknown or expired code", status_code=403)
    action, token, max_age = change
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    secure = request.url.scheme == "https"
    if action == "set":
        response.set_cookie(
            COOKIE,
            token,
            max_age=max_age,
            path="/",
            httponly=True,
            samesite="strict",
            secure=secure,
        )
    else:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=secure)
    return response


ROUTES = [Route(PATH, _session, methods=["POST"])]
