"""The typed document model that travels through every stage, mirroring the output contract.

Coordinates are PDF points with the origin at the top-left of the page, in the order
pdfplumber uses everywhere: ``(x0, top, x1, bottom)``. Page numbers start at 1.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_ID: Literal["exportdesk.application-result/v1"] = "exportdesk.application-result/v1"

PageSource = Literal["text_layer", "ocr"]
PartyRole = Literal[
    "applicant", "consignee", "intermediate_consignee", "end_user", "purchaser", "other"
]
BBox = tuple[float, float, float, float]
Probability = float


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Word(_Model):
    """One word on a page, as the text layer or Tesseract gave it."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    source: PageSource
    confidence: Probability = Field(1.0, ge=0, le=1)
    # Tesseract's block/line numbers (or pdfplumber line clustering) keep reading order.
    block: int = 0
    line: int = 0

    @property
    def bbox(self) -> BBox:
        return (self.x0, self.top, self.x1, self.bottom)


class Evidence(_Model):
    """Where on which page a value was read, and the text it was read from."""

    page: int = Field(ge=1)
    bbox: BBox
    text: str | None = None
    source: PageSource | None = None


class Page(_Model):
    page: int = Field(ge=1)
    source: PageSource
    ocr_mean_confidence: Probability | None = Field(None, ge=0, le=1)
    rotation: float | None = None
    width: float | None = None
    height: float | None = None
    seconds: float | None = None
    # Words are the raw material for extraction and highlighting; they are kept out of
    # the contract JSON (too large) but are available to every stage in memory.
    words: list[Word] = Field(default_factory=list, exclude=True)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


class DocumentInfo(_Model):
    filename: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    page_count: int = Field(ge=0)
    pages: list[Page] = Field(default_factory=list)
    size_bytes: int | None = None


class Suggestion(_Model):
    """A model's proposal for one item. Not a decision: only a person confirms."""

    catalogue: str
    code: str
    title: str | None = None
    confidence: Probability = Field(ge=0, le=1)
    rationale: str
    model_version: str | None = None
    catalogue_edition: str | None = None
    # Set when this suggestion belongs to its jurisdiction's conformal prediction set: the
    # set's stated coverage (0.9: the set holds the right entry for 90 % of items) and how
    # many entries it holds (it may hold more than are shown). None when the suggestion is
    # outside the set or no set was fitted for the model version.
    prediction_set_coverage: Probability | None = Field(None, ge=0, le=1)
    prediction_set_size: int | None = Field(None, ge=1)


class Party(_Model):
    role: PartyRole
    name: str
    address: str | None = None
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    confidence: Probability = Field(ge=0, le=1)
    evidence: list[Evidence] = Field(default_factory=list)


class Item(_Model):
    index: int = Field(ge=1)
    description: str
    quantity: float | None = None
    unit: str | None = None
    unit_price: float | None = None
    total_value: float | None = None
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    model: str | None = None
    manufacturer: str | None = None
    declared_classification: str | None = None
    confidence: Probability = Field(ge=0, le=1)
    evidence: list[Evidence] = Field(default_factory=list)
    suggestions: list[Suggestion] = Field(default_factory=list)


class EndUse(_Model):
    statement: str
    end_user: str | None = None
    confidence: Probability = Field(ge=0, le=1)
    evidence: list[Evidence] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)


class Warning(_Model):
    code: str
    message: str
    page: int | None = None
    # Optional, for risk findings (the contract allows extra keys on a warning): where each
    # side of the finding was read, and machine-readable facts (score, list entry, rule).
    # Left out of the JSON when empty.
    evidence: list[Evidence] | None = None
    detail: dict[str, Any] | None = None


class ApplicationResult(_Model):
    """Everything the pipeline read from one application: the contract's top-level object."""

    schema_: Literal["exportdesk.application-result/v1"] = Field(SCHEMA_ID, alias="schema")
    document: DocumentInfo
    parties: list[Party] = Field(default_factory=list)
    items: list[Item] = Field(default_factory=list)
    end_use: list[EndUse] = Field(default_factory=list)
    warnings: list[Warning] = Field(default_factory=list)
    # Which model and catalogue versions produced this result (for audit and retraining).
    versions: dict[str, str] = Field(default_factory=dict)

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=True)

    def to_contract(self) -> dict:
        """The JSON-ready dict that `exportdesk process --json` prints."""
        out = self.model_dump(mode="json", by_alias=True)
        for warning in out["warnings"]:
            for key in ("evidence", "detail"):
                if warning.get(key) is None:
                    warning.pop(key, None)
        return out

    @property
    def readable(self) -> bool:
        """False when the file as a whole could not be read (the CLI exits 1)."""
        return not any(w.page is None and w.code in FILE_LEVEL_FAILURES for w in self.warnings)


# Warning codes of risk findings (risk/): signals for the officer, never a read failure.
RISK_CODES = frozenset(
    {"party_screening_hit", "end_use_red_flag", "inconsistent_documents", "risk_check_failed"}
)

# Warning codes that mean the whole file could not be read.
FILE_LEVEL_FAILURES = frozenset(
    {
        "not_a_pdf",
        "empty_file",
        "encrypted",
        "corrupt",
        "truncated",
        "no_pages",
        "too_many_pages",
        "file_too_large",
        "unreadable_path",
        "not_a_regular_file",
        "resource_limit",
    }
)
