from __future__ import annotations

import json
import math
from datetime import date

import numpy as np
import pytest
import typer
from scipy import stats
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from bankcrm.cli.quality import register
from bankcrm.core.db import make_engine
from bankcrm.core.enums import SurveyKind
from bankcrm.quality.models import SurveyResponse
from bankcrm.quality.satisfaction import (
    Answer,
    csat,
    first_time_csat,
    monthly_csat,
    monthly_nps,
    nps,
)


def test_csat_counts_fours_and_fives() -> None:
    result = csat([5, 4, 3, 5, 1, 2, 4, 5])
    # satisfied: 5, 4, 5, 4, 5 = 5 of 8; mean 29 / 8
    assert (result.answers, result.satisfied) == (8, 5)
    assert result.share == pytest.approx(0.625)
    assert result.mean == pytest.approx(3.625)


def test_nps_by_hand_and_its_interval_is_the_mean_of_plus_minus_one() -> None:
    scores = [10, 9, 9, 8, 7, 6, 3, 0, 10, 5]
    result = nps(scores)
    # promoters 10, 9, 9, 10 = 4; passives 8, 7 = 2; detractors 6, 3, 0, 5 = 4
    assert (result.promoters, result.passives, result.detractors) == (4, 2, 4)
    assert result.score == pytest.approx(0.0)
    # the same interval from the ±1/0 values directly (population variance, normal quantile)
    values = np.array([1 if s >= 9 else -1 if s <= 6 else 0 for s in scores], dtype=float)
    spread = stats.norm.ppf(0.975) * math.sqrt(values.var() / len(values))
    assert result.low == pytest.approx(100 * (values.mean() - spread))
    assert result.high == pytest.approx(100 * (values.mean() + spread))


def test_nps_extremes_and_empty() -> None:
    assert nps([10, 9, 10]).score == pytest.approx(100.0)
    assert nps([0, 6]).score == pytest.approx(-100.0)
    assert nps([10]).low is None
    empty = nps([])
    assert (empty.answers, empty.score, empty.low) == (0, None, None)
    assert csat([]).share is None


def test_answers_off_the_scale_are_refused() -> None:
    with pytest.raises(ValueError, match="between 1 and 5"):
        csat([6])
    with pytest.raises(ValueError, match="between 0 and 10"):
        nps([11])


def test_first_time_satisfaction_takes_each_customers_earliest_answer() -> None:
    answers = [
        Answer(1, date(2026, 3, 1), 5),
        Answer(1, date(2026, 1, 5), 2),  # customer 1's first
        Answer(2, date(2026, 2, 1), 4),  # customer 2's first
        Answer(2, date(2026, 4, 1), 1),
        Answer(None, date(2026, 1, 1), 5),  # anonymous: left out
    ]
    result = first_time_csat(answers)
    assert (result.answers, result.satisfied) == (2, 1)


def test_monthly_trends_list_the_months_with_answers_in_order() -> None:
    answers = [
        Answer(1, date(2026, 2, 3), 9),
        Answer(2, date(2026, 1, 9), 3),
        Answer(3, date(2026, 2, 20), 10),
        Answer(4, date(2026, 1, 30), 9),
    ]
    trend = monthly_nps(answers)
    assert trend.months == ("2026-01", "2026-02")
    assert trend.answers == (2, 2)
    assert trend.values == pytest.approx((0.0, 100.0))
    satisfied = monthly_csat([Answer(1, date(2026, 5, 1), 4), Answer(2, date(2026, 5, 2), 2)])
    assert satisfied.values == (0.5,)


def test_the_command_reads_the_records_store(app_settings: str) -> None:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        rows = [
            (SurveyKind.CSAT, date(2026, 1, 5), 2),
            (SurveyKind.CSAT, date(2026, 2, 5), 5),
            (SurveyKind.CSAT, date(2026, 2, 6), 4),
            (SurveyKind.NPS, date(2026, 1, 7), 10),
            (SurveyKind.NPS, date(2026, 2, 7), 3),
            (SurveyKind.NPS, date(2026, 2, 8), None),
        ]
        for number, (kind, day, score) in enumerate(rows):
            session.add(
                SurveyResponse(external_id=f"S{number}", kind=kind, answered_on=day, score=score)
            )
        session.commit()
    engine.dispose()
    app = typer.Typer()
    register(app)
    answer = CliRunner().invoke(app, ["quality", "satisfaction", "--json"])
    assert answer.exit_code == 0, answer.output
    report = json.loads(answer.output)
    assert (report["csat"]["answers"], report["csat"]["satisfied"]) == (3, 2)
    assert (report["nps"]["answers"], report["nps"]["score"]) == (2, 0.0)
    assert report["monthly"]["csat"]["months"] == ["2026-01", "2026-02"]
    assert report["monthly"]["csat"]["values"] == [0.0, 1.0]
    later = CliRunner().invoke(app, ["quality", "satisfaction", "--since", "2026-02-01", "--json"])
    assert json.loads(later.output)["nps"]["answers"] == 1
    bad = CliRunner().invoke(app, ["quality", "satisfaction", "--since", "Feb"])
    assert bad.exit_code == 2
