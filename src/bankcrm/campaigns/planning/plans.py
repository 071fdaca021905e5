"""The structure of a marketing plan as the handbook sets it out, the 7P review questions,
and how complete a plan's sections are. Pure: no database, no web.

The eight sections (金融产品营销计划的八大内容): (1) executive summary 计划实施摘要;
(2) the current situation 当前营销状况 — market, competition, product, distribution and the
macro environment; (3) opportunities and issues 机会和问题分析 (strengths, weaknesses,
opportunities, threats); (4) objectives 营销目标; (5) strategy 营销战略 — target market, the
7P mix, expenses; (6) action plan 行动方案; (7) budget 营销预算; (8) controls 计划实施的控制.
Each section is a set of named text parts; rows (competitors, PEST factors, actions, budget
lines) sit beside them in their own tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from importlib.resources.abc import Traversable

from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.localized import LocalizedText
from bankcrm.core.messages import _
from bankcrm.core.toml_reader import TomlReader

SHIPPED_CHECKLIST = "seven_p_checklist.toml"


class SevenP(StrEnum):
    PRODUCT = "product"
    PRICE = "price"
    PLACE = "place"
    PROMOTION = "promotion"
    PEOPLE = "people"
    PROCESS = "process"
    PHYSICAL_EVIDENCE = "physical_evidence"


@dataclass(frozen=True)
class Section:
    code: str
    parts: tuple[str, ...]


SECTIONS: tuple[Section, ...] = (
    Section("summary", ("summary",)),
    Section("situation", ("market", "competition", "product", "distribution", "macro")),
    Section("opportunities", ("strengths", "weaknesses", "opportunities", "threats")),
    Section("objectives", ("objectives",)),
    Section(
        "strategy",
        (
            "target_market",
            *(p.value for p in SevenP),
            "expenses",
        ),
    ),
    Section("actions", ("actions",)),
    Section("budget", ("budget",)),
    Section("controls", ("measures", "reviews")),
)
"""The eight sections in the handbook's order, each with its text parts."""

SECTION_CODES = tuple(section.code for section in SECTIONS)


def section(code: str) -> Section:
    for candidate in SECTIONS:
        if candidate.code == code:
            return candidate
    raise ValidationFailed(f"no plan section {code!r}", field="section")


def clean_parts(code: str, parts: dict[str, str]) -> dict[str, str]:
    """The section's parts as stored: only its own parts, stripped, empty ones left out."""
    known = section(code).parts
    for name in parts:
        if name not in known:
            raise ValidationFailed(f"section {code!r} has no part {name!r}", field=name)
    return {name: text.strip() for name, text in parts.items() if text and text.strip()}


@dataclass(frozen=True)
class SectionState:
    """What one section holds: the parts written, and whether it has its owner and review date
    and its rows where the section is made of rows."""

    code: str
    written: int
    parts: int
    has_owner: bool
    has_review_date: bool
    has_rows: bool

    @property
    def complete(self) -> bool:
        return (
            self.written == self.parts and self.has_owner and self.has_review_date and self.has_rows
        )


ROW_SECTIONS = {"situation": "competitors", "actions": "actions", "budget": "budget_lines"}
"""The sections that are not complete without rows: the competition needs at least one
competitor, the action plan an action and the budget a line."""


def completeness(
    sections: dict[str, tuple[dict[str, str], bool, bool]], row_counts: dict[str, int]
) -> list[SectionState]:
    """Each section's state, in the handbook's order.

    ``sections`` maps a section code to its stored parts, whether it has an owner and
    whether it has a review date; ``row_counts`` the plan's rows by kind (``competitors``,
    ``actions``, ``budget_lines``).
    """
    states = []
    for entry in SECTIONS:
        parts, has_owner, has_review = sections.get(entry.code, ({}, False, False))
        rows = ROW_SECTIONS.get(entry.code)
        states.append(
            SectionState(
                code=entry.code,
                written=sum(1 for name in entry.parts if parts.get(name)),
                parts=len(entry.parts),
                has_owner=has_owner,
                has_review_date=has_review,
                has_rows=rows is None or row_counts.get(rows, 0) > 0,
            )
        )
    return states


# --- the 7P review checklist ----------------------------------------------------------------


class ChecklistInvalid(ValidationFailed):
    """A 7P checklist file that cannot be used; ``field`` names the entry at fault."""


@dataclass(frozen=True)
class Question:
    code: str
    p: SevenP
    text: LocalizedText


@dataclass(frozen=True)
class Checklist:
    version: str
    title: LocalizedText
    questions: tuple[Question, ...]

    def question(self, code: str) -> Question:
        for candidate in self.questions:
            if candidate.code == code:
                return candidate
        raise ValidationFailed(f"no 7P question {code!r}", field="code")


