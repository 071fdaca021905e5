"""Next-best offers: the metrics on hand-computed rankings, the model finding patterns that
popularity misses, nothing learnt from after the cut, holdings never offered, and the
reasons on a hand-made bank."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_limits

from bankcrm.offers.next_best_offer import (
    Evaluation,
    PropensityModel,
    average_precision_at_k,
    evaluate,
    explain,
    hit_rate_at_k,
    top_k,
)

START = pd.Timestamp("2021-01-01")
AS_OF = pd.Timestamp("2023-07-01")
NOISE = ("C", "D", "E", "G")
PRODUCTS = ("A", "B", "F", "W", "P", "M", *NOISE)


def planted_bank(customers: int = 2000, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three years of a bank whose customers take products up month by month: B soon after
    A, F while under 30, W when in the top fifth by value, P from 60, M when corporate, and
    C, D, E, G by chance. Everything but A is held for three months to a year."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, customers + 1) * 10
    corporate = rng.random(customers) < 0.1
    age = rng.uniform(20, 75, customers)
    value = rng.lognormal(10, 1, customers)
    rich = ~corporate & (value >= np.quantile(value[~corporate], 0.8))
    people = pd.DataFrame(
        {
            "customer_id": ids,
            "birth_date": (START - pd.to_timedelta(age * 365.25, unit="D")).where(~corporate),
            "is_corporate": corporate,
            "onboarded_on": START - pd.to_timedelta(rng.integers(30, 3000, customers), unit="D"),
            "value": value,
            "lifecycle_stage": np.array(["growth", "mature", None], dtype=object)[
                rng.integers(0, 3, customers)
            ],
        }
    )
    column = {product: index for index, product in enumerate(PRODUCTS)}
    holding = np.zeros((customers, len(PRODUCTS)), dtype=bool)
    held_until = np.full(holding.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    months = []
    for month in range(36):
        first_day = START + pd.DateOffset(months=month)
        holding &= ~(held_until <= np.datetime64(first_day))
        young = ~corporate & (age + month / 12 < 30)
        old = ~corporate & (age + month / 12 >= 60)
        hazard = np.full(holding.shape, 0.01)
        hazard[:, column["B"]] = np.where(holding[:, column["A"]], 0.25, 0.002)
        hazard[:, column["F"]] = np.where(young, 0.15, 0.002)
        hazard[:, column["W"]] = np.where(rich, 0.15, 0.002)
        hazard[:, column["P"]] = np.where(old, 0.15, 0.002)
        hazard[:, column["M"]] = np.where(corporate, 0.2, 0.001)
        customer, product = np.nonzero((rng.random(holding.shape) < hazard) & ~holding)
        adopted = first_day + pd.to_timedelta(rng.integers(0, 28, len(customer)), unit="D")
        lasting = pd.to_timedelta(rng.integers(90, 365, len(customer)), unit="D")
        ended = pd.Series(adopted + lasting).where(product != column["A"])
        holding[customer, product] = True
        held_until[customer, product] = ended.to_numpy(dtype="datetime64[ns]")
        months.append(
            pd.DataFrame(
                {
                    "customer_id": ids[customer],
                    "product_id": np.asarray(PRODUCTS)[product],
                    "adopted_on": adopted,
                    "ended_on": ended,
                }
            )
        )
    return pd.concat(months, ignore_index=True), people


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    """Two test workers with two OpenMP threads each make the boosting many times slower."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def bank() -> tuple[pd.DataFrame, pd.DataFrame]:
    return planted_bank()


@pytest.fixture(scope="module")
def fitted(bank: tuple[pd.DataFrame, pd.DataFrame]) -> PropensityModel:
    adoptions, customers = bank
    return PropensityModel().fit(adoptions, customers, AS_OF)


def held_at(adoptions: pd.DataFrame, when: pd.Timestamp) -> set[tuple[int, object]]:
    """The holdings as the module docstring states them, row by row."""
    held = set()
    for row in adoptions.itertuples():
        ended = getattr(row, "ended_on", None)
        if pd.Timestamp(row.adopted_on) < when and (pd.isna(ended) or pd.Timestamp(ended) > when):
            held.add((int(row.customer_id), row.product_id))
    return held


