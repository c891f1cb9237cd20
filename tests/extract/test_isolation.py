"""Reading in a child process: results, progress, and each kind of breach as `resource_limit`."""

from __future__ import annotations

import os
import time

import builders

from exportdesk.extract.isolation import read_limited
from exportdesk.extract.read import read_bytes
from exportdesk.extract.settings import Settings

LIMITED = Settings(max_read_memory_mb=300, max_read_seconds=2.0)


def test_result_and_words_come_back_from_the_child() -> None:
    data = builders.text_pdf()
    seen: list[tuple[int, int]] = []
    result = read_limited(
        lambda report: read_bytes(data, "good.pdf", LIMITED, progress=report),
        "good.pdf",
        LIMITED,
        lambda done, total: seen.append((done, total)),
    )
    assert result.readable and result.warnings == []
    assert "Nordlicht" in result.document.pages[0].text  # words survive the trip
    assert seen == [(1, 2), (2, 2)]
    assert result.document.sha256 == read_bytes(data, "good.pdf").document.sha256


def _allocate(report) -> None:  # type: ignore[no-untyped-def]
    hoard = [bytearray(50 * 2**20) for _ in range(40)]  # 2 GB, over the 300 MB allowance
    raise AssertionError(f"allocated {len(hoard)} blocks past the limit")


def test_memory_over_the_allowance_is_resource_limit() -> None:
    # A generous deadline: on a loaded machine the allocation alone has outlasted 2 s, and the
    # breach reported was then the deadline, not the memory this test is about.
    memory_only = Settings(max_read_memory_mb=300, max_read_seconds=120.0)
    result = read_limited(_allocate, "hog.pdf", memory_only)  # type: ignore[arg-type]
    assert [w.code for w in result.warnings] == ["resource_limit"]
    assert "300 MB" in result.warnings[0].message
    assert not result.readable


def test_reader_past_the_deadline_is_stopped() -> None:
    start = time.monotonic()
    result = read_limited(lambda report: time.sleep(60), "slow.pdf", LIMITED)  # type: ignore[arg-type,return-value]
    assert time.monotonic() - start < 30
    assert [w.code for w in result.warnings] == ["resource_limit"]
    assert "EXPORTDESK_MAX_READ_SECONDS" in result.warnings[0].message


def test_engine_crash_in_the_child_is_resource_limit_not_a_lost_batch() -> None:
    result = read_limited(lambda report: os.abort(), "crash.pdf", LIMITED)  # type: ignore[arg-type,return-value]
    assert [w.code for w in result.warnings] == ["resource_limit"]
    assert "SIGABRT" in result.warnings[0].message


def test_limit_zero_reads_in_process() -> None:
    result = read_limited(
        lambda report: read_bytes(builders.text_pdf(), "a.pdf"),
        "a.pdf",
        Settings(max_read_memory_mb=0),
    )
    assert result.readable
