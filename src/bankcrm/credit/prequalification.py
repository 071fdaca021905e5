"""Loan pre-qualification (了解资质): the checklist a finance manager runs before an
application is written, and the papers the customer is told to bring (告知资料).

The checklist is data (``data/prequalification.toml`` for car loans, or a bank's own file in
the same format for another kind of loan). Each rule measures one thing about the
application (local residence, time in the job, proof of income, debt payments against
income, down payment, age now and when the loan ends) and says pass, refer or decline. The
application is declined if any rule declines, referred to a credit officer if any refers,
and passes otherwise.

The new loan's monthly payment is its equal instalment (等额本息), from the repayment
calculator. Nothing here reads the clock or touches the web or the database: callers pass
the dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.localized import LocalizedText
from bankcrm.core.money import InvalidAmount, to_cents
from bankcrm.core.toml_reader import Interval, TomlReader
from bankcrm.offers import calculators

SHIPPED_FILE = "prequalification.toml"
MONTHS_PER_YEAR = 12


class Outcome(StrEnum):
    """A rule's answer, and the application's; listed from the best to the worst."""

    PASS = "pass"
    REFER = "refer"
    """A credit officer decides, and may ask for a guarantor or more proof."""
    DECLINE = "decline"


OUTCOME_ORDER: tuple[Outcome, ...] = tuple(Outcome)


class Residence(StrEnum):
    LOCAL_HUKOU = "local_hukou"
    """The local household register (本地户口)."""
    RESIDENCE_PERMIT = "residence_permit"
    """A local residence permit (居住证)."""
    NONE = "none"


class IncomeProof(StrEnum):
    """The best proof of income the applicant can bring."""

    EMPLOYER_CERTIFICATE = "employer_certificate"
    """A certificate from the employer (收入证明), with bank statements."""
    BUSINESS_LICENCE = "business_licence"
    """An owner's business licence and articles (营业执照, 公司章程), with bank statements."""
    BANK_STATEMENT_ONLY = "bank_statement_only"
    NONE = "none"


class Measure(StrEnum):
    """What a rule checks; the checklist file's header says how each is measured."""

    RESIDENCE = "residence"
    INCOME_PROOF = "income_proof"
    EMPLOYMENT_MONTHS = "employment_months"
    DEBT_TO_INCOME = "debt_to_income"
    DOWN_PAYMENT_SHARE = "down_payment_share"
    AGE_AT_APPLICATION = "age_at_application"
    AGE_AT_LOAN_END = "age_at_loan_end"


CATEGORY_VALUES: dict[Measure, type[StrEnum]] = {
    Measure.RESIDENCE: Residence,
    Measure.INCOME_PROOF: IncomeProof,
}
"""The measures that take one of a few values; the others are numbers."""


class DebtSource(StrEnum):
    """Whose figure of the existing monthly debt payments the ratio was computed from."""

    DECLARED = "declared"
    BANK_RECORDS = "bank_records"


class ChecklistInvalid(ValidationFailed):
    """A checklist file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Document:
    code: str
    text: LocalizedText


@dataclass(frozen=True)
class Verdict:
    """What one band or category of a rule decides, why, and the papers it adds."""

    outcome: Outcome
    reason: LocalizedText
    documents: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    code: str
    name: LocalizedText
    measure: Measure
    documents: tuple[str, ...]
    """Asked for whatever the outcome."""
    bands: tuple[tuple[Interval, Verdict], ...]
    """For a number: from the lowest values up, together holding every number once."""
    categories: Mapping[str, Verdict]
    """For a category measure: one verdict for each of its values."""

    def verdict(self, value: float | str) -> Verdict:
        if isinstance(value, str):
            return self.categories[value]
        return next(verdict for values, verdict in self.bands if value in values)


@dataclass(frozen=True)
class Checklist:
    version: str
    title: LocalizedText
    documents: tuple[Document, ...]
    """Every paper a rule can ask for, in the order the customer is told about them."""
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Application:
    """What the customer tells the finance manager, and the loan they ask for.

    Money is ``Decimal`` yuan with at most two decimal places; the rate is an annual
    fraction (``Decimal("0.0388")`` is 3.88 %).
    """

    birth_date: date
    applied_on: date
    residence: Residence
    employment_months: int
    income_proof: IncomeProof
    monthly_income: Decimal
    declared_monthly_debt: Decimal
    """Existing monthly debt payments, as the customer states them."""
    purchase_price: Decimal
    down_payment: Decimal
    annual_rate: Decimal
    term_months: int
    recorded_monthly_debt: Decimal | None = None
    """Existing monthly debt payments from the bank's own records (its loans, the credit
    report); used instead of the declared figure when given."""


@dataclass(frozen=True)
class RuleResult:
    rule: str
    name: LocalizedText
    value: float | str
    """What was measured: a number, or the category's value."""
    outcome: Outcome
    reason: LocalizedText


