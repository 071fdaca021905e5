"""SQL of the survey-wave report: its answers, the waves like it, the respondents' segments."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import func, select

from bankcrm.core.enums import Quadrant, SurveyKind, ValueTier
from bankcrm.quality.models import SurveyResponse, SurveyWave
from bankcrm.quality.surveys.repository import SurveyRepository
from bankcrm.segmentation.models import CustomerSegment, SegmentRun


@dataclass(frozen=True)
class AnswerRow:
    """One recorded response of a wave, as the report reads it: its fields are the columns
    of that name."""

    customer_id: int | None
    branch_id: int | None
    answered_on: date
    score: int | None
    answers: dict[str, Any] | None


@dataclass(frozen=True)
class SegmentOf:
    """A customer's place in a segmentation run."""

    quadrant: Quadrant
    value_tier: ValueTier


class WaveReportRepository(SurveyRepository):
    """The survey reads (the wave's invitations among them) and those of one wave's report,
    of what the viewer may see: a branch manager's report is their branch's, though it shows
    counts and means only."""

    def answers(self, wave_code: str) -> list[AnswerRow]:
        """The wave's responses, oldest first."""
        columns = [getattr(SurveyResponse, field.name) for field in fields(AnswerRow)]
        statement = (
            self.owned(SurveyResponse, *columns)
            .where(SurveyResponse.wave == wave_code)
            .order_by(SurveyResponse.answered_on, SurveyResponse.id)
        )
        return [AnswerRow(*row) for row in self.session.execute(statement)]

    def waves_like(self, *, kind: SurveyKind, instrument: str | None) -> list[SurveyWave]:
        """Every wave of the same kind and instrument, in the order they opened."""
        # SQLAlchemy writes a comparison with None as IS NULL
        statement = select(SurveyWave).where(
            SurveyWave.kind == kind, SurveyWave.instrument == instrument
        )
        return list(self.session.scalars(statement.order_by(SurveyWave.opens_on, SurveyWave.id)))

    def segments_as_of(
        self, day: date, *, wave_code: str
    ) -> tuple[date | None, dict[int, SegmentOf]]:
        """The day of the latest segmentation run on or before ``day``, and the quadrant and
        value tier in that run of the wave's respondents."""
        run_as_of = self.session.scalar(
            select(func.max(SegmentRun.as_of)).where(SegmentRun.as_of <= day)
        )
        if run_as_of is None:
            return None, {}
        respondents = self.owned(SurveyResponse, SurveyResponse.customer_id).where(
            SurveyResponse.wave == wave_code
        )
        statement = (
            self.owned(
                CustomerSegment,
                CustomerSegment.customer_id,
                CustomerSegment.quadrant,
                CustomerSegment.value_tier,
            )
            .join(SegmentRun, SegmentRun.id == CustomerSegment.run_id)
            .where(
                SegmentRun.as_of == run_as_of,
                CustomerSegment.customer_id.in_(respondents),
            )
        )
        return run_as_of, {
            customer_id: SegmentOf(*segment)
            for customer_id, *segment in self.session.execute(statement)
        }
