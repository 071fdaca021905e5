"""Next-best offers: for each customer, the products they do not hold ranked by how likely
they are to take each up, learned from past adoptions and measured against popularity (pure).

Input shapes
------------
adoptions : DataFrame, one row per product a customer took up (an account opened, a wealth
    position bought)

    ``customer_id`` (int)
        The customer.
    ``product_id`` (any hashable label: str, int …)
        The product, an opaque label; rankings break ties by it, so the labels of one frame
        must be mutually orderable (all strings, or all integers).
    ``adopted_on`` (datetime64 or ``datetime.date``; required on every row)
        When the customer took the product up.
    ``ended_on`` (same types, nullable; optional column)
        When the holding ended (account closed, position sold), empty while it runs. A
        holding that ended on or before a date is not held at that date.

    Rows of customers missing from ``customers`` are ignored. A customer may have several
    rows for one product (two accounts, a position bought twice): a row is an *adoption*
    only when the customer did not hold the product on its date, so the first of
    overlapping rows counts and a product taken up again after it had ended counts again.
    A customer holds a product at a date ``t`` when a row has ``adopted_on < t`` and no
    ``ended_on`` or ``ended_on > t``.

customers : DataFrame, one row per customer; only ``customer_id`` is required

    ``customer_id`` (int, unique)
    ``birth_date`` (date, nullable)
    ``is_corporate`` (bool, nullable)
    ``onboarded_on`` (date, nullable)
        Missing, the customer's first adoption stands in for the tenure.
    ``value`` (float yuan, nullable)
    ``lifecycle_stage`` (str, nullable)
        Accepted and not used: it describes the customer today, not at the training cut,
        and is itself derived from the holdings the model already sees.

    Missing columns and missing values are unknown features (NaN), which gradient boosting
    handles natively. Customers without any adoption are still scored.

Months are calendar months (``pandas.DateOffset``); ages, tenures and holding periods are in
years of 365.25 days and months of a twelfth of that.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Self, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import NotFittedError

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
DateLike: TypeAlias = "pd.Timestamp | datetime | date | np.datetime64 | str"

PEER_BANDS: tuple[str, ...] = ("<30", "30-44", "45-59", "60+", "unknown", "corporate")
"""The life-stage bands of the prior: age at the date, and corporate customers apart."""
AGE_EDGES: tuple[float, ...] = (30.0, 45.0, 60.0)
CUSTOMER_TYPES: tuple[str, ...] = ("individual", "corporate", "unknown")
VALUE_BANDS: tuple[str, ...] = ("q1", "q2", "q3", "q4", "unknown")
PRIOR_STRENGTH = 20.0
"""Pseudo-customers at the product's overall rate added to every band of the prior: a band
of a handful of customers scores near the overall rate, a band of thousands by its own."""

_UNKNOWN_BAND = PEER_BANDS.index("unknown")
_CORPORATE_BAND = PEER_BANDS.index("corporate")
_NOT_APPLICABLE_AGE = "-"
_NEVER = np.iinfo(np.int64).max
_NS_PER_DAY = 86_400 * 10**9
_DAYS_PER_YEAR = 365.25
_DAYS_PER_MONTH = _DAYS_PER_YEAR / 12
_EPOCH = pd.Timestamp("1970-01-01")
# Boosted probabilities can round to exactly 0 or 1 in float64; a score stays inside (0, 1).
_SCORE_MARGIN = 1e-9
OUTPUT_COLUMNS = ("customer_id", "product_id", "score")
EXPLAIN_COLUMNS = (
    "customer_id",
    "product_id",
    "held_product",
    "held_years",
    "peer_share",
    "peer_group",
)


@dataclass(frozen=True)
class Evaluation:
    """The model's ranking and the popularity ranking on the same customers.

    ``customers`` counts the customers who took up at least one product they did not hold
    in the evaluation window; the rates are shares of them and the MAPs means over them.
    """

    customers: int
    hit_rate_at_3: float
    baseline_hit_rate_at_3: float
    map_at_7: float
    baseline_map_at_7: float


class PropensityModel:
    """One gradient-boosting classifier per product, trained on who took it up in the
    ``window_months`` before ``as_of`` given what they looked like at the start of that
    window; products with too few adopters score with the life-stage prior alone.

    Parameters
    ----------
    window_months : int
        Length of the training window, in calendar months; the scores are the probability
        of taking a product up within a window as long.
    min_positives : int
        Adopters a product needs in the training window for a classifier of its own.
    max_iter : int
        Most boosting iterations of each classifier; early stopping on a held-out tenth of
        the training rows usually halts it sooner.
    random_state : int
        Seed of the classifiers' early-stopping split, so that fits repeat.

    Attributes
    ----------
    products_ : ndarray
        The products adopted by a known customer before ``as_of``, sorted: the products
        that are scored.
    classifiers_ : dict
        Product → fitted ``HistGradientBoostingClassifier``, for the products with enough
        adopters.
    prior_ : DataFrame
        Life-stage prior: rows ``PEER_BANDS``, columns ``products_``; the smoothed share of
        the band's eligible customers who took the product up in the training window.
    base_rate_ : Series
        Per product, the share of all eligible customers who took it up (the value the
        prior is smoothed toward).
    positives_ : Series
        Per product, the adopters in the training window.
    feature_names_ : tuple of str
        Columns of the feature matrix each classifier was fitted on.
    cut_ : Timestamp
        Start of the training window, at which the features describe the customers.
    as_of_ : Timestamp
        End of the training window; nothing on or after it was used.
    """

    def __init__(
        self,
        window_months: int = 6,
        min_positives: int = 20,
        max_iter: int = 100,
        random_state: int = 0,
    ) -> None:
        self.window_months = window_months
        self.min_positives = min_positives
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, adoptions: pd.DataFrame, customers: pd.DataFrame, as_of: DateLike) -> Self:
        """Learn from the adoptions in ``[as_of - window_months, as_of)``.

        Parameters
        ----------
        adoptions, customers : DataFrame
            As described in the module docstring. Rows adopted on or after ``as_of`` are
            left out, and an ``ended_on`` after ``as_of`` reads as still running.
        as_of : date-like
            End of the training window.

        Returns
        -------
        PropensityModel
            ``self``, fitted.
        """
        self._check_settings()
        end = _timestamp(as_of, "as_of")
        cut = end - pd.DateOffset(months=self.window_months)
        people = _Customers.of(customers)
        history = _Adoptions.of(adoptions).before(end).of_customers(people)
        products = _sorted_labels(history.product)
        if not len(products):
            raise ValueError(
                f"no customer in customers adopted a product before {end:%Y-%m-%d}: "
                "there is nothing to learn from"
            )
        ledger = _Ledger.of(history, people, products)
        matrix, held, band = _features(people, ledger, _ns(cut), len(products))
        adopted = ledger.adopted(_ns(cut), _ns(end), len(people))
        # Customers who joined after the cut were not there to be offered anything then.
        present = ~(people.onboarded_day > _days(cut))
        eligible = present[:, None] & ~held
        positive = adopted & eligible
        positives = positive.sum(axis=0)
        candidates = eligible.sum(axis=0)
        base_rate = (positives + 0.5) / (candidates + 1.0)
        prior = _smoothed_rates(band, eligible, positive, base_rate)

        classifiers: dict[Hashable, HistGradientBoostingClassifier] = {}
        for column, product in enumerate(products):
            if positives[column] < self.min_positives or positives[column] == candidates[column]:
                continue
            rows = eligible[:, column]
            matrix[:, -1] = prior[band, column]
            # Early stopping even on a small bank's few thousand rows, few leaves and at
            # least 50 customers in each: otherwise the trees learn the noise of products
            # that anyone may take up, and rank them above the ones with a real pattern.
            classifier = HistGradientBoostingClassifier(
                max_iter=self.max_iter,
                max_leaf_nodes=15,
                min_samples_leaf=50,
                l2_regularization=1.0,
                early_stopping=True,
                random_state=self.random_state,
            )
            training = matrix[rows]
            # scikit-learn cannot bin a column without one known value (no birth dates at
            # all, say); as a constant it is never split on, so what it holds when scoring
            # does not matter.
            training[:, np.isnan(training).all(axis=0)] = 0.0
            classifier.fit(training, positive[rows, column])
            classifiers[product] = classifier

        self.products_ = products.to_numpy()
        self.classifiers_ = classifiers
        self.prior_ = pd.DataFrame(prior, index=list(PEER_BANDS), columns=products)
        self.base_rate_ = pd.Series(base_rate, index=products, name="base_rate")
        self.positives_ = pd.Series(positives, index=products, name="positives")
        self.feature_names_ = _feature_names(products)
        self.cut_ = cut
        self.as_of_ = end
        return self

    def score(
        self, adoptions: pd.DataFrame, customers: pd.DataFrame, as_of: DateLike
    ) -> pd.DataFrame:
        """Each customer's probability of taking up each product they do not hold.

        Parameters
        ----------
        adoptions, customers : DataFrame
            As described in the module docstring; the holdings are those at ``as_of``,
            from the rows adopted before it.
        as_of : date-like
            The date the customers are described at.

        Returns
        -------
        DataFrame
            ``customer_id``, ``product_id``, ``score`` in (0, 1): one row per customer of
            ``customers`` and product of ``products_`` the customer does not hold, customers
            in the order given, products in ``products_`` order.
        """
        if not hasattr(self, "products_"):
            raise NotFittedError("fit the PropensityModel before scoring with it")
        end = _timestamp(as_of, "as_of")
        people = _Customers.of(customers)
        products = pd.Index(self.products_)
        history = _Adoptions.of(adoptions).before(end).of_customers(people)
        ledger = _Ledger.of(history, people, products)
        matrix, held, band = _features(people, ledger, _ns(end), len(products))
        prior = self.prior_.to_numpy(dtype=float)
        scores = np.full(held.shape, np.nan)
        for column, product in enumerate(self.products_):
            rows = ~held[:, column]
            classifier = self.classifiers_.get(product)
            if classifier is None:
                scores[rows, column] = prior[band[rows], column]
                continue
            matrix[:, -1] = prior[band, column]
            if rows.any():
                scores[rows, column] = classifier.predict_proba(matrix[rows])[:, 1]
        customer, open_column = np.nonzero(~held)
        return pd.DataFrame(
            {
                "customer_id": people.ids[customer],
                "product_id": self.products_[open_column],
                "score": np.clip(scores[customer, open_column], _SCORE_MARGIN, 1 - _SCORE_MARGIN),
            }
        )

    def _check_settings(self) -> None:
        for name in ("window_months", "min_positives", "max_iter"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, not {value!r}")


def top_k(scores: pd.DataFrame, k: int) -> pd.DataFrame:
    """The ``k`` best products of each customer.

    Parameters
    ----------
    scores : DataFrame
        ``customer_id``, ``product_id``, ``score`` (as from ``PropensityModel.score``).
    k : int
        How many products per customer.

    Returns
    -------
    DataFrame
        ``customer_id``, ``product_id``, ``score``, ``rank`` (1 … k): by customer, then score
        descending, equal scores in ``product_id`` order; a missing score ranks last.
    """
    _check_k(k)
    _require(scores, "scores", OUTPUT_COLUMNS)
    customer = scores["customer_id"].to_numpy()
    score = scores["score"].to_numpy(dtype=float, na_value=np.nan)
    order = np.lexsort((_label_order(scores["product_id"]), -score, customer))
    ranked = scores.iloc[order][list(OUTPUT_COLUMNS)].reset_index(drop=True)
    position = np.arange(len(ranked))
    sorted_customer = customer[order]
    starts = np.ones(len(ranked), dtype=bool)
    starts[1:] = sorted_customer[1:] != sorted_customer[:-1]
    rank = position - np.maximum.accumulate(np.where(starts, position, 0)) + 1
    ranked["rank"] = rank
    return ranked.loc[rank <= k].reset_index(drop=True)


def hit_rate_at_k(ranked: pd.DataFrame, truth: pd.DataFrame, k: int) -> float:
    """Share of the customers in ``truth`` with at least one of their products in their
    top ``k``.

    Parameters
    ----------
    ranked : DataFrame
        ``customer_id``, ``product_id``, ``rank`` (1 is best).
    truth : DataFrame
        ``customer_id``, ``product_id``: what each evaluated customer took up. Every
        customer in it is evaluated; customers only in ``ranked`` are not.
    k : int
        Cut-off rank.

    Returns
    -------
    float
        In [0, 1].
    """
    hits, relevant = _hits(ranked, truth, k)
    return float(hits["customer_id"].nunique() / len(relevant))


def average_precision_at_k(ranked: pd.DataFrame, truth: pd.DataFrame, k: int) -> float:
    """Mean over the customers in ``truth`` of AP@k, so MAP@k.

    AP@k = (1 / min(|truth|, k)) × Σ_{i ≤ k} P@i × rel_i, where rel_i says whether the
    product at rank i is among the customer's truth products and P@i is the share of them
    in the top i.

    Parameters
    ----------
    ranked : DataFrame
        ``customer_id``, ``product_id``, ``rank`` (1 is best).
    truth : DataFrame
        ``customer_id``, ``product_id``: what each evaluated customer took up.
    k : int
        Cut-off rank.

    Returns
    -------
    float
        In [0, 1].
    """
    hits, relevant = _hits(ranked, truth, k)
    hits = hits.sort_values(["customer_id", "rank"], kind="stable")
    found = hits.groupby("customer_id").cumcount() + 1
    precision = (found / hits["rank"]).groupby(hits["customer_id"]).sum()
    per_customer = precision.reindex(relevant.index, fill_value=0.0) / np.minimum(relevant, k)
    return float(per_customer.mean())


def evaluate(
    adoptions: pd.DataFrame,
    customers: pd.DataFrame,
    as_of: DateLike,
    window_months: int = 6,
    *,
    model: PropensityModel | None = None,
) -> Evaluation:
    """Fit on the adoptions before ``as_of``, rank at ``as_of``, and compare with what the
    customers took up in the ``window_months`` after it.

    Parameters
    ----------
    adoptions, customers : DataFrame
        As described in the module docstring, including the adoptions after ``as_of``
        (only the truth is read from them).
    as_of : date-like
        The date of the ranking.
    window_months : int
        Length of the evaluation window and of the popularity baseline's window before
        ``as_of``; also the training window of the default model.
    model : PropensityModel, optional
        The (unfitted) model to evaluate; ``PropensityModel(window_months=window_months)``
        by default.

    Returns
    -------
    Evaluation

    Raises
    ------
    ValueError
        When no customer took up a product they did not hold in the evaluation window.

    Notes
    -----
    The popularity baseline ranks the products a customer does not hold by how many
    customers took each up in the ``window_months`` before ``as_of``, equal counts in
    ``product_id`` order. Both rank the products taken up before ``as_of``; a product first
    taken up after it is in the truth all the same, a miss for both.
    """
    if not isinstance(window_months, int | np.integer) or window_months < 1:
        raise ValueError(
            f"window_months must be a whole number of at least 1, not {window_months!r}"
        )
    start = _timestamp(as_of, "as_of")
    end = start + pd.DateOffset(months=window_months)
    before = start - pd.DateOffset(months=window_months)
    rows = _Adoptions.of(adoptions)
    people = _Customers.of(customers)

    known = rows.of_customers(people)
    products = _sorted_labels(known.product)
    ledger = _Ledger.of(known, people, products)
    customer, column = np.nonzero(ledger.adopted(_ns(start), _ns(end), len(people)))
    if not len(customer):
        raise ValueError(
            f"no customer took up a product they did not hold between {start:%Y-%m-%d} and "
            f"{end:%Y-%m-%d}: there is nothing to evaluate the offers against"
        )
    truth = pd.DataFrame(
        {"customer_id": people.ids[customer], "product_id": products.to_numpy()[column]}
    )

    history = adoptions.loc[rows.start < _ns(start)]
    model = model if model is not None else PropensityModel(window_months=window_months)
    scores = model.fit(history, customers, start).score(history, customers, start)
    adopters = pd.Series(
        ledger.adopted(_ns(before), _ns(start), len(people)).sum(axis=0), index=products
    )
    popularity = adopters.reindex(model.products_, fill_value=0).to_numpy(dtype=float)
    scored_column = pd.Index(model.products_).get_indexer(scores["product_id"])
    baseline = scores[["customer_id", "product_id"]].assign(score=popularity[scored_column])
    ranked, ranked_baseline = top_k(scores, 7), top_k(baseline, 7)
    return Evaluation(
        customers=int(truth["customer_id"].nunique()),
        hit_rate_at_3=hit_rate_at_k(ranked, truth, 3),
        baseline_hit_rate_at_3=hit_rate_at_k(ranked_baseline, truth, 3),
        map_at_7=average_precision_at_k(ranked, truth, 7),
        baseline_map_at_7=average_precision_at_k(ranked_baseline, truth, 7),
    )


def explain(
    adoptions: pd.DataFrame,
    customers: pd.DataFrame,
    as_of: DateLike,
    offers: pd.DataFrame,
) -> pd.DataFrame:
    """The facts behind each offer, for the caller to put into words.

    Parameters
    ----------
    adoptions, customers : DataFrame
        As described in the module docstring; holdings are those at ``as_of``.
    as_of : date-like
        The date of the offers.
    offers : DataFrame
        ``customer_id``, ``product_id`` (other columns are ignored).

    Returns
    -------
    DataFrame
        One row per offer, in the order given:

        ``customer_id``, ``product_id``
        ``held_product``
            The product the customer has held longest at ``as_of`` (the earliest start of a
            running holding; equal starts in ``product_id`` order), None when nothing is
            held.
        ``held_years``
            Years it has been held, NaN when nothing is.
        ``peer_share``
            Share of the customers of the customer's peer group who hold ``product_id`` at
            ``as_of``.
        ``peer_group``
            The group's label ``age band|customer type|value band``: age band as in
            ``PEER_BANDS`` (``-`` for corporate customers), type ``individual``,
            ``corporate`` or ``unknown``, and the value quartile ``q1`` … ``q4`` among the
            customers of the same type (``unknown`` without a value).

        Customers missing from ``customers`` get None and NaN throughout.
    """
    _require(offers, "offers", ("customer_id", "product_id"))
    at = _timestamp(as_of, "as_of")
    people = _Customers.of(customers)
    history = _Adoptions.of(adoptions).before(at).of_customers(people)
    offered = offers["customer_id"].to_numpy()
    offered_product = offers["product_id"].to_numpy()
    products = _sorted_labels(np.concatenate([history.product, offered_product]))
    ledger = _Ledger.of(history, people, products)

    group, labels = _peer_groups(people, _ns(at))
    holder, held_column = np.nonzero(ledger.held(_ns(at), len(people)))
    holders = np.bincount(
        group[holder] * len(products) + held_column, minlength=len(labels) * len(products)
    ).reshape(len(labels), len(products))
    shares = holders / np.maximum(np.bincount(group, minlength=len(labels)), 1)[:, None]

    position = people.index.get_indexer(offered)
    known = position >= 0
    at_position = np.where(known, position, 0)
    longest, since = ledger.longest_held(_ns(at), len(people))
    held_column_of = longest[at_position]
    holds = known & (held_column_of >= 0)
    held_product = np.full(len(offers), None, dtype=object)
    held_product[holds] = products.to_numpy(dtype=object)[held_column_of[holds]]
    peer_group = np.full(len(offers), None, dtype=object)
    peer_group[known] = labels[group[position[known]]]
    return pd.DataFrame(
        {
            "customer_id": offers["customer_id"].reset_index(drop=True),
            "product_id": offers["product_id"].reset_index(drop=True),
            "held_product": pd.Series(held_product, dtype=object),
            "held_years": np.where(
                holds, (_ns(at) - since[at_position]) / _NS_PER_DAY / _DAYS_PER_YEAR, np.nan
            ),
            "peer_share": np.where(
                known,
                shares[group[at_position], products.get_indexer(offered_product)],
                np.nan,
            ),
            "peer_group": pd.Series(peer_group, dtype=object),
        }
    )


@dataclass(frozen=True)
class _Customers:
    ids: IntArray
    index: pd.Index
    birth_day: FloatArray
    onboarded_day: FloatArray
    corporate: FloatArray
    """1 corporate, 0 individual, NaN unknown."""
    value: FloatArray

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def of(cls, customers: pd.DataFrame) -> _Customers:
        _require(customers, "customers", ("customer_id",))
        ids = _ids(customers["customer_id"], "customers.customer_id")
        index = pd.Index(ids)
        if not index.is_unique:
            repeated = index[index.duplicated()].unique()[:5].tolist()
            raise ValueError(f"customers.customer_id: each customer once, {repeated} repeat")
        corporate = (
            customers["is_corporate"].astype(object).map({True: 1.0, False: 0.0})
            if "is_corporate" in customers
            else pd.Series(np.nan, index=customers.index)
        )
        value = (
            pd.to_numeric(customers["value"], errors="coerce")
            if "value" in customers
            else pd.Series(np.nan, index=customers.index)
        )
        return cls(
            ids=ids,
            index=index,
            birth_day=_day_column(customers, "birth_date"),
            onboarded_day=_day_column(customers, "onboarded_on"),
            corporate=corporate.to_numpy(dtype=float, na_value=np.nan),
            value=value.to_numpy(dtype=float, na_value=np.nan),
        )


@dataclass(frozen=True)
class _Adoptions:
    customer: IntArray
    product: npt.NDArray[np.generic]
    start: IntArray
    """``adopted_on`` in nanoseconds since the epoch."""
    end: IntArray
    """``ended_on`` in nanoseconds since the epoch, ``_NEVER`` while running."""

    @classmethod
    def of(cls, adoptions: pd.DataFrame) -> _Adoptions:
        _require(adoptions, "adoptions", ("customer_id", "product_id", "adopted_on"))
        product = adoptions["product_id"]
        if product.isna().any():
            raise ValueError(f"adoptions.product_id: {int(product.isna().sum())} rows have none")
        start = _ns_column(adoptions["adopted_on"])
        missing = start == np.iinfo(np.int64).min
        if missing.any():
            raise ValueError(f"adoptions.adopted_on: {int(missing.sum())} rows have no date")
        if "ended_on" in adoptions:
            end = _ns_column(adoptions["ended_on"])
            end[end == np.iinfo(np.int64).min] = _NEVER
        else:
            end = np.full(len(adoptions), _NEVER, dtype=np.int64)
        return cls(
            customer=_ids(adoptions["customer_id"], "adoptions.customer_id"),
            product=product.to_numpy(),
            start=start,
            end=end,
        )

    def _rows(self, keep: BoolArray) -> _Adoptions:
        return _Adoptions(self.customer[keep], self.product[keep], self.start[keep], self.end[keep])

    def before(self, when: pd.Timestamp) -> _Adoptions:
        """The rows adopted before ``when``, as known at ``when``: an end after it is not
        known yet."""
        at = _ns(when)
        kept = self._rows(self.start < at)
        return _Adoptions(
            kept.customer, kept.product, kept.start, np.where(kept.end > at, _NEVER, kept.end)
        )

    def of_customers(self, people: _Customers) -> _Adoptions:
        return self._rows(np.isin(self.customer, people.ids))


@dataclass(frozen=True)
class _Ledger:
    """Adoption rows as positions into the customers and the products, sorted by customer,
    product and start, with the rows that are adoptions marked."""

    customer: IntArray
    product: IntArray
    start: IntArray
    end: IntArray
    adoption: BoolArray
    products: int

    @classmethod
    def of(cls, rows: _Adoptions, people: _Customers, products: pd.Index) -> _Ledger:
        customer = people.index.get_indexer(rows.customer).astype(np.int64)
        product = products.get_indexer(rows.product).astype(np.int64)
        keep = (customer >= 0) & (product >= 0)
        customer, product = customer[keep], product[keep]
        start, end = rows.start[keep], rows.end[keep]
        order = np.lexsort((start, product, customer))
        customer, product, start, end = customer[order], product[order], start[order], end[order]
        pair = customer * len(products) + product
        first = np.ones(len(pair), dtype=bool)
        first[1:] = pair[1:] != pair[:-1]
        ended_by = pd.Series(end).groupby(pair, sort=False).cummax().to_numpy()
        previous_end = np.empty_like(ended_by)
        previous_end[1:] = ended_by[:-1]
        previous_end[first] = np.iinfo(np.int64).min
        return cls(customer, product, start, end, start >= previous_end, len(products))

    def _running(self, at: int) -> BoolArray:
        return (self.start < at) & (self.end > at)

    def held(self, at: int, customers: int) -> BoolArray:
        """Customers × products: holds the product at ``at``."""
        running = self._running(at)
        held = np.zeros((customers, self.products), dtype=bool)
        held[self.customer[running], self.product[running]] = True
        return held

    def adopted(self, start: int, end: int, customers: int) -> BoolArray:
        """Customers × products: took the product up in ``[start, end)`` and did not hold
        it at ``start``."""
        within = self.adoption & (self.start >= start) & (self.start < end)
        adopted = np.zeros((customers, self.products), dtype=bool)
        adopted[self.customer[within], self.product[within]] = True
        return adopted & ~self.held(start, customers)

    def last_adoption(self, before: int, customers: int) -> FloatArray:
        """Day (since the epoch) of each customer's latest adoption before ``before``."""
        earlier = self.adoption & (self.start < before)
        latest = np.full(customers, np.iinfo(np.int64).min)
        np.maximum.at(latest, self.customer[earlier], self.start[earlier])
        return np.where(latest > np.iinfo(np.int64).min, latest / _NS_PER_DAY, np.nan)

    def first_adoption(self, before: int, customers: int) -> FloatArray:
        """Day (since the epoch) of each customer's first adoption before ``before``."""
        earlier = self.start < before
        first = np.full(customers, _NEVER)
        np.minimum.at(first, self.customer[earlier], self.start[earlier])
        return np.where(first < _NEVER, first / _NS_PER_DAY, np.nan)

    def longest_held(self, at: int, customers: int) -> tuple[IntArray, IntArray]:
        """Per customer, the product held longest at ``at`` (-1 for none) and its start."""
        running = np.flatnonzero(self._running(at))
        order = running[
            np.lexsort((self.product[running], self.start[running], self.customer[running]))
        ]
        customer = self.customer[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = customer[1:] != customer[:-1]
        product = np.full(customers, -1, dtype=np.int64)
        since = np.full(customers, _NEVER, dtype=np.int64)
        product[customer[first]] = self.product[order[first]]
        since[customer[first]] = self.start[order[first]]
        return product, since


def _features(
    people: _Customers, ledger: _Ledger, at: int, products: int
) -> tuple[FloatArray, BoolArray, IntArray]:
    """The customers at ``at`` from the adoptions before it: the feature matrix (its last
    column, the product's prior, left NaN for the caller), the holdings and the peer band
    of the prior."""
    day = at / _NS_PER_DAY
    held = ledger.held(at, len(people))
    age = (day - people.birth_day) / _DAYS_PER_YEAR
    joined = np.where(
        np.isnan(people.onboarded_day), ledger.first_adoption(at, len(people)), people.onboarded_day
    )
    matrix = np.empty((len(people), 4 + products + 3))
    matrix[:, 0] = age
    matrix[:, 1] = people.corporate
    # Signed, so that an overdrawn customer's negative value stays a number.
    matrix[:, 2] = np.sign(people.value) * np.log1p(np.abs(people.value))
    matrix[:, 3] = (day - joined) / _DAYS_PER_MONTH
    matrix[:, 4 : 4 + products] = held
    matrix[:, 4 + products] = held.sum(axis=1)
    matrix[:, 5 + products] = (day - ledger.last_adoption(at, len(people))) / _DAYS_PER_MONTH
    matrix[:, 6 + products] = np.nan
    return matrix, held, _prior_bands(age, people.corporate)


def _feature_names(products: pd.Index) -> tuple[str, ...]:
    return (
        "age_years",
        "is_corporate",
        "log_value",
        "tenure_months",
        *(f"holds[{product}]" for product in products),
        "products_held",
        "months_since_last_adoption",
        "life_stage_prior",
    )


def _prior_bands(age: FloatArray, corporate: FloatArray) -> IntArray:
    band = np.searchsorted(np.asarray(AGE_EDGES), np.nan_to_num(age), side="right")
    band = np.where(np.isnan(age), _UNKNOWN_BAND, band)
    return np.where(corporate == 1.0, _CORPORATE_BAND, band).astype(np.int64)


def _smoothed_rates(
    band: IntArray, eligible: BoolArray, positive: BoolArray, base_rate: FloatArray
) -> FloatArray:
    """Bands × products: each band's adoption rate, smoothed toward ``base_rate``."""
    members = np.zeros((len(PEER_BANDS), eligible.shape[1]))
    adopters = np.zeros_like(members)
    np.add.at(members, band, eligible)
    np.add.at(adopters, band, positive)
    return (adopters + PRIOR_STRENGTH * base_rate) / (members + PRIOR_STRENGTH)


def _peer_groups(people: _Customers, at: int) -> tuple[IntArray, npt.NDArray[np.object_]]:
    """Each customer's peer group (age band × type × value quartile within the type) as a
    code into the labels."""
    age = (at / _NS_PER_DAY - people.birth_day) / _DAYS_PER_YEAR
    kind = np.where(np.isnan(people.corporate), 2, (people.corporate == 1.0).astype(np.int64))
    age_band = np.where(kind == 1, len(PEER_BANDS) - 1, _prior_bands(age, people.corporate))
    value_band = np.full(len(people), len(VALUE_BANDS) - 1, dtype=np.int64)
    for code in range(len(CUSTOMER_TYPES)):
        members = (kind == code) & ~np.isnan(people.value)
        if members.any():
            edges = np.quantile(people.value[members], [0.25, 0.5, 0.75])
            value_band[members] = np.searchsorted(edges, people.value[members], side="left")
    ages = [*PEER_BANDS[:-1], _NOT_APPLICABLE_AGE]
    labels = np.array(
        [
            f"{age_label}|{kind_label}|{value_label}"
            for age_label in ages
            for kind_label in CUSTOMER_TYPES
            for value_label in VALUE_BANDS
        ],
        dtype=object,
    )
    group = (age_band * len(CUSTOMER_TYPES) + kind) * len(VALUE_BANDS) + value_band
    return group.astype(np.int64), labels


def _hits(ranked: pd.DataFrame, truth: pd.DataFrame, k: int) -> tuple[pd.DataFrame, pd.Series]:
    """The truth products in each customer's top ``k`` (with their rank), and the number of
    truth products of each evaluated customer."""
    _check_k(k)
    _require(ranked, "ranked", ("customer_id", "product_id", "rank"))
    _require(truth, "truth", ("customer_id", "product_id"))
    relevant_pairs = truth[["customer_id", "product_id"]].drop_duplicates()
    if relevant_pairs.empty:
        raise ValueError("truth names no customer: there is nothing to measure the ranking on")
    top = ranked.loc[ranked["rank"] <= k, ["customer_id", "product_id", "rank"]]
    top = top.sort_values("rank", kind="stable").drop_duplicates(["customer_id", "product_id"])
    hits = top.merge(relevant_pairs, on=["customer_id", "product_id"], how="inner")
    return hits, relevant_pairs.groupby("customer_id").size()


def _require(frame: pd.DataFrame, name: str, columns: Iterable[str]) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} needs the column(s) {', '.join(missing)}")


