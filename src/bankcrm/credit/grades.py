"""The bank's master scale: a probability of default for each credit grade, and back.

Every grade stands for one representative one-year probability of default (PD), rising
from AAA to C. A PD from a scorecard falls in the grade whose band holds it; the bands meet
at the geometric mean of neighbouring grades' PDs, because PDs of neighbouring grades
differ by a factor, not by a constant.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping

import numpy as np

from bankcrm.core.config import DEFAULT_MASTER_SCALE, check_master_scale
from bankcrm.core.enums import CreditGrade

__all__ = [
    "DEFAULT_MASTER_SCALE",
    "GRADES",
    "check_master_scale",
    "grade_of",
    "grades_of",
    "pd_of",
    "worse",
]

GRADES: tuple[CreditGrade, ...] = tuple(CreditGrade)
"""Best first: AAA, AA, A, BBB, BB, B, CCC, CC, C."""


def worse(grade: CreditGrade | str, than: CreditGrade | str) -> bool:
    """Whether ``grade`` lies below ``than`` on the master scale."""
    return GRADES.index(CreditGrade(grade)) > GRADES.index(CreditGrade(than))


def pd_of(grade: CreditGrade, scale: Mapping[CreditGrade, float]) -> float:
    """The grade's representative PD."""
    return float(scale[grade])


def grade_of(pd: float, scale: Mapping[CreditGrade, float]) -> CreditGrade:
    """The grade whose band holds ``pd``; a band reaches up to the geometric mean of its
    PD and the next worse grade's."""
    if not 0 <= pd <= 1 or math.isnan(pd):
        raise ValueError(f"a probability of default lies in [0, 1], not {pd}")
    for better, worse in itertools.pairwise(GRADES):
        if pd <= math.sqrt(scale[better] * scale[worse]):
            return better
    return GRADES[-1]


def grades_of(pds: np.ndarray, scale: Mapping[CreditGrade, float]) -> np.ndarray:
    """:func:`grade_of` for many PDs at once, as an array of grade codes (``"BBB"``)."""
    bounds = [
        math.sqrt(scale[better] * scale[worse]) for better, worse in itertools.pairwise(GRADES)
    ]
    names = np.array([grade.value for grade in GRADES], dtype=object)
    return names[np.searchsorted(np.asarray(bounds), np.asarray(pds, dtype=float), side="left")]
