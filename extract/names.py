"""Showing untrusted text (file names, parser errors) in logs and messages without forging lines."""

from __future__ import annotations

import logging
import unicodedata

_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_control(text: str) -> str:
    """``text`` with every control, format or unassigned character written as an escape.

    A newline becomes ``\\n`` and ESC ``\\x1b``, so a name can neither start a forged line
    on stderr nor colour a terminal; bidi overrides (U+202E) are escaped too.
    """
    out = []
    for ch in text:
        if unicodedata.category(ch)[0] != "C":
            out.append(ch)
        elif ch in _SHORT:
            out.append(_SHORT[ch])
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


def display_name(name: str, limit: int = 200) -> str:
    """A file name as shown everywhere (result, store, screen, logs): the one cleaner.

    The base name only, without directories (``../../etc/x.pdf`` shows as ``x.pdf``), spaces
    around it trimmed, control characters escaped, at most ``limit`` characters. It is only
    ever shown: originals are stored by their SHA-256, never under a sender's name.
    """
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return escape_control(base)[:limit] or "unnamed.pdf"


class EscapingFormatter(logging.Formatter):
    """A log formatter that escapes control characters in the message, whatever its source."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape_control(record.message)
        return super().formatMessage(record)