def _check_k(k: int) -> None:
    if not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be a whole number of at least 1, not {k!r}")


def _ids(column: pd.Series, name: str) -> IntArray:
    if column.isna().any():
        raise ValueError(f"{name}: {int(column.isna().sum())} rows have none")
    return column.to_numpy().astype(np.int64)


def _timestamp(value: DateLike, name: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name}: {value!r} is not a date") from error
    if stamp is pd.NaT:
        raise ValueError(f"{name}: a date is needed")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp


def _ns(stamp: pd.Timestamp) -> int:
    return int(stamp.as_unit("ns").value)


def _days(stamp: pd.Timestamp) -> float:
    return _ns(stamp) / _NS_PER_DAY


def _datetimes(column: pd.Series) -> pd.Series:
    dates = pd.to_datetime(column, errors="coerce")
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    return dates


def _ns_column(column: pd.Series) -> IntArray:
    """Nanoseconds since the epoch; the minimum int64 where there is no date."""
    return np.asarray(_datetimes(column).to_numpy(dtype="datetime64[ns]").view(np.int64)).copy()


def _day_column(frame: pd.DataFrame, name: str) -> FloatArray:
    """Days since the epoch, NaN where unknown, for a column that may be missing; a date out
    of the range pandas can hold reads as unknown."""
    if name not in frame:
        return np.full(len(frame), np.nan)
    days = (_datetimes(frame[name]) - _EPOCH) / pd.Timedelta(days=1)
    return np.asarray(days.to_numpy(dtype=float, na_value=np.nan))


def _label_order(labels: pd.Series | npt.NDArray[np.generic]) -> IntArray:
    """Each label's position among the sorted distinct labels."""
    try:
        codes, _ = pd.factorize(labels, sort=True)
    except TypeError:
        as_text = pd.Series(labels).map(lambda label: (type(label).__name__, str(label)))
        codes, _ = pd.factorize(as_text, sort=True)
    return np.asarray(codes, dtype=np.int64)


def _sorted_labels(labels: npt.NDArray[np.generic] | pd.Series) -> pd.Index:
    distinct = pd.unique(pd.Series(labels, dtype=object))
    try:
        return pd.Index(sorted(distinct))
    except TypeError:
        return pd.Index(sorted(distinct, key=lambda label: (type(label).__name__, str(label))))
