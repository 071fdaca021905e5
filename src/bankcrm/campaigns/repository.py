"""All SQL of campaigns: the viewer's members, contacts and consents, and the launch job's
bank-wide reads (the segment, holdouts, other campaigns' controls, consents, recent
contacts) with the bulk writes of a frozen member list."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import and_, exists, func, insert, or_, select, update

from bankcrm.accounts.models import Account, Holding
from bankcrm.campaigns.models import (
    Campaign,
    CampaignMember,
    CampaignSend,
    HoldoutMember,
    MarketingConsent,
    MarketingHoldout,
    SavedSegment,
)
from bankcrm.campaigns.targeting import SegmentCriteria
from bankcrm.churn.models import ChurnScore
from bankcrm.core.enums import (
    AccountStatus,
    CampaignChannel,
    CampaignGroup,
    CampaignStatus,
    CustomerStatus,
    SendStatus,
)
from bankcrm.customers.models import Customer
from bankcrm.scope import ScopedRepository, SystemRepository
from bankcrm.segmentation.models import CustomerSegment
from bankcrm.tasks.models import Task

INSERT_CHUNK = 10_000
MEMBER_COLUMNS = (
    "campaign_id",
    "customer_id",
    "group",
    "branch_id",
    "manager_id",
    "reasons",
    "responded",
    "converted",
    "amount_cents",
)
CONTACTED_STATUSES = (CampaignStatus.RUNNING, CampaignStatus.STOPPED, CampaignStatus.FINISHED)
"""Campaigns whose members have been (or are being) contacted."""


def campaign(session: Any, campaign_id: int) -> Campaign | None:
    return session.get(Campaign, campaign_id)


def campaign_by_code(session: Any, code: str) -> Campaign | None:
    return session.scalars(select(Campaign).where(Campaign.code == code)).first()


def campaigns(session: Any, *, branch_id: int | None, whole_bank: bool) -> Sequence[Campaign]:
    """Campaigns newest first: every one for a viewer of the whole bank, else the bank-wide
    ones and those of the viewer's branch."""
    statement = select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    if not whole_bank:
        statement = statement.where(
            or_(Campaign.branch_id.is_(None), Campaign.branch_id == branch_id)
        )
    return session.scalars(statement).all()


def codes_starting(session: Any, prefix: str) -> int:
    return session.scalar(select(func.count()).where(Campaign.code.like(f"{prefix}%"))) or 0


def saved_segment(session: Any, segment_id: int) -> SavedSegment | None:
    return session.get(SavedSegment, segment_id)


def saved_segments(session: Any) -> Sequence[SavedSegment]:
    return session.scalars(select(SavedSegment).order_by(SavedSegment.name)).all()


def holdouts(session: Any) -> Sequence[MarketingHoldout]:
    return session.scalars(
        select(MarketingHoldout).order_by(MarketingHoldout.starts_on.desc())
    ).all()


