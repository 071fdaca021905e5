"""Pure checklist logic: the catalogue file, judging, scores and pass rates."""

from __future__ import annotations

import pytest

from bankcrm.core.enums import InspectionKind, StandardCategory, TargetDirection
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.quality.gaps import ChecklistTally, inspection_compliance_evidence
from bankcrm.quality.inspections.checklist import (
    Answer,
    CatalogueInvalid,
    ChecklistRule,
    Criterion,
    ResultRow,
    build_checklist,
    by_branch,
    by_staff,
    compliance_tallies,
    judge_answers,
    meets_target,
    parse_catalogue,
    pass_rates,
    score,
    shipped_catalogue,
    weakest_standards,
)

AT_MOST = TargetDirection.AT_MOST
AT_LEAST = TargetDirection.AT_LEAST

CHECKLISTS = """
[[checklists]]
kind = "daily_check"
categories = ["environment"]
[[checklists]]
kind = "callback"
categories = ["etiquette"]
[[checklists]]
kind = "mystery_shopper"
categories = ["environment", "etiquette"]
[[checklists]]
kind = "open_visit"
categories = ["environment"]
[[checklists]]
kind = "secret_visit"
categories = ["environment"]
"""

GOOD_STANDARD = """
[[standards]]
code = "ENV-01"
category = "environment"
title = { zh = "大厅整洁", en = "Lobby tidy" }
servqual_items = [2]
"""


def _catalogue(standards: str, checklists: str = CHECKLISTS) -> str:
    return standards + checklists


# --- the shipped catalogue ------------------------------------------------------------------


def test_shipped_catalogue_has_the_agreed_codes_and_targets() -> None:
    catalogue = shipped_catalogue()
    codes = {standard.code for standard in catalogue.standards}
    assert {
        "ENV-01", "ENV-02", "ENV-03", "ETQ-01", "ETQ-02", "ETQ-03", "EFF-01", "EFF-02",
        "EFF-03", "PRC-01", "PRC-02", "PRC-03", "PRC-04",
    } <= codes  # fmt: skip
    greet = catalogue.standard("ETQ-01")
    assert (greet.unit, greet.target, greet.direction) == ("s", 10.0, AT_MOST)
    wait = catalogue.standard("EFF-01")
    assert (wait.unit, wait.target, wait.direction) == ("min", 15.0, AT_MOST)
    machines = catalogue.standard("ENV-03")
    assert (machines.unit, machines.target, machines.direction) == ("%", 99.0, AT_LEAST)
    assert not catalogue.standard("ETQ-02").measured


def test_shipped_catalogue_leaves_empathy_items_uncovered() -> None:
    covered = {
        item for standard in shipped_catalogue().standards for item in standard.servqual_items
    }
    uncovered = set(range(1, 23)) - covered
    # individual attention, convenient hours, personal attention, understanding needs
    assert {18, 19, 20, 22} <= uncovered
    assert 11 in covered and 2 in covered


def test_shipped_checklists_per_kind() -> None:
    rules = shipped_catalogue().checklists
    daily = rules[InspectionKind.DAILY_CHECK]
    assert daily.categories == {
        StandardCategory.ENVIRONMENT,
        StandardCategory.ETIQUETTE,
        StandardCategory.PROCESS,
    }
    assert "EFF-01" in daily.standards
    assert StandardCategory.ENVIRONMENT not in rules[InspectionKind.CALLBACK].categories
    for kind in (
        InspectionKind.MYSTERY_SHOPPER,
        InspectionKind.OPEN_VISIT,
        InspectionKind.SECRET_VISIT,
    ):
        assert rules[kind].categories == set(StandardCategory)


# --- loader errors ----------------------------------------------------------------------------


def test_loader_reads_a_small_file() -> None:
    catalogue = parse_catalogue(_catalogue(GOOD_STANDARD))
    assert catalogue.standard("ENV-01").title.text("en") == "Lobby tidy"


