"""Helpers for the UI tests: open a page as a role, read what it shows."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from streamlit.testing.v1 import AppTest

from exportdesk.review.auth import Identity

UI = Path(__file__).resolve().parents[2] / "ui"
PASSWORD = "correct horse battery"


def open_page(page: str, role: str | None) -> AppTest:
    """Run one page file directly, as a direct URL would, signed in as ``role`` (or not)."""
    at = AppTest.from_file(str(UI / "pages" / f"{page}.py"), default_timeout=90)
    if role is not None:
        at.session_state["identity"] = Identity(role, role, datetime.now(UTC) + timedelta(hours=1))
    return at.run()


def texts(at: AppTest) -> str:
    """Everything the page shows as text, one long string, for assertions."""
    parts = []
    for kind in (
        "title",
        "subheader",
        "markdown",
        "caption",
        "text",
        "success",
        "info",
        "warning",
        "error",
        "exception",
    ):
        parts += [str(e.value) for e in getattr(at, kind)]
    # Pages escape markdown punctuation in user text; read it as the screen shows it.
    return re.sub(r"\\(.)", r"\1", "\n".join(parts))
