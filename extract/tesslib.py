"""Tesseract as a library: libtesseract's C API through ctypes, its models loaded once per process
and kept for every later page, instead of one `tesseract` command (and one model load) per page."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import ctypes.util
import logging
import os
import threading
from collections.abc import Iterator
from functools import lru_cache

import numpy as np

from exportdesk.extract.errors import ReadingError

log = logging.getLogger(__name__)

LEPTONICA_SILENT = 6  # L_SEVERITY_NONE


class TessTimeout(ReadingError):
    """Recognition passed its deadline (libtesseract stopped it)."""


@lru_cache(maxsize=1)
def library() -> ctypes.CDLL | None:
    """libtesseract 5 with the signatures used here, or None when it cannot be loaded."""
    for path in ("libtesseract.so.5", ctypes.util.find_library("tesseract")):
        if not path:
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        _declare(lib)
        _quiet_leptonica()
        return lib
    return None


def _quiet_leptonica() -> None:
    # The command's stderr was captured and dropped; in-process, Leptonica's notes on each
    # page ("Error in boxClipToRectangle") would reach ours, where only warnings belong.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(ctypes.util.find_library("lept") or "liblept.so.5").setMsgSeverity(
            LEPTONICA_SILENT
        )


def _declare(lib: ctypes.CDLL) -> None:
    handle, text = ctypes.c_void_p, ctypes.c_char_p
    lib.TessBaseAPICreate.restype = handle
    lib.TessBaseAPIInit3.argtypes = [handle, text, text]
    lib.TessBaseAPISetVariable.argtypes = [handle, text, text]
    lib.TessBaseAPISetPageSegMode.argtypes = [handle, ctypes.c_int]
    lib.TessBaseAPISetImage.argtypes = [handle, handle] + [ctypes.c_int] * 4
    lib.TessBaseAPIRecognize.argtypes = [handle, handle]
    lib.TessBaseAPIGetTsvText.argtypes = [handle, ctypes.c_int]
    lib.TessBaseAPIGetTsvText.restype = handle  # freed with TessDeleteText, so not c_char_p
    lib.TessDeleteText.argtypes = [handle]
    lib.TessBaseAPIClear.argtypes = [handle]
    lib.TessBaseAPIEnd.argtypes = [handle]
    lib.TessBaseAPIDelete.argtypes = [handle]
    lib.TessMonitorCreate.restype = handle
    lib.TessMonitorSetDeadlineMSecs.argtypes = [handle, ctypes.c_int]
    lib.TessMonitorDelete.argtypes = [handle]


class LoadedTesseract:
    """One libtesseract instance with its language models loaded. Not thread-safe: a thread
    borrows it from the pool (`borrowed`) for one page at a time."""

    def __init__(self, lib: ctypes.CDLL, lang: str, tessdata: str | None):
        self.lib, self.key = lib, (lang, tessdata)
        self.handle = lib.TessBaseAPICreate()
        path = tessdata.encode() if tessdata else None
        if lib.TessBaseAPIInit3(self.handle, path, lang.encode()) != 0:
            lib.TessBaseAPIDelete(self.handle)
            raise RuntimeError(f"libtesseract could not load the models {lang!r}")
        # Tesseract's own notes ("Estimating resolution as 194") go nowhere, as they did
        # when the command's stderr was dropped.
        lib.TessBaseAPISetVariable(self.handle, b"debug_file", os.devnull.encode())

    def tsv(self, pixels: np.ndarray, psm: int, timeout_seconds: float) -> str:
        """Tesseract's TSV for an 8-bit grey image (the `tesseract ... tsv` rows, no header)."""
        pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
        height, width = pixels.shape
        lib, handle = self.lib, self.handle
        lib.TessBaseAPISetPageSegMode(handle, psm)
        lib.TessBaseAPISetImage(handle, pixels.ctypes.data, width, height, 1, width)
        monitor = lib.TessMonitorCreate()
        try:
            lib.TessMonitorSetDeadlineMSecs(monitor, max(1, int(timeout_seconds * 1000)))
            if lib.TessBaseAPIRecognize(handle, monitor) != 0:
                raise TessTimeout(f"libtesseract stopped after {timeout_seconds:g} s")
            raw = lib.TessBaseAPIGetTsvText(handle, 0)
            try:
                return ctypes.string_at(raw).decode("utf-8", "replace") if raw else ""
            finally:
                lib.TessDeleteText(raw)
        finally:
            lib.TessMonitorDelete(monitor)
            lib.TessBaseAPIClear(handle)  # drop the page's image and results, keep the models

    def close(self) -> None:
        self.lib.TessBaseAPIEnd(self.handle)
        self.lib.TessBaseAPIDelete(self.handle)


_pool: list[LoadedTesseract] = []
_pool_lock = threading.Lock()


def _fresh_lock_in_child() -> None:
    # A reader child is forked from a parent that may hold the lock in another thread.
    global _pool_lock
    _pool_lock = threading.Lock()


os.register_at_fork(after_in_child=_fresh_lock_in_child)


@contextlib.contextmanager
def borrowed(lang: str, tessdata: str | None) -> Iterator[LoadedTesseract]:
    """A loaded instance for these languages: an idle one from the pool (inherited across
    fork from a parent that preloaded it), else a new one; returned to the pool after use."""
    key = (lang, tessdata)
    with _pool_lock:
        found = next((t for t in _pool if t.key == key), None)
        if found is not None:
            _pool.remove(found)
    lib = library()
    if found is None:
        if lib is None:
            raise RuntimeError("libtesseract is not installed")
        found = LoadedTesseract(lib, lang, tessdata)
    try:
        yield found
    finally:
        with _pool_lock:
            _pool.append(found)


def preload(lang: str, tessdata: str | None, count: int) -> int:
    """Load up to `count` instances now (the OCR workers of the children forked later);
    returns how many are ready. Loading eng+fra costs about 0.15 s of CPU each."""
    lib = library()
    if lib is None:
        return 0
    key = (lang, tessdata)
    with _pool_lock:
        have = sum(t.key == key for t in _pool)
    for _ in range(count - have):
        try:
            loaded = LoadedTesseract(lib, lang, tessdata)
        except RuntimeError as exc:
            log.info("%s; pages are read with the tesseract command", exc)
            break
        with _pool_lock:
            _pool.append(loaded)
    with _pool_lock:
        return sum(t.key == key for t in _pool)


@atexit.register
def _close_all() -> None:
    # Ending each instance keeps libtesseract from printing "LEAK!" warnings at exit.
    with _pool_lock:
        while _pool:
            _pool.pop().close()
