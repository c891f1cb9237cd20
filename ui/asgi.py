"""The review app as an ASGI application: Streamlit's pages plus the sign-in cookie route.

``python -m exportdesk.ui.serve`` runs this through ``streamlit run`` (which finds ``app``
and serves it with uvicorn).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from exportdesk.ui.session_cookie import ROUTES

app = st.App(str(Path(__file__).resolve().parent / "app.py"), routes=ROUTES)
