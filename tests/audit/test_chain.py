"""The chain on hand-made links: every kind of tampering is named at its first entry."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from bankcrm.audit.chain import GENESIS_HASH, Link, StoredLink, first_break, link_hash


def _trail(length: int) -> list[StoredLink]:
    stored = []
    prev = GENESIS_HASH
    for seq in range(1, length + 1):
        link = Link(
            seq=seq,
            occurred_at=datetime(2026, 11, 25, 9, 0, tzinfo=UTC) + timedelta(seconds=seq),
            actor_id=7,
            actor_label="wang",
            action="update",
            entity="customers",
            entity_id=str(seq),
            customer_id=seq,
            reason=None,
            before_json='{"risk_level":"C2"}',
            after_json='{"risk_level":"C3"}',
        )
        entry_hash = link_hash(prev, link)
        stored.append(StoredLink(link=link, prev_hash=prev, entry_hash=entry_hash))
        prev = entry_hash
    return stored


def _check(stored: list[StoredLink], head: StoredLink | None = None):  # type: ignore[no-untyped-def]
    last = head or stored[-1]
    return first_break(stored, head_seq=last.link.seq, head_hash=last.entry_hash)


def test_an_untouched_trail_is_intact() -> None:
    assert _check(_trail(5)) == (5, None)


def test_the_hash_is_the_same_whether_the_store_kept_the_time_zone() -> None:
    link = _trail(1)[0].link
    shanghai = link.occurred_at.astimezone(timezone(timedelta(hours=8)))
    naive_utc = link.occurred_at.replace(tzinfo=None)
    assert link_hash(GENESIS_HASH, replace(link, occurred_at=shanghai)) == link_hash(
        GENESIS_HASH, replace(link, occurred_at=naive_utc)
    )


def test_an_edited_entry_is_named() -> None:
    stored = _trail(5)
    edited = replace(stored[2].link, after_json='{"risk_level":"C5"}')
    stored[2] = replace(stored[2], link=edited)
    checked, broken = _check(stored)
    assert checked == 2
    assert broken is not None and broken.seq == 3 and "altered" in broken.problem


def test_an_entry_rehashed_after_editing_breaks_the_next_link() -> None:
    stored = _trail(5)
    edited = replace(stored[2].link, reason="covered up")
    stored[2] = StoredLink(edited, stored[2].prev_hash, link_hash(stored[2].prev_hash, edited))
    _, broken = _check(stored, head=_trail(5)[-1])
    assert broken is not None and broken.seq == 4 and "does not link" in broken.problem


def test_a_removed_entry_is_named() -> None:
    stored = _trail(5)
    del stored[1]
    _, broken = _check(stored)
    assert broken is not None and broken.seq == 2 and "missing" in broken.problem


def test_a_cut_off_tail_is_caught_by_the_head() -> None:
    stored = _trail(5)
    _, broken = _check(stored[:3], head=stored[-1])
    assert broken is not None and broken.seq == 4 and "head records entry 5" in broken.problem
