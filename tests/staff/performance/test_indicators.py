"""The pure KPI arithmetic: attainment (fewer is better for complaints), the capped weighted
score with missing figures re-normalised, competition ranks, months, and the rules file."""

from __future__ import annotations

from datetime import date

import pytest

from bankcrm.core.enums import ProductCategory, Role
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.staff.performance import indicators
from bankcrm.staff.performance.indicators import parse_rules

RULES = parse_rules(
    """
[margins]
deposit = 0.012

[roles.account_manager.indicators]
volume = { weight = 0.5, target = 1_000_000, cap = 1.2 }
csat = { weight = 0.3, target = 0.8, cap = 1.1 }
complaints = { weight = 0.2, target = 2, cap = 1.5 }
"""
).roles[Role.ACCOUNT_MANAGER]


def test_attainment_is_figure_over_target_and_falls_with_complaints() -> None:
    assert indicators.attainment("volume", 1_500_000, 1_000_000) == 1.5
    assert indicators.attainment("volume_growth", -0.02, 0.01) == 0.0
    assert indicators.attainment("csat", None, 0.8) is None
    assert indicators.attainment("complaints", 0, 2) == 2.0
    assert indicators.attainment("complaints", 2, 2) == 1.0
    assert indicators.attainment("complaints", 3, 2) == 0.5
    assert indicators.attainment("complaints", 7, 2) == 0.0


def test_the_score_caps_attainment_and_renormalises_missing_weights() -> None:
    achieved = indicators.attainments({"volume": 1_500_000, "csat": 0.6, "complaints": 1}, RULES)
    assert achieved == {"volume": 1.5, "csat": pytest.approx(0.75), "complaints": 1.5}
    # 100 × (0.5 × 1.2 + 0.3 × 0.75 + 0.2 × 1.5)
    assert indicators.score(achieved, RULES) == pytest.approx(112.5)
    no_survey = {"volume": 0.9, "csat": None, "complaints": 1.0}
    # 100 × (0.5 × 0.9 + 0.2 × 1.0) ÷ 0.7
    assert indicators.score(no_survey, RULES) == pytest.approx(100 * 0.65 / 0.7, abs=1e-4)
    assert indicators.score({"volume": None, "csat": None, "complaints": None}, RULES) == 0.0


def test_equal_scores_share_a_rank_and_the_next_skips() -> None:
    ranked = indicators.competition_ranks([90.0, 95.0, 90.0, 80.0])
    assert [(place.rank, place.among) for place in ranked] == [(2, 4), (1, 4), (2, 4), (4, 4)]


def test_months() -> None:
    assert indicators.parse_month("2026-02") == date(2026, 2, 1)
    assert indicators.next_month(date(2026, 12, 1)) == date(2027, 1, 1)
    assert indicators.previous_month(date(2026, 1, 1)) == date(2025, 12, 1)
    assert indicators.months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    with pytest.raises(ValidationFailed):
        indicators.parse_month("2026-13")


def test_the_shipped_rules_weigh_every_role_to_one() -> None:
    rules = indicators.shipped_rules()
    assert set(rules.roles) == {Role.ACCOUNT_MANAGER, Role.BRANCH_MANAGER}
    for role_rules in rules.roles.values():
        assert sum(role_rules.weights().values()) == pytest.approx(1.0)
    assert rules.margin(ProductCategory.DEPOSIT) == 0.015
    assert "unfounded" in rules.complaints.not_upheld_root_causes


ROLE = "[roles.account_manager.indicators]\n"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (f"[margins]\n{ROLE}smiles = {{ weight = 1, target = 1, cap = 1 }}", "roles"),
        (f"[margins]\n{ROLE}volume = {{ weight = 1, target = 0, cap = 1 }}", "target"),
        (
            f"[margins]\ndeposit = 1.5\n{ROLE}volume = {{ weight = 1, target = 1, cap = 1 }}",
            "deposit",
        ),
        ("[margins", "not valid TOML"),
    ],
)
def test_a_wrong_rules_file_names_its_problem(text: str, where: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        parse_rules(text, origin="kpis.toml")
    assert "kpis.toml" in raised.value.message
    assert where in raised.value.message
