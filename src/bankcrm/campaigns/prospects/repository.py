"""All SQL of the prospect pipeline, for a viewer: a prospect is seen by its owner and its
branch (the whole bank for roles that see it all), and its events, objections and
follow-ups with it (``scope.OWNERSHIP``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from bankcrm.campaigns.prospects.models import (
    Prospect,
    ProspectEvent,
    ProspectFollowUp,
    ProspectObjection,
)
from bankcrm.core.enums import ProspectStage
from bankcrm.customers.models import Customer
from bankcrm.products.models import Product
from bankcrm.scope import ScopedRepository

PLANNED = ProspectFollowUp.planned_on


class ProspectRepository(ScopedRepository):
    """The prospects the viewer may see, and what hangs off them."""

    def find(self, *, conditions: Sequence[ColumnElement[bool]], limit: int) -> list[Prospect]:
        """The prospects that meet ``conditions``, the next to act on first."""
        statement = (
            self.owned(Prospect)
            .where(*conditions)
            .order_by(Prospect.updated_at.desc())
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def events(
        self, *, conditions: Sequence[ColumnElement[bool]], limit: int
    ) -> list[ProspectEvent]:
        """Stage and fee-flow moves, oldest first."""
        statement = (
            self.owned(ProspectEvent)
            .where(*conditions)
            .order_by(ProspectEvent.at, ProspectEvent.id)
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def objections(
        self, *, conditions: Sequence[ColumnElement[bool]], limit: int
    ) -> list[ProspectObjection]:
        statement = (
            self.owned(ProspectObjection)
            .where(*conditions)
            .order_by(ProspectObjection.recorded_at, ProspectObjection.id)
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def follow_ups(
        self, *, conditions: Sequence[ColumnElement[bool]], limit: int
    ) -> list[ProspectFollowUp]:
        """Follow-ups by planned day."""
        statement = (
            self.owned(ProspectFollowUp)
            .where(*conditions)
            .order_by(ProspectFollowUp.planned_on, ProspectFollowUp.id)
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def next_follow_ups(self, *, conditions: Sequence[ColumnElement[bool]]) -> dict[int, date]:
        """Each prospect's earliest follow-up not yet done, among those ``conditions`` pick."""
        statement = (
            self.owned(ProspectFollowUp, ProspectFollowUp.prospect_id, func.min(PLANNED))
            .where(ProspectFollowUp.done_at.is_(None), *conditions)
            .group_by(ProspectFollowUp.prospect_id)
        )
        return {int(prospect): day for prospect, day in self.session.execute(statement)}

    def stage_counts(
        self, *, branch_id: int | None
    ) -> list[tuple[ProspectStage, ProspectStage, int]]:
        """(stage now, furthest stage reached, prospects) of the branch, or of all the viewer
        sees when no branch is given."""
        statement = self.owned(
            Prospect, Prospect.stage, Prospect.reached_stage, func.count(Prospect.id)
        ).group_by(Prospect.stage, Prospect.reached_stage)
        if branch_id is not None:
            statement = statement.where(Prospect.branch_id == branch_id)
        rows = self.session.execute(statement)
        return [(stage, reached, int(count)) for stage, reached, count in rows]

    def customer(self, *, customer_id: int) -> Customer | None:
        """The customer, when the viewer may see them."""
        return self.session.scalar(self.customers().where(Customer.id == customer_id))

    def customers_matching(self, *, text: str, limit: int) -> list[Customer]:
        """The viewer's customers whose name or customer number contains ``text``."""
        pattern = f"%{text.strip()}%"
        statement = (
            self.customers()
            .where(Customer.name.like(pattern) | Customer.external_id.like(pattern))
            .order_by(Customer.name, Customer.id)
            .limit(limit)
        )
        return list(self.session.scalars(statement))


def product(session: Session, product_id: int) -> Product | None:
    return session.get(Product, product_id)


def products(session: Session) -> list[Product]:
    """The catalogue's products a prospect may be interested in, by category and name."""
    statement = select(Product).where(Product.is_active).order_by(Product.category, Product.name_zh)
    return list(session.scalars(statement))
