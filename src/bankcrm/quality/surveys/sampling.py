"""Who is asked in a survey wave, with which link, and how many answered.

Pure: candidate customers in, the chosen ones out; invitation counts in, response rates out.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable, Sequence
from dataclasses import astuple, dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import numpy as np

from bankcrm.core.config import QualitySettings

TOKEN_BYTES = 24
"""Random bytes of a link's token: 32 URL-safe characters, not guessable."""
_DEFAULTS = QualitySettings()


class Candidate(NamedTuple):
    """A customer who might be asked, with what the selection looks at (a tuple: a bank has
    tens of thousands of them)."""

    customer_id: int
    branch_id: int | None
    branch_code: str | None
    active: bool
    erased: bool
    quadrant: str | None = None
    """The customer-matrix quadrant in the latest segmentation run; none if not segmented."""
    value_tier: str | None = None


@dataclass(frozen=True)
class Selection:
    """How respondents are picked; every criterion left empty lets everyone through."""

    branch_codes: Sequence[str] = ()
    quadrants: Sequence[str] = ()
    value_tiers: Sequence[str] = ()
    sample_size: int | None = None
    """At most this many, drawn at random; all who qualify when none."""
    seed: int | None = None
    """The random draw's seed: the same seed on the same candidates picks the same people."""

    def __post_init__(self) -> None:
        if self.sample_size is not None and self.sample_size < 1:
            raise ValueError("a sample has at least one respondent")


def eligible(
    candidates: Iterable[Candidate], selection: Selection, *, already_invited: Collection[int]
) -> list[Candidate]:
    """Active, not erased, not yet invited customers that meet every criterion, by id."""
    branches = set(selection.branch_codes)
    quadrants = set(selection.quadrants)
    tiers = set(selection.value_tiers)
    kept = [
        candidate
        for candidate in candidates
        if candidate.active
        and not candidate.erased
        and candidate.customer_id not in already_invited
        and (not branches or candidate.branch_code in branches)
        and (not quadrants or candidate.quadrant in quadrants)
        and (not tiers or candidate.value_tier in tiers)
    ]
    return sorted(kept, key=lambda candidate: candidate.customer_id)


def select_respondents(
    candidates: Iterable[Candidate], selection: Selection, *, already_invited: Collection[int]
) -> list[Candidate]:
    """The customers to invite: everyone :func:`eligible`, or a random sample of them.

    The sample is drawn with NumPy's default generator from ``selection.seed`` over the
    eligible customers in id order, so it does not depend on the order candidates come in.
    """
    pool = eligible(candidates, selection, already_invited=already_invited)
    if selection.sample_size is None or selection.sample_size >= len(pool):
        return pool
    generator = np.random.default_rng(selection.seed)
    chosen = generator.choice(len(pool), size=selection.sample_size, replace=False)
    return [pool[index] for index in sorted(int(position) for position in chosen)]


def new_token() -> str:
    """The secret part of a one-time survey link."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def reminder_due(
    *,
    issued_at: datetime,
    reminded_at: datetime | None,
    reminders: int,
    completed: bool,
    now: datetime,
    min_days: int = _DEFAULTS.reminder_after_days,
    max_reminders: int = _DEFAULTS.max_reminders,
) -> bool:
    """Whether an invitation gets a reminder now: not answered, reminded fewer than
    ``max_reminders`` times, and issued (and last reminded) at least ``min_days`` ago, so
    that running the reminders twice in a row does not send two."""
    last_contact = max(issued_at, reminded_at) if reminded_at is not None else issued_at
    return (
        not completed
        and reminders < max_reminders
        and now - last_contact >= timedelta(days=min_days)
    )


@dataclass(frozen=True)
class InvitationCounts:
    """How far the invitations of one group (a branch, or the whole wave) got."""

    issued: int = 0
    opened: int = 0
    """Links opened at least once (answered ones included)."""
    partial: int = 0
    """Answers saved as a draft and not yet submitted."""
    completed: int = 0

    def __add__(self, other: InvitationCounts) -> InvitationCounts:
        return InvitationCounts(*map(sum, zip(astuple(self), astuple(other), strict=True)))


@dataclass(frozen=True)
class ResponseRate:
    counts: InvitationCounts
    rate: float | None
    """Completed ÷ issued; none before anything is issued."""


@dataclass(frozen=True)
class ResponseRates:
    overall: ResponseRate
    by_branch: dict[str | None, ResponseRate]
    """By the branch's name; ``None`` for invitations without a branch."""


def response_rate(counts: InvitationCounts) -> ResponseRate:
    return ResponseRate(
        counts=counts, rate=counts.completed / counts.issued if counts.issued else None
    )


def response_rates(groups: Sequence[tuple[str | None, InvitationCounts]]) -> ResponseRates:
    """The rate of the whole wave and of each branch, from the counts of each branch (one
    group a branch, as the query groups them)."""
    return ResponseRates(
        overall=response_rate(sum((counts for _, counts in groups), InvitationCounts())),
        by_branch={branch: response_rate(counts) for branch, counts in groups},
    )
