"""The complaint case-analysis report over a period (pure).

Volume by month, the root-cause Pareto (the "vital few" causes behind most complaints),
the service gaps the causes reveal, timeliness of the first reply, the cost of service
recovery, repeat complainants, escalations and the customers' confirmations. The caller
turns its cases into :class:`CaseFacts`; nothing here reads the database.

Every figure of :class:`CaseReport` is a plain value (``str``, ``int``, ``float``,
``None``, tuples and frozen dataclasses of them), except money, which stays ``Decimal``
so that no cent is lost; ``dataclasses.asdict`` turns a report into JSON-ready data
(``json.dumps(..., default=str)`` or a Pydantic model for the amounts).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from decimal import Decimal
from fractions import Fraction

from bankcrm.complaints.taxonomy import SERVICE_GAPS, Taxonomy
from bankcrm.complaints.workflow import AWAITING_REPLY
from bankcrm.core.enums import ComplaintStatus, CustomerConfirmation

VITAL_FEW_SHARE = 0.8
"""The Pareto rule: the vital few causes together account for at least this share."""

REPEAT_MIN_CASES = 2
"""A customer with at least this many cases in the period is a repeat complainant."""

REPEAT_TOP = 20
"""How many repeat complainants the report lists by name (customer id)."""

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class CaseFacts:
    """What the report needs to know about one complaint case.

    Datetimes are comparable with each other and with the report's ``now`` (all aware, or
    all naive in the bank's local time). The case's day and month are those of
    ``received_at`` in the report's ``bank_timezone``, or as given without one.
    """

    id: int
    customer_id: int | None
    branch: str | None
    """The branch's name; ``None`` for a case not tied to a branch."""
    channel: str
    product_line: str
    issue: str
    severity: str
    status: str
    root_cause: str | None
    received_at: datetime
    deadline_at: datetime
    first_replied_at: datetime | None
    closed_at: datetime | None
    extended: bool
    escalated: bool
    confirmation: str | None
    recovery_cost: Decimal
    """Approved fee refunds and compensations; pending and rejected ones cost nothing yet."""


@dataclass(frozen=True)
class Totals:
    cases: int
    closed: int
    open: int
    """Neither closed nor withdrawn (received, accepted, investigating, replied, reopened,
    escalated)."""
    overdue: int
    """Open cases whose deadline had passed at the report's ``as_of``."""
    withdrawn: int
    escalated: int
    escalation_rate: float | None
    """Escalated cases over all cases."""


@dataclass(frozen=True)
class MonthlySeries:
    """One key's case counts, one per month of :attr:`MonthlyVolume.months`."""

    key: str | None
    """An issue, product line, branch or channel code; ``None`` for cases without a branch."""
    counts: tuple[int, ...]
    total: int


@dataclass(frozen=True)
class MonthlyVolume:
    months: tuple[str, ...]
    """Every month (``YYYY-MM``) from the period's start to its end, empty ones included."""
    total: tuple[int, ...]
    by_issue: tuple[MonthlySeries, ...]
    by_product_line: tuple[MonthlySeries, ...]
    by_branch: tuple[MonthlySeries, ...]
    by_channel: tuple[MonthlySeries, ...]
    """Each breakdown lists the keys with cases, the most frequent first."""


@dataclass(frozen=True)
class ParetoRow:
    root_cause: str
    cases: int
    share: float
    cumulative_share: float
    vital: bool
    """Among the vital few: the shortest run of top causes reaching ``VITAL_FEW_SHARE``."""


@dataclass(frozen=True)
class RootCausePareto:
    rows: tuple[ParetoRow, ...]
    """Causes by number of cases, most first (ties by code); shares are of ``with_cause``."""
    with_cause: int
    without_cause: int
    """Cases with no root cause recorded yet; left out of the shares."""
    vital_few: tuple[str, ...]


@dataclass(frozen=True)
class GapCount:
    gap: int
    cases: int


@dataclass(frozen=True)
class ServiceGaps:
    gaps: tuple[GapCount, ...]
    """Gaps 1 to 5, each listed even without cases."""
    no_gap: int
    """Cases whose root cause reveals no gap (a third party, an unfounded complaint) or is
    not in the taxonomy."""


@dataclass(frozen=True)
class BranchTimeliness:
    branch: str | None
    replied: int
    timely: int
    timely_rate: float | None


