"""Serve the review app with Streamlit: ``python -m exportdesk.ui.serve [streamlit options]``.

Streamlit treats an entrypoint with a ``pages/`` folder beside it as an old-style multipage
app until the first session calls ``st.navigation``; a deep link (``/review``) opened first
after start-up would then run the page without the entrypoint. Starting through here
switches that off before the server starts, so every request goes through ``app.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "asgi.py"  # app.py plus the sign-in cookie route


def main(argv: list[str]) -> None:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), *argv]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
