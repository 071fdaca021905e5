"""Segmentation runs (engine → scores → dated snapshot → tasks) and reading their results."""

from __future__ import annotations

import csv
import time
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pyarrow as pa
from sqlalchemy.orm import Session

from bankcrm.analytics.engine import open_engine
from bankcrm.analytics.ledger import SCHEMAS, Ledger, LedgerFiles
from bankcrm.analytics.repository import read_ledger
from bankcrm.audit import recorder as audit_recorder
from bankcrm.core.clock import utcnow
from bankcrm.core.config import Settings
from bankcrm.core.enums import (
    AnalyticsEngine,
    AuditAction,
    CustomerType,
    LoyaltyFactor,
    Quadrant,
    TaskPriority,
    TaskStatus,
)
from bankcrm.core.exceptions import NotFound, ValidationFailed
from bankcrm.core.money import from_cents
from bankcrm.core.pagination import PageParams
from bankcrm.core.workbook import csv_cell
from bankcrm.scope import ROLE_SCOPE, Scope
from bankcrm.segmentation.features import Period, customer_features
from bankcrm.segmentation.models import CustomerSegment, SegmentRun
from bankcrm.segmentation.playbooks import DOWNGRADE_ACTION, PLAYBOOKS, Action
from bankcrm.segmentation.repository import (
    RunRepository,
    SegmentRepository,
    SegmentSystemRepository,
)
from bankcrm.segmentation.schemas import (
    ConcentrationRead,
    CustomerSegmentRead,
    DowngradeRead,
    FactorRead,
    LorenzRead,
    MigrationRead,
    QuadrantCounts,
    SegmentChangeRead,
    SegmentCustomerPage,
    SegmentCustomerRead,
    SegmentExport,
    SegmentPointRead,
    SegmentPointsRead,
    SegmentRunRead,
    SegmentSort,
    SegmentSummaryRead,
    TransitionRead,
)
from bankcrm.segmentation.scoring import Scored, score, summarise
from bankcrm.staff.models import StaffUser
from bankcrm.tasks.repository import TaskSystemRepository

TASK_SOURCE = "segmentation"
EXPORT_LIMIT = 10_000
"""The most customers one export of the quadrant list holds; the workbook says when the list
holds more."""
EXPORT_COLUMNS = (
    "customer_id",
    "customer_type",
    "business_volume",
    "business_share",
    "loyalty_index",
    "quadrant",
    "value_tier",
    "rfm",
    "lifecycle_stage",
    *(factor.value for factor in LoyaltyFactor),
    *(f"{factor.value}_score" for factor in LoyaltyFactor),
)


def compute_segments(
    ledger: Ledger | LedgerFiles, *, as_of: date, engine: AnalyticsEngine, settings: Settings
) -> Scored:
    """The whole pipeline without the store: features on the engine, then the scores.

    A ledger of Parquet files is scanned by the engine itself, so it never sits in memory
    whole; an Arrow ledger (read from the store) is handed over without a copy.
    """
    period = Period.ending(as_of, settings.segmentation.period_months, settings.timezone)
    with open_engine(engine, settings) as connection:
        if isinstance(ledger, LedgerFiles):
            ledger.check()
            tables = {
                name: connection.register_parquet(name, ledger.path(name))
                .select(*schema.names)
                .cast(ibis.Schema.from_pyarrow(schema))
                for name, schema in SCHEMAS.items()
            }
        else:
            tables = {
                name: connection.register(name, table) for name, table in ledger.tables().items()
            }
        expression = customer_features(
            period=period, books_balances=ledger.books_balances(), **tables
        )
        features = connection.to_arrow(expression)
    return score(features, period, settings.segmentation)


def run_segmentation(
    session: Session,
    *,
    settings: Settings,
    as_of: date,
    engine: AnalyticsEngine,
    source: Path | None = None,
    created_by: StaffUser | None = None,
    create_tasks: bool = True,
) -> SegmentRunRead:
    """Segment every customer as of ``as_of`` and keep the result as that day's snapshot."""
    started = time.perf_counter()
    started_at = utcnow()
    ledger = LedgerFiles(source) if source else read_ledger(settings)
    scored = compute_segments(ledger, as_of=as_of, engine=engine, settings=settings)
    runs = RunRepository(session)
    run = runs.replace(
        SegmentRun(
            as_of=as_of,
            engine=engine,
            period_months=settings.segmentation.period_months,
            customers=scored.table.num_rows,
            started_at=started_at,
            settings=settings.segmentation.model_dump(mode="json"),
            summary=scored.summary,
            created_by_id=created_by.id if created_by else None,
        )
    )
    runs.add_table(scored.table, run_id=run.id)
    previous = runs.latest(before=as_of)
    downgrades, tasks = 0, 0
    if create_tasks:
        downgrades, tasks = _raise_tasks(runs, settings, run, previous)
    run.finished_at = utcnow()
    run.seconds = round(time.perf_counter() - started, 3)
    session.flush()
    summary = scored.summary
    return SegmentRunRead(
        as_of=as_of,
        engine=engine,
        customers=summary["customers"],
        quadrants=QuadrantCounts(**summary["quadrants"]),
        gini=summary["gini"],
        top20_share=summary["top20_share"],
        seconds=run.seconds,
        tasks_created=tasks,
        downgrades=downgrades,
    )


