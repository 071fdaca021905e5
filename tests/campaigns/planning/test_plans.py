"""The plan's structure, the shipped 7P checklist and section completeness."""

from __future__ import annotations

from pathlib import Path

import pytest

from bankcrm.campaigns.planning import plans
from bankcrm.core.exceptions import ValidationFailed


def test_the_eight_sections_in_the_handbook_s_order() -> None:
    assert plans.SECTION_CODES == (
        "summary",
        "situation",
        "opportunities",
        "objectives",
        "strategy",
        "actions",
        "budget",
        "controls",
    )
    strategy = plans.section("strategy").parts
    assert {p.value for p in plans.SevenP} <= set(strategy)
    assert plans.section("opportunities").parts == (
        "strengths",
        "weaknesses",
        "opportunities",
        "threats",
    )
    for entry in plans.SECTIONS:
        assert entry.code in plans.SECTION_TEXTS
        assert all(part in plans.PART_TEXTS for part in entry.parts)


def test_the_shipped_checklist_asks_about_every_p_in_both_languages() -> None:
    checklist = plans.shipped_checklist()
    assert {question.p for question in checklist.questions} == set(plans.SevenP)
    evidence = [q for q in checklist.questions if q.p is plans.SevenP.PHYSICAL_EVIDENCE]
    assert any("有形化" in q.text.text("zh_CN") for q in evidence)
    assert all(q.text.text("en") for q in checklist.questions)


def test_a_checklist_without_a_p_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "seven_p.toml"
    path.write_text(
        'version = "x"\ntitle = { zh = "检查", en = "Review" }\n'
        '[[questions]]\ncode = "a"\np = "product"\ntext = { zh = "问", en = "Q" }\n',
        encoding="utf-8",
    )
    with pytest.raises(plans.ChecklistInvalid, match="no question for price"):
        plans.load_checklist(str(path))


def test_clean_parts_refuses_a_part_of_another_section() -> None:
    assert plans.clean_parts("summary", {"summary": "  全年新增客户  "}) == {
        "summary": "全年新增客户"
    }
    with pytest.raises(ValidationFailed):
        plans.clean_parts("summary", {"market": "x"})


def test_completeness_needs_text_owner_date_and_rows() -> None:
    states = {
        state.code: state
        for state in plans.completeness(
            {
                "summary": ({"summary": "摘要"}, True, True),
                "actions": ({"actions": "说明"}, True, True),
                "budget": ({"budget": "说明"}, False, True),
            },
            {"actions": 0, "budget_lines": 2},
        )
    }
    assert states["summary"].complete
    assert not states["actions"].complete  # no action rows
    assert not states["budget"].complete  # no owner
    assert not states["controls"].complete
    assert states["situation"].parts == 5
