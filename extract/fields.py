"""Field extraction entry point: parties, items and end-use statements from read pages.

Stages, in order, share one set of page layouts; each marks the segments it consumed so
the next does not read them twice: goods tables and item blocks, then party blocks (and
prose mentions), then end-use statements.
"""

from __future__ import annotations

import logging

from exportdesk.extract.enduse import extract_end_use
from exportdesk.extract.items import extract_items
from exportdesk.extract.layout import build_layout, paragraphs
from exportdesk.extract.model import ApplicationResult, Warning
from exportdesk.extract.nlp import ner_integrity_error, ner_version
from exportdesk.extract.parties import extract_parties

log = logging.getLogger(__name__)

EXTRACTOR_VERSION = "fields-1"


def extract_fields(result: ApplicationResult) -> None:
    """Fill `result.parties`, `result.items` and `result.end_use` from its pages' words."""
    layouts = [build_layout(page) for page in result.document.pages if page.words]
    if not layouts:
        return
    items, warnings = extract_items(layouts)
    prose = [p for layout in layouts for p in paragraphs(layout)]
    parties = extract_parties(layouts, prose)
    end_use = extract_end_use(layouts, parties)
    result.items = items
    result.parties = parties
    result.end_use = end_use
    result.warnings.extend(warnings)
    result.warnings.extend(nothing_found(result))
    result.versions["extractor"] = EXTRACTOR_VERSION
    ner = ner_version()
    if ner:
        result.versions["ner"] = ner
    refused = ner_integrity_error()
    if refused:
        result.warnings.append(
            Warning(
                code="model_integrity_failed",
                message=f"The organisation NER was not used: {refused}. Parties were read by "
                "the rules alone, so prose mentions may be missing; check the parties by hand "
                "and ask an admin to restore or retrain the model (`exportdesk models list "
                "--kind ner`).",
            )
        )


def nothing_found(result: ApplicationResult) -> list[Warning]:
    """Say so when readable pages gave no party or no goods line (a datasheet, an odd layout)."""
    out = []
    if not result.parties:
        out.append(
            Warning(
                code="no_parties_found",
                message="No applicant, consignee, end user or other party was recognised on "
                "the readable pages. Check that this is a licence application and add the "
                "parties by hand in the review screen.",
            )
        )
    if not result.items:
        out.append(
            Warning(
                code="no_items_found",
                message="No goods line (description with a quantity or value) was recognised. "
                "Check the document and add the items by hand in the review screen.",
            )
        )
    return out
