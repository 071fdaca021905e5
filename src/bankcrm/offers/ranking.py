"""The bank's adoptions as the next-best-offer model reads them: the nightly ranking that
keeps each customer's offer scores, and the evaluation against popularity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import Session

from bankcrm.core.enums import TaskPriority, TaskStatus
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.offers import next_best_offer
from bankcrm.offers.repository import OfferSystemRepository
from bankcrm.products import repository as products_repository
from bankcrm.tasks.repository import TaskSystemRepository

RANKED_PER_CUSTOMER = 10
REASSESSMENT_SOURCE = "offers"
REASSESSMENT_KIND = "reassessment"


@dataclass(frozen=True)
class BankAdoptions:
    adoptions: pd.DataFrame
    customers: pd.DataFrame

    @property
    def last_day(self) -> date | None:
        if self.adoptions.empty:
            return None
        return pd.Timestamp(self.adoptions["adopted_on"].max()).date()


def read_bank(session: Session) -> BankAdoptions:
    """Every account and holding as an adoption, and every active customer's features."""
    repository = OfferSystemRepository(session)
    adoptions = pd.DataFrame(
        repository.adoptions(), columns=["customer_id", "product_id", "adopted_on", "ended_on"]
    )
    adoptions["adopted_on"] = pd.to_datetime(adoptions["adopted_on"])
    adoptions["ended_on"] = pd.to_datetime(adoptions["ended_on"])
    customers = pd.DataFrame(
        repository.customer_rows(),
        columns=["customer_id", "birth_date", "is_corporate", "onboarded_on"],
    )
    balances = repository.balances()
    customers["value"] = customers["customer_id"].map(balances).fillna(0) / 100
    customers["birth_date"] = pd.to_datetime(customers["birth_date"])
    customers["onboarded_on"] = pd.to_datetime(customers["onboarded_on"])
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
    moment = pd.Timestamp(today)
    model = next_best_offer.PropensityModel(window_months=window_months)
    model.fit(bank.adoptions, bank.customers, moment)
    best = next_best_offer.top_k(
        model.score(bank.adoptions, bank.customers, moment), RANKED_PER_CUSTOMER
    )
    facts = next_best_offer.explain(bank.adoptions, bank.customers, moment, best)
    names = {
        product.id: {"zh": product.name_zh, "en": product.name_en}
        for product in products_repository.on_sale(session)
    }
    merged = best.merge(facts, on=["customer_id", "product_id"], how="left")
    rows = [
        {
            "customer_id": int(row.customer_id),
            "product_id": int(row.product_id),
            "score": float(row.score),
            "scored_on": today,
            "facts": {
                "held_product_name": names.get(int(row.held_product))
                if pd.notna(row.held_product)
                else None,
                "held_years": None if pd.isna(row.held_years) else round(float(row.held_years), 1),
                "peer_share": None if pd.isna(row.peer_share) else round(float(row.peer_share), 3),
                "peer_group": row.peer_group,
            },
        }
        for row in merged.itertuples(index=False)
        if int(row.product_id) in names
    ]
    OfferSystemRepository(session).replace_scores(rows)
    return len(rows)


def raise_reassessment_tasks(session: Session, *, today: date, notice_days: int) -> int:
    """A task for the account manager of each customer whose assessment ends within
    ``notice_days`` (or has ended), unless one is open; returns the tasks raised."""
    tasks = TaskSystemRepository(session)
    open_already = tasks.open_keys(source=REASSESSMENT_SOURCE, kinds=[REASSESSMENT_KIND])
    rows = [
        {
            "customer_id": customer_id,
            "assignee_id": manager_id,
            "kind": REASSESSMENT_KIND,
            "source": REASSESSMENT_SOURCE,
            "source_ref": valid_until.isoformat(),
            "title": "风险承受能力重新评估 / Risk re-assessment",
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
