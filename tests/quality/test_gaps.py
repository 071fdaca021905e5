"""The five-gap diagnosis: hand-computed evidence, severity rules, ranking and controls."""

from __future__ import annotations

import pytest

from bankcrm.core.enums import TargetDirection
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.quality.gaps import (
    GAP_NUMBERS,
    NOT_AS_ADVERTISED,
    ChecklistTally,
    GapControlsInvalid,
    GapStatus,
    Promise,
    diagnose,
    inspection_compliance_evidence,
    management_perception_evidence,
    parse_gap_controls,
    perceived_quality_evidence,
    promise_keeping_evidence,
    ramp,
    shipped_gap_controls,
    standards_coverage_evidence,
)

# --- the severity ramp -----------------------------------------------------------------


def test_ramp_is_zero_at_target_one_at_failing_and_clamped() -> None:
    assert ramp(0.0, target=0.0, failing=2.0) == 0.0
    assert ramp(1.0, target=0.0, failing=2.0) == 0.5
    assert ramp(2.0, target=0.0, failing=2.0) == 1.0
    assert ramp(5.0, target=0.0, failing=2.0) == 1.0
    assert ramp(-1.0, target=0.0, failing=2.0) == 0.0


def test_ramp_falling_direction_grows_as_the_value_drops() -> None:
    values = [1.0, 0.9, 0.75, 0.6, 0.5, 0.2]
    severities = [ramp(value, target=1.0, failing=0.5) for value in values]
    assert severities == sorted(severities)
    assert severities[2] == 0.5
    assert severities[-1] == 1.0


def test_ramp_without_slope_is_refused() -> None:
    with pytest.raises(ValueError):
        ramp(0.3, target=0.5, failing=0.5)


# --- gap 1 -----------------------------------------------------------------------------


def test_gap_1_mean_absolute_difference_and_shortfalls() -> None:
    customers = {"E1": 6.5, "E2": 6.0, "E3": 5.0, "E4": 6.0}
    managers = {"E1": 5.0, "E2": 6.5, "E3": 5.0, "E4": 5.5}
    evidence = management_perception_evidence(customers, managers)
    # |1.5| + |−0.5| + 0 + |0.5| = 2.5 over 4 items
    assert evidence.mean_absolute_difference == pytest.approx(0.625)
    assert [entry.item for entry in evidence.shortfalls] == ["E1", "E4"]
    assert evidence.shortfalls[0].shortfall == pytest.approx(1.5)
    assert evidence.severity == pytest.approx(0.625 / 1.5)
    assert evidence.status is GapStatus.CLOSED
    assert evidence.weakest == "E1"


def test_gap_1_opens_exactly_at_the_threshold() -> None:
    # differences 1.0 and 0.5 → mean 0.75 → 0.75 / 1.5 = 0.5
    evidence = management_perception_evidence({"a": 7.0, "b": 5.0}, {"a": 6.0, "b": 5.5})
    assert evidence.severity == 0.5
    assert evidence.open
    assert evidence.status is GapStatus.OPEN


def test_gap_1_lists_the_largest_shortfalls_in_input_order_on_ties() -> None:
    customers = {"a": 6.0, "b": 6.0, "c": 6.0, "d": 7.0}
    managers = {"a": 5.0, "b": 5.0, "c": 5.0, "d": 4.0}
    evidence = management_perception_evidence(customers, managers, shortfalls_listed=3)
    assert [entry.item for entry in evidence.shortfalls] == ["d", "a", "b"]
    assert evidence.severity == 1.0  # mean difference 1.5 points


def test_gap_1_over_estimation_only_has_no_weakest_item() -> None:
    evidence = management_perception_evidence({"a": 5.0}, {"a": 6.0})
    assert evidence.shortfalls == ()
    assert evidence.weakest is None


def test_gap_1_without_items_is_unknown() -> None:
    evidence = management_perception_evidence({}, {})
    assert evidence.severity is None
    assert not evidence.open
    assert evidence.status is GapStatus.UNKNOWN


def test_gap_1_needs_the_same_items() -> None:
    with pytest.raises(ValidationFailed, match="E2"):
        management_perception_evidence({"E1": 6.0, "E2": 6.0}, {"E1": 5.0})


# --- gap 2 -----------------------------------------------------------------------------


