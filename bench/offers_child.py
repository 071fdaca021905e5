"""Child process for the offers benchmark; each mode prints one JSON object last.

``store URL FILES [desk]``: migrate ``URL`` and import the tables of a generated bank the
ranking reads (branches, staff, products, customers, accounts, holdings); with ``desk``,
plant the demo's sales desk too (a risk assessment for every customer, a year of sales).
``rank URL [REPEATS]``: ``rank_bank`` as ``bankcrm offers rank`` runs it, each run timed,
then its steps timed one by one.
``offers URL SAMPLE SEED``: ``offers_for`` for ``SAMPLE`` customers, each asked by their
own account manager, against the bare reads of the same customer's rows.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from bankcrm.audit import recorder as audit_recorder
from bankcrm.core.clock import bank_today
from bankcrm.core.config import Settings
from bankcrm.core.db import make_engine
from bankcrm.core.migrate import upgrade
from bankcrm.customers.models import Customer
from bankcrm.demo.offers_desk import plant_offers
from bankcrm.ingest.service import import_directory
from bankcrm.offers import ranking
from bankcrm.offers import service as offers_service
from bankcrm.offers.models import OfferScore
from bankcrm.products import repository as products_repository
from bankcrm.staff.models import StaffUser

RANKED_TABLES = ("branches", "staff", "products", "customers", "accounts", "holdings")
"""What the ranking and the offers read; the bank's transactions are left out of the store
(the ranking never reads them, and importing 50 million of them takes a quarter of an hour)."""
DESK_SEED = 1


def run_store(url: str, files: Path, desk: bool) -> dict[str, object]:
    started = time.perf_counter()
    upgrade(url)
    with tempfile.TemporaryDirectory(prefix="bankcrm-offers-") as directory:
        chosen = Path(directory)
        for name in RANKED_TABLES:
            source = next(files.glob(f"{name}.*"))
            (chosen / source.name).symlink_to(source)
        report = import_directory(url, chosen)
    imported = time.perf_counter()
    rows = dict(report.rows_by_table)
    if desk:
        engine = make_engine(url)
        with Session(engine) as session:
            audit_recorder.act_as(session, actor_id=None, label="bench")
            plant_offers(session, today=bank_today(), seed=DESK_SEED, settings=Settings().offers)
            session.commit()
            for table in ("risk_assessments", "sales"):
                rows[table] = int(session.scalar(text(f"SELECT COUNT(*) FROM {table}")) or 0)
        engine.dispose()
    return {
        "rows": rows,
        "import_seconds": imported - started,
        "desk_seconds": time.perf_counter() - imported,
    }


def _timed(action: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def run_rank(url: str, repeats: int) -> dict[str, object]:
    settings = Settings(database_url=url).offers
    engine = make_engine(url)
    today = bank_today()
    timings: list[float] = []
    kept = 0
    for _ in range(repeats):
        with Session(engine) as session:
            kept, seconds = _timed(
                lambda session=session: _rank_and_commit(session, today, settings.window_months)
            )
        timings.append(seconds)
        print(f"  rank {seconds:.1f} s, {kept:,} scores", file=sys.stderr, flush=True)
    with Session(engine) as session:
        customers = int(session.scalar(text("SELECT COUNT(*) FROM customers")) or 0)
        adoptions = sum(
            int(session.scalar(text(f"SELECT COUNT(*) FROM {table}")) or 0)
            for table in ("accounts", "holdings", "sales")
        )
        steps = _rank_steps(session, today, settings.window_months)
    engine.dispose()
    return {
        "timings": timings,
        "scores": kept,
        "customers": customers,
        "adoption_rows": adoptions,
        "steps": steps,
    }


def _rank_and_commit(session: Session, today: Any, window_months: int) -> int:
    """What ``bankcrm offers rank`` times: the ranking and its commit."""
    kept = ranking.rank_bank(session, today=today, window_months=window_months)
    session.commit()
    return kept


def _rank_steps(session: Session, today: Any, window_months: int) -> dict[str, float]:
    """``rank_bank``'s steps one by one, as it runs them."""
    bank, read = _timed(lambda: ranking.read_bank(session))
    best, scored = _timed(lambda: ranking.best_offers(bank, today, window_months))
    (rows, _), worded = _timed(lambda: ranking.score_rows(session, best, today))
    _, written = _timed(lambda: (ranking.keep_scores(session, rows), session.commit()))
    return {
        "read the bank": read,
        "fit, score, keep the best, explain": scored,
        "word the facts": worded,
        "write the scores and commit": written,
    }


class _StatementCounter:
    def __init__(self, engine: Any) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_: Any) -> None:
        self.count += 1


def _percentile(values: list[float], share: float) -> float:
    return float(np.percentile(np.asarray(values), share * 100))


def run_offers(url: str, sample: int, seed: int) -> dict[str, object]:
    settings = Settings(database_url=url).offers
    engine = make_engine(url)
    counter = _StatementCounter(engine)
    with Session(engine) as session:
        audit_recorder.act_as(session, actor_id=None, label="bench")
        ranked = session.scalars(select(OfferScore.customer_id).distinct()).all()
        chosen = np.random.default_rng(seed).choice(
            np.asarray(ranked), size=min(sample, len(ranked)), replace=False
        )
        managers = dict(
            session.execute(
                select(Customer.id, Customer.manager_id).where(
                    Customer.id.in_([int(customer) for customer in chosen])
                )
            ).all()
        )
        viewers = {
            user.id: user
            for user in session.scalars(
                select(StaffUser).where(StaffUser.id.in_(set(managers.values())))
            )
        }
        bare_scores = text(
            "SELECT * FROM offer_scores WHERE customer_id = :customer "
            "ORDER BY score DESC, product_id"
        )
        ours: list[float] = []
        bare: list[float] = []
        statements: list[int] = []
        offered = 0
        for customer in (int(value) for value in chosen):
            viewer = viewers.get(managers.get(customer))
            if viewer is None:
                continue
            before = counter.count
            offers, seconds = _timed(
                lambda customer=customer, viewer=viewer: offers_service.offers_for(
                    session,
                    user=viewer,
                    settings=settings,
                    customer_id=customer,
                    locale="zh_CN",
                )
            )
            session.commit()
            statements.append(counter.count - before)
            ours.append(seconds * 1000)
            offered += len(offers)
            _, seconds = _timed(
                lambda customer=customer: (
                    session.execute(bare_scores, {"customer": customer}).all(),
                    products_repository.on_sale(session),
                )
            )
            bare.append(seconds * 1000)
            session.rollback()
        customers = int(session.scalar(text("SELECT COUNT(*) FROM customers")) or 0)
    engine.dispose()
    return {
        "customers": customers,
        "calls": len(ours),
        "offers_per_call": offered / max(len(ours), 1),
        "median_ms": statistics.median(ours),
        "p95_ms": _percentile(ours, 0.95),
        "bare_median_ms": statistics.median(bare),
        "bare_p95_ms": _percentile(bare, 0.95),
        "statements": statistics.median(statements),
    }


def main() -> None:
    mode, *rest = sys.argv[1:]
    result: dict[str, object]
    if mode == "store":
        result = run_store(rest[0], Path(rest[1]), rest[2:] == ["desk"])
    elif mode == "rank":
        result = run_rank(rest[0], int(rest[1]) if len(rest) > 1 else 1)
    elif mode == "offers":
        result = run_offers(rest[0], int(rest[1]), int(rest[2]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
