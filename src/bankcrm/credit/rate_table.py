"""The base rate of a loan: the Loan Prime Rate (LPR) of its term, from a dated rate table.

The table is data (``data/rate_table.toml``, or the bank's own file named by ``[pricing]
rate_table``): each version holds from its effective day until the next, so a quote names
the version it used and an old quote can be explained later. As in China's practice, terms
up to five years take the one-year LPR and longer terms the over-five-year LPR. Nothing
here reads the clock: callers pass the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from importlib import resources
from itertools import pairwise
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bankcrm.core.exceptions import NotFound, ValidationFailed
from bankcrm.core.toml_tables import read_toml

SHIPPED_FILE = "rate_table.toml"


class RateTableInvalid(ValidationFailed):
    """A rate table that cannot be used; the message names the file and the entry."""


class Tenor(StrEnum):
    """The LPR a term takes."""

    ONE_YEAR = "1Y"
    FIVE_YEAR = "5Y"


class LprVersion(BaseModel):
    """The two rates published on one day, % a year."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    effective: date
    one_year: Decimal = Field(gt=0, le=50)
    five_year: Decimal = Field(gt=0, le=50)

    def rate(self, tenor: Tenor) -> Decimal:
        return self.one_year if tenor is Tenor.ONE_YEAR else self.five_year


class RateTable(BaseModel):
    """A checked rate table, its versions oldest first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    one_year_up_to_months: int = Field(ge=1, le=600)
    """Terms up to this many months take the one-year LPR, longer ones the five-year."""
    versions: tuple[LprVersion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _oldest_first(self) -> RateTable:
        # a version out of order or repeated is most often a mistyped date
        for before, after in pairwise(self.versions):
            if after.effective <= before.effective:
                raise ValueError(
                    f"versions are listed oldest first, one a day: {after.effective.isoformat()} "
                    f"follows {before.effective.isoformat()}"
                )
        return self

    def tenor(self, term_months: int) -> Tenor:
        return Tenor.ONE_YEAR if term_months <= self.one_year_up_to_months else Tenor.FIVE_YEAR

    def in_force(self, day: date) -> LprVersion:
        """The latest version effective on or before ``day``."""
        earlier = [version for version in self.versions if version.effective <= day]
        if not earlier:
            first = self.versions[0].effective.isoformat()
            raise NotFound(f"no LPR in force on {day.isoformat()}: the rate table starts {first}")
        return earlier[-1]

    def base_rate(self, *, term_months: int, day: date) -> BaseRate:
        version = self.in_force(day)
        tenor = self.tenor(term_months)
        return BaseRate(rate=version.rate(tenor), tenor=tenor, effective=version.effective)


@dataclass(frozen=True)
class BaseRate:
    """The base rate of one quote and where it comes from."""

    rate: Decimal
    """% a year."""
    tenor: Tenor
    effective: date
    """The day the rate table's version in force took effect."""


def parse_rate_table(text: str, *, origin: str = "rate table") -> RateTable:
    """Read and check a rate table from TOML text.

    Raises
    ------
    RateTableInvalid
        On the first problem, naming ``origin`` and the entry (``versions[3].one_year``).
    """
    return read_toml(text, RateTable, RateTableInvalid, origin)


def load_rate_table(path: Path | None = None) -> RateTable:
    """The bank's rate table file, or the one shipped with bankcrm."""
    if path is None:
        shipped = resources.files("bankcrm.credit").joinpath(f"data/{SHIPPED_FILE}")
        return parse_rate_table(shipped.read_text(encoding="utf-8"), origin=SHIPPED_FILE)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RateTableInvalid(f"{path}: cannot be read: {error.strerror}") from None
    return parse_rate_table(text, origin=str(path))
