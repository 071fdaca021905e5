"""Churn early warning: learn from the bank's own churners (or fall back to 1 − P(alive)),
check the model on the last labelled window (also on the customers still active, with the
lead time of the warnings), score every live customer as still active or lapsed, explain
and diagnose each warning, and open a retention task for the customer's manager."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
from sqlalchemy.orm import Session

from bankcrm.analytics.engine import Engine, open_engine
from bankcrm.analytics.ledger import Ledger
from bankcrm.analytics.repository import read_ledger
from bankcrm.audit import recorder as audit_recorder
from bankcrm.churn.diagnosis import ADVICE, diagnose, months_since_decline
from bankcrm.churn.features import Snapshot, snapshot
from bankcrm.churn.model import (
    PEER_FEATURE,
    ChurnModel,
    Evaluation,
    Reason,
    evaluate,
    known_median,
    lead_time,
    peer_medians,
    reason_number,
    top_decile,
    typical_rows,
)
from bankcrm.churn.models import ChurnRun, ChurnScore
from bankcrm.churn.reasons import describe
from bankcrm.churn.repository import (
    ChurnRunRepository,
    ChurnScoreRepository,
    ChurnSystemRepository,
)
from bankcrm.churn.schemas import (
    ChurnModelRead,
    ChurnRunRead,
    ChurnScoreRead,
    ChurnWarningPage,
    ChurnWarningRead,
    ReasonRead,
    RiskGroup,
)
from bankcrm.clv import repository as clv_repository
from bankcrm.clv.service import offset_minutes
from bankcrm.clv.summary import bank_purchases
from bankcrm.core.clock import bank_today, utcnow
from bankcrm.core.config import ChurnSettings, Settings
from bankcrm.core.enums import (
    AnalyticsEngine,
    AuditAction,
    ChurnDiagnosis,
    ChurnMethod,
    TaskPriority,
    TaskStatus,
)
from bankcrm.core.exceptions import NotFound, ValidationFailed
from bankcrm.core.localized import LocalizedText
from bankcrm.core.money import from_cents
from bankcrm.segmentation.features import Period, earlier_as_of
from bankcrm.segmentation.matrix import MINUTES_PER_MONTH
from bankcrm.staff.models import StaffUser
from bankcrm.tasks import service as tasks_service
from bankcrm.tasks.repository import TaskSystemRepository

TASK_SOURCE = "churn"
TASK_KIND = "retention"
TASK_DUE_DAYS = 14
URGENT_PROBABILITY = 0.8
DIAGNOSIS_MONTHS = 24
"""The window of monthly activity the before/after diagnosis reads."""
PROBABILITY_DECIMALS = 6
"""Scores are kept to this many decimals, and warned on the kept value, so that a stored
score is warned exactly when it is at or above its group's bar."""
MIN_UNBORN = 10
"""Customers without own transactions needed in a window to take their churn rate."""
FALLBACK_REASONS = ("months_since_last_transaction", "transactions", "p_alive")
TASK_TITLE = LocalizedText.of(zh="流失预警:挽留客户", en="Churn warning: retain the customer")


@dataclass(frozen=True)
class Scores:
    """Every active customer's probability, and the reasons of the warnings."""

    method: ChurnMethod
    customer_id: np.ndarray
    probability: np.ndarray
    reasons: list[list[Reason]]
    evaluation: dict[str, Any] | None
    """The time-ordered check (:func:`_check`), as the run keeps it."""
    tenure_months: np.ndarray
    active: np.ndarray
    """Still active on the day (the risk set); the others have lapsed (win-back)."""
    active_threshold: float
    """The probability from which a still-active customer is warned."""
    warned: np.ndarray


def early_threshold(probability: np.ndarray, active: np.ndarray, churn: ChurnSettings) -> float:
    """The probability from which the still active are warned: the one that puts the top
    ``early_warning_share`` of them on the list, never above the warning threshold."""
    if not active.any():
        return churn.warning_threshold
    share = float(np.quantile(probability[active], 1 - churn.early_warning_share))
    return min(churn.warning_threshold, share)


