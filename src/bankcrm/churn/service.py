"""Churn early warning: learn from the bank's own churners (or fall back to 1 − P(alive)),
check the model on the last labelled window, score every active customer, explain and
diagnose each warning, and open a retention task for the customer's manager."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
from sqlalchemy.orm import Session

from bankcrm.analytics.engine import Engine, open_engine
from bankcrm.analytics.ledger import Ledger
from bankcrm.analytics.repository import read_ledger
from bankcrm.churn.diagnosis import ADVICE, diagnose, months_since_decline
from bankcrm.churn.features import Snapshot, snapshot
from bankcrm.churn.model import (
    ChurnModel,
    Evaluation,
    Reason,
    evaluate,
    known_median,
    reason_number,
)
from bankcrm.churn.models import ChurnRun
from bankcrm.churn.reasons import describe
from bankcrm.churn.repository import (
    ChurnRunRepository,
    ChurnScoreRepository,
    ChurnSystemRepository,
)
from bankcrm.churn.schemas import (
    ChurnRunRead,
    ChurnScoreRead,
    ChurnWarningPage,
    ChurnWarningRead,
    ReasonRead,
)
from bankcrm.clv.service import offset_minutes
from bankcrm.clv.summary import bank_purchases
from bankcrm.core.clock import utcnow
from bankcrm.core.config import Settings
from bankcrm.core.enums import (
    AnalyticsEngine,
    ChurnDiagnosis,
    ChurnMethod,
    TaskPriority,
    TaskStatus,
)
from bankcrm.core.exceptions import NotFound, ValidationFailed
from bankcrm.segmentation.features import Period, earlier_as_of
from bankcrm.segmentation.matrix import MINUTES_PER_MONTH
from bankcrm.segmentation.playbooks import Text
from bankcrm.staff.models import StaffUser
from bankcrm.tasks.repository import TaskSystemRepository

TASK_SOURCE = "churn"
TASK_KIND = "retention"
TASK_DUE_DAYS = 14
URGENT_PROBABILITY = 0.8
DIAGNOSIS_MONTHS = 24
"""The window of monthly activity the before/after diagnosis reads."""
MIN_UNBORN = 10
"""Customers without own transactions needed in a window to take their churn rate."""
FALLBACK_REASONS = ("months_since_last_transaction", "transactions", "p_alive")
TASK_TITLE = Text("流失预警:挽留客户", "Churn warning: retain the customer")


@dataclass(frozen=True)
class Scores:
    """Every active customer's probability, and the reasons of the warnings."""

    method: ChurnMethod
    customer_id: np.ndarray
    probability: np.ndarray
    reasons: list[list[Reason]]
    evaluation: Evaluation | None
    tenure_months: np.ndarray


def _supervised(
    train: Snapshot, test: Snapshot, now: Snapshot, settings: Settings
) -> tuple[ChurnModel, Evaluation] | None:
    """The model learned on the last window whose outcome is known, and its check: learned on
    the window before, scored on the last. ``None`` when the bank has too few customers or
    churners to learn from."""
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
    evaluation = evaluate(checked.predict_proba(test.matrix.rows(test.live)), test_labels)
    # The warning itself learns from the latest window that has its outcome.
    return ChurnModel().fit(test.matrix.rows(test.live), test_labels), evaluation


def _both_outcomes(labels: np.ndarray, least: int) -> bool:
    """At least ``least`` churners and as many who stayed: the model learns the contrast."""
    churners = int(labels.sum())
    return churners >= least and len(labels) - churners >= least


