"""For any customer, any assessment and any product: no offer and no subscribed sale has a
product above the customer's level, longer than their horizon or riskier than their goal,
unless a second person approved the override."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.core.config import OfferSettings
from bankcrm.core.enums import ProductCategory, ProductRisk, Role, SaleStatus
from bankcrm.core.exceptions import Refused
from bankcrm.offers import questionnaire, service
from bankcrm.offers.models import RiskAssessment, Sale
from bankcrm.offers.suitability import GOAL_MAX_RISK, INVESTMENT_CATEGORIES, rank
from bankcrm.products.models import Product
from tests import factories

SHIPPED = questionnaire.load_shipped()
ANSWERS = st.fixed_dictionaries(
    {
        question.code: st.sampled_from([option.code for option in question.options])
        for question in SHIPPED.questions
    }
)
PRODUCTS = st.tuples(
    st.sampled_from(list(ProductCategory)),
    st.sampled_from(list(ProductRisk)),
    st.one_of(st.none(), st.sampled_from([3, 6, 12, 36, 60, 120, 240])),
)


def _fits(product: Product, assessment: RiskAssessment | None) -> bool:
    """The rules, written out again without the gate."""
    if assessment is None:
        return product.product_risk == ProductRisk.R1
    if rank(product.product_risk) > rank(assessment.level):
        return False
    if product.category in INVESTMENT_CATEGORIES:
        if product.term_months is not None and product.term_months > assessment.horizon_months:
            return False
        if rank(product.product_risk) > rank(GOAL_MAX_RISK[assessment.goal]):
            return False
    return True


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    answers=st.one_of(st.none(), ANSWERS),
    shelf=st.lists(PRODUCTS, min_size=1, max_size=4),
    override=st.booleans(),
    customer_confirmed=st.booleans(),
    approve=st.booleans(),
)
def test_nothing_unsuitable_is_offered_or_subscribed_without_an_approved_override(
    session: Session,
    answers: dict[str, str] | None,
    shelf: list[tuple[ProductCategory, ProductRisk, int | None]],
    override: bool,
    customer_confirmed: bool,
    approve: bool,
) -> None:
    rules = OfferSettings(elderly_age=100)
    branch = factories.branch(session)
    seller = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=branch.id)
    factories.certificate(session, holder=seller)
    checker = factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=branch.id)
    customer = factories.customer(session, branch_id=branch.id, manager_id=seller.id)
    customer.id_number = "310101198001010011"
    customer.birth_date = date(1980, 1, 1)
    products = []
    for category, risk, term in shelf:
        product = factories.product(session, category=category, risk=risk)
        product.term_months = term
        products.append(product)
    session.flush()
    if answers is not None:
        service.assess(
            session,
            user=seller,
            settings=rules,
            customer_id=customer.id,
            answers=answers,
            vulnerable=False,
        )
    assessment = session.scalar(
        select(RiskAssessment).where(RiskAssessment.customer_id == customer.id)
    )

    offered = service.offers_for(
        session, user=seller, settings=rules, customer_id=customer.id, locale="zh_CN"
    )
    by_id = {product.id: product for product in products}
    for offer in offered:
        if offer.product_id in by_id:
            assert _fits(by_id[offer.product_id], assessment)

    for product in products:
        request = service.SaleRequest(
            customer_id=customer.id,
            product_id=product.id,
            amount=Decimal(1000),
            override_reason="客户坚持购买" if override else None,
            disclosure_confirmed=True,
            customer_confirmed=customer_confirmed,
        )
        try:
            sale = service.sell(
                session, user=seller, settings=rules, request=request, locale="zh_CN"
            )
        except Refused:
            assert not _fits(product, assessment)
            continue
        if sale.status == SaleStatus.PENDING_APPROVAL:
            service.decide(
                session,
                user=checker,
                settings=rules,
                sale_id=sale.id,
                approve=approve,
                note=None,
                locale="zh_CN",
            )

    sales = session.scalars(select(Sale).where(Sale.customer_id == customer.id))
    for sale_row in sales:
        if sale_row.status != SaleStatus.SUBSCRIBED:
            continue
        product = by_id[sale_row.product_id]
        approved = sale_row.decided_by_id is not None and sale_row.override_reason is not None
        assert _fits(product, assessment) or approved
        assert approved == bool(sale_row.mismatch)