def warned_customers(
    probability: np.ndarray, active: np.ndarray, *, threshold: float, active_threshold: float
) -> np.ndarray:
    """Who is warned: the still active from ``active_threshold``, the lapsed from
    ``threshold``."""
    return np.where(active, probability >= active_threshold, probability >= threshold)


def _supervised(
    train: Snapshot, test: Snapshot, now: Snapshot, settings: Settings
) -> tuple[ChurnModel, ChurnModel] | None:
    """The model learned on the last window whose outcome is known, and the one it is
    checked with: learned on the window before, to score the last. ``None`` when the bank
    has too few customers or churners to learn from."""
    churn = settings.churn
    train_labels = train.churned_later(test)[train.live]
    test_labels = test.churned_later(now)[test.live]
    if (
        train.live.sum() < churn.min_customers
        or not _both_outcomes(train_labels, churn.min_churners)
        or not _both_outcomes(test_labels, churn.min_churners)
    ):
        return None
    checked = ChurnModel().fit(train.matrix.rows(train.live), train_labels)
    # The warning itself learns from the latest window that has its outcome.
    return ChurnModel().fit(test.matrix.rows(test.live), test_labels), checked


Scorer = Callable[[Snapshot], np.ndarray]
"""The live customers' probabilities on a snapshot, as the check scores them."""


def _evaluate_or_none(probability: np.ndarray, labels: np.ndarray) -> Evaluation | None:
    return evaluate(probability, labels) if labels.any() and not labels.all() else None


def _check(
    scorer: Scorer,
    start: Snapshot,
    between: list[Snapshot] | None,
    end: Snapshot,
) -> dict[str, Any] | None:
    """The time-ordered check on the window from ``start`` (one horizon back) to ``end``
    (the as-of day), scored on the day of every month ``between`` as well.

    Of the customers live on the first day: AUC, PR-AUC and top-decile lift of who churned
    by the last; the same on those still active on the first day (``active``, the warnings
    one can act on); and for the churners, the months between the first warning and the
    churn month, counting any warning (``lead_time``) or only one issued while the customer
    was still active (``lead_time_active``). ``None`` when not both outcomes occurred.

    For the lead time a customer is warned on a month's day when their score is in the top
    tenth of that day's live customers (for ``lead_time_active``: of that day's still
    active): the list the top-decile lift measures. A fixed threshold would leave a small
    bank's check without any warning, the checked model's probabilities rarely reaching it.
    """
    probability = scorer(start)
    labels = start.churned_later(end)[start.live]
    overall = _evaluate_or_none(probability, labels)
    if overall is None:
        return None
    active = start.active[start.live]
    check: dict[str, Any] = asdict(overall)
    on_active = _evaluate_or_none(probability[active], labels[active])
    check["active"] = asdict(on_active) if on_active else None
    if between is None:
        check["lead_time"] = check["lead_time_active"] = None
        return check
    months = [start, *between, end]
    customers = start.customer_id[start.live]
    warned = np.zeros((len(customers), len(months)), dtype=bool)
    warned_active = np.zeros_like(warned)
    churned = np.zeros_like(warned)
    for column, month in enumerate(months):
        position = np.searchsorted(month.customer_id, customers)
        score = np.full(len(month.customer_id), np.nan)
        score[month.live] = scorer(month)
        top = np.zeros(len(month.customer_id), dtype=bool)
        top[month.live] = top_decile(score[month.live])
        top_active = np.zeros_like(top)
        top_active[month.active] = top_decile(score[month.active])
        warned[:, column] = top[position]
        warned_active[:, column] = top_active[position]
        churned[:, column] = month.churned[position]
    check["lead_time"] = asdict(lead_time(warned, churned))
    check["lead_time_active"] = asdict(lead_time(warned_active, churned))
    return check


