"""Risk assessment, the compliant sales process and next-best offers.

Every path that offers or sells a product asks :func:`bankcrm.offers.suitability.judge`
through :func:`verdict`: the offers list keeps only what it allows, and a sale it refuses
is either refused (409, no sale row, an audit entry) or, with an override reason and the
customer's confirmation, waits for a branch manager's approval (maker–checker).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from bankcrm.audit import recorder as audit_recorder
from bankcrm.audit import repository as audit_repository
from bankcrm.core.clock import as_utc, bank_day_start, bank_today, utcnow
from bankcrm.core.config import OfferSettings, TrainingSettings, get_settings
from bankcrm.core.enums import (
    AuditAction,
    CustomerStatus,
    SaleStatus,
    SuitabilityReason,
)
from bankcrm.core.exceptions import (
    Conflict,
    NotFound,
    PermissionDenied,
    Refused,
    ValidationFailed,
)
from bankcrm.core.localized import in_language
from bankcrm.core.money import from_cents, to_cents
from bankcrm.customers.models import Customer
from bankcrm.offers import objections as objection_book
from bankcrm.offers import questionnaire as risk_questionnaire
from bankcrm.offers.models import OfferScore, RiskAssessment, Sale
from bankcrm.offers.repository import OffersRepository, OfferSystemRepository, SaleWithNames
from bankcrm.offers.schemas import (
    AssessmentRead,
    FabText,
    ObjectionRead,
    OfferRead,
    OptionRead,
    QuestionnaireRead,
    QuestionRead,
    RefusalRead,
    SalePage,
    SaleRead,
    SalesSummary,
    SummaryRow,
)
from bankcrm.offers.suitability import (
    INVESTMENT_CATEGORIES,
    Investor,
    Offering,
    Refusal,
    Seller,
    SuitabilityRules,
    Verdict,
    judge,
)
from bankcrm.products import repository as products_repository
from bankcrm.products.models import Product
from bankcrm.staff.models import StaffUser
from bankcrm.staff.training import service as training_service
from bankcrm.web.i18n import gettext

UNANSWERABLE = frozenset(
    {
        SuitabilityReason.KYC_INCOMPLETE,
        SuitabilityReason.NO_VALID_ASSESSMENT,
        SuitabilityReason.SELLER_UNQUALIFIED,
    }
)
"""Refusals no override can answer: verify the customer, or assess them, or have a
qualified colleague sell, first."""
SALES_ENTITY = "sales"


class SaleRefused(Refused):
    """The suitability gate refused the sale; ``reasons`` says every rule it broke."""

    def __init__(self, message: str, refusals: tuple[Refusal, ...]) -> None:
        super().__init__(message, [refusal.as_json() for refusal in refusals])


# --- the questionnaire --------------------------------------------------------------------


@lru_cache(maxsize=4)
def _questionnaire_from(path: Path | None) -> risk_questionnaire.Questionnaire:
    if path is None:
        return risk_questionnaire.load_shipped()
    return risk_questionnaire.parse_questionnaire(
        path.read_text(encoding="utf-8"), origin=path.name
    )


def questionnaire(settings: OfferSettings) -> risk_questionnaire.Questionnaire:
    """The bank's questionnaire (``offers.questionnaire``), or the shipped one."""
    return _questionnaire_from(settings.questionnaire)


def questionnaire_read(settings: OfferSettings, locale: str) -> QuestionnaireRead:
    current = questionnaire(settings)
    return QuestionnaireRead(
        version=current.version,
        title=current.title.text(locale),
        questions=[
            QuestionRead(
                code=question.code,
                dimension=question.dimension.value,
                text=question.text.text(locale),
                options=[
                    OptionRead(
                        code=option.code, text=option.text.text(locale), points=option.points
                    )
                    for option in question.options
                ],
            )
            for question in current.questions
        ],
    )


# --- assessments --------------------------------------------------------------------------


def customer_in_scope(repository: OffersRepository, customer_id: int) -> Customer:
    customer = repository.customer(customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id} in your book")
    return customer