@pytest.mark.parametrize(
    ("standards", "message"),
    [
        (GOOD_STANDARD.replace('code = "ENV-01"', 'code = "env1"'), "standards[0] (env1).code"),
        (
            GOOD_STANDARD.replace('"environment"', '"ambience"'),
            "standards[0] (ENV-01).category: 'ambience' is not one of",
        ),
        (GOOD_STANDARD.replace("[2]", "[23]"), "item 23 is not in the instrument"),
        (GOOD_STANDARD.replace(', en = "Lobby tidy"', ""), "the 'en' text is missing"),
        (
            GOOD_STANDARD + "target = 10\n",
            "needs unit, target and direction; 'direction' is missing",
        ),
        (
            GOOD_STANDARD + 'unit = "s"\ntarget = -1\ndirection = "at_most"\n',
            "target: must be a number of zero or more",
        ),
        (
            GOOD_STANDARD + 'unit = "%"\ntarget = 120\ndirection = "at_least"\n',
            "a percentage cannot exceed 100",
        ),
        (
            GOOD_STANDARD + 'unit = "s"\ntarget = 10\ndirection = "below"\n',
            "direction: 'below' is not one of",
        ),
        (GOOD_STANDARD + "tagret = 10\n", "unknown key 'tagret'"),
        (GOOD_STANDARD + GOOD_STANDARD, "standards[1] (ENV-01): code 'ENV-01' is used twice"),
    ],
)
def test_loader_names_the_entry_at_fault(standards: str, message: str) -> None:
    with pytest.raises(CatalogueInvalid) as caught:
        parse_catalogue(_catalogue(standards))
    assert message in caught.value.message
    assert caught.value.message.startswith("service_standards.toml: ")


def test_loader_refuses_a_checklist_naming_an_unknown_standard() -> None:
    checklists = CHECKLISTS.replace(
        'kind = "callback"\ncategories = ["etiquette"]',
        'kind = "callback"\ncategories = ["etiquette"]\nstandards = ["EFF-09"]',
    )
    with pytest.raises(
        CatalogueInvalid, match=r"checklists\[1\] \(callback\)\.standards: 'EFF-09'"
    ):
        parse_catalogue(_catalogue(GOOD_STANDARD, checklists))


def test_loader_requires_a_checklist_for_every_kind() -> None:
    checklists = CHECKLISTS.split('[[checklists]]\nkind = "secret_visit"')[0]
    with pytest.raises(CatalogueInvalid, match="no checklist for the kind 'secret_visit'"):
        parse_catalogue(_catalogue(GOOD_STANDARD, checklists))


def test_loader_refuses_broken_toml() -> None:
    with pytest.raises(CatalogueInvalid, match="not valid TOML"):
        parse_catalogue("[[standards]\n")


# --- judging ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("observed", "target", "direction", "passed"),
    [
        (10.0, 10.0, AT_MOST, True),  # exactly on target passes
        (10.01, 10.0, AT_MOST, False),
        (9.0, 10.0, AT_MOST, True),
        (99.0, 99.0, AT_LEAST, True),  # exactly on target passes
        (98.99, 99.0, AT_LEAST, False),
        (100.0, 99.0, AT_LEAST, True),
    ],
)
def test_meets_target_boundaries(
    observed: float, target: float, direction: TargetDirection, passed: bool
) -> None:
    assert meets_target(observed, target=target, direction=direction) is passed


GREET = Criterion("ETQ-01", StandardCategory.ETIQUETTE, "s", 10.0, AT_MOST)
BADGE = Criterion("ETQ-02", StandardCategory.ETIQUETTE)
MACHINES = Criterion("ENV-03", StandardCategory.ENVIRONMENT, "%", 99.0, AT_LEAST)
WAIT = Criterion("EFF-01", StandardCategory.EFFICIENCY, "min", 15.0, AT_MOST)


def test_build_checklist_orders_by_category_then_code_and_takes_single_standards() -> None:
    rule = ChecklistRule(
        kind=InspectionKind.DAILY_CHECK,
        categories=frozenset({StandardCategory.ENVIRONMENT, StandardCategory.ETIQUETTE}),
        standards=frozenset({"EFF-01"}),
    )
    other = Criterion("EFF-02", StandardCategory.EFFICIENCY, "min", 5.0, AT_MOST)
    built = build_checklist(rule, [WAIT, BADGE, other, GREET, MACHINES])
    assert [line.code for line in built] == ["ENV-03", "ETQ-01", "ETQ-02", "EFF-01"]