def _both_outcomes(labels: np.ndarray, least: int) -> bool:
    """At least ``least`` churners and as many who stayed: the model learns the contrast."""
    churners = int(labels.sum())
    return churners >= least and len(labels) - churners >= least


def _fallback_reasons(now: Snapshot, rows: np.ndarray) -> list[list[Reason]]:
    """For 1 − P(alive): silence, few transactions and P(alive) against the typical live
    customer of the same type (:data:`PEER_FEATURE`), where the customer is worse (or the
    value is unknown)."""
    overall = known_median(now.matrix.values[now.live])
    by_peer = peer_medians(now.matrix, now.live, PEER_FEATURE)
    typical_of = typical_rows(now.matrix.rows(rows), overall, by_peer, PEER_FEATURE)
    names = now.matrix.names
    worse = {
        "months_since_last_transaction": np.greater,
        "transactions": np.less,
        "p_alive": np.less,
    }
    reasons = []
    for position, row in enumerate(rows):
        chosen = []
        for name in FALLBACK_REASONS:
            value = float(now.feature(name)[row])
            typical = float(typical_of[position, names.index(name)])
            if np.isnan(value) or worse[name](value, typical):
                chosen.append(
                    Reason(
                        feature=name,
                        value=reason_number(value),
                        typical=reason_number(typical),
                        impact=None,
                    )
                )
        reasons.append(chosen)
    return reasons


def _unborn_churn_rate(earlier: Snapshot | None, now: Snapshot) -> float:
    """The share of the active customers without any own transaction who had churned by
    ``now``; 1 when no earlier window tells (BG/NBD says nothing about them)."""
    if earlier is None:
        return 1.0
    unborn = earlier.live & np.isnan(earlier.feature("p_alive"))
    if unborn.sum() < MIN_UNBORN:
        return 1.0
    return float(earlier.churned_later(now)[unborn].mean())


def _fallback_probability(p_alive: np.ndarray, unborn_rate: float) -> np.ndarray:
    """1 − P(alive); a customer who has never transacted gets the observed rate instead."""
    return np.where(np.isnan(p_alive), unborn_rate, 1.0 - p_alive)


def score_customers(
    connection: Engine,
    tables: dict[str, ir.Table],
    *,
    as_of: date,
    settings: Settings,
    books_balances: bool = True,
) -> Scores:
    purchases = bank_purchases(
        tables["transactions"], offset_minutes=offset_minutes(settings, as_of)
    )
    horizon = settings.churn.horizon_months

    def taken(months_back: int) -> Snapshot:
        return snapshot(
            connection,
            tables,
            purchases,
            as_of=earlier_as_of(as_of, months_back) if months_back else as_of,
            settings=settings,
            books_balances=books_balances,
        )

    now = taken(0)
    try:
        test = taken(horizon)
        train = taken(2 * horizon)
        learned = _supervised(train, test, now, settings)
    except ValidationFailed:
        # the purchase model cannot be fitted on the earlier history: no labelled windows
        train, test, learned = None, None, None
    live = now.live
    tenure = now.feature("tenure_months")[live]
    scorer: Scorer | None = None
    if learned is not None:
        model, checked = learned
        matrix = now.matrix.rows(live)
        probability = np.round(model.predict_proba(matrix), PROBABILITY_DECIMALS)
        active_threshold = early_threshold(probability, now.active[live], settings.churn)
        warned = warned_customers(
            probability,
            now.active[live],
            threshold=settings.churn.warning_threshold,
            active_threshold=active_threshold,
        )
        explained = model.reasons(matrix.rows(warned))
        method = ChurnMethod.MODEL

        def scorer(day: Snapshot) -> np.ndarray:
            return checked.predict_proba(day.matrix.rows(day.live))

    else:
        unborn = _unborn_churn_rate(test, now)
        probability = np.round(
            _fallback_probability(now.feature("p_alive")[live], unborn), PROBABILITY_DECIMALS
        )
        active_threshold = early_threshold(probability, now.active[live], settings.churn)
        warned = warned_customers(
            probability,
            now.active[live],
            threshold=settings.churn.warning_threshold,
            active_threshold=active_threshold,
        )
        explained = _fallback_reasons(now, np.flatnonzero(live)[warned])
        method = ChurnMethod.P_ALIVE
        if test is not None:
            # the check may only use what was known on the test window's day
            earlier_rate = _unborn_churn_rate(train, test)

            def scorer(day: Snapshot) -> np.ndarray:
                return _fallback_probability(day.feature("p_alive")[day.live], earlier_rate)

    evaluation = None
    if test is not None and scorer is not None:
        between: list[Snapshot] | None
        try:
            between = [taken(months_back) for months_back in range(horizon - 1, 0, -1)]
        except ValidationFailed:
            between = None  # no monthly scores: the check goes without lead times
        evaluation = _check(scorer, test, between, now)
    reasons: list[list[Reason]] = [[] for _ in range(int(live.sum()))]
    for index, explanation in zip(np.flatnonzero(warned), explained, strict=True):
        reasons[index] = explanation
    return Scores(
        method=method,
        customer_id=now.customer_id[live],
        probability=probability,
        reasons=reasons,
        evaluation=evaluation,
        tenure_months=tenure,
        active=now.active[live],
        active_threshold=active_threshold,
        warned=warned,
    )