class _Reader(TomlReader):
    invalid = ChecklistInvalid

    def checklist(self, data: dict[str, object]) -> Checklist:
        self.keys("checklist", data, {"version", "title", "questions"})
        questions: list[Question] = []
        seen: set[str] = set()
        for index, entry in enumerate(self.table_list("questions", data["questions"])):
            where = self.named(f"questions[{index}]", entry.get("code"))
            self.keys(where, entry, {"code", "p", "text"})
            code = self.code(f"{where}.code", entry["code"])
            if code in seen:
                raise self.fail(f"{where}.code", f"{code!r} is used twice")
            seen.add(code)
            questions.append(
                Question(
                    code=code,
                    p=self.choice(f"{where}.p", entry["p"], SevenP),
                    text=self.localized(f"{where}.text", entry["text"]),
                )
            )
        missing = [p.value for p in SevenP if all(q.p is not p for q in questions)]
        if missing:
            raise self.fail("questions", f"no question for {', '.join(missing)}")
        return Checklist(
            version=self.string("version", data["version"]),
            title=self.localized("title", data["title"]),
            questions=tuple(questions),
        )


def load_checklist(path: Traversable | str) -> Checklist:
    """Read and validate a 7P checklist file (``data/seven_p_checklist.toml`` shows the
    format); every P needs at least one question.

    Raises
    ------
    ChecklistInvalid
        On the first problem, naming the file and the entry.
    """
    reader = _Reader(str(path))
    return reader.checklist(reader.read(path))


def shipped_checklist() -> Checklist:
    return load_checklist(
        resources.files("bankcrm.campaigns.planning") / "data" / SHIPPED_CHECKLIST
    )


# --- words shown for the plan's codes ---------------------------------------------------------


SECTION_TEXTS = {
    "summary": _("1. Executive summary"),
    "situation": _("2. Current marketing situation"),
    "opportunities": _("3. Opportunities and issues"),
    "objectives": _("4. Marketing objectives"),
    "strategy": _("5. Marketing strategy"),
    "actions": _("6. Action plan"),
    "budget": _("7. Marketing budget"),
    "controls": _("8. Controls"),
}
PART_TEXTS = {
    "summary": _("Summary"),
    "market": _("Market"),
    "competition": _("Competition"),
    "product": _("Product"),
    "distribution": _("Distribution"),
    "macro": _("Macro environment"),
    "strengths": _("Strengths"),
    "weaknesses": _("Weaknesses"),
    "opportunities": _("Opportunities"),
    "threats": _("Threats"),
    "objectives": _("Objectives"),
    "target_market": _("Target market"),
    "price": _("Price"),
    "place": _("Place"),
    "promotion": _("Promotion"),
    "people": _("People"),
    "process": _("Process"),
    "physical_evidence": _("Physical evidence"),
    "expenses": _("Marketing expenses"),
    "actions": _("Notes on the actions"),
    "budget": _("Notes on the budget"),
    "measures": _("Control measures"),
    "reviews": _("Reviews and reviewers"),
}
STATUS_TEXTS = {
    "draft": _("draft"),
    "submitted": _("waiting for approval"),
    "approved": _("approved"),
    "returned": _("returned"),
}
METHOD_TEXTS = {
    "affordable": _("Affordable"),
    "percent_of_sales": _("Percent of sales"),
    "competitive_parity": _("Competitive parity"),
    "objective_and_task": _("Objective and task"),
}
CHANNEL_TEXTS = {
    "branch": _("Branch"),
    "phone": _("Phone"),
    "sms": _("SMS"),
    "app": _("App"),
    "email": _("E-mail"),
    "wechat": _("WeChat"),
    "": _("Other"),
}
PEST_TEXTS = {
    "political": _("Political"),
    "economic": _("Economic"),
    "social": _("Social"),
    "technological": _("Technological"),
}
ANSWER_TEXTS = {"yes": _("yes"), "no": _("no"), "partly": _("partly"), "": _("not answered")}
TEXTS = {
    "section": SECTION_TEXTS,
    "part": PART_TEXTS,
    "status": STATUS_TEXTS,
    "method": METHOD_TEXTS,
    "channel": CHANNEL_TEXTS,
    "pest": PEST_TEXTS,
    "answer": ANSWER_TEXTS,
}
"""Each code's message, by kind; the catalog translates it where it is shown."""


def text_key(kind: str, value: object) -> str:
    """The message for a code of ``kind`` (an enumeration value, or none)."""
    code = "" if value is None else str(getattr(value, "value", value))
    return TEXTS[kind].get(code, code)