@dataclass(frozen=True)
class Timeliness:
    replied: int
    """Cases with a first reply."""
    timely: int
    """First reply at or before the deadline."""
    timely_rate: float | None
    """Timely over replied."""
    late: int
    """First reply after the deadline."""
    extended: int
    """Cases whose deadline was extended, replied or not."""
    median_days_to_reply: float | None
    mean_days_to_reply: float | None
    """From receipt to first reply, in days (fractions of a day included)."""
    by_branch: tuple[BranchTimeliness, ...]
    """Branches with replied cases, by branch name (no branch last)."""


@dataclass(frozen=True)
class CostRow:
    key: str | None
    cost: Decimal


@dataclass(frozen=True)
class RecoveryCost:
    total: Decimal
    cases_with_cost: int
    by_product_line: tuple[CostRow, ...]
    by_branch: tuple[CostRow, ...]
    """Each breakdown lists the keys that cost something, the most costly first."""


@dataclass(frozen=True)
class RepeatComplainant:
    customer_id: int
    cases: int


@dataclass(frozen=True)
class RepeatComplainants:
    customers: int
    """Customers with at least ``REPEAT_MIN_CASES`` cases in the period."""
    cases: int
    """Their cases, all of them."""
    top: tuple[RepeatComplainant, ...]
    """Up to ``REPEAT_TOP`` of them, most cases first (ties by customer id)."""


@dataclass(frozen=True)
class Confirmations:
    closed: int
    satisfied: int
    unsatisfied: int
    no_response: int
    unrecorded: int
    """Closed cases without a confirmation recorded."""
    satisfied_share: float | None
    unsatisfied_share: float | None
    no_response_share: float | None
    """Shares of all closed cases."""


@dataclass(frozen=True)
class CaseReport:
    start: str
    end: str
    """The period (ISO dates, both included) whose received cases the report covers."""
    as_of: str
    """When open cases were judged overdue (ISO datetime)."""
    totals: Totals
    volume: MonthlyVolume
    root_causes: RootCausePareto
    service_gaps: ServiceGaps
    timeliness: Timeliness
    recovery: RecoveryCost
    repeat_complainants: RepeatComplainants
    confirmations: Confirmations


def case_report(
    cases: Iterable[CaseFacts],
    *,
    start: date,
    end: date,
    now: datetime,
    taxonomy: Taxonomy,
    bank_timezone: tzinfo | None = None,
    vital_few_share: float = VITAL_FEW_SHARE,
    repeat_min_cases: int = REPEAT_MIN_CASES,
    repeat_top: int = REPEAT_TOP,
) -> CaseReport:
    """Analyse the cases received from ``start`` to ``end``.

    Parameters
    ----------
    cases
        Any cases; those received outside the period are ignored, so the caller may pass a
        wider selection.
    start, end
        The period, both days included, in the bank's days.
    now
        The moment at which an open case past its deadline counts as overdue.
    taxonomy
        Gives each root cause's service gap.
    bank_timezone
        Where the bank's days and months begin: each case's ``received_at`` (then aware)
        is read in this zone to place it in the period and a month. Without it the
        ``received_at`` as given decides, so a case stored in UTC at 07:00 on 1 March in
        Beijing would count for 28 February.
    vital_few_share
        The share of cases the vital few root causes must reach together.
    repeat_min_cases
        Cases in the period that make a customer a repeat complainant.
    repeat_top
        How many repeat complainants to list.

    Returns
    -------
    CaseReport
        Rates and shares are ``None`` when nothing is there to divide by.

    Raises
    ------
    ValueError
        When ``start`` is after ``end``, ``vital_few_share`` is not in (0, 1], or a
        ``received_at`` is naive while ``bank_timezone`` is given.
    """
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    if not 0 < vital_few_share <= 1:
        raise ValueError(f"vital_few_share must be in (0, 1], not {vital_few_share}")
    local = cases if bank_timezone is None else (_in_zone(case, bank_timezone) for case in cases)
    selected = [case for case in local if start <= case.received_at.date() <= end]
    return CaseReport(
        start=start.isoformat(),
        end=end.isoformat(),
        as_of=now.isoformat(),
        totals=_totals(selected, now),
        volume=_volume(selected, start, end),
        root_causes=_pareto(selected, Fraction(str(vital_few_share))),
        service_gaps=_service_gaps(selected, taxonomy),
        timeliness=_timeliness(selected),
        recovery=_recovery(selected),
        repeat_complainants=_repeat_complainants(selected, repeat_min_cases, repeat_top),
        confirmations=_confirmations(selected),
    )