def monthly_activity(
    connection: Engine,
    transactions: ir.Table,
    customer_ids: np.ndarray,
    *,
    as_of: date,
    settings: Settings,
) -> np.ndarray:
    """Own transactions per month (customers × ``DIAGNOSIS_MONTHS``, oldest first)."""
    period = Period.ending(as_of, 1, settings.timezone)
    chosen = connection.register("warned", pa.table({"customer_id": customer_ids}))
    own = transactions.filter(
        transactions.customer_initiated & (transactions.booked_min < period.end)
    )
    joined = own.join(chosen, "customer_id")
    months_back = ((period.end - 1 - joined.booked_min) / MINUTES_PER_MONTH).floor().cast("int64")
    recent = joined.select("customer_id", months_back=months_back).filter(
        lambda t: t.months_back < DIAGNOSIS_MONTHS
    )
    counts = connection.to_arrow(
        recent.group_by(["customer_id", "months_back"]).aggregate(count=ibis._.count())
    )
    activity = np.zeros((len(customer_ids), DIAGNOSIS_MONTHS))
    if counts.num_rows:
        order = np.argsort(customer_ids)
        rows = order[np.searchsorted(customer_ids[order], counts.column("customer_id").to_numpy())]
        back = counts.column("months_back").to_numpy()
        activity[rows, DIAGNOSIS_MONTHS - 1 - back] = counts.column("count").to_numpy()
    return activity


def _register(connection: Engine, ledger: Ledger) -> dict[str, ir.Table]:
    return {name: connection.register(name, table) for name, table in ledger.tables().items()}