def test_judge_computes_measured_verdicts_and_keeps_yes_no() -> None:
    judged = judge_answers(
        [GREET, BADGE, MACHINES],
        [
            Answer("ENV-03", observed=99.0),
            Answer("ETQ-01", observed=12.0, note="busy"),
            Answer("ETQ-02", passed=True),
        ],
    )
    assert [(line.code, line.passed, line.observed) for line in judged] == [
        ("ETQ-01", False, 12.0),
        ("ETQ-02", True, None),
        ("ENV-03", True, 99.0),
    ]
    assert judged[0].note == "busy"


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([Answer("ETQ-01", observed=5.0)], "ETQ-02 is not answered"),
        (
            [
                Answer("ETQ-01", observed=5.0),
                Answer("ETQ-02", passed=True),
                Answer("ZZZ-01", passed=True),
            ],
            "ZZZ-01 is not on this inspection's checklist",
        ),
        (
            [
                Answer("ETQ-01", observed=5.0),
                Answer("ETQ-02", passed=True),
                Answer("ETQ-02", passed=False),
            ],
            "ETQ-02 is answered twice",
        ),
        ([Answer("ETQ-01", passed=True), Answer("ETQ-02", passed=True)], "ETQ-01 is measured in s"),
        ([Answer("ETQ-01"), Answer("ETQ-02", passed=True)], "ETQ-01 needs the value observed"),
        ([Answer("ETQ-01", observed=-1.0), Answer("ETQ-02", passed=True)], "zero or more"),
        (
            [Answer("ETQ-01", observed=3.0), Answer("ETQ-02", observed=1.0)],
            "ETQ-02 is a yes/no check",
        ),
        ([Answer("ETQ-01", observed=3.0), Answer("ETQ-02")], "ETQ-02 needs passed yes or no"),
    ],
)
def test_judge_refuses_incomplete_or_wrong_answers(answers: list[Answer], message: str) -> None:
    with pytest.raises(ValidationFailed, match=message) as caught:
        judge_answers([GREET, BADGE], answers)
    assert caught.value.field == "results"


def test_judge_refuses_a_percentage_over_100() -> None:
    with pytest.raises(ValidationFailed, match="ENV-03: a percentage cannot exceed 100"):
        judge_answers([MACHINES], [Answer("ENV-03", observed=101.0)])


# --- scores and pass rates -------------------------------------------------------------------


def test_score_is_passed_over_checked_times_100() -> None:
    assert score(passed=11, checked=14) == pytest.approx(78.5714, abs=1e-4)
    assert score(passed=14, checked=14) == 100.0
    assert score(passed=0, checked=0) is None
    with pytest.raises(ValueError):
        score(passed=3, checked=2)


def _rows() -> list[ResultRow]:
    """Branch 1: inspection 1 (staff 7) 3/4 passed, inspection 2 (no staff) 2/2.
    Branch 2: inspection 3 (staff 8) 1/4 passed. Standards 10, 11, 12, 13."""
    plan = [
        (1, 1, 7, 10, True), (1, 1, 7, 11, False), (1, 1, 7, 12, True), (1, 1, 7, 13, True),
        (2, 1, None, 10, True), (2, 1, None, 11, True),
        (3, 2, 8, 10, False), (3, 2, 8, 11, False), (3, 2, 8, 12, True), (3, 2, 8, 13, False),
    ]  # fmt: skip
    return [ResultRow(*line) for line in plan]


def test_pass_rates_per_branch_best_first_with_counts() -> None:
    rates = pass_rates(_rows(), by=by_branch)
    assert [(rate.key, rate.inspections, rate.checked, rate.passed) for rate in rates] == [
        (1, 2, 6, 5),
        (2, 1, 4, 1),
    ]
    assert rates[0].score == pytest.approx(500 / 6)  # 83.33
    assert rates[1].score == 25.0
    assert rates[1].failed == 3


def test_pass_rates_per_staff_leave_branch_level_inspections_out() -> None:
    rates = pass_rates(_rows(), by=by_staff)
    assert [(rate.key, rate.checked, rate.passed, rate.score) for rate in rates] == [
        (7, 4, 3, 75.0),
        (8, 4, 1, 25.0),
    ]


def test_weakest_standards_per_branch() -> None:
    weakest = weakest_standards(_rows(), limit=2)
    # branch 1 failed only standard 11 (1 of 2 passed)
    assert [(rate.key, rate.checked, rate.passed) for rate in weakest[1]] == [(11, 2, 1)]
    # branch 2 failed 10, 11 and 13 once each (0 of 1): ties go to the smaller id, limit 2
    assert [rate.key for rate in weakest[2]] == [10, 11]


def test_compliance_tallies_feed_gap_three() -> None:
    tallies = compliance_tallies(_rows())
    assert tallies == {
        1: ChecklistTally(checked=6, passed=5),
        2: ChecklistTally(checked=4, passed=1),
    }
    evidence = inspection_compliance_evidence({str(key): tally for key, tally in tallies.items()})
    assert evidence.overall_compliance == pytest.approx(0.6)
    assert evidence.branches_below_target == ("2", "1")
