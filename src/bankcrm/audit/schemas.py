from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from bankcrm.core.db import UtcDatetime
from bankcrm.core.enums import AuditAction
from bankcrm.core.pagination import Page


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    occurred_at: UtcDatetime
    actor_id: int | None
    actor_label: str
    action: AuditAction
    entity: str
    entity_id: str | None
    customer_id: int | None
    reason: str | None
    before_json: str | None
    after_json: str | None
    entry_hash: str


class AuditEntryPage(Page[AuditEntryRead]):
    pass


class AuditVerification(BaseModel):
    entries_checked: int
    head_seq: int
    head_hash: str
    intact: bool
    """Every check passed: the chain, the append-only triggers and any anchors."""
    broken_at: int | None = None
    """The ``seq`` of the first entry that is missing, altered or unlinked."""
    problem: str | None = None
    """What is wrong at ``broken_at`` or, when only the triggers or an anchor file fail, the
    first of ``problems``."""
    missing_triggers: list[str] = []
    """Append-only triggers that are missing, disabled or altered."""
    anchors_checked: int = 0
    """Signed anchors (``--anchor FILE``) checked against the trail."""
    anchored_seq: int | None = None
    """The last entry a valid anchor vouches for."""
    problems: list[str] = []
    """Every problem found, one line each, as ``bankcrm audit verify`` prints them."""
