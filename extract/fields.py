"""Field extraction entry point: parties, items and end-use statements from read pages.

Until the extraction stage lands (issue 3) this finds nothing, so results carry empty
lists exactly as the contract allows.
"""

from __future__ import annotations

from exportdesk.extract.model import ApplicationResult


def extract_fields(result: ApplicationResult) -> None:
    """Fill `result.parties`, `result.items` and `result.end_use` from its pages' words."""
    return None
