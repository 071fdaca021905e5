"""Qualifications and certificates: which qualification a product's risk level needs the
seller to hold, whether a certificate is valid on a day, and how near its expiry is.

The qualifications are the bank's data (``data/qualifications.toml``): each names itself in
Chinese and English and lists the product risk levels it is needed for (wealth-sales for R3
and above). A certificate is valid from the day it is issued to its expiry day, both
included, unless it was revoked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from dateutil.relativedelta import relativedelta

from bankcrm.core.enums import ProductRisk
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.localized import LocalizedText
from bankcrm.core.toml_reader import TomlReader

SHIPPED_FILE = "qualifications.toml"


class QualificationsInvalid(ValidationFailed):
    """A qualifications file that cannot be used; the message names the file and the entry."""


class CertificateState(StrEnum):
    """Where a certificate stands on a day."""

    NOT_YET_VALID = "not_yet_valid"
    VALID = "valid"
    EXPIRING = "expiring"
    """Valid, and expiring within the warning window."""
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Qualification:
    code: str
    name: LocalizedText
    required_for: frozenset[ProductRisk]
    """The product risk levels whose sale needs the seller to hold this qualification."""


@dataclass(frozen=True)
class QualificationCatalogue:
    version: str
    qualifications: tuple[Qualification, ...]
    required_by_risk: Mapping[ProductRisk, str] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """The qualification each risk level needs; a level not listed needs none."""

    def get(self, code: str) -> Qualification | None:
        return next((each for each in self.qualifications if each.code == code), None)

    def name(self, code: str, locale: str) -> str:
        """The qualification's name in ``locale``; its code when the catalogue lacks it."""
        qualification = self.get(code)
        return qualification.name.text(locale) if qualification is not None else code

    def required_for(self, risk: ProductRisk) -> str | None:
        """The qualification selling a product of ``risk`` needs, if any."""
        return self.required_by_risk.get(risk)


def parse_qualifications(text: str, *, origin: str = "qualifications") -> QualificationCatalogue:
    """Read and validate a qualifications file from TOML text.

    Raises
    ------
    QualificationsInvalid
        On the first problem, naming the entry and the key at fault; a risk level needing
        two qualifications is refused (a sale names one reason it is refused).
    """
    reader = _Reader(origin)
    return reader.catalogue(reader.parse(text))


@lru_cache(maxsize=1)
def load_shipped() -> QualificationCatalogue:
    """The qualifications that ship with bankcrm, from ``staff/training/data``."""
    resource = resources.files("bankcrm.staff.training").joinpath(f"data/{SHIPPED_FILE}")
    return parse_qualifications(resource.read_text(encoding="utf-8"), origin=SHIPPED_FILE)


class _Reader(TomlReader):
    invalid = QualificationsInvalid

    def catalogue(self, data: dict[str, Any]) -> QualificationCatalogue:
        self.keys("the top level", data, {"version", "qualifications"})
        version = self.string("version", data["version"])
        qualifications: list[Qualification] = []
        required: dict[ProductRisk, str] = {}
        for index, entry in enumerate(self.table_list("qualifications", data["qualifications"])):
            where = self.named(f"qualifications[{index}]", entry.get("code"))
            self.keys(where, entry, {"code", "name", "required_for"})
            code = self.code(f"{where}.code", entry["code"])
            if any(earlier.code == code for earlier in qualifications):
                raise self.fail(f"{where}.code", f"{code!r} is listed twice")
            levels = entry["required_for"]
            if not isinstance(levels, list):
                raise self.fail(f"{where}.required_for", "must be a list of risk levels")
            risks = [
                self.choice(f"{where}.required_for[{position}]", level, ProductRisk)
                for position, level in enumerate(levels)
            ]
            for risk in risks:
                if risk in required:
                    raise self.fail(
                        f"{where}.required_for",
                        f"{risk.value} already needs {required[risk]!r}",
                    )
                required[risk] = code
            qualifications.append(
                Qualification(
                    code=code,
                    name=self.localized(f"{where}.name", entry["name"]),
                    required_for=frozenset(risks),
                )
            )
        return QualificationCatalogue(
            version=version,
            qualifications=tuple(qualifications),
            required_by_risk=MappingProxyType(required),
        )


# --- certificates ---------------------------------------------------------------------------


def expiry_day(issued_on: date, validity_months: int | None) -> date | None:
    """The last day a certificate issued on ``issued_on`` is valid: the day before the same
    day ``validity_months`` later (the end of the month when that day does not exist); never
    when the qualification does not expire."""
    if validity_months is None:
        return None
    return issued_on + relativedelta(months=validity_months) - relativedelta(days=1)


def is_valid(*, issued_on: date, expires_on: date | None, revoked: bool, on: date) -> bool:
    """Whether the certificate lets its holder act on ``on``."""
    if revoked or on < issued_on:
        return False
    return expires_on is None or on <= expires_on


def days_left(expires_on: date | None, today: date) -> int | None:
    """Days from ``today`` to the expiry day (0 on the day itself, negative once expired);
    none for a certificate that does not expire."""
    return None if expires_on is None else (expires_on - today).days


def state(
    *,
    issued_on: date,
    expires_on: date | None,
    revoked: bool,
    today: date,
    warning_days: int,
) -> CertificateState:
    """Where the certificate stands ``today``; ``expiring`` when it is valid and its last
    day is at most ``warning_days`` away."""
    if revoked:
        return CertificateState.REVOKED
    if today < issued_on:
        return CertificateState.NOT_YET_VALID
    left = days_left(expires_on, today)
    if left is None:
        return CertificateState.VALID
    if left < 0:
        return CertificateState.EXPIRED
    return CertificateState.EXPIRING if left <= warning_days else CertificateState.VALID


def assessment_passed(score: float | None, pass_mark: float | None) -> bool | None:
    """Whether an assessment score passes the course: ``None`` for a course without an
    assessment; a course with one is failed without a score."""
    if pass_mark is None:
        return None
    return score is not None and score >= pass_mark