def test_gap_2_coverage_and_uncovered_items() -> None:
    items = ["E1", "E2", "E3", "E4"]
    standards = {"E1": ["queue wait ≤ 15 min"], "E3": [], "E4": ["greet", "stand up"]}
    evidence = standards_coverage_evidence(items, standards)
    assert evidence.coverage == 0.5
    assert evidence.uncovered_items == ("E2", "E3")
    assert evidence.severity == 1.0  # coverage at the failing value
    assert evidence.weakest == "E2"


def test_gap_2_boundary_and_full_coverage() -> None:
    items = ["E1", "E2", "E3", "E4"]
    three = standards_coverage_evidence(items, {"E1": ["s"], "E2": ["s"], "E3": ["s"]})
    assert three.coverage == 0.75
    assert three.severity == 0.5
    assert three.open
    full = standards_coverage_evidence(items, {item: ["s"] for item in items})
    assert full.severity == 0.0
    assert full.status is GapStatus.CLOSED
    assert full.weakest is None


def test_gap_2_without_items_is_unknown() -> None:
    assert standards_coverage_evidence([], {}).status is GapStatus.UNKNOWN


def test_gap_2_refuses_standards_for_unknown_items() -> None:
    with pytest.raises(ValidationFailed, match="E9"):
        standards_coverage_evidence(["E1"], {"E9": ["s"]})


# --- gap 3 -----------------------------------------------------------------------------


def test_gap_3_compliance_overall_and_per_branch() -> None:
    tallies = {
        "north": ChecklistTally(checked=100, passed=95),
        "south": ChecklistTally(checked=50, passed=31),
        "east": ChecklistTally(checked=20, passed=17),
        "new": ChecklistTally(checked=0, passed=0),
    }
    evidence = inspection_compliance_evidence(tallies)
    assert evidence.overall_compliance == pytest.approx(143 / 170)
    assert evidence.branch_compliance == pytest.approx({"north": 0.95, "south": 0.62, "east": 0.85})
    assert evidence.branches_below_target == ("south", "east")
    # worst branch 0.62: (0.9 − 0.62) / (0.9 − 0.5)
    assert evidence.severity == pytest.approx(0.7)
    assert evidence.open
    assert evidence.weakest == "south"


def test_gap_3_boundary_at_the_threshold() -> None:
    evidence = inspection_compliance_evidence(
        {"a": ChecklistTally(checked=4, passed=3)}, target=1.0, failing=0.5
    )
    assert evidence.severity == 0.5
    assert evidence.open
    at_target = inspection_compliance_evidence({"a": ChecklistTally(checked=10, passed=9)})
    assert at_target.severity == 0.0
    assert at_target.branches_below_target == ()


def test_gap_3_ties_between_branches_go_by_name() -> None:
    tallies = {"b": ChecklistTally(10, 5), "a": ChecklistTally(10, 5)}
    assert inspection_compliance_evidence(tallies).branches_below_target == ("a", "b")


@pytest.mark.parametrize("tallies", [{}, {"a": ChecklistTally(checked=0, passed=0)}])
def test_gap_3_without_inspections_is_unknown(tallies: dict[str, ChecklistTally]) -> None:
    evidence = inspection_compliance_evidence(tallies)
    assert evidence.status is GapStatus.UNKNOWN
    assert evidence.overall_compliance is None


def test_gap_3_refuses_more_passed_than_checked() -> None:
    with pytest.raises(ValidationFailed, match="north"):
        inspection_compliance_evidence({"north": ChecklistTally(checked=3, passed=4)})


# --- gap 4 -----------------------------------------------------------------------------


def test_promise_kept_in_both_directions() -> None:
    wait = Promise("wait ≤ 15 min", promised=15, measured=22)
    assert not wait.kept
    assert wait.relative_miss == pytest.approx(7 / 15)
    atm = Promise("ATM up ≥ 99.5 %", 99.5, 99.9, TargetDirection.AT_LEAST)
    assert atm.kept
    assert atm.relative_miss == 0.0


