"""The five service-quality gaps (差距一…差距五): evidence, severity and a diagnosis.

Each gap gets a small evidence record computed from plain numbers that the surveys,
standards, inspections, promise register and complaints already hold; nothing here touches
the web or the database. Every record carries a ``severity`` in [0, 1] and an ``open``
flag; a gap without data has no severity and is ``unknown``, never closed, because "we
have not looked" must not read as "all is well".

Every severity rule is the same linear ramp, :func:`ramp`: 0 at a *target* value (no
concern), 1 at a *failing* value, straight in between and clamped outside, so it is
monotone in the measured figure. Targets, failing values and the opening threshold are
parameters with the defaults documented in ``docs/quality.md``. :func:`diagnose` ranks the
open gaps and attaches the control methods (控制差距的方法) from ``data/gap_controls.toml``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from bankcrm.core.enums import TargetDirection
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.toml_tables import Text, TomlTable, read_toml

GAP_NUMBERS = (1, 2, 3, 4, 5)

DEFAULT_OPEN_AT = 0.5
"""A gap is open from this severity on: halfway from its target to its failing value."""

PER_THOUSAND = 1000.0

NOT_AS_ADVERTISED = "not_as_advertised"
"""Complaint issue tag of a customer told one thing and given another (gap 4)."""


class GapStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    UNKNOWN = "unknown"


def ramp(value: float, *, target: float, failing: float) -> float:
    """Severity of ``value``: 0 at ``target``, 1 at ``failing``, linear and clamped.

    ``failing`` may lie above ``target`` (a difference that should be small) or below it
    (a rate that should be high); either way the severity grows as the value moves from
    the target towards the failing value.
    """
    if target == failing:
        raise ValueError("target and failing value must differ")
    return min(1.0, max(0.0, (value - target) / (failing - target)))


def _check_open_at(open_at: float) -> None:
    if not 0.0 < open_at <= 1.0:
        raise ValidationFailed("must be above 0 and at most 1", field="open_at")


@dataclass(frozen=True, kw_only=True)
class _Judgement:
    """Severity in [0, 1] (``None``: no data) and the severity from which the gap is open."""

    severity: float | None = None
    open_at: float = DEFAULT_OPEN_AT

    @property
    def open(self) -> bool:
        return self.severity is not None and self.severity >= self.open_at

    @property
    def status(self) -> GapStatus:
        if self.severity is None:
            return GapStatus.UNKNOWN
        return GapStatus.OPEN if self.open else GapStatus.CLOSED


# --- gap 1: management's perception of customers' expectations -------------------------


@dataclass(frozen=True)
class ItemShortfall:
    """An item where managers under-estimate what customers expect: expectation − prediction > 0."""

    item: str
    customer_expectation: float
    manager_prediction: float

    @property
    def shortfall(self) -> float:
        return self.customer_expectation - self.manager_prediction


@dataclass(frozen=True, kw_only=True)
class ManagementPerceptionEvidence(_Judgement):
    """Gap 1: what managers think customers expect against what customers expect."""

    gap: ClassVar[int] = 1
    mean_absolute_difference: float | None
    """Mean over items of |customer expectation − managers' prediction|, in scale points."""
    shortfalls: tuple[ItemShortfall, ...]
    """The items managers under-estimate most, largest shortfall first."""

    @property
    def weakest(self) -> str | None:
        return self.shortfalls[0].item if self.shortfalls else None


def management_perception_evidence(
    customer_expectations: Mapping[str, float],
    manager_predictions: Mapping[str, float],
    *,
    target: float = 0.0,
    failing: float = 1.5,
    open_at: float = DEFAULT_OPEN_AT,
    shortfalls_listed: int = 3,
) -> ManagementPerceptionEvidence:
    """Compare customers' mean expectation of each item (``E1`` … ``E22``) with the mean of
    managers' answers to "what will customers expect of this item?", on the same scale.

    ``target`` and ``failing`` are mean absolute differences in scale points; the
    ``shortfalls_listed`` most under-estimated items are kept. Both mappings must cover the
    same items.
    """
    _check_open_at(open_at)
    if customer_expectations.keys() != manager_predictions.keys():
        differing = sorted(customer_expectations.keys() ^ manager_predictions.keys())
        raise ValidationFailed(
            f"customers and managers must rate the same items; differing: {', '.join(differing)}",
            field="manager_predictions",
        )
    if not customer_expectations:
        return ManagementPerceptionEvidence(mean_absolute_difference=None, shortfalls=())
    differences = [
        abs(expected - manager_predictions[item])
        for item, expected in customer_expectations.items()
    ]
    mean_absolute_difference = sum(differences) / len(differences)
    under_estimated = [
        ItemShortfall(item, expected, manager_predictions[item])
        for item, expected in customer_expectations.items()
        if expected > manager_predictions[item]
    ]
    # sorted() is stable, so equal shortfalls keep the items' input order.
    under_estimated.sort(key=lambda entry: -entry.shortfall)
    return ManagementPerceptionEvidence(
        mean_absolute_difference=mean_absolute_difference,
        shortfalls=tuple(under_estimated[:shortfalls_listed]),
        severity=ramp(mean_absolute_difference, target=target, failing=failing),
        open_at=open_at,
    )


