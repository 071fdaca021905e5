"""All SQL of marketing plans: the plans a viewer may see, their rows, the staff and branches
they name, and the spend of the campaigns linked to them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.orm import Session

from bankcrm.branches.models import Branch
from bankcrm.campaigns.models import Campaign, CampaignMember
from bankcrm.campaigns.planning.models import (
    MarketingPlan,
    MarketingPlanAction,
    MarketingPlanBudgetLine,
    MarketingPlanCampaign,
    MarketingPlanChecklistAnswer,
    MarketingPlanCompetitor,
    MarketingPlanPest,
    MarketingPlanSection,
)
from bankcrm.scope import ROLE_SCOPE, Scope, SystemRepository
from bankcrm.staff.models import StaffUser

ROW_MODELS: dict[str, Any] = {
    "competitors": MarketingPlanCompetitor,
    "pest": MarketingPlanPest,
    "actions": MarketingPlanAction,
    "budget_lines": MarketingPlanBudgetLine,
}
"""The plan's row tables by the name the pages and the API use."""
CHILD_MODELS: tuple[Any, ...] = (
    MarketingPlanSection,
    MarketingPlanCompetitor,
    MarketingPlanPest,
    MarketingPlanAction,
    MarketingPlanBudgetLine,
    MarketingPlanChecklistAnswer,
)