def _task(
    action: Action, *, customer_id: int, manager_id: int | None, run: SegmentRun, locale: str
) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "assignee_id": manager_id,
        "kind": action.code,
        "source": TASK_SOURCE,
        "source_ref": run.as_of.isoformat(),
        "title": action.title.text(locale),
        "description": action.detail.text(locale),
        "status": TaskStatus.OPEN,
        "priority": TaskPriority.HIGH if action is DOWNGRADE_ACTION else TaskPriority.NORMAL,
        "due_on": run.as_of + timedelta(days=action.due_days),
        "version": 1,
    }


def _raise_tasks(
    runs: RunRepository, settings: Settings, run: SegmentRun, previous: SegmentRun | None
) -> tuple[int, int]:
    """The problem-2 playbook for customers who entered that quadrant, and downgrade alerts."""
    locale = settings.default_locale
    playbook = PLAYBOOKS[Quadrant.PROBLEM_2].actions
    kinds = [action.code for action in playbook] + [DOWNGRADE_ACTION.code]
    tasks = TaskSystemRepository(runs.session)
    segments = SegmentSystemRepository(runs.session)
    already_open = tasks.open_keys(source=TASK_SOURCE, kinds=kinds)
    rows: list[dict[str, Any]] = []

    def add(action: Action, customer_id: int, manager_id: int | None) -> None:
        if (customer_id, action.code) not in already_open:
            rows.append(
                _task(
                    action, customer_id=customer_id, manager_id=manager_id, run=run, locale=locale
                )
            )

    for customer_id, manager_id in segments.entered(
        run_id=run.id, quadrant=Quadrant.PROBLEM_2, previous_run=previous.id if previous else None
    ):
        for action in playbook:
            add(action, customer_id, manager_id)
    downgrades = 0
    if previous is not None:
        watched = set(settings.segmentation.downgrade_moves)
        for customer_id, manager_id, source, target in segments.moves(
            from_run=previous.id, to_run=run.id
        ):
            if (str(source), str(target)) in watched:
                downgrades += 1
                add(DOWNGRADE_ACTION, customer_id, manager_id)
    tasks.add_many(rows)
    return downgrades, len(rows)


def run_dates(session: Session) -> list[date]:
    return RunRepository(session).dates()


def _concentration(summary: dict[str, Any]) -> ConcentrationRead:
    return ConcentrationRead(
        customers=summary["customers"],
        gini=summary["gini"],
        top20_share=summary["top20_share"],
        lorenz=LorenzRead(**summary["lorenz"]),
    )


def segment_summary(
    session: Session,
    *,
    user: StaffUser,
    as_of: date | None = None,
    customer_type: CustomerType | None = None,
    branch_id: int | None = None,
    manager_id: int | None = None,
) -> SegmentSummaryRead:
    """Quadrant counts and volumes and concentration of the customers the viewer may see."""
    run = RunRepository(session).finished(as_of)
    filtered = customer_type or branch_id or manager_id
    if ROLE_SCOPE[user.role] is Scope.ALL and not filtered:
        summary = run.summary
    else:
        rows = SegmentRepository(session, user).volumes(
            run.id, customer_type=customer_type, branch_id=branch_id, manager_id=manager_id
        )
        summary = summarise_rows(rows)
    return SegmentSummaryRead(
        as_of=run.as_of,
        runs=run_dates(session),
        customers=summary["customers"],
        quadrants=QuadrantCounts(**summary["quadrants"]),
        quadrant_volume={
            Quadrant(key): from_cents(value)
            for key, value in summary["quadrant_volume_cents"].items()
        },
        gini=summary["gini"],
        top20_share=summary["top20_share"],
        lorenz=LorenzRead(**summary["lorenz"]),
        by_type={
            CustomerType(key): _concentration(value) for key, value in summary["by_type"].items()
        },
    )


