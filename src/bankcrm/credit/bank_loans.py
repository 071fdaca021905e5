"""The bank's own loans as an application file, and scoring the bank's borrowers with a card.

Each loan with a five-category class is one row of what the bank knew when it lent: the
product and approved amount, the borrower's age and time with the bank on that day, their
type, sex, income band, occupation, industry, risk tolerance, assets at other banks and the
branch. ``loan_class`` is the outcome: substandard, doubtful and loss are bad
(non-performing). ``bankcrm credit fit`` learns a card from it like from any file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
from sqlalchemy.orm import Session

from bankcrm.core.config import CreditSettings
from bankcrm.core.enums import NON_PERFORMING, TaskPriority, TaskStatus
from bankcrm.core.messages import _
from bankcrm.credit import grades
from bankcrm.credit.repository import CreditSystemRepository
from bankcrm.credit.scorecard import Scorecard
from bankcrm.credit.validation import applications_of
from bankcrm.tasks.repository import TaskSystemRepository

BAD_CLASSES = tuple(sorted(loan_class.value for loan_class in NON_PERFORMING))
DOWNGRADE_KIND = "credit_downgrade"
DOWNGRADE_SOURCE = "credit"


DOWNGRADE_TITLE = _("Credit grade down %(before)s→%(after)s")
CENTS = 100


def loan_table(session: Session) -> pa.Table:
    """One row per classified loan of the bank (see the module's description)."""
    rows = CreditSystemRepository(session).loans()
    column = list(zip(*rows, strict=True)) if rows else [()] * 19

    def years(later: tuple[date | None, ...], earlier: tuple[date | None, ...]) -> list:
        return [
            None if a is None or b is None else round((a - b).days / 365.25, 1)
            for a, b in zip(later, earlier, strict=True)
        ]

    def yuan(cents: tuple[int | None, ...]) -> list:
        return [None if value is None else value / CENTS for value in cents]

    approved = [
        limit if limit is not None else balance
        for limit, balance in zip(column[4], column[5], strict=True)
    ]
    return pa.table(
        {
            "loan": pa.array(column[0], pa.string()),
            "customer": pa.array(column[2], pa.string()),
            "product": pa.array(column[3], pa.string()),
            "amount": pa.array(yuan(tuple(approved)), pa.float64()),
            "age": pa.array(years(column[6], column[9]), pa.float64()),
            "years_with_bank": pa.array(years(column[6], column[10]), pa.float64()),
            "customer_type": pa.array([str(value) for value in column[8]], pa.string()),
            "gender": pa.array(column[11], pa.string()),
            "income_level": pa.array(column[12], pa.string()),
            "occupation": pa.array(column[13], pa.string()),
            "industry": pa.array(column[14], pa.string()),
            "risk_level": pa.array(
                [None if v is None else str(v) for v in column[15]], pa.string()
            ),
            "other_banks_assets": pa.array(yuan(column[16]), pa.float64()),
            "branch": pa.array([str(value) for value in column[17]], pa.string()),
            "loan_class": pa.array([str(value) for value in column[7]], pa.string()),
        }
    )


@dataclass(frozen=True)
class ScoringRun:
    scored: int
    downgraded: int
    tasks_created: int


def score_bank(
    session: Session,
    *,
    card: Scorecard,
    card_name: str,
    settings: CreditSettings,
    today: date,
    create_tasks: bool,
) -> ScoringRun:
    """Score every borrower on their newest loan; a grade worse than their last score's
    opens a task for their account manager (unless one is open)."""
    repository = CreditSystemRepository(session)
    rows = repository.loans()
    table = loan_table(session)
    newest: dict[int, int] = {}
    for index, row in enumerate(rows):
        customer_id = int(row[1])
        if customer_id not in newest or row[6] >= rows[newest[customer_id]][6]:
            newest[customer_id] = index
    if not newest:
        return ScoringRun(0, 0, 0)
    chosen = np.array(sorted(newest.values()))
    names = [feature.bins.name for feature in card.features_]
    data, _ = applications_of(table.take(pa.array(chosen)).select(names))
    scores = card.score(data)
    pds = card.scaling.probability_of_default(scores)
    grade_names = grades.grades_of(pds, settings.master_scale)
    reasons = card.reasons(data)
    previous = repository.latest_scores()
    downgraded: list[tuple[int, int | None, str, str]] = []
    records = []
    for position, index in enumerate(chosen):
        customer_id, manager_id = int(rows[index][1]), rows[index][18]
        grade = str(grade_names[position])
        records.append(
            {
                "customer_id": customer_id,
                "scored_on": today,
                "score": round(float(scores[position]), 1),
                "probability_of_default": float(pds[position]),
                "grade": grade,
                "reasons": [
                    {"feature": r.feature, "bin": r.bin, "points_lost": r.points_lost}
                    for r in reasons[position]
                ],
                "scorecard": card_name,
            }
        )
        before = previous.get(customer_id)
        if before is not None and grades.worse(grade, before.grade):
            downgraded.append((customer_id, manager_id, before.grade.value, grade))
    repository.add_scores(records)
    created = _downgrade_tasks(session, downgraded, today) if create_tasks else 0
    return ScoringRun(len(records), len(downgraded), created)


def _downgrade_tasks(
    session: Session, downgraded: list[tuple[int, int | None, str, str]], today: date
) -> int:
    tasks = TaskSystemRepository(session)
    open_already = tasks.open_keys(source=DOWNGRADE_SOURCE, kinds=[DOWNGRADE_KIND])
    rows = [
        {
            "customer_id": customer_id,
            "assignee_id": manager_id,
            "kind": DOWNGRADE_KIND,
            "source": DOWNGRADE_SOURCE,
            "source_ref": f"{before}>{after}",
            "title": DOWNGRADE_TITLE,
            "title_params": {"before": before, "after": after},
            "status": TaskStatus.OPEN,
            "priority": TaskPriority.HIGH,
            "due_on": today,
            "version": 1,
        }
        for customer_id, manager_id, before, after in downgraded
        if (customer_id, DOWNGRADE_KIND) not in open_already
    ]
    tasks.add_many(rows)
    return len(rows)