class CampaignRepository(ScopedRepository):
    """Campaign members, sends and consents of the customers the viewer may see."""

    def customer(self, customer_id: int) -> Customer | None:
        return self.session.scalar(self.customers().where(Customer.id == customer_id))

    def customer_by_number(self, number: str) -> Customer | None:
        return self.session.scalar(self.customers().where(Customer.external_id == number))

    def member(self, campaign_id: int, customer_id: int) -> CampaignMember | None:
        return self.session.scalar(
            self.owned(CampaignMember).where(
                CampaignMember.campaign_id == campaign_id,
                CampaignMember.customer_id == customer_id,
            )
        )

    def members(
        self,
        campaign_id: int,
        *,
        group: CampaignGroup | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[tuple[CampaignMember, Customer]]:
        statement = (
            self.owned(CampaignMember, CampaignMember, Customer)
            .where(CampaignMember.campaign_id == campaign_id)
            .order_by(CampaignMember.customer_id)
            .offset(offset)
        )
        if group is not None:
            statement = statement.where(CampaignMember.group == group)
        if limit is not None:
            statement = statement.limit(limit)
        return list(self.session.execute(statement))

    def members_by_number(self, campaign_id: int) -> dict[str, CampaignMember]:
        statement = self.owned(CampaignMember, Customer.external_id, CampaignMember).where(
            CampaignMember.campaign_id == campaign_id
        )
        return {number: member for number, member in self.session.execute(statement)}

    def group_counts(self, campaign_id: int) -> dict[CampaignGroup, int]:
        statement = (
            self.owned(CampaignMember, CampaignMember.group, func.count())
            .where(CampaignMember.campaign_id == campaign_id)
            .group_by(CampaignMember.group)
        )
        return {group: count for group, count in self.session.execute(statement)}

    def outcomes(self, campaign_id: int) -> list[tuple[Any, ...]]:
        """Per member of either group: group, branch, contacted, responded, converted and
        amount: what the evaluation is computed from."""
        statement = self.owned(
            CampaignMember,
            CampaignMember.group,
            CampaignMember.branch_id,
            CampaignMember.contacted_at.is_not(None),
            CampaignMember.responded,
            CampaignMember.converted,
            CampaignMember.amount_cents,
        ).where(
            CampaignMember.campaign_id == campaign_id,
            CampaignMember.group.in_((CampaignGroup.TREATMENT, CampaignGroup.CONTROL)),
        )
        return list(self.session.execute(statement))

    def exclusion_counts(self, campaign_id: int) -> list[tuple[list[str], int]]:
        """Excluded members by their reasons. Counted here, not grouped by the database:
        PostgreSQL has no equality on ``json`` and the reasons are a JSON list."""
        statement = self.owned(CampaignMember, CampaignMember.reasons).where(
            CampaignMember.campaign_id == campaign_id,
            CampaignMember.group == CampaignGroup.EXCLUDED,
        )
        counted = Counter(tuple(reasons) for reasons in self.session.scalars(statement))
        return [(list(reasons), count) for reasons, count in counted.items()]

    def consents(self, customer_id: int) -> Sequence[MarketingConsent]:
        return self.session.scalars(
            self.owned(MarketingConsent)
            .where(MarketingConsent.customer_id == customer_id)
            .order_by(MarketingConsent.id.desc())
        ).all()

    def campaign_memberships(self, customer_id: int) -> list[tuple[CampaignMember, str]]:
        statement = (
            self.owned(CampaignMember, CampaignMember, Campaign.name)
            .join(Campaign, Campaign.id == CampaignMember.campaign_id)
            .where(CampaignMember.customer_id == customer_id)
            .order_by(Campaign.starts_on.desc())
        )
        return list(self.session.execute(statement))

    def sends(self, campaign_id: int, *, limit: int) -> Sequence[CampaignSend]:
        return self.session.scalars(
            self.owned(CampaignSend)
            .where(CampaignSend.campaign_id == campaign_id)
            .order_by(CampaignSend.id.desc())
            .limit(limit)
        ).all()

    def contact_tasks(self, campaign_code: str) -> Sequence[Task]:
        return self.session.scalars(
            self.owned(Task)
            .where(Task.source == "campaign", Task.source_ref == campaign_code)
            .order_by(Task.due_on, Task.id)
        ).all()


class CampaignSystemRepository(SystemRepository):
    """The launch, the sending and the holdout draw: they act for the whole bank."""

    def segment(
        self,
        criteria: SegmentCriteria,
        *,
        segment_run_id: int | None,
        churn_run_id: int | None,
        today: date,
    ) -> list[tuple[int, int, int | None, str | None, str | None]]:
        """The active customers who meet ``criteria``, by id: id, branch, manager, mobile
        phone and e-mail."""
        statement = self.customers(
            Customer.id,
            Customer.branch_id,
            Customer.manager_id,
            Customer.mobile_phone,
            Customer.email,
        ).where(Customer.status == CustomerStatus.ACTIVE)
        if criteria.customer_types:
            statement = statement.where(Customer.customer_type.in_(criteria.customer_types))
        if criteria.branch_ids:
            statement = statement.where(Customer.branch_id.in_(criteria.branch_ids))
        if criteria.needs_segments:
            statement = self.same_customer(
                statement, CustomerSegment, CustomerSegment.run_id == segment_run_id
            )
            for column, values in (
                (CustomerSegment.quadrant, criteria.quadrants),
                (CustomerSegment.value_tier, criteria.value_tiers),
                (CustomerSegment.lifecycle_stage, criteria.lifecycle_stages),
            ):
                if values:
                    statement = statement.where(column.in_(values))
        if criteria.needs_churn:
            statement = self.same_customer(statement, ChurnScore, ChurnScore.run_id == churn_run_id)
            if criteria.churn_risk_min is not None:
                statement = statement.where(ChurnScore.probability >= criteria.churn_risk_min)
            if criteria.churn_risk_max is not None:
                statement = statement.where(ChurnScore.probability <= criteria.churn_risk_max)
        for product_id in criteria.holds_products:
            statement = statement.where(self._holds(product_id, today))
        for product_id in criteria.lacks_products:
            statement = statement.where(~self._holds(product_id, today))
        return list(self.session.execute(statement.order_by(Customer.id)))

    @staticmethod
    def _holds(product_id: int, today: date) -> Any:
        account = exists().where(
            Account.customer_id == Customer.id,
            Account.product_id == product_id,
            Account.status != AccountStatus.CLOSED,
        )
        holding = exists().where(
            Holding.customer_id == Customer.id,
            Holding.product_id == product_id,
            or_(Holding.ended_on.is_(None), Holding.ended_on > today),
        )
        return or_(account, holding)

    def held_out(self, today: date) -> set[int]:
        statement = (
            self.owned(HoldoutMember, HoldoutMember.customer_id)
            .join(MarketingHoldout, MarketingHoldout.id == HoldoutMember.holdout_id)
            .where(MarketingHoldout.starts_on <= today, MarketingHoldout.ends_on >= today)
        )
        return set(self.session.scalars(statement))

    def controls_elsewhere(self, *, starts_on: date, ends_on: date) -> set[int]:
        """Control members of launched campaigns whose window overlaps this one's."""
        statement = (
            self.owned(CampaignMember, CampaignMember.customer_id)
            .join(Campaign, Campaign.id == CampaignMember.campaign_id)
            .where(
                CampaignMember.group == CampaignGroup.CONTROL,
                Campaign.status.in_(CONTACTED_STATUSES),
                Campaign.starts_on <= ends_on,
                Campaign.ends_on >= starts_on,
            )
        )
        return set(self.session.scalars(statement))

    def consents(self, channel: CampaignChannel) -> dict[int, bool]:
        """Each customer's consent in force on ``channel``: their newest answer."""
        newest = (
            self.owned(MarketingConsent, func.max(MarketingConsent.id))
            .where(MarketingConsent.channel == channel)
            .group_by(MarketingConsent.customer_id)
        )
        statement = self.owned(
            MarketingConsent, MarketingConsent.customer_id, MarketingConsent.granted
        ).where(MarketingConsent.id.in_(newest))
        return {customer: bool(granted) for customer, granted in self.session.execute(statement)}

    def recent_contacts(self, since: datetime) -> dict[int, int]:
        """Campaign contacts per customer since ``since``: treatment memberships of
        campaigns launched since then, contacted yet or not."""
        statement = (
            self.owned(CampaignMember, CampaignMember.customer_id, func.count())
            .join(Campaign, Campaign.id == CampaignMember.campaign_id)
            .where(
                CampaignMember.group == CampaignGroup.TREATMENT,
                Campaign.status.in_(CONTACTED_STATUSES),
                Campaign.launched_at >= since,
            )
            .group_by(CampaignMember.customer_id)
        )
        return {customer: int(count) for customer, count in self.session.execute(statement)}

    def add_members(self, rows: Iterable[dict[str, Any]]) -> None:
        """The frozen member list, straight to the driver's ``executemany``: a million
        members through the ORM's per-row processing take most of a launch. Each value is
        encoded as its column encodes it, once per distinct value, since all members share
        a few groups and reason lists."""
        connection = self.session.connection()
        dialect = connection.dialect
        table = CampaignMember.__table__
        marker = "?" if dialect.paramstyle == "qmark" else "%s"
        statement = (
            f"INSERT INTO {CampaignMember.__tablename__} "
            f"({', '.join(dialect.identifier_preparer.quote(name) for name in MEMBER_COLUMNS)}) "
            f"VALUES ({', '.join([marker] * len(MEMBER_COLUMNS))})"
        )
        encoders = {
            name: _once_per_value(
                table.c[name].type.bind_processor(dialect) or default,
            )
            for name, default in (
                ("group", _as_is),
                ("reasons", json.dumps),
                ("responded", _as_is),
                ("converted", _as_is),
            )
        }
        group, reasons = encoders["group"], encoders["reasons"]
        responded, converted = encoders["responded"], encoders["converted"]
        iterator = iter(rows)
        while chunk := list(islice(iterator, INSERT_CHUNK)):
            connection.exec_driver_sql(
                statement,
                [
                    (
                        row["campaign_id"],
                        row["customer_id"],
                        group(row["group"]),
                        row["branch_id"],
                        row["manager_id"],
                        reasons(row["reasons"]),
                        responded(row["responded"]),
                        converted(row["converted"]),
                        row["amount_cents"],
                    )
                    for row in chunk
                ],
            )

    def add_tasks(self, rows: Iterable[dict[str, Any]]) -> None:
        self._insert(Task, rows)

    def add_holdout_members(self, rows: Iterable[dict[str, Any]]) -> None:
        self._insert(HoldoutMember, rows)

    def _insert(self, model: Any, rows: Iterable[dict[str, Any]]) -> None:
        chunk: list[dict[str, Any]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == INSERT_CHUNK:
                self.session.execute(insert(model), chunk)
                chunk = []
        if chunk:
            self.session.execute(insert(model), chunk)

    def to_send(self, campaign_id: int) -> list[tuple[int, str | None, str | None]]:
        """Treatment members not yet sent to: customer, mobile phone, e-mail."""
        already = exists().where(
            and_(
                CampaignSend.campaign_id == campaign_id,
                CampaignSend.customer_id == CampaignMember.customer_id,
                CampaignSend.status == SendStatus.SENT,
            )
        )
        statement = (
            self.owned(CampaignMember, Customer.id, Customer.mobile_phone, Customer.email)
            .where(
                CampaignMember.campaign_id == campaign_id,
                CampaignMember.group == CampaignGroup.TREATMENT,
                ~already,
            )
            .order_by(Customer.id)
        )
        return list(self.session.execute(statement))

    def add_send(self, row: dict[str, Any]) -> None:
        self.session.execute(insert(CampaignSend), [row])

    def mark_contacted(self, campaign_id: int, customer_ids: Sequence[int], at: datetime) -> None:
        if not customer_ids:
            return
        self.session.execute(
            update(CampaignMember)
            .where(
                CampaignMember.campaign_id == campaign_id,
                CampaignMember.customer_id.in_(customer_ids),
                CampaignMember.contacted_at.is_(None),
            )
            .values(contacted_at=at)
        )

    def analysis_rows(
        self, campaign_id: int, *, segment_run_id: int | None, churn_run_id: int | None
    ) -> list[tuple[Any, ...]]:
        """Per member of either group, what came of it and the customer's features at the
        latest runs (none of their personal data): group, contacted, responded, converted,
        amount, customer type, branch, birth date, quadrant, value tier, lifecycle stage,
        business volume, loyalty index, churn probability."""
        statement = self.owned(
            CampaignMember,
            CampaignMember.group,
            CampaignMember.contacted_at.is_not(None),
            CampaignMember.responded,
            CampaignMember.converted,
            CampaignMember.amount_cents,
            Customer.customer_type,
            CampaignMember.branch_id,
            Customer.birth_date,
            CustomerSegment.quadrant,
            CustomerSegment.value_tier,
            CustomerSegment.lifecycle_stage,
            CustomerSegment.business_volume_cents,
            CustomerSegment.loyalty_index,
            ChurnScore.probability,
        ).where(
            CampaignMember.campaign_id == campaign_id,
            CampaignMember.group.in_((CampaignGroup.TREATMENT, CampaignGroup.CONTROL)),
        )
        statement = self.same_customer(
            statement, CustomerSegment, CustomerSegment.run_id == segment_run_id, outer=True
        )
        statement = self.same_customer(
            statement, ChurnScore, ChurnScore.run_id == churn_run_id, outer=True
        )
        return list(self.session.execute(statement.order_by(CampaignMember.customer_id)))

    def all_customers(self) -> list[tuple[int, int]]:
        statement = self.customers(Customer.id, Customer.branch_id).where(
            Customer.status == CustomerStatus.ACTIVE
        )
        return list(self.session.execute(statement.order_by(Customer.id)))


def _as_is(value: Any) -> Any:
    return value


def _once_per_value(encode: Callable[[Any], Any]) -> Callable[[Any], Any]:
    encoded: dict[Any, Any] = {}

    def cached(value: Any) -> Any:
        key = tuple(value) if isinstance(value, list) else value
        if key not in encoded:
            encoded[key] = encode(value)
        return encoded[key]

    return cached