def test_gap_4_kept_share_and_complaint_rate() -> None:
    promises = [
        Promise("wait ≤ 15 min", promised=15, measured=22),
        Promise("loan decision ≤ 3 days", promised=3, measured=3),
        Promise("card in ≤ 7 days", promised=7, measured=6),
        Promise("ATM up ≥ 99.5 %", 99.5, 99.9, TargetDirection.AT_LEAST),
    ]
    evidence = promise_keeping_evidence(promises, not_as_advertised_complaints=6, cases=12_000)
    assert evidence.kept_share == 0.75
    assert evidence.broken_promises == ("wait ≤ 15 min",)
    assert evidence.complaints_per_thousand_cases == pytest.approx(0.5)
    # promises: (1 − 0.75) / 0.5 = 0.5; complaints: (0.5 − 0.1) / 0.9 ≈ 0.44; the worse wins
    assert evidence.severity == pytest.approx(0.5)
    assert evidence.open
    assert evidence.weakest == "wait ≤ 15 min"


def test_gap_4_broken_promises_ordered_by_relative_miss() -> None:
    promises = [
        Promise("loan decision ≤ 3 days", promised=3, measured=4),  # misses by 1/3
        Promise("wait ≤ 15 min", promised=15, measured=22),  # misses by 7/15
    ]
    evidence = promise_keeping_evidence(promises)
    assert evidence.broken_promises == ("wait ≤ 15 min", "loan decision ≤ 3 days")
    assert evidence.kept_share == 0.0
    assert evidence.severity == 1.0
    assert evidence.complaints_per_thousand_cases is None


def test_gap_4_complaints_alone_are_evidence() -> None:
    evidence = promise_keeping_evidence([], not_as_advertised_complaints=24, cases=12_000)
    assert evidence.kept_share is None
    assert evidence.complaints_per_thousand_cases == pytest.approx(2.0)
    assert evidence.severity == 1.0
    assert evidence.weakest == NOT_AS_ADVERTISED


def test_gap_4_without_promises_or_cases_is_unknown() -> None:
    assert promise_keeping_evidence([]).status is GapStatus.UNKNOWN


def test_gap_4_complaints_need_cases() -> None:
    with pytest.raises(ValidationFailed):
        promise_keeping_evidence([], not_as_advertised_complaints=3, cases=0)


# --- gap 5 -----------------------------------------------------------------------------


def test_gap_5_severity_from_the_worst_dimension() -> None:
    gaps = {"tangibles": -0.3, "reliability": -0.5, "responsiveness": -1.4, "empathy": -0.4}
    evidence = perceived_quality_evidence(gaps)
    assert evidence.worst_dimension == "responsiveness"
    assert evidence.severity == pytest.approx(0.7)  # −1.4 / −2
    assert evidence.open


def test_gap_5_boundary_tie_and_no_shortfall() -> None:
    boundary = perceived_quality_evidence({"reliability": -1.0, "empathy": -1.0})
    assert boundary.severity == 0.5
    assert boundary.open
    assert boundary.weakest == "reliability"  # the first given on a tie
    above = perceived_quality_evidence({"reliability": 0.2})
    assert above.severity == 0.0
    assert above.status is GapStatus.CLOSED


def test_gap_5_without_dimensions_is_unknown() -> None:
    assert perceived_quality_evidence({}).status is GapStatus.UNKNOWN


def test_open_threshold_is_a_parameter() -> None:
    evidence = perceived_quality_evidence({"empathy": -0.4}, open_at=0.2)
    assert evidence.severity == pytest.approx(0.2)
    assert evidence.open
    with pytest.raises(ValidationFailed):
        perceived_quality_evidence({"empathy": -0.4}, open_at=0.0)


# --- control methods -------------------------------------------------------------------


def test_control_methods_for_all_five_gaps_in_both_languages() -> None:
    controls = shipped_gap_controls()
    assert sorted(controls) == list(GAP_NUMBERS)
    for number, entry in controls.items():
        assert entry.code == f"gap_{number}"
        assert entry.methods
        for text in (entry.name, entry.definition, *entry.methods):
            assert text.translations["zh"].strip()
            assert text.translations["en"].strip()
    assert [controls[number].name.text("zh-CN") for number in GAP_NUMBERS] == [
        "差距一",
        "差距二",
        "差距三",
        "差距四",
        "差距五",
    ]
    assert controls[5].name.text("en") == "gap 5"


