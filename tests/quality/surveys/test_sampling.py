"""Respondent selection, link tokens, reminders, response rates and answer checks: pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bankcrm.core.enums import SurveyKind
from bankcrm.quality.instrument import shipped_instrument
from bankcrm.quality.surveys.answers import (
    SCORE,
    WEIGHTS,
    AnswerProblem,
    Reason,
    check_answers,
    prediction_questions,
    survey_questions,
)
from bankcrm.quality.surveys.sampling import (
    Candidate,
    InvitationCounts,
    Selection,
    new_token,
    reminder_due,
    response_rates,
    select_respondents,
)


def _people() -> list[Candidate]:
    people = []
    for number in range(1, 101):
        people.append(
            Candidate(
                customer_id=number,
                branch_id=1 if number % 2 else 2,
                branch_code="BR001" if number % 2 else "BR002",
                active=number % 10 != 0,
                erased=number % 25 == 0,
                quadrant="loyal" if number % 3 == 0 else "ordinary",
                value_tier="A" if number <= 20 else "C",
            )
        )
    return people


def test_everyone_active_not_erased_and_not_invited_is_picked_without_a_sample() -> None:
    chosen = select_respondents(_people(), Selection(), already_invited={1, 2, 3})
    ids = [candidate.customer_id for candidate in chosen]
    # 100 people, 10 inactive (10, 20, … 100), erased 25, 50, 75, 100 of which 50 and 100
    # are already inactive: 100 - 10 - 2 = 88, minus 3 already invited
    assert len(ids) == 85
    assert ids == sorted(ids)
    assert not {1, 2, 3, 10, 25, 50, 75} & set(ids)


def test_filters_by_branch_quadrant_and_tier() -> None:
    chosen = select_respondents(
        _people(),
        Selection(branch_codes=("BR002",), quadrants=("loyal",), value_tiers=("A",)),
        already_invited=(),
    )
    # even, multiple of 3, at most 20, active: 6, 12, 18 (20 is not a multiple of 3)
    assert [candidate.customer_id for candidate in chosen] == [6, 12, 18]


def test_a_seeded_sample_is_reproducible_and_independent_of_input_order() -> None:
    people = _people()
    first = select_respondents(people, Selection(sample_size=10, seed=42), already_invited=())
    again = select_respondents(
        list(reversed(people)), Selection(sample_size=10, seed=42), already_invited=()
    )
    other = select_respondents(people, Selection(sample_size=10, seed=43), already_invited=())
    assert [c.customer_id for c in first] == [c.customer_id for c in again]
    assert len(first) == 10
    assert len({c.customer_id for c in first}) == 10
    assert [c.customer_id for c in first] != [c.customer_id for c in other]
    assert all(c.active and not c.erased for c in first)


def test_a_sample_larger_than_the_pool_takes_everyone() -> None:
    chosen = select_respondents(
        _people(), Selection(branch_codes=("BR001",), sample_size=500, seed=1), already_invited=()
    )
    # odd numbers 1…99 are 50; none is a multiple of 10; erased odd: 25, 75
    assert len(chosen) == 48


def test_a_sample_needs_one_respondent() -> None:
    with pytest.raises(ValueError):
        Selection(sample_size=0)


def test_tokens_are_long_unique_and_url_safe() -> None:
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    assert all(
        len(token) == 32 and token.replace("-", "").replace("_", "").isalnum() for token in tokens
    )


def test_reminders_wait_min_days_after_issue_and_after_the_last_reminder() -> None:
    issued = datetime(2026, 11, 1, 9, tzinfo=UTC)
    now = issued + timedelta(days=3)
    assert reminder_due(issued_at=issued, reminded_at=None, reminders=0, completed=False, now=now)
    assert not reminder_due(
        issued_at=issued,
        reminded_at=None,
        reminders=0,
        completed=False,
        now=now - timedelta(seconds=1),
    )
    assert not reminder_due(
        issued_at=issued, reminded_at=None, reminders=0, completed=True, now=now
    )
    assert not reminder_due(
        issued_at=issued, reminded_at=None, reminders=2, completed=False, now=now
    )
    assert not reminder_due(
        issued_at=issued, reminded_at=now - timedelta(days=1), reminders=1, completed=False, now=now
    )
    assert reminder_due(
        issued_at=issued,
        reminded_at=now - timedelta(days=1),
        reminders=1,
        completed=False,
        now=now,
        min_days=1,
    )


def test_response_rates_overall_and_by_branch() -> None:
    rates = response_rates(
        [
            ("北京分行", InvitationCounts(issued=40, opened=30, partial=5, completed=10)),
            ("上海分行", InvitationCounts(issued=10, opened=8, partial=1, completed=5)),
            (None, InvitationCounts(issued=0)),
        ]
    )
    assert rates.overall.counts == InvitationCounts(issued=50, opened=38, partial=6, completed=15)
    assert rates.overall.rate == pytest.approx(0.3)
    assert rates.by_branch["北京分行"].rate == pytest.approx(0.25)
    assert rates.by_branch["上海分行"].rate == pytest.approx(0.5)
    assert rates.by_branch[None].rate is None


# --- answers -----------------------------------------------------------------------------


def _full_servqual() -> dict[str, str]:
    form = {f"E{n}": "6" for n in range(1, 23)}
    form.update({f"P{n}": "5" for n in range(1, 23)})
    return form


def test_complete_servqual_answers_without_weights_pass() -> None:
    questions = survey_questions(SurveyKind.SERVQUAL, shipped_instrument("servqual_bank"))
    checked = check_answers(_full_servqual(), questions)
    assert checked.problems == ()
    assert checked.answers["E22"] == 6 and checked.answers["P1"] == 5
    assert len(checked.answers) == 44


def test_missing_and_off_scale_answers_are_named_and_the_rest_kept() -> None:
    questions = survey_questions(SurveyKind.SERVQUAL, shipped_instrument("servqual_bank"))
    form = _full_servqual()
    del form["E3"]
    form["P4"] = "8"
    form["P5"] = "x"
    checked = check_answers(form, questions)
    # questionnaire order: E1, P1, E2, P2, …
    assert checked.problems == (
        AnswerProblem("E3", Reason.MISSING),
        AnswerProblem("P4", Reason.INVALID),
        AnswerProblem("P5", Reason.INVALID),
    )
    assert len(checked.answers) == 41


def test_weights_must_be_whole_and_make_100() -> None:
    questions = survey_questions(SurveyKind.SERVQUAL, shipped_instrument("servqual_bank"))
    good = {
        **_full_servqual(),
        "W_tangibles": "10",
        "W_reliability": "30",
        "W_responsiveness": "30",
        "W_assurance": "20",
        "W_empathy": "10",
    }
    assert check_answers(good, questions).answers["W_responsiveness"] == 30
    blank_counts_zero = {**good, "W_empathy": "", "W_tangibles": "20"}
    assert check_answers(blank_counts_zero, questions).answers["W_empathy"] == 0
    short = {**good, "W_empathy": "5"}
    assert check_answers(short, questions).problems == (AnswerProblem(WEIGHTS, Reason.NOT_HUNDRED),)
    fraction = {**good, "W_empathy": "9.5"}
    assert check_answers(fraction, questions).problems == (
        AnswerProblem("W_empathy", Reason.INVALID),
    )


def test_csat_and_nps_ask_one_score_on_their_scale() -> None:
    csat = survey_questions(SurveyKind.CSAT, None)
    nps = survey_questions(SurveyKind.NPS, None)
    assert check_answers({SCORE: "5"}, csat).answers == {SCORE: 5}
    assert check_answers({SCORE: "0"}, csat).problems == (AnswerProblem(SCORE, Reason.INVALID),)
    assert check_answers({SCORE: "0"}, nps).answers == {SCORE: 0}
    assert check_answers({SCORE: "11"}, nps).problems == (AnswerProblem(SCORE, Reason.INVALID),)
    assert check_answers({}, nps).problems == (AnswerProblem(SCORE, Reason.MISSING),)


def test_predictions_ask_the_expectation_of_every_item() -> None:
    questions = prediction_questions(shipped_instrument("servqual_bank"))
    assert list(questions.required) == [f"E{n}" for n in range(1, 23)]
    assert check_answers({f"E{n}": 5 for n in range(1, 23)}, questions).problems == ()
    assert check_answers({"E1": True}, questions).problems[0] == AnswerProblem("E1", Reason.INVALID)