def assess(
    session: Session,
    *,
    user: StaffUser,
    settings: OfferSettings,
    customer_id: int,
    answers: dict[str, str],
    vulnerable: bool,
) -> AssessmentRead:
    """Score the customer's answers and keep them as their assessment from today."""
    repository = OffersRepository(session, user)
    customer = customer_in_scope(repository, customer_id)
    profile = risk_questionnaire.score(questionnaire(settings), answers)
    today = bank_today()
    assessment = RiskAssessment(
        customer_id=customer.id,
        assessed_by_id=user.id,
        questionnaire_version=profile.questionnaire_version,
        level=profile.level,
        score=profile.total_score,
        score_level=profile.score_level,
        capped_by=",".join(profile.capped_by) or None,
        goal=profile.goal,
        horizon_months=profile.horizon_months,
        vulnerable=vulnerable,
        answers=profile.answers,
        dimension_scores={
            dimension.value: points for dimension, points in profile.dimension_scores.items()
        },
        assessed_on=today,
        valid_until=risk_questionnaire.valid_until(today, settings.assessment_valid_months),
    )
    session.add(assessment)
    customer.risk_level = profile.level
    session.flush()
    return _assessment_read(assessment, user.username, today)


def assessments(session: Session, *, user: StaffUser, customer_id: int) -> list[AssessmentRead]:
    repository = OffersRepository(session, user)
    customer_in_scope(repository, customer_id)
    today = bank_today()
    return [_assessment_read(row, None, today) for row in repository.assessments(customer_id)]


def _assessment_read(
    assessment: RiskAssessment, assessed_by: str | None, today: date
) -> AssessmentRead:
    return AssessmentRead(
        id=assessment.id,
        customer_id=assessment.customer_id,
        questionnaire_version=assessment.questionnaire_version,
        level=assessment.level,
        score=assessment.score,
        score_level=assessment.score_level,
        capped_by=assessment.capped_by,
        goal=assessment.goal,
        horizon_months=assessment.horizon_months,
        vulnerable=assessment.vulnerable,
        answers=assessment.answers,
        dimension_scores=assessment.dimension_scores,
        assessed_on=assessment.assessed_on,
        valid_until=assessment.valid_until,
        is_valid=risk_questionnaire.is_valid(assessment.valid_until, today),
        assessed_by=assessed_by,
    )


# --- the gate -----------------------------------------------------------------------------


def rules(settings: OfferSettings) -> SuitabilityRules:
    return SuitabilityRules(
        elderly_age=settings.elderly_age,
        elderly_max_risk=settings.elderly_max_risk,
        vulnerable_max_risk=settings.vulnerable_max_risk,
        required_qualifications=training_service.catalogue(
            get_settings().training
        ).required_by_risk,
    )


def seller(
    session: Session, user: StaffUser, training: TrainingSettings, today: date
) -> Seller | None:
    """What the gate knows of who sells today; none when the bank keeps no qualification
    records here (``training.enforce_qualifications`` off), so no sale asks for one."""
    if not training.enforce_qualifications:
        return None
    return Seller(training_service.seller_qualifications(session, seller=user, on=today))


def _age(birth_date: date | None, today: date) -> int | None:
    if birth_date is None:
        return None
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def investor(customer: Customer, assessment: RiskAssessment | None, today: date) -> Investor:
    """What the gate knows of the customer today: nothing of an expired assessment."""
    valid = assessment is not None and risk_questionnaire.is_valid(assessment.valid_until, today)
    if not valid or assessment is None:
        return Investor(level=None, age=_age(customer.birth_date, today))
    return Investor(
        level=assessment.level,
        goal=assessment.goal,
        horizon_months=assessment.horizon_months,
        age=_age(customer.birth_date, today),
        vulnerable=assessment.vulnerable,
    )


def offering(product: Product) -> Offering:
    return Offering(
        risk=product.product_risk, category=product.category, term_months=product.term_months
    )


def kyc_complete(customer: Customer) -> bool:
    return (
        customer.status == CustomerStatus.ACTIVE
        and customer.erased_at is None
        and bool(customer.id_number)
    )


def verdict(
    customer: Customer,
    assessment: RiskAssessment | None,
    product: Product,
    settings: OfferSettings,
    today: date,
    selling: Seller | None = None,
) -> Verdict:
    """The gate's answer for this customer and product today (sold by ``selling`` when
    given), the identity check first."""
    judged = judge(
        investor(customer, assessment, today), offering(product), rules(settings), selling
    )
    if kyc_complete(customer):
        return judged
    return Verdict(
        (Refusal(SuitabilityReason.KYC_INCOMPLETE, "", customer.status.value), *judged.refusals)
    )


# --- sales --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaleRequest:
    customer_id: int
    product_id: int
    amount: Decimal
    override_reason: str | None
    disclosure_confirmed: bool
    customer_confirmed: bool