def test_control_methods_keep_the_seed_wording() -> None:
    # Copied from the seed (traditional characters): gap 3, second control method.
    seed_phrase = "建立有效的監督控制體系"
    simplified = seed_phrase.translate(str.maketrans("監體", "监体"))
    gap_3 = [method.text("zh") for method in shipped_gap_controls()[3].methods]
    assert gap_3 == [
        "加强员工培训,使员工在工作胜任性方面和相互之间的协作性方面得以胜任",
        simplified,
    ]
    assert shipped_gap_controls()[4].methods[0].text("zh") == "善用广告宣传,避免夸大其词"


def test_control_file_missing_a_gap_or_a_language_is_refused() -> None:
    entry = 'number = {n}\ncode = "gap_{n}"\nname = {{ zh = "差距", en = "gap" }}\n'
    entry += 'definition = {{ zh = "定义", en = "definition" }}\n'
    entry += 'methods = [{{ zh = "方法", en = "method" }}]\n'
    four = "".join("[[gaps]]\n" + entry.format(n=n) for n in (1, 2, 3, 4))
    with pytest.raises(GapControlsInvalid, match="gap 5"):
        parse_gap_controls(four)
    no_english = four + "[[gaps]]\n" + entry.format(n=5).replace(', en = "gap"', "")
    with pytest.raises(GapControlsInvalid, match="'en'"):
        parse_gap_controls(no_english)
    assert len(parse_gap_controls(four + "[[gaps]]\n" + entry.format(n=5))) == 5


# --- diagnosis -------------------------------------------------------------------------


def test_diagnose_ranks_by_severity_with_lower_gap_first_on_ties() -> None:
    controls = shipped_gap_controls()
    items = ["E1", "E2", "E3", "E4"]
    evidence = [
        perceived_quality_evidence({"empathy": -1.0}),  # 0.5
        standards_coverage_evidence(items, {"E1": ["s"], "E2": ["s"], "E3": ["s"]}),  # 0.5
        inspection_compliance_evidence({"a": ChecklistTally(10, 6)}),  # 0.75
        management_perception_evidence({"E1": 6.0}, {"E1": 5.8}),  # closed
    ]
    diagnosis = diagnose(evidence, controls)
    assert [finding.gap for finding in diagnosis.open_gaps] == [3, 2, 5]
    assert [finding.weakest for finding in diagnosis.open_gaps] == ["a", "E4", "empathy"]
    assert diagnosis.open_gaps[0].controls is controls[3]
    assert diagnosis.closed_gaps == (1,)
    assert diagnosis.unknown_gaps == (4,)


def test_diagnose_reports_missing_data_as_unknown_never_closed() -> None:
    diagnosis = diagnose([promise_keeping_evidence([])], shipped_gap_controls())
    assert diagnosis.open_gaps == ()
    assert diagnosis.closed_gaps == ()
    assert diagnosis.unknown_gaps == GAP_NUMBERS


def test_diagnose_refuses_two_records_for_one_gap_and_missing_controls() -> None:
    record = perceived_quality_evidence({"empathy": -1.5})
    with pytest.raises(ValidationFailed, match="gap 5"):
        diagnose([record, record], shipped_gap_controls())
    with pytest.raises(ValidationFailed, match="gap 5"):
        diagnose([record], {})


def test_scenario_weak_responsiveness_and_a_failing_branch() -> None:
    dimension_gaps = {
        "tangibles": -0.35,
        "reliability": -0.45,
        "responsiveness": -1.4,
        "assurance": -0.4,
        "empathy": -0.38,
    }
    tallies = {
        "guomao": ChecklistTally(checked=200, passed=186),  # 0.93
        "wangjing": ChecklistTally(checked=100, passed=62),  # 0.62
        "xidan": ChecklistTally(checked=150, passed=138),  # 0.92
        "zhongguancun": ChecklistTally(checked=120, passed=108),  # 0.90
    }
    diagnosis = diagnose(
        [perceived_quality_evidence(dimension_gaps), inspection_compliance_evidence(tallies)],
        shipped_gap_controls(),
    )
    named = {finding.gap: finding.weakest for finding in diagnosis.open_gaps}
    assert named == {3: "wangjing", 5: "responsiveness"}
    assert diagnosis.unknown_gaps == (1, 2, 4)
    gap_5 = next(finding for finding in diagnosis.open_gaps if finding.gap == 5)
    assert "横向信息流动" in gap_5.controls.methods[0].text("zh")
