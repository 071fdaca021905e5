"""The demo's finished SERVQUAL waves show whom they reached: an answered invitation for
each generated answer of a known customer, and unanswered ones as the response rate implies."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import Role, SurveyKind
from bankcrm.demo.quality_surveys import ANSWERED_SHARE, plant_survey_waves
from bankcrm.quality.models import SurveyResponse
from bankcrm.quality.surveys import service
from tests import factories

AS_OF = date(2026, 9, 30)
TODAY = date(2026, 11, 26)
ANSWERS = {"SERVQUAL-2025H2": 12, "SERVQUAL-2026H1": 9}


def test_finished_waves_count_their_invitations_and_answers(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with Session(engine) as session:
            branch = factories.branch(session)
            officer = factories.staff(session, role=Role.QUALITY_OFFICER)
            customers = [
                factories.customer(session, branch_id=branch.id, manager_id=None)
                for _ in range(200)
            ]
            first = 0
            for code, count in ANSWERS.items():
                for offset, customer in enumerate(customers[first : first + count]):
                    session.add(
                        SurveyResponse(
                            external_id=f"{code}-{offset}",
                            kind=SurveyKind.SERVQUAL,
                            wave=code,
                            customer_id=customer.id,
                            branch_id=branch.id,
                            answered_on=date(2026, 5, 1 + offset),
                            answers={"E1": 6, "P1": 5},
                        )
                    )
                first += count
            session.flush()
            plant_survey_waves(session, as_of=AS_OF, today=TODAY, seed=7)
            session.commit()
            waves = {wave.code: wave for wave in service.list_waves(session, user=officer)}
    finally:
        engine.dispose()
    for code, count in ANSWERS.items():
        wave = waves[code]
        assert wave.completed == count, code
        assert wave.issued == count + round(count * (1 / ANSWERED_SHARE - 1)), code
