"""Sign-in page: local account (argon2) or, when configured, the organisation's OIDC provider."""

from __future__ import annotations

import streamlit as st

from exportdesk.review.auth import AuthError, sign_in
from exportdesk.ui.pages._common import (
    IDENTITY,
    JUST_SIGNED_IN,
    client_address,
    current_identity,
    oidc_configured,
    plain,
    settings,
    sign_out,
    store,
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

with st.form("sign_in"):
    username = st.text_input("User name", key="signin_user")
    password = st.text_input("Password", type="password", key="signin_password")
    submitted = st.form_submit_button("Sign in", type="primary")
if submitted:
    try:
        st.session_state[IDENTITY] = sign_in(
            store(), username, password, settings(), client=client_address()
        )
    except AuthError as exc:
        st.error(plain(exc))
    else:
        st.session_state[JUST_SIGNED_IN] = True
        st.rerun()
