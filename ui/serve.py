"""Serve the review app with Streamlit: ``python -m exportdesk.ui.serve [streamlit options]``.

Streamlit treats an entrypoint with a ``pages/`` folder beside it as an old-style multipage
app until the first session calls ``st.navigation``; a deep link (``/review``) opened first
after start-up would then run the page without the entrypoint. Starting through here
switches that off before the server starts, so every request goes through ``app.py``.

Streamlit's upload limit (``server.maxUploadSize``, in MiB) is set from the reader's file
limit (``max_file_bytes``), unless the options name one: a file the reader would accept must
not be refused by the server first.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "asgi.py"  # app.py plus the sign-in cookie route


def upload_limit_mb(max_file_bytes: int) -> int:
    """Streamlit's upload limit for the reader's file limit, in whole MiB, rounded up."""
    return max(1, math.ceil(max_file_bytes / 2**20))


def streamlit_args(argv: list[str], max_file_bytes: int) -> list[str]:
    if any(a.startswith("--server.maxUploadSize") for a in argv):
        return list(argv)
    return [*argv, "--server.maxUploadSize", str(upload_limit_mb(max_file_bytes))]


def main(argv: list[str]) -> None:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    from exportdesk.extract.settings import get_settings

    PagesManager.uses_pages_directory = False
    args = streamlit_args(argv, get_settings().max_file_bytes)
    sys.argv = ["streamlit", "run", str(APP), *args]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