def summarise_rows(rows: list[Any]) -> dict[str, Any]:
    types, quadrants, volumes = zip(*rows, strict=True) if rows else ((), (), ())
    table = pa.table(
        {
            "customer_type": pa.array([str(value) for value in types], pa.string()),
            "quadrant": pa.array([str(value) for value in quadrants], pa.string()),
            "business_volume_cents": pa.array(np.asarray(volumes, dtype=np.int64)),
        }
    )
    return summarise(table)


def segment_points(
    session: Session,
    *,
    user: StaffUser,
    as_of: date | None = None,
    customer_type: CustomerType | None = None,
    branch_id: int | None = None,
    manager_id: int | None = None,
    limit: int = 3_000,
) -> SegmentPointsRead:
    run = RunRepository(session).finished(as_of)
    rows, total = SegmentRepository(session, user).points(
        run.id,
        customer_type=customer_type,
        branch_id=branch_id,
        manager_id=manager_id,
        limit=limit,
    )
    cuts = run.summary["by_type"].get(customer_type.value, {}) if customer_type else {}
    return SegmentPointsRead(
        as_of=run.as_of,
        total=total,
        share_cut=cuts.get("share_cut"),
        loyalty_cut=cuts.get("loyalty_cut"),
        points=[
            SegmentPointRead(
                customer_id=customer_id,
                name=name,
                customer_type=kind,
                business_share=share,
                loyalty_index=loyalty,
                quadrant=quadrant,
                business_volume=from_cents(volume),
            )
            for customer_id, name, kind, share, loyalty, quadrant, volume in rows
        ],
    )


def segment_customers(
    session: Session,
    *,
    user: StaffUser,
    as_of: date | None = None,
    quadrant: Quadrant | None = None,
    customer_type: CustomerType | None = None,
    branch_id: int | None = None,
    manager_id: int | None = None,
    sort: SegmentSort = SegmentSort.VOLUME,
    descending: bool = True,
    page: int = 1,
    page_size: int = 25,
) -> SegmentCustomerPage:
    """The customers of a quadrant (or all), largest business volume first unless ``sort``
    says otherwise."""
    run = RunRepository(session).finished(as_of)
    params = PageParams(page=page, page_size=page_size)
    rows, total = SegmentRepository(session, user).customers_in(
        run.id,
        quadrant=quadrant,
        customer_type=customer_type,
        branch_id=branch_id,
        manager_id=manager_id,
        sort=sort,
        descending=descending,
        offset=params.offset,
        limit=params.page_size,
    )
    return SegmentCustomerPage(
        as_of=run.as_of,
        items=[_segment_customer(*row) for row in rows],
        total=total,
        page=params.page,
        page_size=params.page_size,
    )


def export_segment_customers(
    session: Session,
    *,
    user: StaffUser,
    as_of: date | None = None,
    quadrant: Quadrant | None = None,
    customer_type: CustomerType | None = None,
    branch_id: int | None = None,
    manager_id: int | None = None,
    sort: SegmentSort = SegmentSort.VOLUME,
    descending: bool = True,
) -> SegmentExport:
    """The quadrant list with the same run, filters and order, up to ``EXPORT_LIMIT`` rows,
    for its workbook. The export is recorded in the audit trail with its filters and the
    customers it holds: it is a file of customers' names leaving the application."""
    run = RunRepository(session).finished(as_of)
    rows, total = SegmentRepository(session, user).customers_in(
        run.id,
        quadrant=quadrant,
        customer_type=customer_type,
        branch_id=branch_id,
        manager_id=manager_id,
        sort=sort,
        descending=descending,
        offset=0,
        limit=EXPORT_LIMIT,
    )
    items = [_segment_customer(*row) for row in rows]
    audit_recorder.record(
        session,
        action=AuditAction.EXPORT,
        entity="customer_segments",
        after={
            "format": "xlsx",
            "as_of": run.as_of.isoformat(),
            "quadrant": quadrant.value if quadrant else None,
            "customer_type": customer_type.value if customer_type else None,
            "branch_id": branch_id,
            "manager_id": manager_id,
            "sort": f"-{sort.value}" if descending else sort.value,
            "total": total,
            "customers": [item.customer_id for item in items],
        },
    )
    return SegmentExport(as_of=run.as_of, quadrant=quadrant, items=items, total=total)


def _segment_customer(
    segment: CustomerSegment,
    external_id: str,
    name: str,
    branch_name: str | None = None,
    manager_name: str | None = None,
) -> SegmentCustomerRead:
    return SegmentCustomerRead(
        customer_id=segment.customer_id,
        external_id=external_id,
        name=name,
        customer_type=segment.customer_type,
        quadrant=segment.quadrant,
        value_tier=segment.value_tier,
        rfm=segment.rfm,
        lifecycle_stage=segment.lifecycle_stage,
        business_volume=from_cents(segment.business_volume_cents),
        business_share=segment.business_share,
        loyalty_index=segment.loyalty_index,
        branch_name=branch_name,
        manager_name=manager_name,
    )


