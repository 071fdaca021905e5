"""Corporate ratings in the bank: an account manager rates a company with the shipped
scorecard (:mod:`bankcrm.credit.rating`), a branch manager who did not prepare it reviews
it (maker–checker), and an approved rating sets the customer's credit grade, the one
segmentation uses. Every rating stays; the newest approved one is in force. A downgrade
opens a task for the customer's account manager.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy.orm import Session

from bankcrm.core.clock import bank_today, utcnow
from bankcrm.core.enums import CreditGrade, CustomerType, RatingStatus, TaskPriority
from bankcrm.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from bankcrm.core.messages import _
from bankcrm.credit import grades
from bankcrm.credit import rating as rating_model
from bankcrm.credit.models import CorporateRating
from bankcrm.credit.repository import CreditRepository
from bankcrm.credit.schemas import FactorPointsRead, RatingQueueRow, RatingRead
from bankcrm.customers.models import Customer
from bankcrm.staff import repository as staff_repository
from bankcrm.staff.models import StaffUser
from bankcrm.tasks.models import Task

DOWNGRADE_KIND = "rating_downgrade"
DOWNGRADE_SOURCE = "corporate_rating"


DOWNGRADE_TITLE = _("Corporate rating down %(before)s→%(after)s")
QUEUE_LIMIT = 200


@lru_cache(maxsize=1)
def model() -> rating_model.RatingModel:
    """The scorecard in force: the one that ships with bankcrm."""
    return rating_model.load_shipped()


def submit_rating(
    session: Session,
    *,
    user: StaffUser,
    customer_id: int,
    answers: dict[str, rating_model.RatingAnswer],
    locale: str = "zh-CN",
) -> RatingRead:
    """Rate a corporate customer from the account manager's answers; the rating waits for a
    branch manager's review."""
    repository = CreditRepository(session, user)
    customer = repository.customer_in_scope(customer_id)
    if customer.customer_type != CustomerType.CORPORATE:
        raise ValidationFailed(
            f"customer {customer_id} is not a company: only corporate customers are rated",
            field="customer_id",
        )
    current = model()
    result = rating_model.rate(current, answers)
    row = CorporateRating(
        customer_id=customer.id,
        model_version=result.model_version,
        answers={score.code: score.answer for score in result.factor_scores},
        factor_points={score.code: float(score.points) for score in result.factor_scores},
        score=float(result.total),
        grade=result.grade,
        status=RatingStatus.SUBMITTED,
        prepared_by_id=user.id,
        prepared_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return rating_read(session, row, locale=locale, in_force=False)


def review_rating(
    session: Session,
    *,
    user: StaffUser,
    rating_id: int,
    approve: bool,
    version: int,
    note: str | None,
    locale: str = "zh-CN",
) -> RatingRead:
    """A branch manager approves or rejects a submitted rating; never its preparer, and only
    the version they saw. Approval sets the customer's credit grade."""
    repository = CreditRepository(session, user)
    found = repository.find_ratings(conditions=[CorporateRating.id == rating_id], limit=1)
    if not found:
        raise NotFound(f"no rating {rating_id} you may see")
    row = found[0]
    if row.prepared_by_id == user.id:
        raise PermissionDenied(
            "you prepared this rating: a second person must review it (maker–checker)"
        )
    if row.version != version:
        raise Conflict(
            f"rating {rating_id} was changed by someone else (now version {row.version}); reload it"
        )
    if row.status != RatingStatus.SUBMITTED:
        raise Conflict(f"rating {rating_id} is {row.status.value}, not waiting for review")
    row.status = RatingStatus.APPROVED if approve else RatingStatus.REJECTED
    row.reviewed_by_id = user.id
    row.reviewed_at = utcnow()
    row.review_note = note
    if approve:
        customer = repository.customer_in_scope(row.customer_id)
        previous = customer.credit_grade
        customer.credit_grade = row.grade
        if previous is not None and grades.worse(row.grade, previous):
            _downgrade_task(session, customer, row, previous, user)
    session.flush()
    return rating_read(session, row, locale=locale, in_force=approve)


def _downgrade_task(
    session: Session,
    customer: Customer,
    row: CorporateRating,
    previous: CreditGrade,
    reviewer: StaffUser,
) -> None:
    # the title is a catalog message: whoever opens the task reads it in their language
    session.add(
        Task(
            customer_id=customer.id,
            assignee_id=customer.manager_id,
            created_by_id=reviewer.id,
            kind=DOWNGRADE_KIND,
            source=DOWNGRADE_SOURCE,
            source_ref=str(row.id),
            title=DOWNGRADE_TITLE,
            title_params={"before": previous.value, "after": row.grade.value},
            priority=TaskPriority.HIGH,
            due_on=bank_today(),
        )
    )


def ratings(
    session: Session, *, user: StaffUser, customer_id: int, locale: str = "zh-CN"
) -> list[RatingRead]:
    """The customer's ratings, newest first; the newest approved one is in force."""
    repository = CreditRepository(session, user)
    repository.customer_in_scope(customer_id)
    rows = repository.ratings(customer_id)
    in_force = next((row.id for row in rows if row.status == RatingStatus.APPROVED), None)
    return [rating_read(session, row, locale=locale, in_force=row.id == in_force) for row in rows]


def review_queue(session: Session, *, user: StaffUser, locale: str) -> list[RatingQueueRow]:
    """The submitted ratings the viewer may see, oldest first."""
    rows = CreditRepository(session, user).ratings_waiting(limit=QUEUE_LIMIT)
    return [
        RatingQueueRow(
            rating=rating_read(session, row, locale=locale, in_force=False), customer_name=name
        )
        for row, name in rows
    ]


def rating_read(
    session: Session, row: CorporateRating, *, locale: str, in_force: bool
) -> RatingRead:
    current = model()
    factors: list[FactorPointsRead] = []
    for code, points in row.factor_points.items():
        answer = row.answers.get(code, "")
        name, weight, answer_text = code, int(points), str(answer)
        if current.version == row.model_version:
            factor = current.factor(code)
            name, weight = factor.name.text(locale), factor.weight
            if isinstance(factor, rating_model.ChoiceFactor):
                answer_text = next(
                    (
                        option.text.text(locale)
                        for option in factor.options
                        if option.code == answer
                    ),
                    str(answer),
                )
        factors.append(
            FactorPointsRead(
                code=code,
                name=name,
                weight=weight,
                answer=answer,
                answer_text=answer_text,
                points=int(points),
            )
        )
    lost = [factor for factor in factors if factor.points < factor.weight]
    costliest = sorted(lost, key=lambda factor: factor.points - factor.weight)
    grade_name = row.grade.value
    if current.version == row.model_version:
        band = next((band for band in current.grades if band.grade == row.grade), None)
        if band is not None:
            grade_name = band.name.text(locale)
    return RatingRead(
        id=row.id,
        customer_id=row.customer_id,
        status=row.status,
        version=row.version,
        model_version=row.model_version,
        factors=factors,
        score=row.score,
        grade=row.grade,
        grade_name=grade_name,
        costliest=costliest,
        prepared_by=staff_repository.username(session, row.prepared_by_id),
        prepared_at=row.prepared_at,
        reviewed_by=staff_repository.username(session, row.reviewed_by_id),
        reviewed_at=row.reviewed_at,
        review_note=row.review_note,
        in_force=in_force,
    )