def run_churn(
    session: Session,
    *,
    settings: Settings,
    as_of: date,
    engine: AnalyticsEngine,
    created_by: StaffUser | None = None,
    create_tasks: bool = True,
) -> ChurnRunRead:
    """Score every active customer as of ``as_of``; warnings above the threshold are
    explained, diagnosed and handed to the manager as retention tasks."""
    started = time.perf_counter()
    ledger = read_ledger(settings)
    with open_engine(engine, settings) as connection:
        tables = _register(connection, ledger)
        scores = score_customers(
            connection,
            tables,
            as_of=as_of,
            settings=settings,
            books_balances=ledger.books_balances(),
        )
        warned = scores.warned
        activity = monthly_activity(
            connection,
            tables["transactions"],
            scores.customer_id[warned],
            as_of=as_of,
            settings=settings,
        )
    # a decline cannot have begun before the relationship did
    decline = np.minimum(
        months_since_decline(activity), np.ceil(scores.tenure_months[warned]).astype(int)
    )
    diagnoses = diagnose(scores.tenure_months[warned], decline, settings.churn.acquisition_months)
    values = _lifetime_values(session, as_of)
    runs = ChurnRunRepository(session)
    run = runs.replace(
        ChurnRun(
            as_of=as_of,
            engine=engine,
            method=scores.method,
            customers=len(scores.customer_id),
            warnings=int(warned.sum()),
            threshold=settings.churn.warning_threshold,
            active_threshold=scores.active_threshold,
            settings=settings.churn.model_dump(mode="json"),
            evaluation=scores.evaluation,
            created_by_id=created_by.id if created_by else None,
        )
    )
    diagnosis_of = dict(
        zip(
            np.flatnonzero(warned).tolist(),
            zip(diagnoses, decline.tolist(), strict=True),
            strict=True,
        )
    )
    runs.add_rows(
        {
            "run_id": run.id,
            "customer_id": int(customer_id),
            "probability": float(probability),
            "reasons": [asdict(reason) for reason in reasons],
            "diagnosis": diagnosis_of[index][0] if index in diagnosis_of else None,
            "decline_months": int(diagnosis_of[index][1]) if index in diagnosis_of else None,
            "active": bool(active),
            "value_cents": values.get(int(customer_id)),
        }
        for index, (customer_id, probability, reasons, active) in enumerate(
            zip(
                scores.customer_id,
                scores.probability,
                scores.reasons,
                scores.active,
                strict=True,
            )
        )
    )
    tasks = 0
    if create_tasks:
        tasks = _raise_tasks(session, settings, run, scores, warned, diagnosis_of)
    run.finished_at = utcnow()
    run.seconds = round(time.perf_counter() - started, 3)
    session.flush()
    return ChurnRunRead(
        as_of=as_of,
        engine=engine,
        method=scores.method,
        customers=run.customers,
        warnings=run.warnings,
        threshold=run.threshold,
        evaluation=run.evaluation,
        tasks_created=tasks,
        seconds=run.seconds,
        active_customers=int(scores.active.sum()),
        active_warnings=int((warned & scores.active).sum()),
        active_threshold=scores.active_threshold,
    )


def _lifetime_values(session: Session, as_of: date) -> dict[int, int]:
    """CLV in cents from the lifetime-value run of the day, or the latest before it."""
    runs = clv_repository.ClvRunRepository(session)
    clv_run = runs.by_as_of(as_of)
    if clv_run is None or clv_run.finished_at is None:
        clv_run = runs.latest(before=as_of)
    if clv_run is None:
        return {}
    return ChurnSystemRepository(session).lifetime_values(clv_run.id)


def _task_text(
    probability: float, reasons: list[Reason], diagnosis: ChurnDiagnosis | None, locale: str
) -> str:
    lines = [
        ("流失概率" if locale.startswith("zh") else "Probability of churning")
        + f" {probability:.0%}",
        *(f"- {describe(reason, locale)}" for reason in reasons),
    ]
    if diagnosis is not None:
        lines.append(ADVICE[diagnosis].text(locale))
    return "\n".join(lines)