def months_between(start: date, end: date) -> tuple[str, ...]:
    """Every month (``YYYY-MM``) from ``start``'s to ``end``'s, both included."""
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


def rate(part: int, whole: int) -> float | None:
    """``part / whole``, or ``None`` when ``whole`` is 0: no cases is no rate, not 0 %."""
    return part / whole if whole else None


def _in_zone(case: CaseFacts, zone: tzinfo) -> CaseFacts:
    """The case with ``received_at`` read in ``zone``: the same instant, the bank's date."""
    if case.received_at.tzinfo is None:
        # ``astimezone`` would take a naive time for the server's own zone, silently.
        raise ValueError(f"case {case.id}: received_at has no time zone to convert from")
    return replace(case, received_at=case.received_at.astimezone(zone))


def _is_open(case: CaseFacts) -> bool:
    return case.status not in (ComplaintStatus.CLOSED, ComplaintStatus.WITHDRAWN)


def _totals(cases: Sequence[CaseFacts], now: datetime) -> Totals:
    statuses = Counter(case.status for case in cases)
    open_cases = [case for case in cases if _is_open(case)]
    escalated = sum(case.escalated for case in cases)
    return Totals(
        cases=len(cases),
        closed=statuses[ComplaintStatus.CLOSED],
        open=len(open_cases),
        overdue=sum(
            case.status in AWAITING_REPLY and case.deadline_at < now for case in open_cases
        ),
        withdrawn=statuses[ComplaintStatus.WITHDRAWN],
        escalated=escalated,
        escalation_rate=rate(escalated, len(cases)),
    )


