"""The BTYD models reproduce the published CDNOW figures from the raw transactions."""

from __future__ import annotations

import csv
import gzip
import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from scipy import optimize
from typer.testing import CliRunner

from bankcrm.analytics.engine import open_engine
from bankcrm.cli.main import app
from bankcrm.clv.btyd import (
    BetaGeoModel,
    GammaGammaModel,
    _bgnbd_log_likelihood,
    _gamma_gamma_log_likelihood,
)
from bankcrm.clv.fitting import RepeatData, daily_repeats, summarise
from bankcrm.clv.purchases import day_number, read_purchases
from bankcrm.clv.validation import validate
from bankcrm.core.config import Settings
from bankcrm.core.enums import AnalyticsEngine

CDNOW = Path(__file__).parents[2] / "data" / "cdnow" / "cdnow_sample.csv.gz"
CALIBRATION_END = date(1997, 9, 30)
OBSERVATION_END = date(1998, 6, 30)


@pytest.fixture(scope="module")
def cdnow() -> RepeatData:
    purchases = read_purchases(
        CDNOW,
        customer_column="sample_id",
        date_column="date",
        date_format="%Y%m%d",
        amount_column="amount",
    )
    with open_engine(AnalyticsEngine.DUCKDB, Settings()) as connection:
        return summarise(
            connection,
            connection.register("purchases", purchases),
            calibration_end=day_number(CALIBRATION_END),
            observation_end=day_number(OBSERVATION_END),
        )


def test_the_sample_has_the_papers_customers(cdnow: RepeatData) -> None:
    assert len(cdnow.frequency) == 2_357
    assert int(cdnow.repeat.sum()) == 946
    assert cdnow.age.max() == pytest.approx(38.86, abs=0.005)


def test_bgnbd_matches_fader_hardie_lee_2005(cdnow: RepeatData) -> None:
    model = BetaGeoModel().fit(cdnow.frequency, cdnow.recency, cdnow.age)
    assert round(model.r_, 3) == 0.243
    assert round(model.alpha_, 3) == 4.414
    assert round(model.a_, 3) == 0.793
    assert round(model.b_, 3) == 2.426
    assert round(model.log_likelihood_, 1) == -9582.4
    assert model.customers_ == 2_357


def test_bgnbd_conditional_expectation_of_the_papers_example(cdnow: RepeatData) -> None:
    """FHL 2005, section 4: x = 2, t_x = 30.43, T = 38.86 expects 1.226 in 39 weeks."""
    model = BetaGeoModel().fit(cdnow.frequency, cdnow.recency, cdnow.age)
    expected = model.conditional_expected_transactions(39, [2], [30.43], [38.86])
    assert round(float(expected[0]), 3) == 1.226


def test_gamma_gamma_matches_the_published_estimates(cdnow: RepeatData) -> None:
    repeat = cdnow.repeat
    model = GammaGammaModel().fit(cdnow.frequency[repeat], cdnow.monetary[repeat])
    assert model.customers_ == 946
    assert round(model.p_, 2) == 6.25
    assert round(model.q_, 2) == 3.74
    assert round(model.gamma_, 2) == 15.44
    # shrinkage: one purchase of $100 is pulled towards the population mean, many are not
    one, many = model.expected_spend([1, 50], [100.0, 100.0])
    population = model.gamma_ * model.p_ / (model.q_ - 1)
    assert population < one < 100
    assert 95 < many < 100


def test_the_cli_prints_the_published_estimates() -> None:
    common = [
        "clv", "fit", "--transactions", str(CDNOW), "--customer-col", "sample_id",
        "--date-col", "date", "--date-format", "%Y%m%d", "--amount-col", "amount",
        "--calibration-end", "1997-09-30", "--json",
    ]  # fmt: skip
    runner = CliRunner()
    bgnbd = runner.invoke(app, [*common, "--model", "bgnbd"])
    assert bgnbd.exit_code == 0, bgnbd.output
    result = json.loads(bgnbd.stdout)
    assert set(result) == {"model", "params", "log_likelihood", "customers"}
    assert result["model"] == "bgnbd"
    assert result["customers"] == 2_357
    assert {k: round(v, 3) for k, v in result["params"].items()} == {
        "r": 0.243,
        "alpha": 4.414,
        "a": 0.793,
        "b": 2.426,
    }
    spend = json.loads(runner.invoke(app, [*common, "--model", "gammagamma"]).stdout)
    assert {k: round(v, 2) for k, v in spend["params"].items()} == {
        "p": 6.25,
        "q": 3.74,
        "gamma": 15.44,
    }
    assert spend["customers"] == 946