def _raise_tasks(
    session: Session,
    settings: Settings,
    run: ChurnRun,
    scores: Scores,
    warned: np.ndarray,
    diagnosis_of: dict[int, tuple[ChurnDiagnosis, int]],
) -> int:
    """A retention task for each warned customer who has none open; for their manager."""
    managers = ChurnSystemRepository(session).managers_of(scores.customer_id[warned].tolist())
    tasks = TaskSystemRepository(session)
    already_open = tasks.open_keys(source=TASK_SOURCE, kinds=[TASK_KIND])
    locale = settings.default_locale
    rows: list[dict[str, Any]] = []
    for index in np.flatnonzero(warned):
        customer_id = int(scores.customer_id[index])
        if (customer_id, TASK_KIND) in already_open:
            continue
        probability = float(scores.probability[index])
        diagnosis, _ = diagnosis_of[int(index)]
        rows.append(
            {
                "customer_id": customer_id,
                "assignee_id": managers.get(customer_id),
                "kind": TASK_KIND,
                "source": TASK_SOURCE,
                "source_ref": run.as_of.isoformat(),
                "title": TASK_TITLE.text(locale),
                "description": _task_text(probability, scores.reasons[index], diagnosis, locale),
                "status": TaskStatus.OPEN,
                "priority": TaskPriority.HIGH
                if probability >= URGENT_PROBABILITY
                else TaskPriority.NORMAL,
                "due_on": run.as_of + timedelta(days=TASK_DUE_DAYS),
                "version": 1,
            }
        )
    tasks.add_many(rows)
    return len(rows)


def run_dates(session: Session) -> list[date]:
    return ChurnRunRepository(session).dates()


def _reasons(stored: list[dict[str, Any]], locale: str) -> list[ReasonRead]:
    return [
        ReasonRead(
            feature=item["feature"],
            label=describe(Reason(**item), locale),
            value=item["value"],
            typical=item["typical"],
            impact=item["impact"],
        )
        for item in stored
    ]


def customer_churn(
    session: Session, *, user: StaffUser, customer_id: int, locale: str
) -> ChurnScoreRead:
    """The customer's latest churn score; another book's customer is not found."""
    run = ChurnRunRepository(session).finished()
    score = ChurnScoreRepository(session, user).of_customer(run.id, customer_id)
    if score is None:
        raise NotFound(f"customer {customer_id} has no churn score (not an active customer)")
    return ChurnScoreRead(
        as_of=run.as_of,
        method=run.method,
        probability=score.probability,
        warning=score.probability >= _threshold_of(run, score),
        reasons=_reasons(score.reasons, locale),
        diagnosis=score.diagnosis,
        diagnosis_advice=ADVICE[score.diagnosis].text(locale) if score.diagnosis else None,
        decline_months=score.decline_months,
    )


def churn_warnings(
    session: Session,
    *,
    user: StaffUser,
    locale: str,
    as_of: date | None = None,
    manager_id: int | None = None,
    branch_id: int | None = None,
    group: RiskGroup | None = None,
    page: int = 1,
    page_size: int = 25,
) -> ChurnWarningPage:
    """The warnings of a run (default the latest) among the customers the viewer may see:
    the still active first (early warnings), then the lapsed (win-back), each ranked by
    probability × lifetime value; ``group`` keeps one of the two."""
    run = ChurnRunRepository(session).finished(as_of)
    rows, totals = ChurnScoreRepository(session, user).warnings(
        run.id,
        threshold=run.threshold,
        active_threshold=_active_threshold(run),
        manager_id=manager_id,
        branch_id=branch_id,
        lapsed=None if group is None else group == "lapsed",
        offset=(page - 1) * page_size,
        limit=page_size,
    )
    total = totals[False] + totals[True] if group is None else totals[group == "lapsed"]
    return ChurnWarningPage(
        items=[
            ChurnWarningRead(
                customer_id=customer.id,
                name=customer.name,
                customer_number=customer.external_id,
                manager_id=customer.manager_id,
                branch_id=customer.branch_id,
                probability=score.probability,
                reasons=_reasons(score.reasons, locale),
                diagnosis=score.diagnosis,
                decline_months=score.decline_months,
                group="lapsed" if score.active is False else "active",
                manager_name=manager_name,
                value=_yuan(score.value_cents),
                priority=_yuan(
                    None
                    if score.value_cents is None
                    else round(score.probability * score.value_cents)
                ),
            )
            for score, customer, manager_name in rows
        ],
        total=total,
        page=page,
        page_size=page_size,
        as_of=run.as_of,
        method=run.method,
        threshold=run.threshold,
        runs=run_dates(session),
        evaluation=run.evaluation,
        active_total=totals[False],
        lapsed_total=totals[True],
        active_threshold=_active_threshold(run),
        active_months=run.settings.get("active_months"),
    )


