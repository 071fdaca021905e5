"""The demo's sales desk: every customer has taken the risk questionnaire (some of them more
than a year ago, so their assessment has expired), and a year of sales shows suitable
subscriptions, cancellations within the cooling-off period, refusals, and overrides that a
branch manager approved, rejected or has still to decide."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bankcrm.audit import recorder as audit_recorder
from bankcrm.core.clock import bank_day_start
from bankcrm.core.config import OfferSettings
from bankcrm.core.enums import AuditAction, CustomerStatus, Role, SaleStatus
from bankcrm.customers.models import Customer
from bankcrm.offers import questionnaire as risk_questionnaire
from bankcrm.offers import service as offers_service
from bankcrm.offers.models import RiskAssessment, Sale
from bankcrm.offers.suitability import INVESTMENT_CATEGORIES, rank
from bankcrm.products import repository as products_repository
from bankcrm.scope import SystemRepository
from bankcrm.staff.models import StaffUser

ASSESSED_WITHIN_DAYS = 430
"""Assessments are spread over this many days before today: a twelve-month validity leaves
about one in six expired."""
SALES_SHARE = 0.12
OVERRIDE_SHARE = 0.5
"""Of the unsuitable attempts, the share the manager put to the branch manager rather than
drop."""
PENDING_DAYS = 10
"""Overrides younger than this still wait for the branch manager."""


class OffersDeskSystemRepository(SystemRepository):
    """The demo acts for the whole bank: every active customer, every branch manager."""

    def active_customers(self) -> list[Customer]:
        statement = (
            self.customers()
            .where(Customer.status == CustomerStatus.ACTIVE, Customer.erased_at.is_(None))
            .order_by(Customer.id)
        )
        return list(self.session.scalars(statement))

    def add_assessments(self, rows: list[dict[str, object]]) -> None:
        if rows:
            self.session.execute(insert(RiskAssessment), rows)

    def newest_assessments(self) -> dict[int, RiskAssessment]:
        newest: dict[int, RiskAssessment] = {}
        statement = self.owned(RiskAssessment).order_by(RiskAssessment.id)
        for assessment in self.session.scalars(statement):
            newest[assessment.customer_id] = assessment
        return newest


def _branch_managers(session: Session) -> dict[int, int]:
    statement = select(StaffUser.branch_id, StaffUser.id).where(
        StaffUser.role == Role.BRANCH_MANAGER, StaffUser.branch_id.is_not(None)
    )
    return {int(branch): int(user) for branch, user in session.execute(statement) if branch}


def _answers(
    questionnaire: risk_questionnaire.Questionnaire, target: int, rng: np.random.Generator
) -> dict[str, str]:
    """Answers of a customer whose tolerance is about ``target`` (0 cautious … 4 bold)."""
    answers = {}
    for question in questionnaire.questions:
        last = len(question.options) - 1
        position = round(target / 4 * last + rng.normal(0, 0.8))
        answers[question.code] = question.options[int(np.clip(position, 0, last))].code
    return answers


def plant_offers(session: Session, *, today: date, seed: int, settings: OfferSettings) -> None:
    rng = np.random.default_rng([seed, 17])
    repository = OffersDeskSystemRepository(session)
    questionnaire = offers_service.questionnaire(settings)
    customers = repository.active_customers()
    assessments: list[dict[str, object]] = []
    for customer in customers:
        target = rank(customer.risk_level) - 1 if customer.risk_level else 1
        profile = risk_questionnaire.score(questionnaire, _answers(questionnaire, target, rng))
        assessed_on = today - timedelta(days=int(rng.integers(0, ASSESSED_WITHIN_DAYS)))
        assessments.append(
            {
                "customer_id": customer.id,
                "assessed_by_id": customer.manager_id,
                "questionnaire_version": profile.questionnaire_version,
                "level": profile.level,
                "score": profile.total_score,
                "score_level": profile.score_level,
                "capped_by": ",".join(profile.capped_by) or None,
                "goal": profile.goal,
                "horizon_months": profile.horizon_months,
                "vulnerable": bool(rng.random() < 0.02),
                "answers": profile.answers,
                "dimension_scores": {
                    dimension.value: points
                    for dimension, points in profile.dimension_scores.items()
                },
                "assessed_on": assessed_on,
                "valid_until": risk_questionnaire.valid_until(
                    assessed_on, settings.assessment_valid_months
                ),
            }
        )
        customer.risk_level = profile.level
    repository.add_assessments(assessments)
    session.flush()
    _plant_sales(session, repository, customers, today=today, rng=rng, settings=settings)


def _plant_sales(
    session: Session,
    repository: OffersDeskSystemRepository,
    customers: list[Customer],
    *,
    today: date,
    rng: np.random.Generator,
    settings: OfferSettings,
) -> None:
    products = [
        product
        for product in products_repository.on_sale(session)
        if product.category in INVESTMENT_CATEGORIES
    ]
    if not products:
        return
    newest = repository.newest_assessments()
    checkers = _branch_managers(session)
    for customer in customers:
        if rng.random() >= SALES_SHARE or not offers_service.kyc_complete(customer):
            continue
        product = products[int(rng.integers(0, len(products)))]
        sold_on = today - timedelta(days=int(rng.integers(0, 365)))
        assessment = newest.get(customer.id)
        if assessment is not None:
            sold_on = max(sold_on, assessment.assessed_on)
        verdict = offers_service.verdict(customer, assessment, product, settings, sold_on)
        sold_at = bank_day_start(sold_on) + timedelta(hours=int(rng.integers(9, 17)))
        amount = max(product.min_amount_cents or 0, int(rng.integers(1, 50)) * 10_000_00)
        mismatch = [refusal.as_json() for refusal in verdict.refusals]
        if not verdict.allowed and (
            rng.random() >= OVERRIDE_SHARE or set(verdict.reasons) & offers_service.UNANSWERABLE
        ):
            audit_recorder.record(
                session,
                action=AuditAction.SALE_REFUSED,
                entity=offers_service.SALES_ENTITY,
                customer_id=customer.id,
                reason=", ".join(reason.value for reason in verdict.reasons),
                after={"product_id": product.id, "amount_cents": amount, "refusals": mismatch},
            )
            continue
        sale = Sale(
            customer_id=customer.id,
            product_id=product.id,
            branch_id=customer.branch_id,
            amount_cents=amount,
            status=SaleStatus.SUBSCRIBED,
            sold_by_id=customer.manager_id,
            sold_at=sold_at,
            assessment_id=assessment.id if assessment is not None else None,
            customer_level=assessment.level if assessment is not None else None,
            product_risk=product.product_risk,
            mismatch=mismatch,
            disclosure_confirmed_at=sold_at,
            cooling_off_until=sold_at + timedelta(hours=settings.cooling_off_hours),
        )
        if not verdict.allowed:
            sale.override_reason = "客户书面确认了解产品风险高于其风险承受能力并坚持购买，已双录"
            sale.customer_confirmed_mismatch_at = sold_at
            sale.cooling_off_until = None
            if (today - sold_on).days < PENDING_DAYS:
                sale.status = SaleStatus.PENDING_APPROVAL
            else:
                approved = rng.random() < 0.6
                sale.status = SaleStatus.SUBSCRIBED if approved else SaleStatus.REJECTED
                sale.decided_by_id = checkers.get(customer.branch_id)
                sale.decided_at = sold_at + timedelta(hours=3)
                sale.decision_note = "已电话回访核实客户意愿" if approved else "风险过高，不予通过"
        elif rng.random() < 0.08:
            sale.status = SaleStatus.CANCELLED
            sale.cancelled_at = sold_at + timedelta(hours=5)
            sale.cancel_reason = "客户冷静期内改变主意"
        session.add(sale)
    session.flush()