def sell(
    session: Session,
    *,
    user: StaffUser,
    settings: OfferSettings,
    request: SaleRequest,
    locale: str,
) -> SaleRead:
    """KYC → assessment → the gate → disclosure → subscription. A suitable sale is
    subscribed at once; an unsuitable one is refused (:class:`SaleRefused`, with an audit
    entry the caller commits) unless it carries an override reason and the customer's
    confirmation, when it waits for a branch manager."""
    repository = OffersRepository(session, user)
    customer = customer_in_scope(repository, request.customer_id)
    product = products_repository.get(session, request.product_id)
    if product is None or not product.is_active:
        raise NotFound(f"no product {request.product_id} on sale")
    amount_cents = to_cents(request.amount)
    if product.min_amount_cents is not None and amount_cents < product.min_amount_cents:
        raise ValidationFailed(
            f"the least {product.external_id} takes is {from_cents(product.min_amount_cents)} yuan",
            field="amount",
        )
    if not request.disclosure_confirmed:
        raise ValidationFailed(
            "the customer must confirm the risk disclosure before subscribing",
            field="disclosure_confirmed",
        )
    today = bank_today()
    assessment = repository.latest_assessment(customer.id)
    selling = seller(session, user, get_settings().training, today)
    judged = verdict(customer, assessment, product, settings, today, selling)
    if not judged.allowed:
        _refuse_unless_overridden(session, customer, product, judged, request, amount_cents)
    now = utcnow()
    pending = not judged.allowed
    sale = Sale(
        customer_id=customer.id,
        product_id=product.id,
        branch_id=customer.branch_id,
        amount_cents=amount_cents,
        status=SaleStatus.PENDING_APPROVAL if pending else SaleStatus.SUBSCRIBED,
        sold_by_id=user.id,
        sold_at=now,
        assessment_id=assessment.id if assessment is not None else None,
        customer_level=assessment.level if assessment is not None else None,
        product_risk=product.product_risk,
        mismatch=[refusal.as_json() for refusal in judged.refusals],
        override_reason=request.override_reason if pending else None,
        disclosure_confirmed_at=now,
        customer_confirmed_mismatch_at=now if pending else None,
        cooling_off_until=None if pending else _cooling_off_until(product, settings, now),
    )
    session.add(sale)
    session.flush()
    return get_sale(session, user=user, sale_id=sale.id, locale=locale)


def _refuse_unless_overridden(
    session: Session,
    customer: Customer,
    product: Product,
    judged: Verdict,
    request: SaleRequest,
    amount_cents: int,
) -> None:
    unanswerable = [reason for reason in judged.reasons if reason in UNANSWERABLE]
    if request.override_reason and not unanswerable and request.customer_confirmed:
        return
    audit_recorder.record(
        session,
        action=AuditAction.SALE_REFUSED,
        entity=SALES_ENTITY,
        customer_id=customer.id,
        reason=", ".join(reason.value for reason in judged.reasons),
        after={
            "product_id": product.id,
            "amount_cents": amount_cents,
            "refusals": [refusal.as_json() for refusal in judged.refusals],
            "override_reason": request.override_reason,
        },
    )
    if SuitabilityReason.SELLER_UNQUALIFIED in judged.reasons:
        problem = "the seller holds no valid certificate of the qualification the product needs"
    elif request.override_reason and unanswerable:
        problem = "no override can answer " + ", ".join(reason.value for reason in unanswerable)
    elif request.override_reason:
        problem = "an override needs the customer's signed confirmation of the mismatch"
    else:
        problem = "the product does not suit the customer"
    raise SaleRefused(f"{product.external_id}: {problem}", judged.refusals)


def _cooling_off_until(product: Product, settings: OfferSettings, now: datetime) -> datetime | None:
    if product.category not in INVESTMENT_CATEGORIES or settings.cooling_off_hours == 0:
        return None
    return now + timedelta(hours=settings.cooling_off_hours)


def _editable_sale(repository: OffersRepository, sale_id: int) -> Sale:
    sale = repository.sale_for_update(sale_id)
    if sale is None:
        raise NotFound(f"no sale {sale_id} you may see")
    return sale


