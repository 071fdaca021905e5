"""Whom a campaign reaches: the segment query, the rules that leave a customer out of the
contact, and the random control group.

The control group is drawn after the exclusions, among the customers the campaign could
contact, so that treatment and control differ only by the contact: a customer without
consent is in neither group. The draw is stratified by branch (each branch gives the same
share), seeded, and reproducible from the frozen member list.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bankcrm.core.enums import CustomerType, LifecycleStage, Quadrant, ValueTier
from bankcrm.core.pagination import MAX_ID

RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A branch's or a product's id as the database keeps it."""


class SegmentCriteria(BaseModel):
    """A saved segment query. Empty lists put no condition; a customer must meet every
    condition that is set. Quadrant, tier and lifecycle stage are those of the latest
    segmentation run; churn risk the probability of the latest churn run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quadrants: tuple[Quadrant, ...] = ()
    value_tiers: tuple[ValueTier, ...] = ()
    lifecycle_stages: tuple[LifecycleStage, ...] = ()
    customer_types: tuple[CustomerType, ...] = ()
    branch_ids: tuple[RowId, ...] = ()
    churn_risk_min: float | None = Field(default=None, ge=0, le=1)
    churn_risk_max: float | None = Field(default=None, ge=0, le=1)
    holds_products: tuple[RowId, ...] = ()
    """Customers who hold every one of these products (ids)."""
    lacks_products: tuple[RowId, ...] = ()
    """Customers who hold none of these products: the cross-sell target."""

    @model_validator(mode="after")
    def _risk_range(self) -> SegmentCriteria:
        low, high = self.churn_risk_min, self.churn_risk_max
        if low is not None and high is not None and low > high:
            raise ValueError("churn_risk_min must not exceed churn_risk_max")
        return self

    @property
    def needs_segments(self) -> bool:
        return bool(self.quadrants or self.value_tiers or self.lifecycle_stages)

    @property
    def needs_churn(self) -> bool:
        return self.churn_risk_min is not None or self.churn_risk_max is not None

    def reasons(self) -> list[str]:
        """Why a member is in the list: each condition they met, as ``name=value``."""
        met: list[str] = []
        for name, values in (
            ("quadrant", self.quadrants),
            ("value_tier", self.value_tiers),
            ("lifecycle", self.lifecycle_stages),
            ("customer_type", self.customer_types),
            ("branch", self.branch_ids),
            ("holds", self.holds_products),
            ("lacks", self.lacks_products),
        ):
            if values:
                met.append(f"{name}={','.join(str(value) for value in values)}")
        if self.churn_risk_min is not None:
            met.append(f"churn_risk>={self.churn_risk_min:g}")
        if self.churn_risk_max is not None:
            met.append(f"churn_risk<={self.churn_risk_max:g}")
        return met or ["all_customers"]


class Exclusion(StrEnum):
    """Why a customer of the segment is left out of the campaign, in the order checked."""

    HOLDOUT = "holdout"
    """In the bank-wide holdout while it runs."""
    CONTROL_ELSEWHERE = "control_elsewhere"
    """In another campaign's control group during that campaign's window."""
    OPTED_OUT = "opted_out"
    """Said no to marketing on the campaign's channel."""
    NO_CONSENT = "no_consent"
    """Never said yes to marketing on the campaign's channel."""
    NO_ADDRESS = "no_address"
    """No mobile number or e-mail address for the channel."""
    FREQUENCY_CAP = "frequency_cap"
    """Already reached the most contacts allowed within the cap window."""
    UNSUITABLE = "unsuitable"
    """The offered product is not suitable for the customer (the offers gate refuses it)."""


def exclusions(
    *,
    held_out: npt.NDArray[np.bool_],
    control_elsewhere: npt.NDArray[np.bool_],
    opted_out: npt.NDArray[np.bool_],
    consented: npt.NDArray[np.bool_],
    addressable: npt.NDArray[np.bool_],
    recent_contacts: npt.NDArray[np.int_],
    frequency_cap: int,
    suitable: npt.NDArray[np.bool_],
) -> list[Exclusion | None]:
    """The first reason each customer is left out, or ``None`` for a customer the campaign
    may contact. All arrays are aligned on the same customers."""
    checks: list[tuple[Exclusion, npt.NDArray[np.bool_]]] = [
        (Exclusion.HOLDOUT, held_out),
        (Exclusion.CONTROL_ELSEWHERE, control_elsewhere),
        (Exclusion.OPTED_OUT, opted_out),
        (Exclusion.NO_CONSENT, ~consented),
        (Exclusion.NO_ADDRESS, ~addressable),
        (Exclusion.FREQUENCY_CAP, recent_contacts >= frequency_cap),
        (Exclusion.UNSUITABLE, ~suitable),
    ]
    reasons: list[Exclusion | None] = [None] * len(held_out)
    decided = np.zeros(len(held_out), dtype=bool)
    for reason, hit in checks:
        for index in np.flatnonzero(hit & ~decided):
            reasons[int(index)] = reason
        decided |= hit
    return reasons


def draw_control(
    strata: npt.NDArray[np.int64], *, share: float, seed: int
) -> npt.NDArray[np.bool_]:
    """Which customers form the control group: in each stratum (branch) a share ``share``
    drawn at random, its size rounded up or down at random so that the expected size is
    exactly ``share`` of the stratum. Customers should come in a fixed order (by id) so the
    same seed draws the same group."""
    if not 0 <= share < 1:
        raise ValueError(f"the control share must lie in [0, 1), not {share}")
    size = len(strata)
    control = np.zeros(size, dtype=bool)
    if size == 0 or share == 0:
        return control
    rng = np.random.default_rng(seed)
    order = np.lexsort((rng.random(size), strata))
    _, starts, counts = np.unique(strata[order], return_index=True, return_counts=True)
    quotas = np.floor(share * counts + rng.random(len(counts))).astype(np.int64)
    rank = np.arange(size) - np.repeat(starts, counts)
    control[order] = rank < np.repeat(quotas, counts)
    return control
