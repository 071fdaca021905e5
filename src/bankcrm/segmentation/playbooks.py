"""The handbook's playbook for each quadrant (客户矩阵法, 001) and the actions that become tasks.

Only problem customers 2 get per-customer tasks: the handbook gives them four concrete steps;
for the other quadrants it sets a strategy (maintain, grow share, win at low cost).
"""

from __future__ import annotations

from dataclasses import dataclass

from bankcrm.core.enums import Quadrant
from bankcrm.core.localized import LocalizedText


@dataclass(frozen=True)
class Action:
    code: str
    title: LocalizedText
    detail: LocalizedText
    due_days: int


@dataclass(frozen=True)
class Playbook:
    quadrant: Quadrant
    name: LocalizedText
    who: LocalizedText
    strategy: LocalizedText
    practices: tuple[LocalizedText, ...]
    actions: tuple[Action, ...] = ()


PLAYBOOKS: dict[Quadrant, Playbook] = {
    Quadrant.LOYAL: Playbook(
        Quadrant.LOYAL,
        LocalizedText.of(zh="忠诚客户", en="Loyal customer"),
        LocalizedText.of(zh="业务份额大、忠诚度高", en="High business share, high loyalty"),
        LocalizedText.of(
            zh="维持策略:只进行适量的投资,维持已建立起来的忠诚信任关系。",
            en="Maintain: invest moderately to keep the trust already built.",
        ),
        (
            LocalizedText.of(
                zh="签定长期合作意向书,将合作关系契约化、固定化、惯例化。",
                en="Sign long-term cooperation agreements that make the relationship routine.",
            ),
            LocalizedText.of(
                zh="主动沟通、洽谈,了解其发展现状及长远战略,提供最优质的服务。",
                en=(
                    "Talk to them on your own initiative about their plans; "
                    "serve them at your best."
                ),
            ),
            LocalizedText.of(
                zh="“一对多”的客户经理模式,扩大每位客户经理的管理跨度,节约成本。",
                en="One account manager for many such customers, which saves cost.",
            ),
        ),
    ),
    Quadrant.PROBLEM_1: Playbook(
        Quadrant.PROBLEM_1,
        LocalizedText.of(zh="问题客户1", en="Problem customer 1"),
        LocalizedText.of(
            zh="忠诚度高、业务份额小(多为中小客户)", en="High loyalty, small share (mostly SMEs)"
        ),
        LocalizedText.of(
            zh="不能忽视:小客户数量多、平均利润率高,设法提高其业务份额。",
            en="Never neglect them: many, with high margins; grow their share of business.",
        ),
        (
            LocalizedText.of(
                zh="由中小企业服务中心提供“量身定做”式的贴身化、个性化金融服务。",
                en="Serve them through the SME service centre with tailored, personal services.",
            ),
        ),
    ),
    Quadrant.PROBLEM_2: Playbook(
        Quadrant.PROBLEM_2,
        LocalizedText.of(zh="问题客户2", en="Problem customer 2"),
        LocalizedText.of(zh="业务份额大、忠诚度低", en="High business share, low loyalty"),
        LocalizedText.of(
            zh="最具成长潜力:挖掘并满足其深层次需求,引导其向忠诚客户转化。",
            en="The most potential: meet their deeper needs and lead them to become loyal.",
        ),
        (
            LocalizedText.of(zh="鉴别客户的信用等级。", en="Check the customer's credit grade."),
            LocalizedText.of(
                zh="判定问题处在事前还是事后(建立关系前还是建立关系后)。",
                en="Decide whether the problem is before or after the relationship was built.",
            ),
            LocalizedText.of(
                zh="实行针对大客户的客户经理制。",
                en="Give the customer a dedicated account manager.",
            ),
            LocalizedText.of(
                zh="实行“一对一营销”:识别、差异分析、互动、定制。",
                en="One-to-one marketing: identify, differentiate, interact, customise.",
            ),
        ),
        (
            Action(
                "check_credit_grade",
                LocalizedText.of(zh="鉴别信用等级", en="Check the credit grade"),
                LocalizedText.of(
                    zh="复核客户信用等级,关注产业前景、产权构成、经营管理水平与战略计划。",
                    en=(
                        "Review the credit grade: industry outlook, ownership, management, "
                        "strategy."
                    ),
                ),
                7,
            ),
            Action(
                "diagnose_before_after",
                LocalizedText.of(
                    zh="判定事前/事后问题", en="Diagnose: before or after the relationship"
                ),
                LocalizedText.of(
                    zh="事前:对需求了解不够,加大开发力度;事后:关系出现危机,及时找出环节并解决。",
                    en="Before: we know too little of their needs, develop the relationship; "
                    "after: a crisis, find the step that failed and fix it.",
                ),
                14,
            ),
            Action(
                "assign_dedicated_manager",
                LocalizedText.of(zh="指定专属客户经理", en="Assign a dedicated account manager"),
                LocalizedText.of(
                    zh="为该大客户指定专属客户经理,了解其真正的需求和期望的关系。",
                    en="Give this large customer a dedicated manager who learns what they want.",
                ),
                14,
            ),
            Action(
                "start_one_to_one_plan",
                LocalizedText.of(zh="启动一对一营销方案", en="Start a one-to-one plan"),
                LocalizedText.of(
                    zh="四个步骤:识别客户、分析差异、保持良性接触、调整产品或服务。",
                    en="Four steps: identify, differentiate, interact, customise.",
                ),
                30,
            ),
        ),
    ),
    Quadrant.ORDINARY: Playbook(
        Quadrant.ORDINARY,
        LocalizedText.of(zh="一般客户", en="Ordinary customer"),
        LocalizedText.of(zh="忠诚度低、业务份额小", en="Low loyalty, small share"),
        LocalizedText.of(
            zh="只要有利润机会就争取,在留住问题客户1和2的基础上以低成本争取。",
            en="Win them where it pays, at low cost, after keeping problem customers 1 and 2.",
        ),
        (
            LocalizedText.of(
                zh="忠诚度低、份额小说明开拓力度不够,仍有提升潜力。",
                en="Low loyalty and share often mean we have not tried hard enough yet.",
            ),
        ),
    ),
}

DOWNGRADE_ACTION = Action(
    "segment_downgrade",
    LocalizedText.of(zh="客户矩阵降级预警", en="Customer matrix downgrade"),
    LocalizedText.of(
        zh="客户在客户矩阵中降级,关系可能紧张:识别原因并及时采取措施挽救。",
        en="The customer moved down the matrix; the relationship may be tense: "
        "find out why and act in time.",
    ),
    7,
)
