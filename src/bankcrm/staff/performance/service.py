"""Account-manager KPIs: each month's figures computed from the records of the manager's book
and of their own work, scored against their role's targets (:mod:`.indicators`), ranked in
their branch and stored; read back by the person and their branch.

Where each figure comes from (the book is the customers whose ``manager_id`` is the person):

- **volume**: the book's business at the month's last day, in yuan — every open account's
  balance in absolute value (loans and cards count as business too), taken back to that day
  from today's balance by undoing what was booked since, plus the wealth, fund and insurance
  holdings held that day. **volume_growth** is its change against the previous month's last
  day, as a share (none when the book held nothing then).
- **profit**: that volume × the annual margin of each product category ÷ 12, in yuan.
- **new_customers**: customers of the book whose relationship started in the month (the day
  they were onboarded, or their first account's opening).
- **retention**: of the book's customers live at the end of the previous month, the share not
  churned at the end of this one, by the churn warning's definition (``[churn]``): a customer
  with accounts has churned when none is open or they have made no transaction themselves
  for ``inactive_months``.
- **csat**: the share of the book's CSAT answers in the month scoring 4 or 5; **servqual**:
  the mean perception score (items ``P…``) of their SERVQUAL answers in the month.
- **complaints**: the book's cases received in the month (withdrawn ones left out);
  **complaints_upheld**: those whose investigation found a root cause the rules do not name
  as unfounded; **complaint_timeliness**: the share first answered by their deadline, among
  the month's cases answered or past their deadline.
- **tasks_on_time**: of the person's customer tasks and prospect follow-ups due in the month,
  done or past due, the share done by the end of their due day.
- **training_hours**: hours of training attended in the month.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.core.clock import as_utc, bank_day, bank_day_start, bank_today, utcnow
from bankcrm.core.config import Settings, get_settings
from bankcrm.core.enums import SurveyKind
from bankcrm.core.exceptions import NotFound
from bankcrm.quality import satisfaction
from bankcrm.scope import sees_branch
from bankcrm.staff.models import StaffUser
from bankcrm.staff.performance import indicators
from bankcrm.staff.performance import repository as kpi_repository
from bankcrm.staff.performance.indicators import (
    INDICATORS,
    LOWER_IS_BETTER,
    MONEY_INDICATORS,
    SHARE_INDICATORS,
    KpiRules,
)
from bankcrm.staff.performance.models import KpiMonth
from bankcrm.staff.performance.repository import (
    AccountPosition,
    BookCustomer,
    ComplaintFact,
    DueItem,
    KpiRepository,
    KpiSystemRepository,
)
from bankcrm.staff.performance.schemas import (
    BranchIndicatorRead,
    BranchRollup,
    BranchVolumeRead,
    ComputeResult,
    IndicatorRead,
    KpiMonthRead,
    StaffTrend,
    Unit,
)

PERCEPTION_ITEM = re.compile(r"^P\d+$")
MONTHS_PER_YEAR = 12
MAX_TREND_MONTHS = 36
UNITS: dict[str, Unit] = {
    **{name: Unit.YUAN for name in MONEY_INDICATORS},
    **{name: Unit.SHARE for name in SHARE_INDICATORS},
    "new_customers": Unit.COUNT,
    "complaints": Unit.COUNT,
    "complaints_upheld": Unit.COUNT,
    "servqual": Unit.POINTS,
    "training_hours": Unit.HOURS,
}
SUMMED_UNITS = frozenset({Unit.YUAN, Unit.COUNT, Unit.HOURS})
"""Units whose branch roll-up is a total as well as a mean."""


def month_label(month: date) -> str:
    return month.strftime("%Y-%m")


def default_month() -> date:
    """The last full month."""
    return indicators.previous_month(indicators.month_start(bank_today()))


# --- computing ------------------------------------------------------------------------------


def compute_month(
    session: Session,
    *,
    month: date,
    rules: KpiRules | None = None,
    settings: Settings | None = None,
) -> ComputeResult:
    """Compute, score and rank every scored member of staff's KPIs for ``month`` and store
    them (one row per person and month, replaced on a rerun). A branch whose incentive pool
    of the month is approved keeps the rows the pool was split by."""
    rules = rules or indicators.shipped_rules()
    settings = settings or get_settings()
    start = indicators.month_start(month)
    end = indicators.next_month(start)
    repository = KpiSystemRepository(session)
    staff = repository.scored_staff(roles=rules.roles)
    figures = _figures(repository, rules, settings, start=start, end=end)

    scored: list[tuple[StaffUser, dict[str, float | None], dict[str, float | None], float]] = []
    for person in staff:
        role_rules = rules.roles[person.role]
        own = figures(person.id)
        achieved = indicators.attainments(own, role_rules)
        scored.append((person, own, achieved, indicators.score(achieved, role_rules)))

    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for position, (person, *_) in enumerate(scored):
        if person.branch_id is not None:
            groups[(person.branch_id, person.role.value)].append(position)
    ranks: dict[int, indicators.Ranked] = {}
    for positions in groups.values():
        for position, ranked in zip(
            positions,
            indicators.competition_ranks([scored[index][3] for index in positions]),
            strict=True,
        ):
            ranks[position] = ranked

    stored = repository.months(month=start)
    frozen = repository.approved_branches(month=start)
    now = utcnow()
    written = 0
    for position, (person, own, achieved, points) in enumerate(scored):
        if person.branch_id in frozen:
            continue
        written += 1
        role_rules = rules.roles[person.role]
        row = stored.get(person.id)
        if row is None:
            row = KpiMonth(staff_id=person.id, month=start)
            session.add(row)
        place = ranks.get(position)
        row.branch_id = person.branch_id
        row.role = person.role.value
        row.figures = own
        row.targets = role_rules.targets()
        row.weights = role_rules.weights()
        row.attainment = achieved
        row.score = points
        row.rank = place.rank if place else None
        row.ranked_among = place.among if place else None
        row.computed_at = now
    session.flush()
    return ComputeResult(
        month=month_label(start),
        staff=written,
        branches=len(
            {person.branch_id for person, *_ in scored if person.branch_id not in frozen} - {None}
        ),
        frozen=len(scored) - written,
    )


def compute_months(
    session: Session, *, months: Iterable[date], rules: KpiRules | None = None
) -> list[ComputeResult]:
    return [compute_month(session, month=month, rules=rules) for month in months]


class _BookDay:
    """Each customer's volume, profit and churn state at the end of one day."""

    def __init__(
        self,
        repository: KpiSystemRepository,
        rules: KpiRules,
        settings: Settings,
        *,
        day: date,
        started: Mapping[int, date | None],
    ) -> None:
        after = bank_day_start(day + timedelta(days=1))
        self.volume: dict[int, float] = defaultdict(float)
        self.profit: dict[int, float] = defaultdict(float)
        related: set[int] = set()
        open_now: set[int] = set()
        for account in repository.accounts(moved_after=after):
            if account.opened_on > day:
                continue
            related.add(account.customer_id)
            if account.closed_on is not None and account.closed_on <= day:
                continue
            open_now.add(account.customer_id)
            self._add(account.customer_id, account.category, _balance_on(account), rules)
        for holding in repository.holdings(on=day):
            self._add(holding.customer_id, holding.category, abs(holding.amount_cents), rules)
        last_own = repository.last_own_transactions(before=after)
        silent_before = indicators.months_before(day, settings.churn.inactive_months)
        self.churned: set[int] = set()
        for customer in related:
            last = last_own.get(customer)
            if last is None:
                since = started.get(customer)
                silent = since is not None and since <= silent_before
            else:
                silent = bank_day(as_utc(last)) <= silent_before
            if customer not in open_now or silent:
                self.churned.add(customer)
        self.live = related - self.churned

    def _add(self, customer: int, category: Any, cents: int, rules: KpiRules) -> None:
        self.volume[customer] += cents
        self.profit[customer] += cents * rules.margin(category) / MONTHS_PER_YEAR


