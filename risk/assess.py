"""Risk signals for one application, run after extraction and classification."""

from __future__ import annotations

import logging
from pathlib import Path

from exportdesk.extract.model import ApplicationResult, Warning
from exportdesk.risk.consistency import consistency_flags
from exportdesk.risk.enduse import red_flags
from exportdesk.risk.lists import current_edition
from exportdesk.risk.parties import screening_findings

log = logging.getLogger(__name__)

RISK_VERSION = "risk-1"


def assess(result: ApplicationResult, data_dir: Path | None = None) -> list[Warning]:
    """Every risk finding for a read application; one failing check never hides the others."""
    checks = [
        ("screening", lambda: screening_findings(result, data_dir)),
        ("end-use", lambda: red_flags(result)),
        ("consistency", lambda: consistency_flags(result)),
    ]
    found: list[Warning] = []
    for name, check in checks:
        try:
            found.extend(check())
        except Exception as exc:  # a bug in one check must not cost the others
            log.exception("risk check %s failed", name)
            found.append(
                Warning(
                    code="risk_check_failed",
                    message=f"The {name} check failed ({type(exc).__name__}: {exc}); do it by "
                    "hand and report this file to the exportdesk team.",
                )
            )
    return found


def attach_risk(result: ApplicationResult, data_dir: Path | None = None) -> None:
    """Add the findings to the result's warnings and stamp the list edition used."""
    result.warnings.extend(assess(result, data_dir))
    result.versions["risk"] = RISK_VERSION
    result.versions["screening_list"] = current_edition(data_dir).label
