"""Which stored values are personal data, how they are masked, and how they are erased.

Pure: no database, no web. The audit trail fingerprints these columns, the customer views
mask the displayed subset, and a deletion request erases them."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

CUSTOMER_CONTACT_FIELDS: tuple[str, ...] = (
    "id_number",
    "birth_date",
    "primary_address",
    "secondary_address",
    "mobile_phone",
    "office_phone",
    "fax",
    "email",
)
"""Shown masked to roles without ``personal_data:view``; unmasking them is an audited read."""

CUSTOMER_PERSONAL_FIELDS: tuple[str, ...] = (
    "name",
    "nickname",
    *CUSTOMER_CONTACT_FIELDS,
    "gender",
    "best_visit_time",
    "income_level",
    "occupation",
    "interests",
    "communication_style",
    "decision_pattern",
    "preferences",
    "other_banks",
    "decision_maker",
)
"""Everything a deletion request erases from the customer row (``name`` becomes a pseudonym)."""

PERSONAL_COLUMNS: dict[str, frozenset[str]] = {
    "customers": frozenset(CUSTOMER_PERSONAL_FIELDS),
    "interactions": frozenset({"subject", "outcome", "notes"}),
    "notes": frozenset({"body"}),
    "complaints": frozenset({"text", "reply"}),
    "complaint_events": frozenset({"text"}),
    "complaint_recoveries": frozenset({"note"}),
    "privacy_requests": frozenset({"note", "corrections"}),
    "staff_users": frozenset({"full_name", "email", "phone"}),
}
"""Columns whose values never enter the audit trail in clear."""

SECRET_COLUMNS: dict[str, frozenset[str]] = {
    "staff_users": frozenset({"password_hash"}),
    "survey_invitations": frozenset({"token"}),
    "staff_sessions": frozenset({"key_digest"}),
}
"""Columns whose values never enter the audit trail at all."""

SECRET_MARK = "[secret]"
ERASED_TEXT = "[erased]"


def fingerprint(value: object, key: bytes) -> str:
    """A keyed digest of a personal value: equal values match, the value cannot be read back."""
    digest = hmac.new(key, repr(value).encode("utf-8"), hashlib.sha256).hexdigest()
    return f"hmac:{digest[:16]}"


def pseudonym(customer_id: int, key: bytes) -> str:
    """The name an erased customer is kept under; stable, so reports still group correctly."""
    digest = hmac.new(key, f"customer:{customer_id}".encode(), hashlib.sha256).hexdigest()
    return f"ANON-{digest[:10].upper()}"


def mask(field: str, value: object) -> object:
    """What a role without ``personal_data:view`` sees of one contact field."""
    if value is None:
        return None
    if isinstance(value, date):
        return None
    text = str(value)
    if field == "email":
        local, _, domain = text.partition("@")
        return f"{local[:1]}***@{domain}" if domain else _keep_ends(text, 1, 0)
    if field in {"primary_address", "secondary_address"}:
        return text[:6] + "****" if len(text) > 6 else "****"
    if field == "id_number":
        return _keep_ends(text, 3, 4)
    return _keep_ends(text, 3, 4) if len(text) >= 11 else _keep_ends(text, 2, 2)


def _keep_ends(text: str, head: int, tail: int) -> str:
    if len(text) <= head + tail:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + (text[-tail:] if tail else "")
