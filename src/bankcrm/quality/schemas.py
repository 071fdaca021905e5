"""What the service-quality API answers: the service blueprint with its figures, and the
satisfaction figures (CSAT, first-time CSAT, NPS) with their trends and branches."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel, ConfigDict

from bankcrm.core.localized import LocalizedText, in_language
from bankcrm.quality import satisfaction
from bankcrm.quality.blueprint import LANES, LINES, Blueprint, PointFigures, PointKind
from bankcrm.quality.repository import BranchAnswer


class _Read(BaseModel):
    """Read from the pure modules' objects by attribute (a ``LocalizedText`` is a ``TextRead``)."""

    model_config = ConfigDict(from_attributes=True)


class TextRead(_Read):
    zh: str
    en: str

    def text(self, locale: str) -> str:
        return in_language(locale, zh=self.zh, en=self.en)


class LineRead(_Read):
    code: str
    """``interaction``, ``visibility`` or ``internal_interaction``."""
    above: str
    below: str
    """The lanes the line separates."""


class StepRead(_Read):
    code: str
    name: TextRead
    lanes: dict[str, list[TextRead]]
    """The actions of each lane: ``customer``, ``front_stage``, ``back_stage``, ``support``."""


class StandardFiguresRead(_Read):
    code: str
    in_catalogue: bool
    """False when the standards catalogue has no standard with this code."""
    title: TextRead | None
    checked: int
    """Inspections of the period that checked the standard."""
    failed: int
    failed_share: float | None


class IssueRead(_Read):
    code: str
    label: TextRead


class PointRead(_Read):
    code: str
    kind: PointKind
    step: str
    text: TextRead
    standards: list[StandardFiguresRead]
    issues: list[IssueRead]
    complaints: int
    """Complaints received in the period with one of the point's issues."""


class BlueprintRead(_Read):
    since: date
    until: date
    """The period of the figures, both days included."""
    title: TextRead
    lanes: list[str]
    lines: list[LineRead]
    steps: list[StepRead]
    points: list[PointRead]

    @classmethod
    def of(
        cls,
        blueprint: Blueprint,
        points: Sequence[PointFigures],
        *,
        issue_labels: dict[str, LocalizedText],
        since: date,
        until: date,
    ) -> BlueprintRead:
        return cls.model_validate(
            {
                "since": since,
                "until": until,
                "title": blueprint.title,
                "lanes": LANES,
                "lines": [{"code": code, "above": up, "below": down} for code, up, down in LINES],
                "steps": blueprint.steps,
                "points": [
                    {
                        **{
                            key: getattr(found.point, key)
                            for key in ("code", "kind", "step", "text")
                        },
                        "standards": found.standards,
                        "issues": [
                            {"code": issue, "label": issue_labels[issue]}
                            for issue in found.point.issues
                        ],
                        "complaints": found.complaints,
                    }
                    for found in points
                ],
            }
        )


class CsatRead(_Read):
    answers: int
    satisfied: int
    share: float | None
    """Answers of 4 or 5 ÷ answers; ``None`` without answers."""
    mean: float | None


class NpsRead(_Read):
    answers: int
    promoters: int
    passives: int
    detractors: int
    score: float | None
    """Promoters' share minus detractors' share, × 100."""
    low: float | None
    high: float | None
    """The 95 % confidence interval of the score."""


class TrendRead(_Read):
    months: list[str]
    values: list[float | None]
    answers: list[int]


class MonthlyRead(_Read):
    csat: TrendRead
    """The satisfied share (0–1) of every month with answers."""
    nps: TrendRead


class BranchSatisfactionRead(_Read):
    branch_id: int | None
    """None for answers given about no branch."""
    branch_name: str | None
    csat: CsatRead
    nps: NpsRead


class SatisfactionRead(_Read):
    since: date | None
    csat: CsatRead
    first_time_csat: CsatRead
    """CSAT over each customer's first answer of the period."""
    nps: NpsRead
    monthly: MonthlyRead
    branches: list[BranchSatisfactionRead]
    """Branches by name; answers about no branch last."""

    @classmethod
    def of(
        cls,
        *,
        csat_answers: Sequence[BranchAnswer],
        nps_answers: Sequence[BranchAnswer],
        since: date | None,
    ) -> SatisfactionRead:
        csat_plain = [row.answer for row in csat_answers]
        nps_plain = [row.answer for row in nps_answers]
        return cls.model_validate(
            {
                "since": since,
                "csat": satisfaction.csat(answer.score for answer in csat_plain),
                "first_time_csat": satisfaction.first_time_csat(csat_plain),
                "nps": satisfaction.nps(answer.score for answer in nps_plain),
                "monthly": {
                    "csat": satisfaction.monthly_csat(csat_plain),
                    "nps": satisfaction.monthly_nps(nps_plain),
                },
                "branches": _by_branch(csat_answers, nps_answers),
            }
        )


def _by_branch(
    csat_answers: Sequence[BranchAnswer], nps_answers: Sequence[BranchAnswer]
) -> list[BranchSatisfactionRead]:
    names: dict[int | None, str | None] = {}
    csat_scores: dict[int | None, list[int]] = defaultdict(list)
    nps_scores: dict[int | None, list[int]] = defaultdict(list)
    for rows, scores in ((csat_answers, csat_scores), (nps_answers, nps_scores)):
        for row in rows:
            names[row.branch_id] = row.branch_name
            scores[row.branch_id].append(row.answer.score)
    ordered = sorted(names, key=lambda branch: (branch is None, names[branch] or "", branch or 0))
    return [
        BranchSatisfactionRead(
            branch_id=branch,
            branch_name=names[branch],
            csat=CsatRead.model_validate(satisfaction.csat(csat_scores[branch])),
            nps=NpsRead.model_validate(satisfaction.nps(nps_scores[branch])),
        )
        for branch in ordered
    ]