# --- gap 2: expectations vs service standards ------------------------------------------


@dataclass(frozen=True, kw_only=True)
class StandardsCoverageEvidence(_Judgement):
    """Gap 2: how many survey items a measurable service standard stands behind."""

    gap: ClassVar[int] = 2
    coverage: float | None
    """Share of the instrument's items with at least one measurable standard."""
    uncovered_items: tuple[str, ...]
    """Items without a standard, in instrument order."""

    @property
    def weakest(self) -> str | None:
        return self.uncovered_items[0] if self.uncovered_items else None


def standards_coverage_evidence(
    items: Sequence[str],
    standards_by_item: Mapping[str, Collection[str]],
    *,
    target: float = 1.0,
    failing: float = 0.5,
    open_at: float = DEFAULT_OPEN_AT,
) -> StandardsCoverageEvidence:
    """Share of the instrument's ``items`` covered by at least one measurable service
    standard; an item absent from ``standards_by_item`` or mapped to nothing is uncovered.

    A standard mapped to an item the instrument does not have is refused: a typo would
    otherwise silently leave the real item uncovered.
    """
    _check_open_at(open_at)
    unknown_items = sorted(set(standards_by_item) - set(items))
    if unknown_items:
        raise ValidationFailed(
            f"standards mapped to items not in the instrument: {', '.join(unknown_items)}",
            field="standards_by_item",
        )
    if not items:
        return StandardsCoverageEvidence(coverage=None, uncovered_items=())
    uncovered = tuple(item for item in items if not standards_by_item.get(item))
    coverage = 1.0 - len(uncovered) / len(items)
    return StandardsCoverageEvidence(
        coverage=coverage,
        uncovered_items=uncovered,
        severity=ramp(coverage, target=target, failing=failing),
        open_at=open_at,
    )


# --- gap 3: standards vs delivery ------------------------------------------------------


@dataclass(frozen=True)
class ChecklistTally:
    """Checklist items an inspection (日常检查, 神秘人, 暗访 …) checked and found passed."""

    checked: int
    passed: int


@dataclass(frozen=True, kw_only=True)
class InspectionComplianceEvidence(_Judgement):
    """Gap 3: how much of the checked standard branches actually deliver."""

    gap: ClassVar[int] = 3
    overall_compliance: float | None
    """Passed ÷ checked checklist items over all branches."""
    branch_compliance: Mapping[str, float]
    """The same per branch, for branches with at least one checked item."""
    branches_below_target: tuple[str, ...]
    """Branches under the target compliance, worst first (ties by branch name)."""

    @property
    def weakest(self) -> str | None:
        return self.branches_below_target[0] if self.branches_below_target else None


def inspection_compliance_evidence(
    tallies: Mapping[str, ChecklistTally],
    *,
    target: float = 0.9,
    failing: float = 0.5,
    open_at: float = DEFAULT_OPEN_AT,
) -> InspectionComplianceEvidence:
    """Inspection compliance overall and per branch; severity from the worst branch, and
    the branches below ``target`` listed.

    The worst branch sets the severity (not the overall rate) because one failing branch
    among many compliant ones is a gap its customers meet in full, and an average would
    hide it.
    """
    _check_open_at(open_at)
    for branch, tally in tallies.items():
        if tally.checked < 0 or not 0 <= tally.passed <= tally.checked:
            raise ValidationFailed(
                f"branch {branch!r}: passed must be between 0 and checked "
                f"(checked {tally.checked}, passed {tally.passed})",
                field="tallies",
            )
    checked = sum(tally.checked for tally in tallies.values())
    if checked == 0:
        return InspectionComplianceEvidence(
            overall_compliance=None, branch_compliance={}, branches_below_target=()
        )
    passed = sum(tally.passed for tally in tallies.values())
    branch_compliance = {
        branch: tally.passed / tally.checked
        for branch, tally in tallies.items()
        if tally.checked > 0
    }
    below = sorted(
        (branch for branch, compliance in branch_compliance.items() if compliance < target),
        key=lambda branch: (branch_compliance[branch], branch),
    )
    worst = min(branch_compliance.values())
    return InspectionComplianceEvidence(
        overall_compliance=passed / checked,
        branch_compliance=branch_compliance,
        branches_below_target=tuple(below),
        severity=ramp(worst, target=target, failing=failing),
        open_at=open_at,
    )


