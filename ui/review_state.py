"""What the review screen's parts share: saving with the optimistic lock, and messages shown
where the action happened (not at the top of the page)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from exportdesk.extract.model import ApplicationResult, Item
from exportdesk.review.auth import Identity
from exportdesk.review.store import CaseView, ConflictError, StoreError
from exportdesk.ui.pages._common import plain, store

LOADED = "r_loaded"  # {application id: the version this reviewer's screen started from}
FLASH = "r_flash"  # {place: (kind, message)}, shown once where the action happened


@dataclass
class ReviewContext:
    """Everything a part of the review screen (or another issue's panel) needs to draw."""

    case: CaseView
    result: ApplicationResult
    identity: Identity
    item: Item | None  # the item being classified, if any
    locale: str  # the reader's, for numbers (babel form, e.g. en_GB)
    low: float  # confidence below which a fact or suggestion is flagged


def say(place: str, kind: str, message: str) -> None:
    st.session_state.setdefault(FLASH, {})[place] = (kind, message)


def show_messages(place: str) -> None:
    """The message left for ``place`` by the last action, shown once, right here."""
    flash = st.session_state.get(FLASH, {}).pop(place, None)
    if flash:
        kind, message = flash
        show = {"success": st.success, "info": st.info, "warning": st.warning}.get(kind, st.error)
        show(plain(message))


def loaded_version(case_id: int) -> int:
    return int(st.session_state.setdefault(LOADED, {})[case_id])


def save(case_id: int, place: str, action: Callable[[int], int], done: str) -> bool:
    """Run ``action(version)``; the outcome is said at ``place``. True when it was saved."""
    loaded = st.session_state.setdefault(LOADED, {})
    try:
        new_version = action(loaded[case_id])
    except ConflictError as exc:
        say(place, "conflict", str(exc))
        return False
    except StoreError as exc:
        say(place, "error", str(exc))
        return False
    if new_version == loaded[case_id]:
        say(place, "info", "Nothing changed, so nothing was saved.")
        return False
    loaded[case_id] = new_version
    say(place, "success", done)
    return True


def reload(case_id: int) -> None:
    st.session_state.setdefault(LOADED, {})[case_id] = store().case(case_id).version
    say("top", "info", "Reloaded: you now see the latest saved version.")