def _balance_on(account: AccountPosition) -> int:
    return abs(account.balance_cents - account.moved_since_cents)


def _figures(
    repository: KpiSystemRepository,
    rules: KpiRules,
    settings: Settings,
    *,
    start: date,
    end: date,
) -> Any:
    """A function giving one member of staff's figures for the month from ``start``."""
    book = repository.book()
    first_opened = _first_opened(repository.accounts(moved_after=bank_day_start(end)))
    started = {
        customer.customer_id: customer.onboarded_on or first_opened.get(customer.customer_id)
        for customer in book
    }
    at_end = _BookDay(repository, rules, settings, day=end - timedelta(days=1), started=started)
    at_start = _BookDay(repository, rules, settings, day=start - timedelta(days=1), started=started)
    books: dict[int, list[BookCustomer]] = defaultdict(list)
    for customer in book:
        books[customer.manager_id].append(customer)
    manager_of = {customer.customer_id: customer.manager_id for customer in book}

    csat_scores: dict[int, list[int]] = defaultdict(list)
    perceptions: dict[int, list[float]] = defaultdict(list)
    for answerer, kind, points, answers in repository.survey_answers(start=start, end=end):
        manager = manager_of.get(answerer)
        if manager is None:
            continue
        if kind == SurveyKind.CSAT and points is not None:
            csat_scores[manager].append(points)
        elif kind == SurveyKind.SERVQUAL:
            perception = _perception(answers or {})
            if perception is not None:
                perceptions[manager].append(perception)

    cases: dict[int, list[ComplaintFact]] = defaultdict(list)
    for case in repository.complaints(
        received_from=bank_day_start(start), received_before=bank_day_start(end)
    ):
        manager = manager_of.get(case.customer_id)
        if manager is not None:
            cases[manager].append(case)

    due: dict[int, list[DueItem]] = defaultdict(list)
    for item in (
        *repository.tasks_due(start=start, end=end),
        *repository.follow_ups_due(start=start, end=end),
    ):
        due[item.staff_id].append(item)
    training = repository.training_hours(start=start, end=end)
    not_upheld = frozenset(rules.complaints.not_upheld_root_causes)
    now = utcnow()
    today = bank_today()

    def of(staff_id: int) -> dict[str, float | None]:
        own = [customer.customer_id for customer in books.get(staff_id, [])]
        volume = sum(at_end.volume.get(customer, 0.0) for customer in own)
        before = sum(at_start.volume.get(customer, 0.0) for customer in own)
        profit = sum(at_end.profit.get(customer, 0.0) for customer in own)
        live = [customer for customer in own if customer in at_start.live]
        retained = [customer for customer in live if customer not in at_end.churned]
        new = [customer for customer in own if _within(started.get(customer), start, end)]
        own_cases = cases.get(staff_id, [])
        answerable = [
            case
            for case in own_cases
            if case.first_replied_at is not None or as_utc(case.deadline_at) <= now
        ]
        timely = [
            case
            for case in answerable
            if case.first_replied_at is not None
            and as_utc(case.first_replied_at) <= as_utc(case.deadline_at)
        ]
        counted = [item for item in due.get(staff_id, []) if item.done_at or item.due_on < today]
        on_time = [
            item
            for item in counted
            if item.done_at is not None and bank_day(as_utc(item.done_at)) <= item.due_on
        ]
        return {
            "volume": round(volume / 100, 2),
            "volume_growth": round((volume - before) / before, 6) if before else None,
            "profit": round(profit / 100, 2),
            "new_customers": float(len(new)),
            "retention": _share(len(retained), len(live)),
            "csat": satisfaction.csat(csat_scores.get(staff_id, [])).share,
            "servqual": _mean(perceptions.get(staff_id, [])),
            "complaints": float(len(own_cases)),
            "complaints_upheld": float(
                sum(
                    case.root_cause is not None and case.root_cause not in not_upheld
                    for case in own_cases
                )
            ),
            "complaint_timeliness": _share(len(timely), len(answerable)),
            "tasks_on_time": _share(len(on_time), len(counted)),
            "training_hours": round(training.get(staff_id, 0.0), 2),
        }

    return of


