"""The sign-in cookie route: a one-time code becomes an HttpOnly, SameSite=Strict cookie."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from exportdesk.review.sessions import COOKIE
from exportdesk.ui import session_cookie


@pytest.fixture
def client() -> TestClient:
    return TestClient(Starlette(routes=session_cookie.ROUTES))


def test_a_code_sets_the_cookie_httponly_once(client: TestClient) -> None:
    code = session_cookie.hand_over("set", "signed-token", 3600)
    answer = client.post(session_cookie.PATH, content=code)
    assert answer.status_code == 204
    header = answer.headers["set-cookie"]
    assert header.startswith(f"{COOKIE}=signed-token;")
    assert "HttpOnly" in header and "SameSite=strict" in header and "Max-Age=3600" in header
    assert "Secure" not in header  # plain HTTP on 127.0.0.1; HTTPS adds it
    again = client.post(session_cookie.PATH, content=code)
    assert again.status_code == 403 and "set-cookie" not in again.headers


def test_unknown_and_expired_codes_set_nothing(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert client.post(session_cookie.PATH, content="guessed").status_code == 403
    code = session_cookie.hand_over("set", "signed-token", 3600)
    later = session_cookie.time.monotonic() + session_cookie.CODE_SECONDS + 1
    monkeypatch.setattr(session_cookie.time, "monotonic", lambda: later)
    answer = client.post(session_cookie.PATH, content=code)
    assert answer.status_code == 403 and "set-cookie" not in answer.headers


def test_sign_out_clears_the_cookie(client: TestClient) -> None:
    code = session_cookie.hand_over("clear", "", 0)
    header = client.post(session_cookie.PATH, content=code).headers["set-cookie"]
    assert header.startswith(f'{COOKIE}="";') and "Max-Age=0" in header and "HttpOnly" in header


def test_https_requests_get_a_secure_cookie() -> None:
    secure = TestClient(Starlette(routes=session_cookie.ROUTES), base_url="https://testserver")
    code = session_cookie.hand_over("set", "signed-token", 60)
    assert "Secure" in secure.post(session_cookie.PATH, content=code).headers["set-cookie"]


def test_the_route_only_accepts_post(client: TestClient) -> None:
    assert client.get(session_cookie.PATH).status_code == 405