class PlanRepository:
    """The plans the viewer may see: every plan for a bank-wide role, the bank-wide plans
    and their own branch's for a branch manager."""

    def __init__(self, session: Session, viewer: StaffUser) -> None:
        self.session = session
        self.viewer = viewer

    def _visible(self) -> ColumnElement[bool]:
        scope = ROLE_SCOPE[self.viewer.role]
        if scope is Scope.ALL:
            return true()
        if scope is Scope.BRANCH and self.viewer.branch_id is not None:
            return or_(
                MarketingPlan.branch_id.is_(None),
                MarketingPlan.branch_id == self.viewer.branch_id,
            )
        return MarketingPlan.branch_id.is_(None)

    def latest_plans(self, *, limit: int) -> list[MarketingPlan]:
        """The newest version of each plan, newest edits first."""
        newest = (
            select(MarketingPlan.series_id, func.max(MarketingPlan.revision).label("revision"))
            .group_by(MarketingPlan.series_id)
            .subquery()
        )
        statement = (
            select(MarketingPlan)
            .join(
                newest,
                (newest.c.series_id == MarketingPlan.series_id)
                & (newest.c.revision == MarketingPlan.revision),
            )
            .where(self._visible())
            .order_by(MarketingPlan.edited_at.desc(), MarketingPlan.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def plan(self, plan_id: int) -> MarketingPlan | None:
        statement = select(MarketingPlan).where(MarketingPlan.id == plan_id, self._visible())
        return self.session.scalar(statement)

    def versions(self, series_id: int) -> list[MarketingPlan]:
        statement = (
            select(MarketingPlan)
            .where(MarketingPlan.series_id == series_id, self._visible())
            .order_by(MarketingPlan.revision.desc())
        )
        return list(self.session.scalars(statement))

    def newest_revision(self, series_id: int) -> int:
        statement = select(func.max(MarketingPlan.revision)).where(
            MarketingPlan.series_id == series_id
        )
        return self.session.scalar(statement) or 0

    # --- the plan's rows ----------------------------------------------------------------------

    def sections(self, plan_id: int) -> list[MarketingPlanSection]:
        statement = select(MarketingPlanSection).where(MarketingPlanSection.plan_id == plan_id)
        return list(self.session.scalars(statement))

    def rows(self, kind: str, plan_id: int) -> list[Any]:
        model = ROW_MODELS[kind]
        statement = select(model).where(model.plan_id == plan_id).order_by(model.id)
        return list(self.session.scalars(statement))

    def row(self, kind: str, plan_id: int, row_id: int) -> Any | None:
        model = ROW_MODELS[kind]
        statement = select(model).where(model.plan_id == plan_id, model.id == row_id)
        return self.session.scalar(statement)

    def checklist(self, plan_id: int) -> list[MarketingPlanChecklistAnswer]:
        statement = select(MarketingPlanChecklistAnswer).where(
            MarketingPlanChecklistAnswer.plan_id == plan_id
        )
        return list(self.session.scalars(statement))

    def children(self, plan_id: int) -> list[Any]:
        """Every row of the plan version but its campaign links, to copy into a new version."""
        found: list[Any] = []
        for model in CHILD_MODELS:
            found.extend(
                self.session.scalars(
                    select(model).where(model.plan_id == plan_id).order_by(model.id)
                )
            )
        return found

    def campaign_links(self, plan_id: int) -> list[MarketingPlanCampaign]:
        statement = select(MarketingPlanCampaign).where(MarketingPlanCampaign.plan_id == plan_id)
        return list(self.session.scalars(statement))

    def linked_campaigns(self, plan_id: int) -> list[Campaign]:
        statement = (
            select(Campaign)
            .join(MarketingPlanCampaign, MarketingPlanCampaign.campaign_id == Campaign.id)
            .where(MarketingPlanCampaign.plan_id == plan_id)
            .order_by(Campaign.starts_on, Campaign.id)
        )
        return list(self.session.scalars(statement))

    def campaign(self, campaign_id: int) -> Campaign | None:
        return self.session.get(Campaign, campaign_id)

    # --- names ----------------------------------------------------------------------------------

    def staff_names(self, staff_ids: Iterable[int | None]) -> dict[int, str]:
        wanted = {staff_id for staff_id in staff_ids if staff_id is not None}
        if not wanted:
            return {}
        statement = select(StaffUser.id, StaffUser.full_name).where(StaffUser.id.in_(wanted))
        return {staff_id: name for staff_id, name in self.session.execute(statement)}

    def active_staff(self, staff_id: int) -> bool:
        statement = select(StaffUser.id).where(
            StaffUser.id == staff_id, StaffUser.is_active.is_(True)
        )
        return self.session.scalar(statement) is not None

    def staff_choices(self) -> list[tuple[int, str]]:
        """The active staff a section or an action may be given to, by name."""
        statement = (
            select(StaffUser.id, StaffUser.full_name)
            .where(StaffUser.is_active.is_(True))
            .order_by(StaffUser.full_name, StaffUser.id)
        )
        return [(staff_id, name) for staff_id, name in self.session.execute(statement)]

    def branch_names(self, branch_ids: Iterable[int | None]) -> dict[int, str]:
        wanted = {branch_id for branch_id in branch_ids if branch_id is not None}
        if not wanted:
            return {}
        statement = select(Branch.id, Branch.name).where(Branch.id.in_(wanted))
        return {branch_id: name for branch_id, name in self.session.execute(statement)}

    def branches(self) -> list[tuple[int, str]]:
        statement = select(Branch.id, Branch.name).order_by(Branch.name, Branch.id)
        return [(branch_id, name) for branch_id, name in self.session.execute(statement)]


class PlanSpendSystemRepository(SystemRepository):
    """How many customers each campaign contacted, over the whole campaign. A plan's actual
    spend is what its campaigns cost the bank, so the count is of every member contacted, not
    of those in the viewer's book; it names no customer."""

    def contacted(self, campaign_ids: Sequence[int]) -> dict[int, int]:
        if not campaign_ids:
            return {}
        statement = (
            self.owned(CampaignMember, CampaignMember.campaign_id, func.count())
            .where(
                CampaignMember.campaign_id.in_(campaign_ids),
                CampaignMember.contacted_at.is_not(None),
            )
            .group_by(CampaignMember.campaign_id)
        )
        return {campaign_id: count for campaign_id, count in self.session.execute(statement)}