def _first_opened(accounts: Sequence[AccountPosition]) -> dict[int, date]:
    first: dict[int, date] = {}
    for account in accounts:
        known = first.get(account.customer_id)
        if known is None or account.opened_on < known:
            first[account.customer_id] = account.opened_on
    return first


def _within(day: date | None, start: date, end: date) -> bool:
    return day is not None and start <= day < end


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 6) if values else None


def _perception(answers: Mapping[str, Any]) -> float | None:
    """The mean of one SERVQUAL answer's perception items, the blank ones left out."""
    scores = [
        float(value)
        for item, value in answers.items()
        if PERCEPTION_ITEM.match(item)
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    ]
    return sum(scores) / len(scores) if scores else None


# --- reading --------------------------------------------------------------------------------


def list_months(session: Session, *, user: StaffUser, month: date) -> list[KpiMonthRead]:
    """The month's rows the viewer sees: their own; a branch manager's branch."""
    rows = KpiRepository(session, user).months(month=indicators.month_start(month))
    return _reads(session, rows)


def latest_month(session: Session, *, user: StaffUser) -> date:
    """The latest month the viewer has KPIs of, else the last full month."""
    return KpiRepository(session, user).latest_month() or default_month()


def staff_trend(
    session: Session, *, user: StaffUser, staff_id: int, months: int = 12
) -> StaffTrend:
    """One person's last ``months`` months; ``NotFound`` unless it is the viewer or someone
    of the branch they see."""
    person = _visible_staff(session, user, staff_id)
    months = max(1, min(months, MAX_TREND_MONTHS))
    since = indicators.months_before(indicators.month_start(bank_today()), months)
    rows = KpiRepository(session, user).of_staff(staff_id=staff_id, since=since)[-months:]
    return StaffTrend(staff_id=person.id, staff_name=person.full_name, months=_reads(session, rows))