# --- gap 4: delivery vs external communication ------------------------------------------


@dataclass(frozen=True)
class Promise:
    """A registered promise with the value measured for it over the period."""

    name: str
    promised: float
    measured: float
    direction: TargetDirection = TargetDirection.AT_MOST

    @property
    def kept(self) -> bool:
        if self.direction is TargetDirection.AT_MOST:
            return self.measured <= self.promised
        return self.measured >= self.promised

    @property
    def relative_miss(self) -> float:
        """How far a broken promise misses, as a share of the promise (0 when kept)."""
        if self.kept:
            return 0.0
        miss = abs(self.measured - self.promised)
        return miss / abs(self.promised) if self.promised else miss


@dataclass(frozen=True, kw_only=True)
class PromiseKeepingEvidence(_Judgement):
    """Gap 4: whether the bank delivers what its communication promises."""

    gap: ClassVar[int] = 4
    kept_share: float | None
    """Share of the registered promises whose measured value keeps them."""
    broken_promises: tuple[str, ...]
    """Promises not kept, largest relative miss first."""
    not_as_advertised_complaints: int
    """Complaints tagged ``not_as_advertised`` in the period."""
    complaints_per_thousand_cases: float | None
    """Those complaints per 1,000 business cases handled in the period."""

    @property
    def weakest(self) -> str | None:
        if self.broken_promises:
            return self.broken_promises[0]
        if self.not_as_advertised_complaints:
            return NOT_AS_ADVERTISED
        return None


def promise_keeping_evidence(
    promises: Iterable[Promise],
    *,
    not_as_advertised_complaints: int = 0,
    cases: int = 0,
    kept_target: float = 1.0,
    kept_failing: float = 0.5,
    complaint_rate_target: float = 0.1,
    complaint_rate_failing: float = 1.0,
    open_at: float = DEFAULT_OPEN_AT,
) -> PromiseKeepingEvidence:
    """Promises kept and ``not_as_advertised`` complaints; severity is the worse of the two.

    Either figure alone is evidence of gap 4, so the gap is unknown only when there are
    neither promises nor cases (business cases handled in the period, the denominator of
    the complaint rate per 1,000 cases; 0 when unknown).
    """
    _check_open_at(open_at)
    if not_as_advertised_complaints < 0 or cases < 0:
        raise ValidationFailed("counts cannot be negative", field="cases")
    if not_as_advertised_complaints and not cases:
        raise ValidationFailed("complaints need the number of cases they came from", field="cases")
    registered = list(promises)
    severities: list[float] = []
    kept_share = None
    if registered:
        kept_share = sum(promise.kept for promise in registered) / len(registered)
        severities.append(ramp(kept_share, target=kept_target, failing=kept_failing))
    rate = None
    if cases:
        rate = not_as_advertised_complaints / cases * PER_THOUSAND
        severities.append(ramp(rate, target=complaint_rate_target, failing=complaint_rate_failing))
    broken = sorted(
        (promise for promise in registered if not promise.kept),
        key=lambda promise: -promise.relative_miss,
    )
    severity = max(severities) if severities else None
    return PromiseKeepingEvidence(
        kept_share=kept_share,
        broken_promises=tuple(promise.name for promise in broken),
        not_as_advertised_complaints=not_as_advertised_complaints,
        complaints_per_thousand_cases=rate,
        severity=severity,
        open_at=open_at,
    )


# --- gap 5: perception vs expectation --------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PerceivedQualityEvidence(_Judgement):
    """Gap 5: perception − expectation per SERVQUAL dimension (negative: shortfall)."""

    gap: ClassVar[int] = 5
    dimension_gaps: Mapping[str, float]
    """The gaps as given (computed by :mod:`bankcrm.quality.servqual`)."""
    worst_dimension: str | None
    """The dimension with the most negative gap (the first given, on a tie)."""

    @property
    def weakest(self) -> str | None:
        return self.worst_dimension


