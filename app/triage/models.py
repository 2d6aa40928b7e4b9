"""The triage history (SPEC 17): each triage answer given with a ticket, as it was given."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UtcDateTime
from app.inputs import TICKET_WIDTH


class TriageRecord(Base):
    """One triage answer: the request as it came, the answer as it went, who asked, when."""

    __tablename__ = "triage_records"
    __table_args__ = (
        Index("ix_triage_records_ticket_at", "ticket", "at"),
        Index("ix_triage_records_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket: Mapped[str] = mapped_column(String(TICKET_WIDTH), nullable=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    # The token's name, or "cli" for the command line.
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    request: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    answer: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