def decide(
    session: Session,
    *,
    user: StaffUser,
    settings: OfferSettings,
    sale_id: int,
    approve: bool,
    note: str | None,
    locale: str,
) -> SaleRead:
    """The checker approves or rejects a mismatch sale; its seller never can."""
    repository = OffersRepository(session, user)
    sale = _editable_sale(repository, sale_id)
    if sale.status != SaleStatus.PENDING_APPROVAL:
        raise Conflict(f"sale {sale_id} is {sale.status.value}, not waiting for approval")
    if sale.sold_by_id == user.id:
        raise PermissionDenied("you sold this: a second person must approve it (maker–checker)")
    product = products_repository.get(session, sale.product_id)
    assert product is not None
    now = utcnow()
    sale.decided_by_id = user.id
    sale.decided_at = now
    sale.decision_note = note
    if approve:
        sale.status = SaleStatus.SUBSCRIBED
        sale.cooling_off_until = _cooling_off_until(product, settings, now)
    else:
        sale.status = SaleStatus.REJECTED
    session.flush()
    return get_sale(session, user=user, sale_id=sale.id, locale=locale)


def cancel(
    session: Session, *, user: StaffUser, sale_id: int, reason: str, locale: str
) -> SaleRead:
    """The customer changed their mind within the cooling-off period."""
    repository = OffersRepository(session, user)
    sale = _editable_sale(repository, sale_id)
    now = utcnow()
    if not _cancellable(sale, now):
        raise Conflict(f"sale {sale_id} can no longer be cancelled: its cooling-off period is over")
    sale.status = SaleStatus.CANCELLED
    sale.cancelled_at = now
    sale.cancel_reason = reason
    session.flush()
    return get_sale(session, user=user, sale_id=sale.id, locale=locale)


def _cancellable(sale: Sale, now: datetime) -> bool:
    return (
        sale.status == SaleStatus.SUBSCRIBED
        and sale.cooling_off_until is not None
        and as_utc(sale.cooling_off_until) > now
    )


def get_sale(session: Session, *, user: StaffUser, sale_id: int, locale: str) -> SaleRead:
    row = OffersRepository(session, user).sale(sale_id)
    if row is None:
        raise NotFound(f"no sale {sale_id} you may see")
    return _sale_read(row, locale, utcnow())


def list_sales(
    session: Session,
    *,
    user: StaffUser,
    locale: str,
    status: SaleStatus | None = None,
    customer_id: int | None = None,
    page: int = 1,
    page_size: int = 25,
) -> SalePage:
    conditions: list[ColumnElement[bool]] = []
    if status is not None:
        conditions.append(Sale.status == status)
    if customer_id is not None:
        conditions.append(Sale.customer_id == customer_id)
    rows, total = OffersRepository(session, user).sales(
        conditions=conditions, offset=(page - 1) * page_size, limit=page_size
    )
    now = utcnow()
    return SalePage(
        items=[_sale_read(row, locale, now) for row in rows],
        total=total,
        page=page,
        page_size=page_size,
    )


def _sale_read(row: SaleWithNames, locale: str, now: datetime) -> SaleRead:
    sale, customer_name, name_zh, name_en, seller, checker = row
    return SaleRead(
        id=sale.id,
        customer_id=sale.customer_id,
        customer_name=customer_name,
        product_id=sale.product_id,
        product_name=in_language(locale, zh=name_zh, en=name_en),
        amount=from_cents(sale.amount_cents),
        status=sale.status,
        customer_level=sale.customer_level,
        product_risk=sale.product_risk,
        mismatch=[RefusalRead.model_validate(refusal) for refusal in sale.mismatch],
        override_reason=sale.override_reason,
        sold_by=seller,
        sold_at=sale.sold_at,
        disclosure_confirmed_at=sale.disclosure_confirmed_at,
        customer_confirmed_mismatch_at=sale.customer_confirmed_mismatch_at,
        decided_by=checker,
        decided_at=sale.decided_at,
        decision_note=sale.decision_note,
        cooling_off_until=sale.cooling_off_until,
        cancellable=_cancellable(sale, now),
        cancelled_at=sale.cancelled_at,
        cancel_reason=sale.cancel_reason,
    )


def summary(session: Session, *, user: StaffUser, start: date, end: date) -> SalesSummary:
    """Sales by product, level and status, and the refusals, between two days."""
    if end < start:
        raise ValidationFailed("the period ends before it starts", field="end")
    rows = OffersRepository(session, user).summary(start=start, end=end)
    refused = audit_repository.count_actions(
        session,
        action=AuditAction.SALE_REFUSED,
        start=bank_day_start(start),
        end=bank_day_start(end + timedelta(days=1)),
    )
    return SalesSummary(
        start=start,
        end=end,
        rows=[
            SummaryRow(
                product_code=code,
                risk_level=risk,
                status=status,
                sales=count,
                amount=from_cents(amount),
            )
            for code, risk, status, count, amount in rows
        ],
        refused=refused,
    )


