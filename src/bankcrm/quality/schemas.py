"""What the service-quality API answers: the service blueprint with its figures, and the
satisfaction figures (CSAT, first-time CSAT, NPS) with their trends and branches."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date

from pydantic import BaseModel

from bankcrm.core.localized import LocalizedText
from bankcrm.quality import satisfaction
from bankcrm.quality.blueprint import LANES, LINES, Blueprint, PointFigures, PointKind
from bankcrm.quality.repository import BranchAnswer


class TextRead(BaseModel):
    zh: str
    en: str

    @classmethod
    def of(cls, text: LocalizedText) -> TextRead:
        return cls(zh=text.zh, en=text.en)


class LineRead(BaseModel):
    code: str
    """``interaction``, ``visibility`` or ``internal_interaction``."""
    above: str
    below: str
    """The lanes the line separates."""


class StepRead(BaseModel):
    code: str
    name: TextRead
    lanes: dict[str, list[TextRead]]
    """The actions of each lane: ``customer``, ``front_stage``, ``back_stage``, ``support``."""


class StandardFiguresRead(BaseModel):
    code: str
    in_catalogue: bool
    """False when the standards catalogue has no standard with this code."""
    title: TextRead | None
    checked: int
    """Inspections of the period that checked the standard."""
    failed: int
    failed_share: float | None


class IssueRead(BaseModel):
    code: str
    label: TextRead


class PointRead(BaseModel):
    code: str
    kind: PointKind
    step: str
    text: TextRead
    standards: list[StandardFiguresRead]
    issues: list[IssueRead]
    complaints: int
    """Complaints received in the period with one of the point's issues."""


class BlueprintRead(BaseModel):
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
        return cls(
            since=since,
            until=until,
            title=TextRead.of(blueprint.title),
            lanes=list(LANES),
            lines=[LineRead(code=code, above=above, below=below) for code, above, below in LINES],
            steps=[
                StepRead(
                    code=step.code,
                    name=TextRead.of(step.name),
                    lanes={
                        lane: [TextRead.of(action) for action in actions]
                        for lane, actions in step.lanes.items()
                    },
                )
                for step in blueprint.steps
            ],
            points=[
                PointRead(
                    code=found.point.code,
                    kind=found.point.kind,
                    step=found.point.step,
                    text=TextRead.of(found.point.text),
                    standards=[
                        StandardFiguresRead(
                            code=standard.code,
                            in_catalogue=standard.in_catalogue,
                            title=TextRead.of(standard.title) if standard.title else None,
                            checked=standard.checked,
                            failed=standard.failed,
                            failed_share=standard.failed_share,
                        )
                        for standard in found.standards
                    ],
                    issues=[
                        IssueRead(code=issue, label=TextRead.of(issue_labels[issue]))
                        for issue in found.point.issues
                    ],
                    complaints=found.complaints,
                )
                for found in points
            ],
        )


class CsatRead(BaseModel):
    answers: int
    satisfied: int
    share: float | None
    """Answers of 4 or 5 ÷ answers; ``None`` without answers."""
    mean: float | None


class NpsRead(BaseModel):
    answers: int
    promoters: int
    passives: int
    detractors: int
    score: float | None
    """Promoters' share minus detractors' share, × 100."""
    low: float | None
    high: float | None
    """The 95 % confidence interval of the score."""


class TrendRead(BaseModel):
    months: list[str]
    values: list[float | None]
    answers: list[int]


class MonthlyRead(BaseModel):
    csat: TrendRead
    """The satisfied share (0–1) of every month with answers."""
    nps: TrendRead


class BranchSatisfactionRead(BaseModel):
    branch_id: int | None
    """None for answers given about no branch."""
    branch_name: str | None
    csat: CsatRead
    nps: NpsRead


class SatisfactionRead(BaseModel):
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
        return cls(
            since=since,
            csat=CsatRead(**asdict(satisfaction.csat(answer.score for answer in csat_plain))),
            first_time_csat=CsatRead(**asdict(satisfaction.first_time_csat(csat_plain))),
            nps=NpsRead(**asdict(satisfaction.nps(answer.score for answer in nps_plain))),
            monthly=MonthlyRead(
                csat=TrendRead(**_lists(asdict(satisfaction.monthly_csat(csat_plain)))),
                nps=TrendRead(**_lists(asdict(satisfaction.monthly_nps(nps_plain)))),
            ),
            branches=_by_branch(csat_answers, nps_answers),
        )


def _lists(trend: dict[str, tuple[object, ...]]) -> dict[str, list[object]]:
    return {key: list(values) for key, values in trend.items()}


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
            csat=CsatRead(**asdict(satisfaction.csat(csat_scores[branch]))),
            nps=NpsRead(**asdict(satisfaction.nps(nps_scores[branch]))),
        )
        for branch in ordered
    ]
