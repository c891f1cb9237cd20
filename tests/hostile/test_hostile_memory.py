"""Memory bombs end as `resource_limit` on their own file, and the good file is still read."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import hostile_files as hf
import pytest

LIMIT = {"EXPORTDESK_MAX_READ_MEMORY_MB": "700"}


@cache
def _bomb(kind: str) -> bytes:
    if kind == "spaces":
        return hf.content_stream_bomb_pdf()
    return hf.text_operator_bomb_pdf()


@pytest.mark.parametrize("kind", ["spaces", "text-operators"])
@pytest.mark.slow  # about a minute under load: two CLI runs that each inflate up to the limit
def test_content_stream_inflating_to_1_gib_stops_at_the_memory_limit(
    tmp_path: Path, kind: str
) -> None:
    run = hf.process_beside_good(tmp_path, f"bomb-{kind}.pdf", _bomb(kind), env=LIMIT)
    assert run.exit_code == 1
    assert run.codes(f"bomb-{kind}.pdf") == ["resource_limit"]
    assert (
        "EXPORTDESK_MAX_READ_MEMORY_MB" in run.results[f"bomb-{kind}.pdf"]["warnings"][0]["message"]
    )
    assert "Traceback" not in run.stderr
