"""Tables of the licensing stage: precedent use, condition templates, licence decision versions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from exportdesk.review.tables import Base, utcnow

OUTCOMES = ("approve", "refuse", "return")


class PrecedentUse(Base):
    """A decision taken from an earlier confirmed decision: which one, and how it matched."""

    __tablename__ = "precedent_uses"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), unique=True)
    precedent_decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    match: Mapped[str] = mapped_column(String(20))  # "model" or "description"
    similarity: Mapped[float | None] = mapped_column()
    taken_by: Mapped[str] = mapped_column(String(200))
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConditionTemplate(Base):
    """A licence condition the admin maintains; a decision copies its text when issued."""

    __tablename__ = "condition_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    text: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LicenceDecision(Base):
    """One version of an application's licence decision. Never updated: a correction is a new
    version that names the one it supersedes (the database refuses UPDATE and DELETE)."""

    __tablename__ = "licence_decisions"
    __table_args__ = (UniqueConstraint("application_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("licence_decisions.id"))
    correction_reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[str] = mapped_column(Text)
    # [{"template": key or None, "text": ...}], copied so a later template edit changes nothing.
    conditions: Mapped[list[Any]] = mapped_column(JSON)
    reporting_duties: Mapped[list[Any]] = mapped_column(JSON)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    # What the letter lists, frozen at issue: parties and items with their decided codes.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    issued_by: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    letter_sha256: Mapped[str] = mapped_column(String(64))
    letter_pdf: Mapped[bytes] = mapped_column(LargeBinary)