@pytest.mark.parametrize("point", [(0.5, 3.0, 0.7, 2.0), (0.24, 4.4, 0.79, 2.4)])
def test_bgnbd_gradient_is_the_likelihoods(cdnow: RepeatData, point: tuple[float, ...]) -> None:
    columns = (cdnow.frequency, cdnow.recency, cdnow.age)
    error = optimize.check_grad(
        lambda p: _bgnbd_log_likelihood(p, *columns)[0].sum(),
        lambda p: _bgnbd_log_likelihood(p, *columns)[1].sum(axis=1),
        np.array(point),
    )
    assert error < 1e-3


def test_gamma_gamma_gradient_is_the_likelihoods(cdnow: RepeatData) -> None:
    repeat = cdnow.repeat
    columns = (cdnow.frequency[repeat], cdnow.monetary[repeat])
    error = optimize.check_grad(
        lambda p: _gamma_gamma_log_likelihood(p, *columns)[0].sum(),
        lambda p: _gamma_gamma_log_likelihood(p, *columns)[1].sum(axis=1),
        np.array([5.0, 3.0, 14.0]),
    )
    assert error < 1e-3


def test_p_alive_follows_recency(cdnow: RepeatData) -> None:
    model = BetaGeoModel().fit(cdnow.frequency, cdnow.recency, cdnow.age)
    recent, lapsed, none = model.probability_alive([5, 5, 0], [38.0, 5.0, 0.0], [39.0, 39.0, 39.0])
    assert none == 1.0
    assert recent > 0.8 > 0.2 > lapsed


def test_holdout_validation_tracks_the_papers_fit(cdnow: RepeatData) -> None:
    """FHL 2005, figures 4 and 5: the cumulative repeat transactions of weeks 40–78 are
    tracked within a few percent; conditional expectations by calibration frequency run
    a little below the actual means, as in the paper's figure 5."""
    model = BetaGeoModel().fit(cdnow.frequency, cdnow.recency, cdnow.age)
    purchases = read_purchases(
        CDNOW, customer_column="sample_id", date_column="date", date_format="%Y%m%d"
    )
    with open_engine(AnalyticsEngine.DUCKDB, Settings()) as connection:
        days, repeats = daily_repeats(
            connection,
            connection.register("purchases", purchases),
            calibration_end=day_number(CALIBRATION_END),
        )
    holdout_weeks = (OBSERVATION_END - CALIBRATION_END).days / 7
    result = validate(
        model,
        frequency=cdnow.frequency,
        recency=cdnow.recency,
        age=cdnow.age,
        holdout_frequency=cdnow.holdout_frequency,
        holdout_length=holdout_weeks,
        birth=cdnow.first_day / 7,
        repeat_time=days / 7,
        repeat_count=repeats,
        calibration_end=day_number(CALIBRATION_END) / 7,
    )
    with gzip.open(CDNOW, "rt", encoding="utf-8", newline="") as source:
        holdout_days = {
            (row["sample_id"], row["date"])
            for row in csv.DictReader(source)
            if "19971001" <= row["date"] <= "19980630"
        }
    assert int(cdnow.holdout_frequency.sum()) == len(holdout_days)
    assert [bucket.label for bucket in result.buckets] == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert result.buckets[0].customers == 1_411
    assert -0.15 < result.holdout_error < 0
    assert result.bucket_mae < 0.25
    final = result.tracking[-1]
    assert final.in_holdout
    assert final.expected == pytest.approx(final.actual, rel=0.05)
    assert sum(point.in_holdout for point in result.tracking) == 39