def branch_rollup(
    session: Session, *, user: StaffUser, branch_id: int, month: date
) -> BranchRollup:
    """The branch's month: totals and means per indicator and the ranking, over the rows the
    viewer sees (all of them for a branch manager; an account manager of the branch, their
    own)."""
    name = kpi_repository.branch_name(session, branch_id)
    if name is None or not (sees_branch(user, branch_id) or user.branch_id == branch_id):
        raise NotFound(f"no branch {branch_id} you may see")
    start = indicators.month_start(month)
    rows = KpiRepository(session, user).months(month=start, branch_id=branch_id)
    return BranchRollup(
        branch_id=branch_id,
        branch_name=name,
        month=month_label(start),
        staff=len(rows),
        indicators=[_rolled_up(code, rows) for code in INDICATORS],
        ranking=_reads(session, rows),
    )


def branch_volume(session: Session, *, user: StaffUser, branch_id: int) -> BranchVolumeRead:
    """The branch's business volume (its staff's books) in its latest scored month against
    the month before."""
    month = latest_month(session, user=user)
    previous = indicators.previous_month(month)

    def volume(of: date) -> float | None:
        rollup = branch_rollup(session, user=user, branch_id=branch_id, month=of)
        return next(row.total for row in rollup.indicators if row.code == "volume")

    return BranchVolumeRead(
        month=month, volume=volume(month), previous_month=previous, previous_volume=volume(previous)
    )


def _rolled_up(code: str, rows: Sequence[KpiMonth]) -> BranchIndicatorRead:
    values = [row.figures[code] for row in rows if row.figures.get(code) is not None]
    numbers = [float(value) for value in values if value is not None]
    unit = UNITS[code]
    return BranchIndicatorRead(
        code=code,
        unit=unit,
        total=round(sum(numbers), 2) if unit in SUMMED_UNITS and numbers else None,
        mean=round(sum(numbers) / len(numbers), 6) if numbers else None,
        measured=len(numbers),
    )


def _visible_staff(session: Session, user: StaffUser, staff_id: int) -> StaffUser:
    person = kpi_repository.staff_member(session, staff_id)
    if person is None or not (person.id == user.id or sees_branch(user, person.branch_id)):
        raise NotFound(f"no KPIs of staff member {staff_id} you may see")
    return person


def _reads(session: Session, rows: Sequence[KpiMonth]) -> list[KpiMonthRead]:
    names = kpi_repository.full_names(session, {row.staff_id for row in rows})
    return [_read(row, names.get(row.staff_id, "")) for row in rows]


def _read(row: KpiMonth, name: str) -> KpiMonthRead:
    return KpiMonthRead(
        staff_id=row.staff_id,
        staff_name=name,
        branch_id=row.branch_id,
        month=month_label(row.month),
        role=row.role,
        score=row.score,
        rank=row.rank,
        ranked_among=row.ranked_among,
        computed_at=as_utc(row.computed_at),
        indicators=[
            IndicatorRead(
                code=code,
                unit=UNITS[code],
                figure=row.figures.get(code),
                target=row.targets.get(code),
                weight=row.weights.get(code),
                attainment=row.attainment.get(code),
                lower_is_better=code in LOWER_IS_BETTER,
            )
            for code in INDICATORS
            if code in row.weights
        ],
    )
