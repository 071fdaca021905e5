"""The next-best-offer ranking on a demo bank, through the commands a bank schedules:
``bankcrm offers evaluate`` beats recommending the most popular products, and ``bankcrm
offers rank`` keeps scores only for products the customer does not hold."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.accounts.models import Account, Holding
from bankcrm.core.db import make_engine
from bankcrm.core.enums import AccountStatus
from bankcrm.demo.flows import build_demo_bank
from bankcrm.ingest.synth import GENERATED_AS_OF
from bankcrm.offers import ranking
from bankcrm.offers.models import OfferScore
from tests import factories
from tests.commands import run_bankcrm

CUSTOMERS = 3_000
SEED = 7


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("offers-demo")
    build_demo_bank(
        as_of=GENERATED_AS_OF,
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


def test_the_facts_are_stored_as_json_dumps_writes_them(session: Session) -> None:
    """The facts are put together from the encoding of each distinct value: the same text,
    byte for byte, as ``json.dumps`` of each offer's facts, and no offer of a product that is
    not on sale."""
    held, offered = factories.product(session), factories.product(session)
    missing = float("nan")
    offers = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 3],
            "product_id": [offered.id, held.id, offered.id, offered.id + 1_000],
            "score": [0.5, 0.25, 1 / 3, 0.9],
            "held_product": pd.Series([held.id, held.id, None, None], dtype=object),
            "held_years": [3.25, 3.25, missing, missing],
            "peer_share": [0.1235, 2 / 3, missing, 0.2],
            "peer_group": pd.Series(["30-44|individual|q2", "30-44|individual|q2", None, "x"]),
        }
    )
    day = date(2026, 1, 5)
    rows, kept = ranking.score_rows(session, offers, day)
    stored = list(rows)
    assert kept == len(stored) == 3
    names = {"zh": held.name_zh, "en": held.name_en}
    expected = [
        (1, offered.id, 0.5, day, (names, round(3.25, 1), round(0.1235, 3), "30-44|individual|q2")),
        (1, held.id, 0.25, day, (names, round(3.25, 1), round(2 / 3, 3), "30-44|individual|q2")),
        (2, offered.id, 1 / 3, day, (None, None, None, None)),
    ]
    for row, (customer, product, score, on, (name, years, share, group)) in zip(
        stored, expected, strict=True
    ):
        facts = {
            "held_product_name": name,
            "held_years": years,
            "peer_share": share,
            "peer_group": group,
        }
        assert row == (customer, product, score, on, json.dumps(facts))