def segment_migration(
    session: Session,
    *,
    user: StaffUser,
    settings: Settings,
    from_as_of: date | None = None,
    to_as_of: date | None = None,
    limit: int = 50,
) -> MigrationRead:
    """The transition matrix between two runs (default: the last two) and the downgrades."""
    target = RunRepository(session).finished(to_as_of)
    if from_as_of is not None:
        source = RunRepository(session).finished(from_as_of)
    else:
        earlier = RunRepository(session).latest(before=target.as_of)
        if earlier is None:
            raise NotFound("migration needs two segmentation runs")
        source = earlier
    if source.as_of >= target.as_of:
        raise ValidationFailed("the first run must be earlier than the second", field="from")
    repository = SegmentRepository(session, user)
    return MigrationRead(
        from_as_of=source.as_of,
        to_as_of=target.as_of,
        transitions=[
            TransitionRead(source=before, target=after, customers=count)
            for before, after, count in repository.transitions(from_run=source.id, to_run=target.id)
        ],
        downgrades=[
            DowngradeRead(
                customer_id=customer_id,
                name=name,
                source=before,
                target=after,
                business_volume=from_cents(volume),
            )
            for customer_id, name, before, after, volume in repository.downgrades(
                from_run=source.id,
                to_run=target.id,
                moves=settings.segmentation.downgrade_moves,
                limit=limit,
            )
        ],
    )


def customer_segment(session: Session, *, user: StaffUser, customer_id: int) -> CustomerSegmentRead:
    history = SegmentRepository(session, user).customer_history(customer_id)
    if not history:
        raise NotFound(f"customer {customer_id} has no segment")
    segment, as_of = history[0]
    return CustomerSegmentRead(
        customer_id=customer_id,
        as_of=as_of,
        customer_type=segment.customer_type,
        business_volume=from_cents(segment.business_volume_cents),
        business_share=segment.business_share,
        loyalty_index=segment.loyalty_index,
        quadrant=segment.quadrant,
        value_tier=segment.value_tier,
        rfm=segment.rfm,
        lifecycle_stage=segment.lifecycle_stage,
        volume_trend=segment.volume_trend,
        factors=[
            FactorRead(
                factor=factor,
                value=getattr(segment, factor.value),
                score=getattr(segment, f"{factor.value}_score"),
            )
            for factor in LoyaltyFactor
        ],
        history=[(day, row.quadrant) for row, day in history],
    )


def segment_changes(
    session: Session, *, user: StaffUser, customer_ids: Sequence[int]
) -> dict[int, SegmentChangeRead]:
    """For each customer the user sees who was segmented, the latest run against the one
    before it."""
    repository = SegmentRepository(session, user)
    changes = {}
    for customer_id in customer_ids:
        history = repository.customer_history(customer_id)
        if not history:
            continue
        (latest, as_of), *earlier = history
        previous, previous_as_of = earlier[0] if earlier else (None, None)
        changes[customer_id] = SegmentChangeRead(
            customer_id=customer_id,
            as_of=as_of,
            business_volume=from_cents(latest.business_volume_cents),
            quadrant=latest.quadrant,
            previous_as_of=previous_as_of,
            previous_business_volume=from_cents(previous.business_volume_cents)
            if previous is not None
            else None,
            previous_quadrant=previous.quadrant if previous is not None else None,
        )
    return changes


def export_segments(session: Session, *, as_of: date, out: Path) -> int:
    """One CSV row per customer of the run; ``customer_id`` is the bank's customer number."""
    run = RunRepository(session).finished(as_of)
    rows = SegmentSystemRepository(session).export_rows(run.id)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        for segment, external_id in rows:
            writer.writerow(
                [
                    csv_cell(external_id),
                    segment.customer_type.value,
                    _decimal(from_cents(segment.business_volume_cents)),
                    repr(segment.business_share),
                    repr(segment.loyalty_index),
                    segment.quadrant.value,
                    segment.value_tier.value,
                    segment.rfm,
                    segment.lifecycle_stage.value,
                    *(_optional(getattr(segment, factor.value)) for factor in LoyaltyFactor),
                    *(repr(getattr(segment, f"{factor.value}_score")) for factor in LoyaltyFactor),
                ]
            )
    return len(rows)


def _decimal(value: Decimal) -> str:
    return f"{value:.2f}"


def _optional(value: float | None) -> str:
    return "" if value is None else repr(value)
