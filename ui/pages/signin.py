"""Sign-in page: local account (argon2) or, when configured, the organisation's OIDC provider."""

from __future__ import annotations

import streamlit as st

from exportdesk.ui.pages._common import (
    current_identity,
    oidc_configured,
    plain,
    settings,
    sign_in_form,
    sign_out,
)

st.title("exportdesk")
identity = current_identity()
if identity is not None:
    st.success(f"Signed in as {plain(identity.username)} ({plain(identity.role)}).")
    st.caption("Choose a page in the menu on the left.")
    if st.button("Sign out"):
        sign_out()
        st.rerun()
    st.stop()

oidc = oidc_configured()
local = settings().local_accounts
if oidc:
    if st.button("Sign in with your organisation account", type="primary"):
        st.login()
    if local:
        st.divider()
        st.caption("Or with a local exportdesk account:")
if not local:
    if not oidc:
        st.error(
            "Local accounts are switched off (EXPORTDESK_LOCAL_ACCOUNTS=false) but no OIDC "
            "provider is configured in .streamlit/secrets.toml, so nobody can sign in. "
            "Configure [auth] or switch local accounts back on."
        )
    st.stop()

sign_in_form()