def _active_threshold(run: ChurnRun) -> float:
    return run.threshold if run.active_threshold is None else run.active_threshold


def _threshold_of(run: ChurnRun, score: ChurnScore) -> float:
    """The threshold of the score's group: a lapsed customer's is the run's threshold."""
    return run.threshold if score.active is False else _active_threshold(run)


def _yuan(cents: int | None) -> Decimal | None:
    return None if cents is None else from_cents(int(cents))


EXPORT_LIMIT = 10_000
"""The most warnings one export holds."""


def exported_warnings(
    session: Session,
    *,
    user: StaffUser,
    locale: str,
    as_of: date | None = None,
    manager_id: int | None = None,
    branch_id: int | None = None,
) -> ChurnWarningPage:
    """The warning list with the page's filters (up to ``EXPORT_LIMIT``) for its export,
    which is audited: it names customers."""
    result = churn_warnings(
        session,
        user=user,
        locale=locale,
        as_of=as_of,
        manager_id=manager_id,
        branch_id=branch_id,
        page=1,
        page_size=EXPORT_LIMIT,
    )
    audit_recorder.record(
        session,
        action=AuditAction.EXPORT,
        entity="churn_warnings",
        after={
            "format": "xlsx",
            "as_of": result.as_of.isoformat(),
            "manager_id": manager_id,
            "branch_id": branch_id,
            "customers": [item.customer_id for item in result.items],
        },
    )
    return result


def retention_tasks(
    session: Session, *, user: StaffUser, customer_ids: list[int]
) -> dict[int, int]:
    """The unfinished retention task of each of these customers the user sees (customer →
    task id), whoever raised it: the churn run or a manager from the list."""
    return tasks_service.open_tasks_of(
        session, user=user, customer_ids=customer_ids, kind=TASK_KIND
    )


def raise_retention_task(
    session: Session, *, user: StaffUser, customer_id: int, settings: Settings
) -> tuple[int, bool]:
    """A retention task for a customer the user sees, for the customer's account manager,
    unless one is still open (then that one): the task's id and whether it is new. Its text
    is the customer's latest churn score and reasons, where there is one."""
    scores = ChurnScoreRepository(session, user)
    customer = scores.customer(customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id} you may see")
    run = ChurnRunRepository(session).latest()
    score = None
    if run is not None and run.finished_at is not None:
        score = scores.of_customer(run.id, customer_id)
    locale = settings.default_locale
    probability = score.probability if score is not None else None
    description = (
        _task_text(
            score.probability,
            [Reason(**item) for item in score.reasons],
            score.diagnosis,
            locale,
        )
        if score is not None
        else None
    )
    return tasks_service.raise_task(
        session,
        user=user,
        customer_id=customer_id,
        assignee_id=customer.manager_id or user.id,
        kind=TASK_KIND,
        source=TASK_SOURCE,
        source_ref=run.as_of.isoformat() if score is not None and run is not None else None,
        title=TASK_TITLE.text(locale),
        description=description,
        priority=TaskPriority.HIGH
        if probability is not None and probability >= URGENT_PROBABILITY
        else TaskPriority.NORMAL,
        due_on=bank_today() + timedelta(days=TASK_DUE_DAYS),
    )


def churn_model(session: Session, *, as_of: date | None = None) -> ChurnModelRead:
    """The run's method, thresholds and bank-wide check (no customer is named in it)."""
    run = ChurnRunRepository(session).finished(as_of)
    return ChurnModelRead(
        as_of=run.as_of,
        method=run.method,
        customers=run.customers,
        warnings=run.warnings,
        threshold=run.threshold,
        active_threshold=_active_threshold(run),
        evaluation=run.evaluation,
        runs=run_dates(session),
    )
