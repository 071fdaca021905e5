"""SQL of service quality: survey answers as the statistics take them, and the inspections
and complaints behind the service blueprint's figures, as the viewer may see them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select

from bankcrm.branches.models import Branch
from bankcrm.complaints.models import Complaint
from bankcrm.core.enums import SurveyKind
from bankcrm.quality.blueprint import StandardChecks
from bankcrm.quality.models import Inspection, InspectionResult, ServiceStandard, SurveyResponse
from bankcrm.quality.satisfaction import Answer
from bankcrm.scope import ScopedRepository, SystemRepository


@dataclass(frozen=True)
class BranchAnswer:
    """A scored answer with the branch it was given about."""

    branch_id: int | None
    branch_name: str | None
    answer: Answer


class QualityRepository(ScopedRepository):
    """Survey answers, inspections and cases for the quality figures: a branch manager's
    figures are their branch's."""

    def scored_answers_by_branch(
        self, *, kind: SurveyKind, answered_from: date | None = None
    ) -> list[BranchAnswer]:
        """Every scored answer of a short survey with its branch, oldest first."""
        statement = (
            self.owned(
                SurveyResponse,
                SurveyResponse.branch_id,
                Branch.name,
                SurveyResponse.customer_id,
                SurveyResponse.answered_on,
                SurveyResponse.score,
            )
            .outerjoin(Branch, Branch.id == SurveyResponse.branch_id)
            .where(SurveyResponse.kind == kind, SurveyResponse.score.is_not(None))
            .order_by(SurveyResponse.answered_on, SurveyResponse.id)
        )
        if answered_from is not None:
            statement = statement.where(SurveyResponse.answered_on >= answered_from)
        return [
            BranchAnswer(
                branch_id=branch_id,
                branch_name=branch_name,
                answer=Answer(customer_id=customer_id, answered_on=answered_on, score=score),
            )
            for branch_id, branch_name, customer_id, answered_on, score in self.session.execute(
                statement
            )
        ]

    def standard_checks(
        self, *, codes: Collection[str], inspected_from: date, inspected_to: date
    ) -> dict[str, StandardChecks]:
        """The catalogue's standards among ``codes``, each with the inspections of the period
        (both days included) that checked it and those it failed; a code not in the
        catalogue is left out."""
        if not codes:
            return {}
        standards = self.session.execute(
            select(
                ServiceStandard.id,
                ServiceStandard.code,
                ServiceStandard.title,
                ServiceStandard.title_en,
            ).where(ServiceStandard.code.in_(list(codes)))
        ).all()
        counts = {
            standard_id: (checked, int(failed or 0))
            for standard_id, checked, failed in self.session.execute(
                self.owned(
                    InspectionResult,
                    InspectionResult.standard_id,
                    func.count(InspectionResult.id),
                    func.sum(case((InspectionResult.passed.is_(False), 1), else_=0)),
                )
                .where(
                    InspectionResult.standard_id.in_([row.id for row in standards]),
                    Inspection.inspected_on >= inspected_from,
                    Inspection.inspected_on <= inspected_to,
                )
                .group_by(InspectionResult.standard_id)
            )
        }
        return {
            row.code: StandardChecks(row.code, row.title, row.title_en, *counts.get(row.id, (0, 0)))
            for row in standards
        }

    def complaints_by_issue(
        self, *, issues: Collection[str], received_from: datetime, received_before: datetime
    ) -> dict[str, int]:
        """How many complaints of each of ``issues`` were received in ``[received_from,
        received_before)``; an issue without complaints is left out."""
        if not issues:
            return {}
        statement = (
            self.owned(Complaint, Complaint.issue, func.count(Complaint.id))
            .where(
                Complaint.issue.in_(list(issues)),
                Complaint.received_at >= received_from,
                Complaint.received_at < received_before,
            )
            .group_by(Complaint.issue)
        )
        return {issue: count for issue, count in self.session.execute(statement)}


class QualitySystemRepository(SystemRepository, QualityRepository):
    """The same figures for the whole bank, for the command line's reports."""
