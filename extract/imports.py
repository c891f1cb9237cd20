"""Importing a library without the optional extras it would load and exportdesk never uses."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def without(*names: str) -> Iterator[None]:
    """Make ``import NAME`` fail with ImportError inside the block, for modules not yet loaded.

    thinc (under spaCy) imports torch whenever it is installed, and pytesseract imports
    pandas: 4-7 s and 1.4 s of start-up on this machine for features the run path never
    uses. Both libraries treat the ImportError as "not installed". A module someone already
    imported is left alone, and after the block a later ``import torch`` works as usual.
    """
    hidden = [name for name in names if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # the documented import blocker
    try:
        yield
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]