def perceived_quality_evidence(
    dimension_gaps: Mapping[str, float],
    *,
    target: float = 0.0,
    failing: float = -2.0,
    open_at: float = DEFAULT_OPEN_AT,
) -> PerceivedQualityEvidence:
    """Severity of gap 5 from the worst dimension's P − E gap, in scale points.

    The default failing gap of −2 points is a third of the widest gap possible on a 7-point
    scale, far beyond the −0.5 … −1.5 typical of bank surveys.
    """
    _check_open_at(open_at)
    if not dimension_gaps:
        return PerceivedQualityEvidence(dimension_gaps={}, worst_dimension=None)
    worst = min(dimension_gaps, key=lambda dimension: dimension_gaps[dimension])
    return PerceivedQualityEvidence(
        dimension_gaps=dict(dimension_gaps),
        worst_dimension=worst,
        severity=ramp(dimension_gaps[worst], target=target, failing=failing),
        open_at=open_at,
    )


GapEvidence = (
    ManagementPerceptionEvidence
    | StandardsCoverageEvidence
    | InspectionComplianceEvidence
    | PromiseKeepingEvidence
    | PerceivedQualityEvidence
)


# --- control methods -------------------------------------------------------------------


class GapControlsInvalid(ValidationFailed):
    """The control-methods file cannot be used; the message names the entry at fault."""


class GapControls(TomlTable):
    """A gap's name, its definition and the methods that control it (控制差距的方法)."""

    number: Literal[1, 2, 3, 4, 5]
    code: str
    name: Text
    definition: Text
    methods: Annotated[tuple[Text, ...], Field(min_length=1, strict=False)]


class _ControlsFile(TomlTable):
    gaps: list[GapControls] = Field(default_factory=list)


def parse_gap_controls(text: str, *, origin: str = "gap_controls.toml") -> dict[int, GapControls]:
    """Read the control methods of the five gaps from TOML text, keyed by gap number."""
    found = read_toml(text, _ControlsFile, GapControlsInvalid, origin)
    controls: dict[int, GapControls] = {}
    for index, entry in enumerate(found.gaps):
        where = f"{origin}: gaps[{index}]"
        if entry.number in controls:
            raise GapControlsInvalid(f"{where}: gap {entry.number} is listed twice")
        if entry.code != f"gap_{entry.number}":
            raise GapControlsInvalid(
                f"{where}.code must be 'gap_{entry.number}', the glossary's name"
            )
        controls[entry.number] = entry
    missing = [str(number) for number in GAP_NUMBERS if number not in controls]
    if missing:
        raise GapControlsInvalid(f"{origin}: no entry for gap {', '.join(missing)}")
    return controls


def shipped_gap_controls() -> dict[int, GapControls]:
    """The control methods that ship with bankcrm, from ``quality/data/gap_controls.toml``."""
    resource = resources.files("bankcrm.quality").joinpath("data/gap_controls.toml")
    return parse_gap_controls(resource.read_text(encoding="utf-8"))


# --- diagnosis -------------------------------------------------------------------------


@dataclass(frozen=True)
class GapFinding:
    """An open gap: how severe, its weakest element, the evidence and what to do."""

    gap: int
    severity: float
    weakest: str | None
    evidence: GapEvidence
    controls: GapControls


@dataclass(frozen=True)
class Diagnosis:
    """Open gaps ranked by severity, then the closed and unknown gaps by number."""

    open_gaps: tuple[GapFinding, ...]
    closed_gaps: tuple[int, ...]
    unknown_gaps: tuple[int, ...]


def diagnose(
    evidence_list: Iterable[GapEvidence], controls: Mapping[int, GapControls]
) -> Diagnosis:
    """Rank the open gaps by descending severity (the lower gap number first on a tie) and
    attach each one's weakest element and control methods (usually
    :func:`shipped_gap_controls`).

    At most one evidence record per gap; a gap without a record, or whose record has no
    data, is unknown.
    """
    by_gap: dict[int, GapEvidence] = {}
    for evidence in evidence_list:
        if evidence.gap in by_gap:
            raise ValidationFailed(
                f"gap {evidence.gap} has more than one evidence record", field="evidence_list"
            )
        by_gap[evidence.gap] = evidence
    findings: list[GapFinding] = []
    closed: list[int] = []
    unknown: list[int] = []
    for number in GAP_NUMBERS:
        record = by_gap.get(number)
        if record is None or record.severity is None:
            unknown.append(number)
        elif not record.open:
            closed.append(number)
        else:
            if number not in controls:
                raise ValidationFailed(f"no control methods for gap {number}", field="controls")
            findings.append(
                GapFinding(
                    gap=number,
                    severity=record.severity,
                    weakest=record.weakest,
                    evidence=record,
                    controls=controls[number],
                )
            )
    findings.sort(key=lambda finding: (-finding.severity, finding.gap))
    return Diagnosis(
        open_gaps=tuple(findings), closed_gaps=tuple(closed), unknown_gaps=tuple(unknown)
    )
