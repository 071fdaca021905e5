"""A campaign's treatment group against its random control group: uplift in response rate
with Newcombe's hybrid score interval, the pooled two-proportion z-test, and the money.

Rows in messages are counted as a spreadsheet shows them: the header is row 1, the first
contact row 2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import stats

from bankcrm.churn.labelled import is_number, read_table
from bankcrm.core.exceptions import ImportRejected, ValidationFailed

YES = ("1", "yes", "true", "y")
NO = ("0", "no", "false", "n")
"""Response values, compared after trimming and lower-casing."""
INTERVAL = "newcombe"
SHOWN_LABELS = 12
"""At most this many group labels are listed when a row's group is unknown."""
HEADER_ROWS = 1
"""A data row's index plus this plus one is its row number in a spreadsheet."""


@dataclass(frozen=True)
class Group:
    """One arm of a campaign: members, responders, and (when known) the sums of the cost of
    contacting them and of the revenue they brought."""

    n: int
    responses: int
    cost: float | None = None
    revenue: float | None = None

    @property
    def rate(self) -> Fraction:
        return Fraction(self.responses, self.n)

    def as_dict(self) -> dict[str, Any]:
        figures: dict[str, Any] = {
            "n": self.n,
            "responses": self.responses,
            "rate": float(self.rate),
        }
        if self.cost is not None:
            figures["cost"] = self.cost
        if self.revenue is not None:
            figures["revenue"] = self.revenue
        return figures


@dataclass(frozen=True)
class Evaluation:
    """The treatment and control groups compared.

    ``uplift`` is the treatment rate minus the control rate; ``ci_low`` and ``ci_high`` its
    Newcombe interval at ``confidence``; ``p_value`` the two-sided pooled z-test. The money
    figures are ``None`` unless both groups carry cost and revenue sums.
    """

    treatment: Group
    control: Group
    uplift: float
    ci_low: float
    ci_high: float
    p_value: float
    confidence: float
    incremental_responses: float | None = None
    incremental_revenue: float | None = None
    roi: float | None = None
    cost_per_acquisition: float | None = None

    def as_dict(self) -> dict[str, Any]:
        report: dict[str, Any] = {
            "treatment": self.treatment.as_dict(),
            "control": self.control.as_dict(),
            "uplift": self.uplift,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p_value": self.p_value,
            "interval": INTERVAL,
            "confidence": self.confidence,
        }
        if self.incremental_responses is not None:
            report["incremental_responses"] = self.incremental_responses
            report["incremental_revenue"] = self.incremental_revenue
            report["roi"] = self.roi
            report["cost_per_acquisition"] = self.cost_per_acquisition
        return report