def _month(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def _monthly_series(
    cases: Sequence[CaseFacts], months: tuple[str, ...], key: Callable[[CaseFacts], str | None]
) -> tuple[MonthlySeries, ...]:
    position = {month: index for index, month in enumerate(months)}
    counts: dict[str | None, list[int]] = defaultdict(lambda: [0] * len(months))
    for case in cases:
        counts[key(case)][position[_month(case.received_at)]] += 1
    series = [
        MonthlySeries(key=code, counts=tuple(row), total=sum(row)) for code, row in counts.items()
    ]
    return tuple(sorted(series, key=lambda row: (-row.total, *_key_order(row.key))))


def _key_order(key: str | None) -> tuple[bool, str]:
    """Sorts codes alphabetically with ``None`` (no branch) after them."""
    return (key is None, key or "")


def _volume(cases: Sequence[CaseFacts], start: date, end: date) -> MonthlyVolume:
    months = months_between(start, end)
    overall = Counter(_month(case.received_at) for case in cases)
    return MonthlyVolume(
        months=months,
        total=tuple(overall[month] for month in months),
        by_issue=_monthly_series(cases, months, lambda case: case.issue),
        by_product_line=_monthly_series(cases, months, lambda case: case.product_line),
        by_branch=_monthly_series(cases, months, lambda case: case.branch),
        by_channel=_monthly_series(cases, months, lambda case: case.channel),
    )


def _pareto(cases: Sequence[CaseFacts], vital_few_share: Fraction) -> RootCausePareto:
    counts = Counter(case.root_cause for case in cases if case.root_cause is not None)
    with_cause = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    rows = []
    cumulative = 0
    vital_reached = False
    for code, count in ranked:
        cumulative += count
        # The cause that carries the running total over the threshold is still vital.
        rows.append(
            ParetoRow(
                root_cause=code,
                cases=count,
                share=count / with_cause,
                cumulative_share=cumulative / with_cause,
                vital=not vital_reached,
            )
        )
        # Exact fractions, so that 8 of 10 cases meets 80 % without a rounding doubt.
        vital_reached = vital_reached or Fraction(cumulative, with_cause) >= vital_few_share
    return RootCausePareto(
        rows=tuple(rows),
        with_cause=with_cause,
        without_cause=len(cases) - with_cause,
        vital_few=tuple(row.root_cause for row in rows if row.vital),
    )


def _service_gaps(cases: Sequence[CaseFacts], taxonomy: Taxonomy) -> ServiceGaps:
    with_cause = [case for case in cases if case.root_cause is not None]
    gaps = Counter(taxonomy.gap_of(case.root_cause) for case in with_cause)
    return ServiceGaps(
        gaps=tuple(GapCount(gap=gap, cases=gaps[gap]) for gap in SERVICE_GAPS),
        no_gap=gaps[None],
    )


def _days(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / SECONDS_PER_DAY


def _timeliness(cases: Sequence[CaseFacts]) -> Timeliness:
    replied = [case for case in cases if case.first_replied_at is not None]
    timely = [case for case in replied if _replied_in_time(case)]
    days = [
        _days(case.received_at, case.first_replied_at)
        for case in replied
        if case.first_replied_at is not None  # always, but says so to the type checker
    ]
    by_branch: dict[str | None, list[CaseFacts]] = defaultdict(list)
    for case in replied:
        by_branch[case.branch].append(case)
    branch_rows = []
    for branch in sorted(by_branch, key=_key_order):
        branch_timely = sum(_replied_in_time(case) for case in by_branch[branch])
        branch_rows.append(
            BranchTimeliness(
                branch=branch,
                replied=len(by_branch[branch]),
                timely=branch_timely,
                timely_rate=rate(branch_timely, len(by_branch[branch])),
            )
        )
    return Timeliness(
        replied=len(replied),
        timely=len(timely),
        timely_rate=rate(len(timely), len(replied)),
        late=len(replied) - len(timely),
        extended=sum(case.extended for case in cases),
        median_days_to_reply=statistics.median(days) if days else None,
        mean_days_to_reply=statistics.fmean(days) if days else None,
        by_branch=tuple(branch_rows),
    )


def _replied_in_time(case: CaseFacts) -> bool:
    return case.first_replied_at is not None and case.first_replied_at <= case.deadline_at


def _cost_rows(costs: dict[str | None, Decimal]) -> tuple[CostRow, ...]:
    spent = [CostRow(key=key, cost=cost) for key, cost in costs.items() if cost]
    return tuple(sorted(spent, key=lambda row: (-row.cost, *_key_order(row.key))))


def _sum_by(
    cases: Sequence[CaseFacts], key: Callable[[CaseFacts], str | None]
) -> dict[str | None, Decimal]:
    totals: dict[str | None, Decimal] = defaultdict(Decimal)
    for case in cases:
        totals[key(case)] += case.recovery_cost
    return totals


def _recovery(cases: Sequence[CaseFacts]) -> RecoveryCost:
    return RecoveryCost(
        total=sum((case.recovery_cost for case in cases), Decimal(0)),
        cases_with_cost=sum(1 for case in cases if case.recovery_cost),
        by_product_line=_cost_rows(_sum_by(cases, lambda case: case.product_line)),
        by_branch=_cost_rows(_sum_by(cases, lambda case: case.branch)),
    )


def _repeat_complainants(
    cases: Sequence[CaseFacts], min_cases: int, top: int
) -> RepeatComplainants:
    per_customer = Counter(case.customer_id for case in cases if case.customer_id is not None)
    repeaters = sorted(
        (
            RepeatComplainant(customer_id=customer, cases=count)
            for customer, count in per_customer.items()
            if count >= min_cases
        ),
        key=lambda row: (-row.cases, row.customer_id),
    )
    return RepeatComplainants(
        customers=len(repeaters),
        cases=sum(row.cases for row in repeaters),
        top=tuple(repeaters[:top]),
    )


def _confirmations(cases: Sequence[CaseFacts]) -> Confirmations:
    closed = [case for case in cases if case.status == ComplaintStatus.CLOSED]
    answers = Counter(case.confirmation for case in closed)
    satisfied = answers[CustomerConfirmation.SATISFIED]
    unsatisfied = answers[CustomerConfirmation.UNSATISFIED]
    no_response = answers[CustomerConfirmation.NO_RESPONSE]
    return Confirmations(
        closed=len(closed),
        satisfied=satisfied,
        unsatisfied=unsatisfied,
        no_response=no_response,
        unrecorded=len(closed) - satisfied - unsatisfied - no_response,
        satisfied_share=rate(satisfied, len(closed)),
        unsatisfied_share=rate(unsatisfied, len(closed)),
        no_response_share=rate(no_response, len(closed)),
    )
