"""The hash chain of the audit trail: how a link is hashed, how a trail is checked and how
its head is anchored outside the database. Pure."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
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


ANCHOR_FIELDS = ("seq", "entry_hash", "written_at")
_ANCHOR_PURPOSE = b"bankcrm.audit-anchor\n"
_HEX_HASH = re.compile(r"[0-9a-f]{64}")


class AnchorError(ValueError):
    """A line of an anchor file that is not an anchor signed with this installation's key."""


@dataclass(frozen=True)
class Anchor:
    """The trail's head as it was at ``written_at``, signed with a key kept outside the
    database: whoever can rewrite the database cannot forge one, so a trail cut back or
    rewritten behind an anchor is caught even when every link and the head agree again."""

    seq: int
    entry_hash: str
    written_at: datetime

    @property
    def when(self) -> str:
        return self.written_at.astimezone(UTC).isoformat(timespec="seconds")


def _anchor_signature(fields: dict[str, object], key: bytes) -> str:
    content = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hmac.new(key, _ANCHOR_PURPOSE + content, hashlib.sha256).hexdigest()


def anchor_line(anchor: Anchor, key: bytes) -> str:
    """One line of JSON: the anchor's fields and their HMAC-SHA256 under ``key``."""
    fields: dict[str, object] = {
        "seq": anchor.seq,
        "entry_hash": anchor.entry_hash,
        "written_at": anchor.written_at.astimezone(UTC).isoformat(timespec="microseconds"),
    }
    return json.dumps({**fields, "hmac": _anchor_signature(fields, key)}, separators=(",", ":"))


def read_anchor(line: str, key: bytes) -> Anchor:
    """The anchor on ``line``; AnchorError when it is malformed or its signature does not match
    (an edited seq, hash or time, or an anchor signed with another key)."""
    try:
        document = json.loads(line)
    except ValueError:
        raise AnchorError("not a JSON anchor") from None
    if not isinstance(document, dict) or set(document) != {*ANCHOR_FIELDS, "hmac"}:
        raise AnchorError(f"an anchor has exactly the fields {', '.join(ANCHOR_FIELDS)}, hmac")
    signature = document.pop("hmac")
    if not isinstance(signature, str) or not hmac.compare_digest(
        signature, _anchor_signature(document, key)
    ):
        raise AnchorError(
            "the signature does not match: the anchor was altered, or signed with another key"
        )
    seq, entry_hash, written_at = (document[name] for name in ANCHOR_FIELDS)
    if type(seq) is not int or seq < 1:
        raise AnchorError("seq is not an entry number")
    if not isinstance(entry_hash, str) or not _HEX_HASH.fullmatch(entry_hash):
        raise AnchorError("entry_hash is not a SHA-256 in hex")
    try:
        moment = datetime.fromisoformat(written_at) if isinstance(written_at, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise AnchorError("written_at is not a time with its offset")
    return Anchor(seq=seq, entry_hash=entry_hash, written_at=moment)


def anchor_breaks(
    anchors: Iterable[Anchor], *, head_seq: int, stored_hashes: Mapping[int, str]
) -> list[ChainBreak]:
    """Where the trail no longer holds what ``anchors`` vouch for; ``stored_hashes`` are the
    stored ``entry_hash`` by ``seq`` of the anchored entries that still exist.

    Each entry's hash covers every entry before it, so an anchored entry with its anchored
    hash proves the whole trail up to it; a missing one, a different one or a head behind it
    is a trail cut back or rewritten since the anchor was written."""
    breaks = []
    for anchor in anchors:
        stored = stored_hashes.get(anchor.seq)
        if stored is None:
            breaks.append(
                ChainBreak(
                    min(anchor.seq, head_seq + 1),
                    f"entry {anchor.seq}, anchored at {anchor.when}, is missing "
                    f"(the head is at entry {head_seq})",
                )
            )
        elif stored != anchor.entry_hash:
            breaks.append(
                ChainBreak(
                    anchor.seq,
                    f"entry {anchor.seq} is not the entry anchored at {anchor.when}: "
                    "the trail was rewritten up to it",
                )
            )
        elif head_seq < anchor.seq:
            breaks.append(
                ChainBreak(
                    head_seq + 1,
                    f"the head records entry {head_seq}, behind entry {anchor.seq} "
                    f"anchored at {anchor.when}",
                )
            )
    return breaks