def wilson_interval(responses: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval of the proportion ``responses / n``."""
    interval = stats.binomtest(responses, n).proportion_ci(
        confidence_level=confidence, method="wilson"
    )
    return float(interval.low), float(interval.high)


def newcombe_interval(
    treatment: Group, control: Group, confidence: float = 0.95
) -> tuple[float, float]:
    """Newcombe's hybrid score interval of the difference of two independent proportions
    (Statistics in Medicine 17:873–890, 1998, method 10): each rate's distance to its own
    Wilson limits, combined in quadrature."""
    p1, p2 = float(treatment.rate), float(control.rate)
    low1, high1 = wilson_interval(treatment.responses, treatment.n, confidence)
    low2, high2 = wilson_interval(control.responses, control.n, confidence)
    difference = float(treatment.rate - control.rate)
    return (
        difference - math.hypot(p1 - low1, high2 - p2),
        difference + math.hypot(high1 - p1, p2 - low2),
    )


def two_proportion_p_value(treatment: Group, control: Group) -> float:
    """Two-sided p-value of the z-test with the pooled proportion (the Pearson chi-square
    test of the 2×2 table without continuity correction). Where everyone or no one
    responded the groups cannot differ: 1."""
    pooled = Fraction(treatment.responses + control.responses, treatment.n + control.n)
    if pooled in (0, 1):
        return 1.0
    spread = float(pooled * (1 - pooled) * (Fraction(1, treatment.n) + Fraction(1, control.n)))
    z = float(treatment.rate - control.rate) / math.sqrt(spread)
    return float(2 * stats.norm.sf(abs(z)))


def compare(treatment: Group, control: Group, *, confidence: float = 0.95) -> Evaluation:
    """The uplift of ``treatment`` over ``control`` with its interval, test and money."""
    if not 0 < confidence < 1:
        raise ValidationFailed(
            f"the confidence must lie between 0 and 1, not {confidence}", field="confidence"
        )
    for name, group in (("treatment", treatment), ("control", control)):
        if group.n <= 0:
            raise ValidationFailed(f"the {name} group has no members", field=name)
        if not 0 <= group.responses <= group.n:
            raise ValidationFailed(
                f"the {name} group has {group.responses} responses from {group.n} members",
                field=name,
            )
    uplift = treatment.rate - control.rate
    low, high = newcombe_interval(treatment, control, confidence)
    evaluation = Evaluation(
        treatment=treatment,
        control=control,
        uplift=float(uplift),
        ci_low=low,
        ci_high=high,
        p_value=two_proportion_p_value(treatment, control),
        confidence=confidence,
    )
    if treatment.cost is None or treatment.revenue is None or control.revenue is None:
        return evaluation
    incremental = float(uplift * treatment.n)
    incremental_revenue = (
        treatment.revenue / treatment.n - control.revenue / control.n
    ) * treatment.n
    roi = (incremental_revenue - treatment.cost) / treatment.cost if treatment.cost else None
    return replace(
        evaluation,
        incremental_responses=incremental,
        incremental_revenue=incremental_revenue,
        roi=roi,
        cost_per_acquisition=treatment.cost / incremental if incremental > 0 else None,
    )


def tally(
    responded: np.ndarray, cost: np.ndarray | None = None, revenue: np.ndarray | None = None
) -> Group:
    """A group from its members' responses (booleans) and their costs and revenues."""
    return Group(
        n=len(responded),
        responses=int(np.count_nonzero(responded)),
        cost=None if cost is None else math.fsum(cost),
        revenue=None if revenue is None else math.fsum(revenue),
    )


@dataclass(frozen=True)
class Contacts:
    """A campaign's contacts file, one row per member: in the treatment group or not,
    responded or not, and optionally cost, revenue and the value of a grouping column."""

    file: str
    treated: np.ndarray
    responded: np.ndarray
    cost: np.ndarray | None = None
    revenue: np.ndarray | None = None
    by: np.ndarray | None = None
    """Index of each row's value in ``by_values``."""
    by_values: tuple[Any, ...] = ()

    def evaluate(self, mask: np.ndarray | None = None, *, confidence: float = 0.95) -> Evaluation:
        rows = np.ones(len(self.treated), bool) if mask is None else mask

        def group(members: np.ndarray) -> Group:
            return tally(
                self.responded[members],
                None if self.cost is None else self.cost[members],
                None if self.revenue is None else self.revenue[members],
            )

        return compare(
            group(rows & self.treated), group(rows & ~self.treated), confidence=confidence
        )


def read_contacts(
    path: Path,
    *,
    group_column: str,
    response_column: str,
    treatment: str = "treatment",
    control: str = "control",
    cost_column: str | None = None,
    revenue_column: str | None = None,
    by_column: str | None = None,
) -> Contacts:
    """Read a contacts file; every row must belong to the treatment or the control group and
    carry a response of 1/0, yes/no, true/false or y/n. Empty costs and revenues count 0."""
    table = read_table(path)
    wanted = [group_column, response_column, cost_column, revenue_column, by_column]
    for name in wanted:
        if name is not None and name not in table.column_names:
            raise ImportRejected(f"no column named {name!r}", file=path.name, row=None, column=name)
    treated = group_membership(table, path, group_column, treatment=treatment, control=control)
    by: np.ndarray | None = None
    by_values: tuple[Any, ...] = ()
    if by_column is not None:
        by, by_values = _codes(table.column(by_column))
    return Contacts(
        file=path.name,
        treated=treated,
        responded=responses(table, path, response_column),
        cost=None if cost_column is None else amounts(table, path, cost_column),
        revenue=None if revenue_column is None else amounts(table, path, revenue_column),
        by=by,
        by_values=by_values,
    )


def spreadsheet_row(index: int) -> int:
    """The row a spreadsheet shows for the data row at 0-based ``index``."""
    return index + HEADER_ROWS + 1


def group_membership(
    table: pa.Table, path: Path, column: str, *, treatment: str, control: str
) -> np.ndarray:
    """Per row, whether it is in the treatment group; a row in neither group is refused."""
    labels = table.column(column).cast(pa.string()).combine_chunks()
    in_treatment = pc.fill_null(pc.equal(labels, treatment), False)
    in_control = pc.fill_null(pc.equal(labels, control), False)
    stray = pc.invert(pc.or_(in_treatment, in_control))
    if pc.any(stray).as_py():
        index = int(pc.index(stray, True).as_py())
        found = sorted({"(empty)" if label is None else label for label in labels.to_pylist()})
        listed = ", ".join(repr(label) for label in found[:SHOWN_LABELS])
        if len(found) > SHOWN_LABELS:
            listed += f" and {len(found) - SHOWN_LABELS:,} more"
        value = labels[index].as_py()
        raise ImportRejected(
            f"the group {'(empty)' if value is None else repr(value)} is neither the treatment "
            f"{treatment!r} nor the control {control!r} (rows counted as in a spreadsheet, "
            f"the header is row 1); the groups found are {listed}: name yours with "
            "--treatment and --control",
            file=path.name,
            row=spreadsheet_row(index),
            column=column,
        )
    return np.asarray(in_treatment.to_numpy(zero_copy_only=False), dtype=bool)


def responses(table: pa.Table, path: Path, column: str) -> np.ndarray:
    """Per row, whether the member responded; a value that is not yes or no is refused."""
    text = pc.utf8_lower(pc.utf8_trim_whitespace(table.column(column).cast(pa.string())))
    text = text.combine_chunks()
    yes = pc.fill_null(pc.is_in(text, pa.array(YES)), False)
    no = pc.fill_null(pc.is_in(text, pa.array(NO)), False)
    unknown = pc.invert(pc.or_(yes, no))
    if pc.any(unknown).as_py():
        index = int(pc.index(unknown, True).as_py())
        value = table.column(column)[index].as_py()
        shown = "empty" if value is None or str(value).strip() == "" else repr(str(value))
        raise ImportRejected(
            f"the response is {shown}; write 1/0, yes/no, true/false or y/n "
            "(rows counted as in a spreadsheet, the header is row 1)",
            file=path.name,
            row=spreadsheet_row(index),
            column=column,
        )
    return np.asarray(yes.to_numpy(zero_copy_only=False), dtype=bool)


def amounts(table: pa.Table, path: Path, column: str) -> np.ndarray:
    """A cost or revenue column as numbers, empty cells 0; the first cell that is not a
    finite number is refused."""
    values = table.column(column)
    if is_number(values.type):
        numbers = pc.fill_null(pc.cast(values, pa.float64()), 0.0).to_numpy(zero_copy_only=False)
        bad = ~np.isfinite(numbers)
        if not bad.any():
            return np.asarray(numbers, dtype=float)
        index = int(np.argmax(bad))
        shown = str(numbers[index])
    else:
        texts = values.cast(pa.string()).to_pylist()
        parsed = [_number(text) for text in texts]
        index = next((i for i, number in enumerate(parsed) if number is None), -1)
        if index < 0:
            return np.array(parsed, dtype=float)
        shown = repr(texts[index])
    raise ImportRejected(
        f"{shown} is not an amount; write numbers with a decimal point, no currency sign "
        "(rows counted as in a spreadsheet, the header is row 1)",
        file=path.name,
        row=spreadsheet_row(index),
        column=column,
    )


def _number(text: str | None) -> float | None:
    if text is None or not text.strip():
        return 0.0
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _codes(column: pa.ChunkedArray) -> tuple[np.ndarray, tuple[Any, ...]]:
    """Each row's index into the column's distinct values, which are sorted; an empty cell
    is a value of its own (``None``, last)."""
    plain = column.type
    if not (is_number(plain) or pa.types.is_string(plain) or pa.types.is_boolean(plain)):
        column = column.cast(pa.string())  # dates and times become JSON-ready text
    encoded = pc.dictionary_encode(column.combine_chunks(), null_encoding="encode")
    values = encoded.dictionary.to_pylist()
    order = sorted(range(len(values)), key=lambda i: (values[i] is None, values[i]))
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(len(values))
    indices = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return rank[indices], tuple(values[i] for i in order)


def evaluate_contacts(contacts: Contacts, *, confidence: float = 0.95) -> dict[str, Any]:
    """The JSON report: the whole campaign and, when the contacts carry a grouping column,
    each of its values. A value without treatment or control members is refused."""
    report = _evaluation(contacts, None, "", confidence)
    if contacts.by is None:
        return report
    report["by"] = [
        {"value": value, **_evaluation(contacts, contacts.by == code, value, confidence)}
        for code, value in enumerate(contacts.by_values)
    ]
    return report


def _evaluation(
    contacts: Contacts, mask: np.ndarray | None, value: Any, confidence: float
) -> dict[str, Any]:
    try:
        return contacts.evaluate(mask, confidence=confidence).as_dict()
    except ValidationFailed as error:
        where = "" if mask is None else f"among the rows whose value is {value!r}, "
        message = f"{contacts.file}: {where}{error.message}"
        raise ValidationFailed(message, field=error.field) from error


def evaluate_file(
    path: Path,
    *,
    group_column: str,
    response_column: str,
    treatment: str = "treatment",
    control: str = "control",
    cost_column: str | None = None,
    revenue_column: str | None = None,
    by_column: str | None = None,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Read and evaluate a contacts file (see :func:`read_contacts`); the money figures need
    both a cost and a revenue column."""
    if (cost_column is None) != (revenue_column is None):
        missing = "revenue" if revenue_column is None else "cost"
        raise ValidationFailed(f"the money figures need a {missing} column as well", field=missing)
    contacts = read_contacts(
        path,
        group_column=group_column,
        response_column=response_column,
        treatment=treatment,
        control=control,
        cost_column=cost_column,
        revenue_column=revenue_column,
        by_column=by_column,
    )
    return evaluate_contacts(contacts, confidence=confidence)
