"""Fitting, checking and using a scorecard on any application file."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from bankcrm.churn import labelled
from bankcrm.core.config import CreditSettings
from bankcrm.core.enums import RatingStatus
from bankcrm.core.exceptions import ImportRejected, ValidationFailed
from bankcrm.credit import grades
from bankcrm.credit.models import CorporateRating, CreditScore, PricingQuote
from bankcrm.credit.repository import CreditRepository
from bankcrm.credit.scorecard import Applications, Scaling, Scorecard
from bankcrm.credit.validation import (
    applications_of,
    baseline_predictions,
    discrimination,
    out_of_fold,
    read_applications,
    scorecard_predictions,
    sentinel_codes,
)
from bankcrm.staff.models import StaffUser


def scorecard_for(settings: CreditSettings, special_codes: tuple[float, ...]) -> Scorecard:
    return Scorecard(
        scaling=Scaling(
            points_to_double_odds=settings.points_to_double_odds,
            base_score=settings.base_score,
            base_odds=settings.base_odds,
        ),
        min_bin_share=settings.min_bin_share,
        max_bins=settings.max_bins,
        min_iv=settings.min_iv,
        special_codes=special_codes,
    )


def fit_file(
    path: Path,
    *,
    target: str,
    bad_values: tuple[str, ...],
    exclude: tuple[str, ...],
    folds: int,
    seed: int,
    special_codes: tuple[float, ...] | None,
    settings: CreditSettings,
    with_baseline: bool,
) -> tuple[dict[str, Any], Scorecard]:
    """The cross-validated figures of a scorecard on the file and the card fitted on all of
    it. AUC and KS come from the out-of-fold PDs of a stratified ``folds``-fold split,
    pooled; with ``with_baseline`` the one-hot logistic regression is judged the same way."""
    application_file = read_applications(
        path, target=target, bad_values=bad_values, exclude=exclude
    )
    data, bad = application_file.applications, application_file.bad
    codes = sentinel_codes(data) if special_codes is None else special_codes
    try:
        pooled = out_of_fold(
            data,
            bad,
            scorecard_predictions(lambda: scorecard_for(settings, codes)),
            folds=folds,
            seed=seed,
        )
    except ValueError as error:
        raise ValidationFailed(str(error), field="folds") from None
    card = scorecard_for(settings, codes).fit(data, bad)
    document = card.to_json()
    report: dict[str, Any] = {
        **asdict(discrimination(bad, pooled)),
        "folds": folds,
        "rows": len(bad),
        "bad_rate": round(float(bad.mean()), 4),
        "features": [
            {key: feature[key] for key in ("name", "iv", "selected", "bins")}
            for feature in document["features"]
        ],
        "special_codes": list(codes),
        "left_out": list(application_file.left_out),
    }
    if with_baseline:
        baseline = out_of_fold(data, bad, baseline_predictions, folds=folds, seed=seed)
        report["baseline"] = asdict(discrimination(bad, baseline))
    return report, card


def save(card: Scorecard, path: Path) -> None:
    path.write_text(json.dumps(card.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")


def load(path: Path) -> Scorecard:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return Scorecard.from_json(document)
    except (OSError, UnicodeError, json.JSONDecodeError, ValueError) as error:
        raise ValidationFailed(f"{path.name}: {error}", field="scorecard") from None


def score_file(
    card: Scorecard, path: Path, *, settings: CreditSettings, top_reasons: int = 3
) -> tuple[Applications, np.ndarray, np.ndarray, list[np.ndarray]]:
    """Every row of an application file scored: its features, score, grade and reason codes.
    The file needs the card's features (other columns, a target among them, are ignored)."""
    table = labelled.read_table(path)
    needed = [feature.bins for feature in card.features_]
    for binning in needed:
        if binning.name not in table.column_names:
            raise ImportRejected(
                "the scorecard needs this column", file=path.name, row=None, column=binning.name
            )
        if not binning.categorical and not labelled.is_number(table.column(binning.name).type):
            raise ImportRejected(
                "the scorecard needs numbers in this column",
                file=path.name,
                row=None,
                column=binning.name,
            )
    data, _ = applications_of(table.select([binning.name for binning in needed]))
    scores = card.score(data)
    pds = card.scaling.probability_of_default(scores)
    grade_names = grades.grades_of(pds, settings.master_scale)
    return data, scores, grade_names, card.reason_texts(data, top=top_reasons)


def column_values(path: Path, name: str) -> list[object]:
    """One column of a file as it is, to carry identifiers into an output."""
    table = labelled.read_table(path)
    if name not in table.column_names:
        raise ImportRejected("no column of this name", file=path.name, row=None, column=name)
    return table.column(name).to_pylist()


@dataclass(frozen=True)
class CustomerCredit:
    """What the customer 360 shows of a customer's credit: the newest score with its
    reasons, the rating in force (corporate customers) and the latest quotes."""

    score: CreditScore | None
    rating: CorporateRating | None
    quotes: list[PricingQuote]


def customer_credit(
    session: Session, *, user: StaffUser, customer_id: int, quotes: int = 3
) -> CustomerCredit:
    repository = CreditRepository(session, user)
    repository.customer_in_scope(customer_id)
    approved = [
        rating
        for rating in repository.ratings(customer_id)
        if rating.status is RatingStatus.APPROVED
    ]
    return CustomerCredit(
        score=repository.latest_score(customer_id),
        rating=approved[0] if approved else None,
        quotes=repository.quotes(customer_id, limit=quotes),
    )
