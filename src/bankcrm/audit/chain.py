"""The hash chain of the audit trail: how a link is hashed and how a trail is checked. Pure."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Link:
    """The hashed content of one audit entry."""

    seq: int
    occurred_at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    entity: str
    entity_id: str | None
    customer_id: int | None
    reason: str | None
    before_json: str | None
    after_json: str | None


@dataclass(frozen=True)
class StoredLink:
    link: Link
    prev_hash: str
    entry_hash: str


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the stored trail is not the trail that was written."""

    seq: int
    problem: str


def canonical_time(moment: datetime) -> str:
    """UTC, microseconds, no offset: the same text whether the store kept the zone or not."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def link_hash(prev_hash: str, link: Link) -> str:
    content = [
        prev_hash,
        link.seq,
        canonical_time(link.occurred_at),
        link.actor_id,
        link.actor_label,
        link.action,
        link.entity,
        link.entity_id,
        link.customer_id,
        link.reason,
        link.before_json,
        link.after_json,
    ]
    encoded = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def first_break(
    stored: Iterable[StoredLink], *, head_seq: int, head_hash: str
) -> tuple[int, ChainBreak | None]:
    """Walk the trail in ``seq`` order; the number of entries checked and the first break.

    Catches an altered entry (its hash no longer matches its content), a removed or
    inserted entry (sequence gap or broken link) and a cut-off tail (the head, kept in its
    own row, points past the last entry)."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for entry in stored:
        seq = entry.link.seq
        if seq != expected_seq:
            return checked, ChainBreak(
                expected_seq, f"entry {expected_seq} is missing (the next stored is {seq})"
            )
        if entry.prev_hash != expected_prev:
            return checked, ChainBreak(seq, f"entry {seq} does not link to entry {seq - 1}")
        if link_hash(entry.prev_hash, entry.link) != entry.entry_hash:
            return checked, ChainBreak(seq, f"entry {seq} was altered after it was written")
        expected_prev = entry.entry_hash
        expected_seq += 1
        checked += 1
    last_seq = expected_seq - 1
    if head_seq != last_seq or head_hash != expected_prev:
        return checked, ChainBreak(
            last_seq + 1,
            f"the trail ends at entry {last_seq} but the head records entry {head_seq}",
        )
    return checked, None
