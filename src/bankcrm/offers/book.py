"""The sales desk's view of a manager's book: who is most likely to take something up and
what suits them, and what a sale form offers one customer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bankcrm.core.clock import bank_today
from bankcrm.core.config import OfferSettings
from bankcrm.core.enums import ProductRisk
from bankcrm.core.localized import in_language
from bankcrm.offers import service
from bankcrm.offers.repository import OffersRepository
from bankcrm.offers.schemas import AssessmentRead
from bankcrm.offers.suitability import Verdict
from bankcrm.products import repository as products_repository
from bankcrm.products.models import Product
from bankcrm.staff.models import StaffUser

OFFERS_PER_CUSTOMER = 3


@dataclass(frozen=True)
class BookOffer:
    product_id: int
    code: str
    name: str
    risk_level: ProductRisk
    score: float


@dataclass(frozen=True)
class BookEntry:
    customer_id: int
    customer_name: str
    offers: list[BookOffer]
    """The suitable products the customer does not hold, most likely first; empty when
    nothing ranked suits them (a new assessment usually helps)."""


@dataclass(frozen=True)
class BookPage:
    items: list[BookEntry]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def customer_name(session: Session, *, user: StaffUser, customer_id: int) -> str:
    return service.customer_in_scope(OffersRepository(session, user), customer_id).name


def book_offers(
    session: Session,
    *,
    user: StaffUser,
    settings: OfferSettings,
    locale: str,
    page: int,
    page_size: int,
) -> BookPage:
    """A page of the customers in the viewer's scope, the most likely to take up an offer
    first, each with the best suitable offers of the nightly ranking."""
    repository = OffersRepository(session, user)
    rows, total = repository.customers_by_best_offer(offset=(page - 1) * page_size, limit=page_size)
    on_sale = {product.id: product for product in products_repository.on_sale(session)}
    today = bank_today()
    items = []
    for customer_id, name in rows:
        customer = service.customer_in_scope(repository, customer_id)
        offerable = service.offerable_to(repository, customer, settings=settings, today=today)
        offers: list[BookOffer] = []
        for score in repository.offer_scores(customer_id):
            product = on_sale.get(score.product_id)
            if product is None or not offerable(product):
                continue
            offers.append(
                BookOffer(
                    product_id=product.id,
                    code=product.external_id,
                    name=in_language(locale, zh=product.name_zh, en=product.name_en),
                    risk_level=product.product_risk,
                    score=score.score,
                )
            )
            if len(offers) == OFFERS_PER_CUSTOMER:
                break
        items.append(BookEntry(customer_id=customer_id, customer_name=name, offers=offers))
    return BookPage(items=items, total=total, page=page, page_size=page_size)


@dataclass(frozen=True)
class SaleDesk:
    customer_name: str
    assessment: AssessmentRead | None
    """The newest assessment, valid or not."""
    products: list[Product]
    """Everything on sale, the suitable products first."""
    verdicts: dict[int, Verdict]


def sale_desk(
    session: Session, *, user: StaffUser, settings: OfferSettings, customer_id: int
) -> SaleDesk:
    """What the sale form shows for one customer: each product on sale with the gate's
    verdict for them today."""
    repository = OffersRepository(session, user)
    customer = service.customer_in_scope(repository, customer_id)
    today = bank_today()
    assessment = repository.latest_assessment(customer_id)
    products = products_repository.on_sale(session)
    verdicts = {
        product.id: service.verdict(customer, assessment, product, settings, today)
        for product in products
    }
    products.sort(key=lambda product: (not verdicts[product.id].allowed, product.external_id))
    history = service.assessments(session, user=user, customer_id=customer_id)
    return SaleDesk(
        customer_name=customer.name,
        assessment=history[0] if history else None,
        products=products,
        verdicts=verdicts,
    )
