"""Loan pre-qualification in the bank: the finance manager's checklist
(:mod:`bankcrm.credit.prequalification`) run on a customer's application and kept.

The age comes from the customer's birth date, the day of application is the bank's today.
The existing monthly debt payments come from the bank's own records when it has any: the
instalments of a customer's loan accounts are not stored, so each open loan account (an
account of a product of category ``loan``) is estimated as the equal instalment
(等额本息, :func:`bankcrm.offers.calculators.amortisation`) that repays its outstanding
balance at the product's rate over the months of the product's term still to run (the
term less the whole months since the account opened, at least one; a product without a
term is taken as twelve months, one without a rate as interest-free). Their sum replaces
the customer's declared figure. A customer without open loans is checked on the declared
figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from sqlalchemy.orm import Session

from bankcrm.core.clock import bank_today, utcnow
from bankcrm.core.exceptions import NotFound, ValidationFailed
from bankcrm.core.money import from_cents
from bankcrm.credit import prequalification as checklist_module
from bankcrm.credit.models import LoanPrequalification
from bankcrm.credit.prequalification import DebtSource, IncomeProof, Residence
from bankcrm.credit.repository import CreditRepository
from bankcrm.credit.schemas import DocumentRead, PrequalificationRead, RuleResultRead
from bankcrm.offers import calculators
from bankcrm.staff import repository as staff_repository
from bankcrm.staff.models import StaffUser

DEFAULT_TERM_MONTHS = 12
"""The months over which a loan whose product has no term is taken to be repaid."""
BASIS_POINTS = Decimal(10_000)


@dataclass(frozen=True)
class ApplicationInput:
    """What the finance manager enters; money in yuan, the rate an annual fraction."""

    residence: Residence
    employment_months: int
    income_proof: IncomeProof
    monthly_income: Decimal
    declared_monthly_debt: Decimal
    purchase_price: Decimal
    down_payment: Decimal
    term_months: int
    annual_rate: Decimal


@lru_cache(maxsize=1)
def checklist() -> checklist_module.Checklist:
    """The checklist in force: the car loan one that ships with bankcrm."""
    return checklist_module.load_shipped()


def _months_between(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return max(0, months - 1 if end.day < start.day else months)


def recorded_monthly_debt(
    repository: CreditRepository, customer_id: int, today: date
) -> Decimal | None:
    """The estimated monthly instalments of the customer's open loans at the bank; ``None``
    when they have none (see the module's docstring for the estimate)."""
    loans = repository.open_loans(customer_id)
    if not loans:
        return None
    total = Decimal(0)
    for account, product in loans:
        balance = from_cents(abs(account.balance_cents))
        if balance <= 0:
            continue
        term = product.term_months or DEFAULT_TERM_MONTHS
        remaining = max(1, term - _months_between(account.opened_on, today))
        rate = Decimal(product.annual_rate_bp or 0) / BASIS_POINTS
        schedule = calculators.amortisation(
            principal=balance,
            annual_rate=rate,
            months=remaining,
            method=calculators.RepaymentMethod.EQUAL_INSTALMENT,
        )
        total += schedule.instalments[0].payment
    return total


def prequalify(
    session: Session,
    *,
    user: StaffUser,
    customer_id: int,
    application: ApplicationInput,
    locale: str = "zh-CN",
) -> PrequalificationRead:
    """Run the checklist on the customer's application and keep the result."""
    repository = CreditRepository(session, user)
    customer = repository.customer(customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id} in your book")
    if customer.birth_date is None:
        raise ValidationFailed(
            "the customer's birth date is not on file: record it before pre-qualifying",
            field="birth_date",
        )
    today = bank_today()
    current = checklist()
    result = checklist_module.prequalify(
        current,
        checklist_module.Application(
            birth_date=customer.birth_date,
            applied_on=today,
            residence=application.residence,
            employment_months=application.employment_months,
            income_proof=application.income_proof,
            monthly_income=application.monthly_income,
            declared_monthly_debt=application.declared_monthly_debt,
            purchase_price=application.purchase_price,
            down_payment=application.down_payment,
            annual_rate=application.annual_rate,
            term_months=application.term_months,
            recorded_monthly_debt=recorded_monthly_debt(repository, customer.id, today),
        ),
    )
    row = LoanPrequalification(
        customer_id=customer.id,
        checklist_version=result.checklist_version,
        answers={
            "residence": application.residence.value,
            "employment_months": application.employment_months,
            "income_proof": application.income_proof.value,
            "monthly_income": str(application.monthly_income),
            "declared_monthly_debt": str(application.declared_monthly_debt),
            "purchase_price": str(application.purchase_price),
            "down_payment": str(application.down_payment),
            "term_months": application.term_months,
            "annual_rate": str(application.annual_rate),
            "applied_on": today.isoformat(),
            "loan_amount": str(result.loan_amount),
            "monthly_instalment": str(result.monthly_instalment),
            "existing_monthly_debt": str(result.existing_monthly_debt),
        },
        outcome=result.outcome,
        rule_outcomes=[
            {
                "rule": rule.rule,
                "value": rule.value,
                "outcome": rule.outcome.value,
                "reason": dict(rule.reason.translations),
                "name": dict(rule.name.translations),
            }
            for rule in result.rules
        ],
        documents=[document.code for document in result.documents],
        debt_to_income=float(result.debt_to_income),
        debt_source=result.debt_source.value,
        checked_by_id=user.id,
        checked_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return prequalification_read(session, row, locale=locale)


def prequalifications(
    session: Session, *, user: StaffUser, customer_id: int, locale: str = "zh-CN"
) -> list[PrequalificationRead]:
    repository = CreditRepository(session, user)
    if repository.customer(customer_id) is None:
        raise NotFound(f"no customer {customer_id} in your book")
    return [
        prequalification_read(session, row, locale=locale)
        for row in repository.prequalifications(customer_id)
    ]


def _localized(texts: object, fallback: str, locale: str) -> str:
    if not isinstance(texts, dict):
        return fallback
    language = locale.split("-")[0].split("_")[0].lower()
    return str(texts.get(language) or texts.get("en") or fallback)


def prequalification_read(
    session: Session, row: LoanPrequalification, *, locale: str
) -> PrequalificationRead:
    documents = {document.code: document.text for document in checklist().documents}
    checker = (
        staff_repository.get_by_id(session, row.checked_by_id)
        if row.checked_by_id is not None
        else None
    )
    answers = row.answers
    return PrequalificationRead(
        id=row.id,
        customer_id=row.customer_id,
        checklist_version=row.checklist_version,
        outcome=row.outcome,
        rules=[
            RuleResultRead(
                rule=rule["rule"],
                name=_localized(rule.get("name"), rule["rule"], locale),
                value=rule["value"],
                outcome=rule["outcome"],
                reason=_localized(rule.get("reason"), "", locale),
            )
            for rule in row.rule_outcomes
        ],
        documents=[
            DocumentRead(
                code=code, text=documents[code].text(locale) if code in documents else code
            )
            for code in row.documents
        ],
        loan_amount=Decimal(answers.get("loan_amount", "0")),
        monthly_instalment=Decimal(answers.get("monthly_instalment", "0")),
        existing_monthly_debt=Decimal(answers.get("existing_monthly_debt", "0")),
        debt_source=DebtSource(row.debt_source or DebtSource.DECLARED.value),
        debt_to_income=row.debt_to_income or 0.0,
        checked_by=checker.username if checker is not None else None,
        checked_at=row.checked_at,
    )
