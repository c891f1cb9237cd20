"""Importing a library without the optional extras it would load and exportdesk never uses."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


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


@contextmanager
def spacy_without_cli() -> Iterator[None]:
    """Import spaCy without loading its command-line package (``spacy.cli``).

    spaCy's ``__init__`` imports ``spacy.cli.info.info`` only to offer ``spacy.info()``, and
    that pulls in every spaCy command with weasel, requests and typer: 0.2 s of the 0.55 s
    spaCy takes to import, for nothing the run path calls. Inside the block a stand-in
    package answers that one import; afterwards it is removed, ``spacy.info`` imports the
    real function when called, and ``import spacy.cli`` loads the real package as usual.
    Does nothing when spaCy is already imported.
    """
    if "spacy" in sys.modules:
        yield
        return

    def info(*args: Any, **kwargs: Any) -> object:
        from spacy.cli.info import info as real_info

        return real_info(*args, **kwargs)

    package = types.ModuleType("spacy.cli")
    package.__path__ = []  # a package, so "spacy.cli.info" resolves under it
    module = types.ModuleType("spacy.cli.info")
    module.info = info  # type: ignore[attr-defined]
    stand_ins = {"spacy.cli": package, "spacy.cli.info": module}
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
        spacy = sys.modules.get("spacy")
        if spacy is not None and getattr(spacy, "cli", None) is package:
            delattr(spacy, "cli")