def ranking(rows: Sequence[tuple[int, object, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "product_id", "rank"])


def truth_of(rows: Sequence[tuple[int, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "product_id"])


# The metrics


def test_a_perfect_ranking_scores_one() -> None:
    ranked = ranking([(1, "x", 1), (1, "y", 2), (1, "z", 3), (2, "y", 1), (2, "x", 2)])
    truth = truth_of([(1, "x"), (1, "y"), (2, "y")])
    assert hit_rate_at_k(ranked, truth, 3) == 1.0
    assert average_precision_at_k(ranked, truth, 7) == 1.0


def test_average_precision_counts_precision_at_each_hit() -> None:
    ranked = ranking([(1, "x", 1), (1, "y", 2), (1, "z", 3)])
    assert average_precision_at_k(ranked, truth_of([(1, "x"), (1, "z")]), 7) == pytest.approx(
        (1 / 1 + 2 / 3) / 2
    )
    assert average_precision_at_k(ranked, truth_of([(1, "y")]), 7) == pytest.approx(1 / 2)
    assert average_precision_at_k(ranked, truth_of([(1, "z")]), 2) == 0.0


def test_average_precision_divides_by_at_most_k_truth_products() -> None:
    ranked = ranking([(1, product, rank) for rank, product in enumerate("abcdefghij", 1)])
    every = truth_of([(1, product) for product in "abcdefghij"])
    assert average_precision_at_k(ranked, every, 7) == 1.0
    beyond = truth_of([(1, "a"), (1, "i")])
    assert average_precision_at_k(ranked, beyond, 7) == pytest.approx(1 / 2)


def test_metrics_average_over_the_customers_in_truth_only() -> None:
    ranked = ranking([(1, "x", 1), (1, "y", 2), (2, "x", 1), (2, "y", 2), (3, "x", 1)])
    truth = truth_of([(1, "x"), (2, "y"), (4, "x")])
    assert hit_rate_at_k(ranked, truth, 1) == pytest.approx(1 / 3)
    assert hit_rate_at_k(ranked, truth, 2) == pytest.approx(2 / 3)
    assert average_precision_at_k(ranked, truth, 7) == pytest.approx((1 + 1 / 2 + 0) / 3)


def test_metrics_refuse_an_empty_truth() -> None:
    with pytest.raises(ValueError, match="truth"):
        hit_rate_at_k(ranking([(1, "x", 1)]), truth_of([]), 3)


@st.composite
def rankings_and_truths(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    products = list(range(draw(st.integers(1, 9))))
    ranked, truth = [], []
    for customer in range(draw(st.integers(1, 6))):
        order = draw(st.permutations(products))
        shown = order[: draw(st.integers(0, len(order)))]
        ranked += [(customer, product, rank) for rank, product in enumerate(shown, 1)]
        truth += [(customer, product) for product in draw(st.sets(st.sampled_from(products)))]
    if not truth:
        truth = [(0, products[0])]
    return ranking(ranked), truth_of(truth)


@settings(max_examples=40, deadline=None)
@given(rankings_and_truths())
def test_more_places_never_hit_less_and_precision_is_a_share(
    case: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    ranked, truth = case
    hit_at_3, hit_at_7 = hit_rate_at_k(ranked, truth, 3), hit_rate_at_k(ranked, truth, 7)
    assert 0.0 <= hit_at_3 <= hit_at_7 <= 1.0
    assert 0.0 <= average_precision_at_k(ranked, truth, 7) <= 1.0


def test_top_k_ranks_by_score_then_product() -> None:
    scores = pd.DataFrame(
        {
            "customer_id": [2, 1, 1, 1, 2],
            "product_id": ["b", "c", "a", "b", "a"],
            "score": [0.5, 0.2, 0.9, 0.2, 0.5],
        }
    )
    best = top_k(scores, 2)
    assert list(best.itertuples(index=False, name=None)) == [
        (1, "a", 0.9, 1),
        (1, "b", 0.2, 2),
        (2, "a", 0.5, 1),
        (2, "b", 0.5, 2),
    ]


# The model on a bank with planted patterns


def test_the_model_beats_popularity(bank: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    adoptions, customers = bank
    result = evaluate(adoptions, customers, AS_OF)
    assert isinstance(result, Evaluation)
    assert result.customers > 500
    assert result.hit_rate_at_3 >= 1.2 * result.baseline_hit_rate_at_3
    assert result.map_at_7 > result.baseline_map_at_7


@pytest.mark.parametrize(
    ("age", "value", "corporate", "holds", "expected"),
    [
        (50.0, 20_000.0, False, "A", "B"),
        (24.0, 20_000.0, False, None, "F"),
        (40.0, 5_000_000.0, False, None, "W"),
        (68.0, 20_000.0, False, None, "P"),
        (None, 20_000.0, True, None, "M"),
    ],
)
def test_the_planted_product_comes_first_for_a_customer_who_fits(
    bank: tuple[pd.DataFrame, pd.DataFrame],
    fitted: PropensityModel,
    age: float | None,
    value: float,
    corporate: bool,
    holds: str | None,
    expected: str,
) -> None:
    adoptions, customers = bank
    newcomer = pd.DataFrame(
        {
            "customer_id": [1],
            "birth_date": [None if age is None else AS_OF - pd.Timedelta(days=age * 365.25)],
            "is_corporate": [corporate],
            "onboarded_on": [pd.Timestamp("2019-05-01")],
            "value": [value],
        }
    )
    held = pd.DataFrame(
        {"customer_id": [1], "product_id": [holds], "adopted_on": [pd.Timestamp("2023-05-10")]}
    )
    scores = fitted.score(
        pd.concat([adoptions, held.dropna()]), pd.concat([customers, newcomer]), AS_OF
    )
    best = top_k(scores.loc[scores["customer_id"] == 1], 1)
    assert best["product_id"].tolist() == [expected]


def test_nothing_after_as_of_changes_the_model(
    bank: tuple[pd.DataFrame, pd.DataFrame], fitted: PropensityModel
) -> None:
    adoptions, customers = bank
    later = AS_OF + pd.Timedelta(days=1)
    everyone_takes_z = pd.DataFrame(
        {
            "customer_id": customers["customer_id"],
            "product_id": "Z",
            "adopted_on": later,
            "ended_on": pd.NaT,
        }
    )
    old_take_f = everyone_takes_z.assign(product_id="F", adopted_on=AS_OF).loc[
        customers["birth_date"] < pd.Timestamp("1960-01-01")
    ]
    # Holdings running at as_of end the day after: as of as_of they still run.
    ended_later = adoptions.assign(
        ended_on=adoptions["ended_on"].where(
            (adoptions["adopted_on"] >= AS_OF) | (adoptions["ended_on"] <= AS_OF), later
        )
    )
    changed = pd.concat([ended_later, everyone_takes_z, old_take_f], ignore_index=True)

    refitted = PropensityModel().fit(changed, customers, AS_OF)
    assert list(refitted.products_) == list(fitted.products_)
    pd.testing.assert_frame_equal(refitted.prior_, fitted.prior_)
    pd.testing.assert_frame_equal(
        refitted.score(adoptions, customers, AS_OF), fitted.score(adoptions, customers, AS_OF)
    )
    pd.testing.assert_frame_equal(
        fitted.score(changed, customers, AS_OF), fitted.score(adoptions, customers, AS_OF)
    )


def test_score_never_offers_a_product_held_and_offers_every_other(
    bank: tuple[pd.DataFrame, pd.DataFrame], fitted: PropensityModel
) -> None:
    adoptions, customers = bank
    scores = fitted.score(adoptions, customers, AS_OF)
    offered = set(zip(scores["customer_id"], scores["product_id"], strict=True))
    held = held_at(adoptions, AS_OF)
    every = {(int(c), p) for c in customers["customer_id"] for p in fitted.products_}
    assert offered == every - held
    assert len(offered) == len(scores)
    assert scores["score"].between(0, 1, inclusive="neither").all()


def test_missing_customer_data_is_unknown_not_an_error(
    bank: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    adoptions, customers = bank
    rng = np.random.default_rng(3)
    gaps = customers.assign(
        birth_date=customers["birth_date"].where(rng.random(len(customers)) < 0.5),
        value=customers["value"].where(rng.random(len(customers)) < 0.5),
        onboarded_on=None,
        lifecycle_stage=None,
        is_corporate=customers["is_corporate"]
        .astype(object)
        .where(rng.random(len(customers)) < 0.9),
    )
    bare = customers[["customer_id", "is_corporate"]]
    for people in (gaps, bare):
        model = PropensityModel(max_iter=20).fit(adoptions, people, AS_OF)
        scores = model.score(adoptions, people, AS_OF)
        assert set(scores["customer_id"]) == set(people["customer_id"])
        assert scores["score"].between(0, 1, inclusive="neither").all()


def test_any_data_of_the_documented_shape_works() -> None:
    """Dates as ``datetime.date``, products numbered, no ``ended_on``, repeated rows, a
    customer without adoptions and adoptions of a customer the bank does not list."""
    rng = np.random.default_rng(5)
    customers = pd.DataFrame(
        {"customer_id": range(300), "is_corporate": False, "value": rng.lognormal(9, 1, 300)}
    )
    days = rng.integers(0, 900, 1200)
    adoptions = pd.DataFrame(
        {
            "customer_id": rng.integers(1, 320, 1200),
            "product_id": rng.integers(100, 106, 1200),
            "adopted_on": [date(2022, 1, 1) + timedelta(days=int(day)) for day in days],
        }
    )
    adoptions = pd.concat([adoptions, adoptions.head(50)], ignore_index=True)
    model = PropensityModel(min_positives=5, max_iter=10).fit(
        adoptions, customers, date(2024, 1, 1)
    )
    assert list(model.products_) == list(range(100, 106))
    scores = model.score(adoptions, customers, date(2024, 1, 1))
    assert set(scores["customer_id"]) <= set(range(300))
    assert sorted(scores.loc[scores["customer_id"] == 0, "product_id"]) == list(range(100, 106))
    result = evaluate(adoptions, customers, date(2023, 6, 1), model=PropensityModel(max_iter=10))
    assert 0.0 <= result.baseline_map_at_7 <= 1.0


def test_evaluate_names_the_dates_when_nobody_adopted(
    bank: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    adoptions, customers = bank
    with pytest.raises(ValueError, match="2030-01-01 and 2030-07-01"):
        evaluate(adoptions, customers, date(2030, 1, 1))


def test_fit_names_a_missing_column(bank: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    adoptions, customers = bank
    with pytest.raises(ValueError, match="adopted_on"):
        PropensityModel().fit(adoptions.drop(columns="adopted_on"), customers, AS_OF)


# The reasons


def test_explain_on_a_hand_made_bank() -> None:
    as_of = date(2024, 1, 1)
    customers = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4, 5, 6, 7],
            "birth_date": [
                date(1985, 5, 5),
                date(1990, 1, 1),
                date(1980, 2, 2),
                date(1979, 6, 1),
                None,
                date(1950, 3, 3),
                None,
            ],
            "is_corporate": [False, False, False, False, False, False, True],
            "value": [100.0, 100.0, 100.0, 100.0, None, 100.0, 5e6],
        }
    )
    adoptions = pd.DataFrame(
        [
            (1, "savings", date(2020, 1, 1), None),
            (1, "card", date(2022, 1, 1), None),
            (1, "fund", date(2019, 1, 1), date(2023, 6, 30)),
            (2, "savings", date(2023, 1, 1), None),
            (2, "card", date(2023, 1, 1), None),
            (3, "fund", date(2021, 1, 1), None),
            (3, "fund", date(2022, 5, 1), None),
            (3, "savings", date(2024, 1, 1), None),
            (6, "savings", date(2015, 1, 1), None),
            (6, "fund", date(2023, 12, 31), date(2024, 1, 1)),
            (8, "card", date(2010, 1, 1), None),
        ],
        columns=["customer_id", "product_id", "adopted_on", "ended_on"],
    )
    offers = pd.DataFrame(
        [
            (1, "fund"),
            (2, "fund"),
            (3, "card"),
            (4, "savings"),
            (5, "card"),
            (6, "fund"),
            (7, "loan"),
            (8, "fund"),
        ],
        columns=["customer_id", "product_id"],
    )
    reasons = explain(adoptions, customers, as_of, offers)
    assert list(reasons.columns) == [
        "customer_id",
        "product_id",
        "held_product",
        "held_years",
        "peer_share",
        "peer_group",
    ]
    assert reasons["held_product"].tolist() == [
        "savings",
        "card",
        "fund",
        None,
        None,
        "savings",
        None,
        None,
    ]
    expected_years = [1461 / 365.25, 365 / 365.25, 1095 / 365.25, np.nan, np.nan, 3287 / 365.25]
    np.testing.assert_allclose(reasons["held_years"], [*expected_years, np.nan, np.nan])
    # 1, 2, 3 and 4 are one group; of them 3 holds the fund, 1 and 2 the card and savings
    # (3's savings opened on as_of itself); 6's fund ended on as_of.
    np.testing.assert_allclose(reasons["peer_share"], [0.25, 0.25, 0.5, 0.5, 0, 0, 0, np.nan])
    assert reasons["peer_group"].tolist() == [
        "30-44|individual|q1",
        "30-44|individual|q1",
        "30-44|individual|q1",
        "30-44|individual|q1",
        "unknown|individual|unknown",
        "60+|individual|q1",
        "-|corporate|q1",
        None,
    ]


def test_value_bands_are_quartiles_within_the_customer_type() -> None:
    customers = pd.DataFrame(
        {
            "customer_id": range(1, 11),
            "birth_date": [date(1995, 1, 1)] * 10,
            "is_corporate": [False] * 8 + [True] * 2,
            "value": [1.0, 2, 3, 4, 5, 6, 7, 8, 1e9, 2e9],
        }
    )
    adoptions = pd.DataFrame(
        {"customer_id": [1], "product_id": ["card"], "adopted_on": [date(2020, 1, 1)]}
    )
    offers = pd.DataFrame({"customer_id": range(1, 11), "product_id": "card"})
    reasons = explain(adoptions, customers, date(2024, 1, 1), offers)
    bands = [group.split("|")[2] for group in reasons["peer_group"]]
    assert bands == ["q1", "q1", "q2", "q2", "q3", "q3", "q4", "q4", "q1", "q4"]
    assert reasons["peer_share"].tolist() == [0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0]