def _fallback_reasons(now: Snapshot, rows: np.ndarray) -> list[list[Reason]]:
    """For 1 − P(alive): silence, few transactions and P(alive) against the typical live
    customer, where the customer is worse (or the value is unknown)."""
    typical = dict(zip(now.matrix.names, known_median(now.matrix.values[now.live]), strict=True))
    worse = {
        "months_since_last_transaction": np.greater,
        "transactions": np.less,
        "p_alive": np.less,
    }
    reasons = []
    for row in rows:
        chosen = []
        for name in FALLBACK_REASONS:
            value = float(now.feature(name)[row])
            if np.isnan(value) or worse[name](value, typical[name]):
                chosen.append(
                    Reason(
                        feature=name,
                        value=reason_number(value),
                        typical=reason_number(typical[name]),
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
    connection: Engine, tables: dict[str, ir.Table], *, as_of: date, settings: Settings
) -> Scores:
    purchases = bank_purchases(
        tables["transactions"], offset_minutes=offset_minutes(settings, as_of)
    )
    horizon = settings.churn.horizon_months
    now = snapshot(connection, tables, purchases, as_of=as_of, settings=settings)
    try:
        test = snapshot(
            connection,
            tables,
            purchases,
            as_of=earlier_as_of(as_of, horizon),
            settings=settings,
        )
        train = snapshot(
            connection,
            tables,
            purchases,
            as_of=earlier_as_of(as_of, 2 * horizon),
            settings=settings,
        )
        learned = _supervised(train, test, now, settings)
    except ValidationFailed:
        # the purchase model cannot be fitted on the earlier history: no labelled windows
        train, test, learned = None, None, None
    live = now.live
    tenure = now.feature("tenure_months")[live]
    if learned is not None:
        model, evaluation = learned
        matrix = now.matrix.rows(live)
        probability = model.predict_proba(matrix)
        warned = probability >= settings.churn.warning_threshold
        explained = model.reasons(matrix.rows(warned))
        method = ChurnMethod.MODEL
    else:
        unborn = _unborn_churn_rate(test, now)
        probability = _fallback_probability(now.feature("p_alive")[live], unborn)
        warned = probability >= settings.churn.warning_threshold
        explained = _fallback_reasons(now, np.flatnonzero(live)[warned])
        method = ChurnMethod.P_ALIVE
        evaluation = None
        if test is not None:
            labels = test.churned_later(now)[test.live]
            if labels.any() and not labels.all():
                # the check may only use what was known on the test window's day
                earlier_rate = _unborn_churn_rate(train, test)
                evaluation = evaluate(
                    _fallback_probability(test.feature("p_alive")[test.live], earlier_rate),
                    labels,
                )
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
        scores = score_customers(connection, tables, as_of=as_of, settings=settings)
        warned = scores.probability >= settings.churn.warning_threshold
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
    runs = ChurnRunRepository(session)
    run = runs.replace(
        ChurnRun(
            as_of=as_of,
            engine=engine,
            method=scores.method,
            customers=len(scores.customer_id),
            warnings=int(warned.sum()),
            threshold=settings.churn.warning_threshold,
            settings=settings.churn.model_dump(mode="json"),
            evaluation=asdict(scores.evaluation) if scores.evaluation else None,
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
            "probability": round(float(probability), 6),
            "reasons": [asdict(reason) for reason in reasons],
            "diagnosis": diagnosis_of[index][0] if index in diagnosis_of else None,
            "decline_months": int(diagnosis_of[index][1]) if index in diagnosis_of else None,
        }
        for index, (customer_id, probability, reasons) in enumerate(
            zip(scores.customer_id, scores.probability, scores.reasons, strict=True)
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
    )


def _task_text(
    probability: float, reasons: list[Reason], diagnosis: ChurnDiagnosis, locale: str
) -> str:
    lines = [
        ("流失概率" if locale.startswith("zh") else "Probability of churning")
        + f" {probability:.0%}",
        *(f"- {describe(reason, locale)}" for reason in reasons),
        ADVICE[diagnosis].get(locale),
    ]
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
                "title": TASK_TITLE.get(locale),
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
        warning=score.probability >= run.threshold,
        reasons=_reasons(score.reasons, locale),
        diagnosis=score.diagnosis,
        diagnosis_advice=ADVICE[score.diagnosis].get(locale) if score.diagnosis else None,
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
    page: int = 1,
    page_size: int = 25,
) -> ChurnWarningPage:
    """The warnings of a run (default the latest) among the customers the viewer may see."""
    run = ChurnRunRepository(session).finished(as_of)
    rows, total = ChurnScoreRepository(session, user).warnings(
        run.id,
        threshold=run.threshold,
        manager_id=manager_id,
        branch_id=branch_id,
        offset=(page - 1) * page_size,
        limit=page_size,
    )
    return ChurnWarningPage(
        items=[
            ChurnWarningRead(
                customer_id=customer.id,
                name=customer.name,
                manager_id=customer.manager_id,
                branch_id=customer.branch_id,
                probability=score.probability,
                reasons=_reasons(score.reasons, locale),
                diagnosis=score.diagnosis,
                decline_months=score.decline_months,
            )
            for score, customer in rows
        ],
        total=total,
        page=page,
        page_size=page_size,
        as_of=run.as_of,
        method=run.method,
        threshold=run.threshold,
        runs=run_dates(session),
        evaluation=run.evaluation,
    )
