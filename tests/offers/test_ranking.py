"""The next-best-offer ranking on a demo bank, through the commands a bank schedules:
``bankcrm offers evaluate`` beats recommending the most popular products, and ``bankcrm
offers rank`` keeps scores only for products the customer does not hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.accounts.models import Account, Holding
from bankcrm.core.db import make_engine
from bankcrm.core.enums import AccountStatus
from bankcrm.demo.flows import build_demo_bank
from bankcrm.offers.models import OfferScore
from tests.commands import run_bankcrm

CUSTOMERS = 3_000
SEED = 7


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("offers-demo")
    build_demo_bank(
        database_url=f"sqlite:///{folder / 'bankcrm.db'}",
        work_dir=folder,
        customers=CUSTOMERS,
        seed=SEED,
    )
    return folder


def test_the_ranking_beats_popularity_on_the_demo_bank(demo_folder: Path) -> None:
    answer = run_bankcrm("offers", "evaluate", "--json", cwd=demo_folder)
    assert answer.returncode == 0, answer.stderr
    figures = json.loads(answer.stdout)
    assert {"customers", "hit_rate_at_3", "baseline_hit_rate_at_3", "map_at_7"} <= set(figures)
    assert figures["customers"] > 100
    assert figures["hit_rate_at_3"] >= 1.2 * figures["baseline_hit_rate_at_3"]
    assert 0 < figures["map_at_7"] <= 1


def test_a_day_without_later_adoptions_is_refused_clearly(demo_folder: Path) -> None:
    answer = run_bankcrm("offers", "evaluate", "--as-of", "2031-01-01", "--json", cwd=demo_folder)
    assert answer.returncode == 1
    assert "2031-01-01" in answer.stderr and "Traceback" not in answer.stderr


def test_the_nightly_ranking_keeps_offers_of_products_not_held(demo_folder: Path) -> None:
    answer = run_bankcrm("offers", "rank", cwd=demo_folder)
    assert answer.returncode == 0, answer.stderr
    engine = make_engine(f"sqlite:///{demo_folder / 'bankcrm.db'}")
    with Session(engine) as session:
        scores = session.execute(select(OfferScore.customer_id, OfferScore.product_id)).all()
        held = set(
            session.execute(
                select(Account.customer_id, Account.product_id).where(
                    Account.status != AccountStatus.CLOSED
                )
            ).all()
        ) | set(
            session.execute(
                select(Holding.customer_id, Holding.product_id).where(Holding.ended_on.is_(None))
            ).all()
        )
        facts = session.scalars(select(OfferScore.facts)).first()
    engine.dispose()
    assert len(scores) > CUSTOMERS
    assert not set(scores) & held
    assert facts is not None and "peer_share" in facts