# --- offers -------------------------------------------------------------------------------


def offers_for(
    session: Session, *, user: StaffUser, settings: OfferSettings, customer_id: int, locale: str
) -> list[OfferRead]:
    """The suitable products the customer does not hold, most likely taken up first, with
    what to say; without a nightly ranking yet, the bank's most taken-up products."""
    repository = OffersRepository(session, user)
    customer = customer_in_scope(repository, customer_id)
    offerable = offerable_to(repository, customer, settings=settings, today=bank_today())
    scores = {row.product_id: row for row in repository.offer_scores(customer.id)}
    products = [product for product in products_repository.on_sale(session) if offerable(product)]
    products.sort(key=lambda product: (-_score(scores.get(product.id)), product.external_id))
    chosen = products[: settings.offers_shown]
    book = objection_book.load_shipped()
    offers = [
        _offer_read(product, scores.get(product.id), book, locale=locale) for product in chosen
    ]
    if offers:
        audit_recorder.record(
            session,
            action=AuditAction.OFFERED,
            entity="offers",
            customer_id=customer.id,
            after={"products": [offer.product_id for offer in offers]},
        )
    return offers


def suitable_customers(
    session: Session,
    customer_ids: Sequence[int],
    product: Product,
    *,
    settings: OfferSettings,
    today: date,
) -> set[int]:
    """Of ``customer_ids``, those the suitability gate allows ``product`` for today: the
    check a campaign's offer passes for every member (a job for the whole bank)."""
    rows = OfferSystemRepository(session).customers_with_assessments(customer_ids)
    return {
        customer.id
        for customer, assessment in rows
        if verdict(customer, assessment, product, settings, today).allowed
    }


def offerable_to(
    repository: OffersRepository, customer: Customer, *, settings: OfferSettings, today: date
) -> Callable[[Product], bool]:
    """The test a product on sale passes to be offered to the customer: they do not hold it,
    and the gate allows it for them today."""
    assessment = repository.latest_assessment(customer.id)
    held = repository.held_product_ids(customer.id, today)

    def offerable(product: Product) -> bool:
        return (
            product.id not in held
            and verdict(customer, assessment, product, settings, today).allowed
        )

    return offerable


def _score(row: OfferScore | None) -> float:
    return row.score if row is not None else 0.0


def _offer_read(
    product: Product,
    score: OfferScore | None,
    book: objection_book.ObjectionBook,
    *,
    locale: str,
) -> OfferRead:
    return OfferRead(
        product_id=product.id,
        code=product.external_id,
        name=in_language(locale, zh=product.name_zh, en=product.name_en),
        category=product.category,
        risk_level=product.product_risk,
        score=round(_score(score), 4),
        reasons=reasons(score.facts if score is not None else {}, locale),
        fab=FabText(
            feature=in_language(locale, zh=product.fab_feature_zh, en=product.fab_feature_en),
            advantage=in_language(locale, zh=product.fab_advantage_zh, en=product.fab_advantage_en),
            benefit=in_language(locale, zh=product.fab_benefit_zh, en=product.fab_benefit_en),
        ),
        objections=[
            ObjectionRead(
                kind=line.kind.value,
                objection=line.objection.text(locale),
                response=line.response.text(locale),
            )
            for line in book.for_category(product.category)
        ],
    )


def reasons(facts: dict[str, Any], locale: str) -> list[str]:
    """The ranking's facts in the reader's words: what the customer has held and for how
    long, and how many customers like them hold the product."""
    worded: list[str] = []
    held = facts.get("held_product_name", {})
    years = facts.get("held_years")
    if held and years is not None:
        name = in_language(locale, zh=held.get("zh", ""), en=held.get("en", ""))
        worded.append(
            gettext(locale, "Has held %(product)s for %(years)s years")
            % {"product": name, "years": f"{years:.1f}"}
        )
    share = facts.get("peer_share")
    if share is not None:
        worded.append(
            gettext(locale, "%(share)s of similar customers hold it") % {"share": f"{share:.0%}"}
        )
    return worded
