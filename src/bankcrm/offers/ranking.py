"""The bank's adoptions as the next-best-offer model reads them: the nightly ranking that
keeps each customer's offer scores, and the evaluation against popularity."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import Session

from bankcrm.core.enums import TaskPriority, TaskStatus
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.messages import _
from bankcrm.offers import next_best_offer
from bankcrm.offers.repository import OfferSystemRepository, ScoreRow
from bankcrm.products import repository as products_repository
from bankcrm.tasks.repository import TaskSystemRepository

RANKED_PER_CUSTOMER = 10
REASSESSMENT_SOURCE = "offers"
REASSESSMENT_KIND = "reassessment"


REASSESSMENT_TITLE = _("Risk reassessment")


@dataclass(frozen=True)
class BankAdoptions:
    adoptions: pd.DataFrame
    customers: pd.DataFrame

    @property
    def last_day(self) -> date | None:
        if self.adoptions.empty:
            return None
        return pd.Timestamp(self.adoptions["adopted_on"].max()).date()


def _dates(days: pd.Series) -> pd.Series:
    """Days since the epoch (NaN where unknown) as dates."""
    return pd.to_datetime(days, unit="D")


def read_bank(session: Session) -> BankAdoptions:
    """Every account, holding and sale as an adoption, and every active customer's features,
    read from the committed records as Arrow columns."""
    repository = OfferSystemRepository(session)
    rows = repository.adoptions().to_pandas()
    adoptions = pd.DataFrame(
        {
            "customer_id": rows["customer_id"],
            "product_id": rows["product_id"],
            "adopted_on": _dates(rows["adopted_day"]),
            "ended_on": _dates(rows["ended_day"]),
        }
    )
    people = repository.customer_rows().to_pandas()
    balances = repository.balances().to_pandas().set_index("customer_id")["balance_cents"]
    customers = pd.DataFrame(
        {
            "customer_id": people["customer_id"],
            "birth_date": _dates(people["birth_day"]),
            "is_corporate": people["customer_type"].eq("corporate").fillna(False).astype(bool),
            "onboarded_on": _dates(people["onboarded_day"]),
        }
    )
    customers["value"] = customers["customer_id"].map(balances).fillna(0) / 100
    return BankAdoptions(adoptions=adoptions, customers=customers)


def default_evaluation_day(bank: BankAdoptions, today: date, window_months: int) -> date:
    """``window_months`` before the bank's last adoption (or today, if earlier): the latest
    day whose whole evaluation window the data covers."""
    last = min(bank.last_day or today, today)
    return last - relativedelta(months=window_months)


def evaluate_bank(
    session: Session, *, as_of: date | None, today: date, window_months: int
) -> tuple[date, next_best_offer.Evaluation]:
    bank = read_bank(session)
    if bank.adoptions.empty:
        raise ValidationFailed("the bank has no accounts or holdings to learn from")
    day = as_of or default_evaluation_day(bank, today, window_months)
    try:
        result = next_best_offer.evaluate(
            bank.adoptions, bank.customers, pd.Timestamp(day), window_months
        )
    except ValueError as error:
        raise ValidationFailed(str(error), field="as_of") from error
    return day, result


def rank_bank(session: Session, *, today: date, window_months: int) -> int:
    """Fit on the adoptions up to today and keep each customer's best-scored products with
    the facts their reasons are worded from; returns the scores kept."""
    bank = read_bank(session)
    if bank.adoptions.empty:
        raise ValidationFailed("the bank has no accounts or holdings to learn from")
    offers = best_offers(bank, today, window_months)
    rows, kept = score_rows(session, offers, today)
    keep_scores(session, rows)
    return kept


def best_offers(bank: BankAdoptions, today: date, window_months: int) -> pd.DataFrame:
    """Each customer's ``RANKED_PER_CUSTOMER`` best products with the facts behind them."""
    moment = pd.Timestamp(today)
    model = next_best_offer.PropensityModel(window_months=window_months)
    model.fit(bank.adoptions, bank.customers, moment)
    best = next_best_offer.top_k(
        model.score(bank.adoptions, bank.customers, moment), RANKED_PER_CUSTOMER
    )
    facts = next_best_offer.explain(bank.adoptions, bank.customers, moment, best)
    return best.merge(facts, on=["customer_id", "product_id"], how="left")


def score_rows(
    session: Session, offers: pd.DataFrame, today: date
) -> tuple[Iterator[ScoreRow], int]:
    """The offers of products on sale as stored, and how many there are.

    The facts are ``{"held_product_name", "held_years", "peer_share", "peer_group"}`` as
    ``json.dumps`` writes them, put together from the encoding of each distinct value: a
    bank of a million customers has ten million offers but only a few thousand distinct
    values, and a ``json.dumps`` per offer takes most of a minute."""
    names = {
        product.id: {"zh": product.name_zh, "en": product.name_en}
        for product in products_repository.on_sale(session)
    }
    kept = offers.loc[offers["product_id"].isin(list(names))]
    held_name = _encoded(kept["held_product"], lambda product: names.get(int(product)))
    held_years = _encoded(kept["held_years"], lambda years: round(float(years), 1))
    peer_share = _encoded(kept["peer_share"], lambda share: round(float(share), 3))
    peer_group = _encoded(kept["peer_group"], lambda group: group)
    facts = (
        f'{{"held_product_name": {name}, "held_years": {years}, '
        f'"peer_share": {share}, "peer_group": {group}}}'
        for name, years, share, group in zip(
            held_name, held_years, peer_share, peer_group, strict=True
        )
    )
    rows = zip(
        kept["customer_id"].to_numpy(dtype=np.int64).tolist(),
        kept["product_id"].to_numpy(dtype=np.int64).tolist(),
        kept["score"].to_numpy(dtype=float).tolist(),
        repeat(today),
        facts,
        strict=False,
    )
    return rows, len(kept)


def _encoded(column: pd.Series, value: Callable[[Any], Any]) -> npt.NDArray[np.object_]:
    """Each row's ``json.dumps(value(cell))``, ``null`` for a missing cell."""
    codes, distinct = pd.factorize(column, use_na_sentinel=True)
    texts = [json.dumps(value(cell)) for cell in distinct]
    return np.asarray([*texts, "null"], dtype=object)[codes]


def keep_scores(session: Session, rows: Iterable[ScoreRow]) -> None:
    """The ranking replaces every score, in the session's transaction."""
    OfferSystemRepository(session).replace_scores(rows)


def raise_reassessment_tasks(session: Session, *, today: date, notice_days: int) -> int:
    """A task for the account manager of each customer whose assessment ends within
    ``notice_days`` (or has ended), unless one is open; returns the tasks raised."""
    tasks = TaskSystemRepository(session)
    open_already = tasks.open_keys(source=REASSESSMENT_SOURCE, kinds=[REASSESSMENT_KIND])
    rows: list[dict[str, Any]] = [
        {
            "customer_id": customer_id,
            "assignee_id": manager_id,
            "kind": REASSESSMENT_KIND,
            "source": REASSESSMENT_SOURCE,
            "source_ref": valid_until.isoformat(),
            "title": REASSESSMENT_TITLE,
            "title_params": {},
            "status": TaskStatus.OPEN,
            "priority": TaskPriority.HIGH if valid_until < today else TaskPriority.NORMAL,
            "due_on": valid_until,
            "version": 1,
        }
        for customer_id, manager_id, valid_until in OfferSystemRepository(
            session
        ).expiring_assessments(until=today + timedelta(days=notice_days))
        if (customer_id, REASSESSMENT_KIND) not in open_already
    ]
    tasks.add_many(rows)
    return len(rows)