@dataclass(frozen=True)
class Prequalification:
    checklist_version: str
    outcome: Outcome
    rules: tuple[RuleResult, ...]
    """One per rule, in the checklist's order."""
    documents: tuple[Document, ...]
    """The papers to bring, each once, in the checklist's order."""
    loan_amount: Decimal
    monthly_instalment: Decimal
    existing_monthly_debt: Decimal
    debt_source: DebtSource
    debt_to_income: Decimal


def load(path: Traversable | str) -> Checklist:
    """Read and validate a checklist file (``data/prequalification.toml`` shows the format).

    Raises
    ------
    ChecklistInvalid
        On the first problem, naming the file, the entry
        (``rules[5] (debt_to_income).bands[1].from``, ``rules[0] (local_residence).categories``)
        and what is wrong with it.
    """
    reader = _Reader(str(path))
    return reader.checklist(reader.read(path))


@lru_cache(maxsize=1)
def load_shipped() -> Checklist:
    """The car loan checklist that ships with bankcrm, from ``credit/data``."""
    return load(resources.files("bankcrm.credit") / "data" / SHIPPED_FILE)


def prequalify(checklist: Checklist, application: Application) -> Prequalification:
    """Run every rule of the checklist on the application.

    Raises
    ------
    ValidationFailed
        If an amount is negative, not in fen, or zero where it cannot be (income, price), the
        down payment is not below the price, the time in the job is not a whole number of
        months, the birth date is after the day of application, or the rate or term is
        outside what the repayment calculator takes; ``field`` names the application's field.
    """
    _check(application)
    loan_amount = application.purchase_price - application.down_payment
    try:
        schedule = calculators.amortisation(
            principal=loan_amount,
            annual_rate=application.annual_rate,
            months=application.term_months,
            method=calculators.RepaymentMethod.EQUAL_INSTALMENT,
        )
    except ValidationFailed as error:
        # The calculator names its own parameter; the caller knows the application's field.
        field = "term_months" if error.field == "months" else error.field
        raise ValidationFailed(error.message, field=field) from None
    instalment = schedule.instalments[0].payment
    if application.recorded_monthly_debt is None:
        existing_debt, source = application.declared_monthly_debt, DebtSource.DECLARED
    else:
        existing_debt, source = application.recorded_monthly_debt, DebtSource.BANK_RECORDS
    debt_to_income = (existing_debt + instalment) / application.monthly_income
    age_in_months = _completed_months(application.birth_date, application.applied_on)
    measured: dict[Measure, float | str] = {
        Measure.RESIDENCE: application.residence.value,
        Measure.INCOME_PROOF: application.income_proof.value,
        Measure.EMPLOYMENT_MONTHS: float(application.employment_months),
        Measure.DEBT_TO_INCOME: float(debt_to_income),
        Measure.DOWN_PAYMENT_SHARE: float(application.down_payment / application.purchase_price),
        Measure.AGE_AT_APPLICATION: float(age_in_months // MONTHS_PER_YEAR),
        Measure.AGE_AT_LOAN_END: float(
            (age_in_months + application.term_months) // MONTHS_PER_YEAR
        ),
    }
    results: list[RuleResult] = []
    wanted: set[str] = set()
    for rule in checklist.rules:
        value = measured[rule.measure]
        verdict = rule.verdict(value)
        results.append(RuleResult(rule.code, rule.name, value, verdict.outcome, verdict.reason))
        wanted.update(rule.documents, verdict.documents)
    return Prequalification(
        checklist_version=checklist.version,
        outcome=max((result.outcome for result in results), key=OUTCOME_ORDER.index),
        rules=tuple(results),
        documents=tuple(document for document in checklist.documents if document.code in wanted),
        loan_amount=loan_amount,
        monthly_instalment=instalment,
        existing_monthly_debt=existing_debt,
        debt_source=source,
        debt_to_income=debt_to_income,
    )


def _check(application: Application) -> None:
    _check_amount(application.monthly_income, field="monthly_income", above_zero=True)
    _check_amount(application.declared_monthly_debt, field="declared_monthly_debt")
    if application.recorded_monthly_debt is not None:
        _check_amount(application.recorded_monthly_debt, field="recorded_monthly_debt")
    _check_amount(application.purchase_price, field="purchase_price", above_zero=True)
    _check_amount(application.down_payment, field="down_payment")
    if application.down_payment >= application.purchase_price:
        raise ValidationFailed(
            "a down payment of the whole price leaves no loan", field="down_payment"
        )
    months = application.employment_months
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise ValidationFailed(
            "must be a whole number of months, 0 or more", field="employment_months"
        )
    if application.birth_date > application.applied_on:
        raise ValidationFailed("must not be after the day of application", field="birth_date")


def _check_amount(amount: Decimal, *, field: str, above_zero: bool = False) -> None:
    try:
        cents = to_cents(amount)
    except InvalidAmount as error:
        raise ValidationFailed(str(error), field=field) from None
    if cents < 0 or (above_zero and cents == 0):
        raise ValidationFailed(
            "must be an amount above 0" if above_zero else "must be 0 or more", field=field
        )


def _completed_months(birth_date: date, day: date) -> int:
    """Whole months from ``birth_date`` to ``day``; a month completes on the same day of the
    month as the birth date."""
    months = (day.year - birth_date.year) * MONTHS_PER_YEAR + day.month - birth_date.month
    return months - 1 if day.day < birth_date.day else months


class _Reader(TomlReader):
    invalid = ChecklistInvalid

    def checklist(self, data: dict[str, Any]) -> Checklist:
        self.keys("the top level", data, {"version", "title", "documents", "rules"})
        version = self.string("version", data["version"])
        title = self.localized("title", data["title"])
        documents: list[Document] = []
        for index, entry in enumerate(self.table_list("documents", data["documents"])):
            where = self.named(f"documents[{index}]", entry.get("code"))
            self.keys(where, entry, {"code", "text"})
            document = Document(
                code=self.code(f"{where}.code", entry["code"]),
                text=self.localized(f"{where}.text", entry["text"]),
            )
            if any(earlier.code == document.code for earlier in documents):
                raise self.fail(where, f"document {document.code!r} is declared twice")
            documents.append(document)
        declared = tuple(document.code for document in documents)
        rules: list[Rule] = []
        for index, entry in enumerate(self.table_list("rules", data["rules"])):
            where = self.named(f"rules[{index}]", entry.get("code"))
            rule = self.rule(where, entry, declared)
            if any(earlier.code == rule.code for earlier in rules):
                raise self.fail(where, f"rule {rule.code!r} is listed twice")
            rules.append(rule)
        return Checklist(
            version=version, title=title, documents=tuple(documents), rules=tuple(rules)
        )

    def rule(self, where: str, entry: dict[str, Any], declared: tuple[str, ...]) -> Rule:
        if "measure" not in entry:
            raise self.fail(where, "'measure' is missing")
        measure = self.choice(f"{where}.measure", entry["measure"], Measure)
        values = CATEGORY_VALUES.get(measure)
        outcomes_key = "bands" if values is None else "categories"
        self.keys(where, entry, {"code", "measure", "name", outcomes_key}, frozenset({"documents"}))
        code = self.code(f"{where}.code", entry["code"])
        name = self.localized(f"{where}.name", entry["name"])
        documents = self.documents(f"{where}.documents", entry.get("documents", []), declared)
        if values is None:
            bands = tuple(
                (band.interval, self.verdict(band.where, band.entry, declared))
                for band in self.partition(
                    f"{where}.bands",
                    entry["bands"],
                    {"outcome", "reason"},
                    frozenset({"documents"}),
                )
            )
            return Rule(code, name, measure, documents, bands=bands, categories={})
        categories = self.categories(f"{where}.categories", entry["categories"], values, declared)
        return Rule(code, name, measure, documents, bands=(), categories=categories)

    def categories(
        self, where: str, value: object, values: type[StrEnum], declared: tuple[str, ...]
    ) -> dict[str, Verdict]:
        verdicts: dict[str, Verdict] = {}
        for index, entry in enumerate(self.table_list(where, value)):
            category_where = self.named(f"{where}[{index}]", entry.get("value"))
            self.keys(
                category_where, entry, {"value", "outcome", "reason"}, frozenset({"documents"})
            )
            category = self.choice(f"{category_where}.value", entry["value"], values)
            if category.value in verdicts:
                raise self.fail(category_where, f"{category.value!r} is listed twice")
            verdicts[category.value] = self.verdict(category_where, entry, declared)
        # An application whose value had no entry could not be judged at all.
        for member in values:
            if member.value not in verdicts:
                raise self.fail(where, f"no entry for {member.value!r}")
        return verdicts

    def verdict(self, where: str, entry: dict[str, Any], declared: tuple[str, ...]) -> Verdict:
        return Verdict(
            outcome=self.choice(f"{where}.outcome", entry["outcome"], Outcome),
            reason=self.localized(f"{where}.reason", entry["reason"]),
            documents=self.documents(f"{where}.documents", entry.get("documents", []), declared),
        )

    def documents(self, where: str, value: object, declared: tuple[str, ...]) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(where, "must be a list of document codes")
        for code in value:
            if code not in declared:
                raise self.fail(
                    where, f"{code!r} is not a declared document ({', '.join(declared)})"
                )
        if len(set(value)) != len(value):
            raise self.fail(where, "names a document twice")
        return tuple(value)
