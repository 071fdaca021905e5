"""A campaign from design to evaluation on a small bank: approval by someone else, the launch
that freezes members and draws a stratified control group, consent and the frequency cap,
contact tasks that never reach the control group, outcomes worked and imported (all or
nothing), sending logged per member, the stop, and the evaluation against control."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.audit import recorder as audit_recorder
from bankcrm.audit.models import AuditEntry
from bankcrm.campaigns import service
from bankcrm.campaigns.models import CampaignMember, CampaignSend
from bankcrm.campaigns.service import CampaignDraft
from bankcrm.campaigns.targeting import SegmentCriteria
from bankcrm.core.clock import bank_today
from bankcrm.core.config import CampaignSettings
from bankcrm.core.enums import (
    AuditAction,
    CampaignChannel,
    CampaignGroup,
    CampaignObjective,
    CampaignStatus,
    Role,
    TaskStatus,
)
from bankcrm.core.exceptions import Conflict, ImportRejected, PermissionDenied
from bankcrm.staff.models import StaffUser
from bankcrm.tasks.models import Task
from tests import factories


@dataclass
class Bank:
    analyst: StaffUser
    approver: StaffUser
    managers: list[StaffUser]
    branches: list[int]
    customers: list[int]


@pytest.fixture
def bank(session: Session) -> Bank:
    branches = [factories.branch(session).id, factories.branch(session, name="杭州分行").id]
    managers = [
        factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=branch) for branch in branches
    ]
    customers = [
        factories.customer(
            session, branch_id=branches[index % 2], manager_id=managers[index % 2].id
        ).id
        for index in range(120)
    ]
    bank = Bank(
        analyst=factories.staff(session, role=Role.MARKETING_ANALYST),
        approver=factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=branches[0]),
        managers=managers,
        branches=branches,
        customers=customers,
    )
    for customer in customers:
        for channel in (CampaignChannel.PHONE, CampaignChannel.SMS):
            service.record_consent(
                session,
                user=bank.analyst,
                customer_id=customer,
                channel=channel,
                granted=True,
                source="account_opening",
            )
    session.flush()
    return bank


def _running(
    session: Session,
    bank: Bank,
    *,
    channel: CampaignChannel = CampaignChannel.PHONE,
    share: float = 0.2,
    seed: int = 7,
    settings: CampaignSettings | None = None,
) -> int:
    today = bank_today()
    row = service.create_campaign(
        session,
        user=bank.analyst,
        draft=CampaignDraft(
            name="理财到期续作",
            objective=CampaignObjective.REMIND,
            channel=channel,
            criteria=SegmentCriteria(),
            starts_on=today,
            ends_on=today + timedelta(days=30),
            control_share=share,
            seed=seed,
            cost_per_contact=Decimal("2.50"),
            fixed_cost=Decimal("100"),
            message="您好，您的理财即将到期。",
        ),
    )
    service.approve(session, user=bank.approver, campaign_id=row.id)
    service.launch(
        session, user=bank.analyst, campaign_id=row.id, settings=settings or CampaignSettings()
    )
    return row.id


def _members(session: Session, campaign_id: int) -> list[CampaignMember]:
    return list(
        session.scalars(select(CampaignMember).where(CampaignMember.campaign_id == campaign_id))
    )


def test_the_designer_does_not_approve_and_only_an_approved_campaign_starts(
    session: Session, bank: Bank
) -> None:
    today = bank_today()
    draft = CampaignDraft(
        name="新客礼",
        objective=CampaignObjective.STIMULATE,
        channel=CampaignChannel.SMS,
        criteria=SegmentCriteria(),
        starts_on=today,
        ends_on=today + timedelta(days=10),
    )
    row = service.create_campaign(session, user=bank.analyst, draft=draft)
    assert row.code.startswith(f"CMP-{today.year}-")
    with pytest.raises(Conflict):
        service.launch(session, user=bank.analyst, campaign_id=row.id)
    with pytest.raises(PermissionDenied):
        service.approve(session, user=bank.analyst, campaign_id=row.id)
    with pytest.raises(Conflict):
        service.approve(session, user=bank.approver, campaign_id=row.id, version=row.version + 1)
    service.approve(session, user=bank.approver, campaign_id=row.id)
    assert row.status is CampaignStatus.APPROVED


def test_the_control_group_is_a_share_of_each_branch_and_gets_no_task(
    session: Session, bank: Bank
) -> None:
    campaign_id = _running(session, bank, share=0.2)
    members = _members(session, campaign_id)
    assert len(members) == 120
    for branch in bank.branches:
        mine = [m for m in members if m.branch_id == branch]
        control = sum(1 for m in mine if m.group is CampaignGroup.CONTROL)
        assert control in (12, 13), "each branch gives a fifth of its 60 customers"
    tasks = session.scalars(select(Task).where(Task.source == "campaign")).all()
    treated = {m.customer_id for m in members if m.group is CampaignGroup.TREATMENT}
    assert {task.customer_id for task in tasks} == treated
    manager_of = {m.customer_id: m.manager_id for m in members}
    assert all(task.assignee_id == manager_of[task.customer_id] for task in tasks)
    assert all("consent=phone" in m.reasons for m in members if m.group is CampaignGroup.TREATMENT)
    assert "control_draw" in next(m for m in members if m.group is CampaignGroup.CONTROL).reasons


def test_another_campaigns_control_group_is_kept_out_of_contact(
    session: Session, bank: Bank
) -> None:
    first = _running(session, bank, seed=11, settings=CampaignSettings(frequency_cap=10))
    second = _running(session, bank, seed=11, settings=CampaignSettings(frequency_cap=10))
    control = {m.customer_id for m in _members(session, first) if m.group is CampaignGroup.CONTROL}
    second_members = {m.customer_id: m for m in _members(session, second)}
    assert control
    assert all(second_members[c].reasons == ["control_elsewhere"] for c in control)


def test_no_consent_or_an_opt_out_keeps_a_customer_out_of_the_channel(
    session: Session, bank: Bank
) -> None:
    opted_out, never_asked = bank.customers[0], bank.customers[1]
    service.record_consent(
        session,
        user=bank.analyst,
        customer_id=opted_out,
        channel=CampaignChannel.PHONE,
        granted=False,
        source="call",
    )
    campaign_id = _running(session, bank, channel=CampaignChannel.EMAIL)
    by_customer = {m.customer_id: m for m in _members(session, campaign_id)}
    assert all(m.group is CampaignGroup.EXCLUDED for m in by_customer.values())
    assert by_customer[never_asked].reasons == ["no_consent"]
    phone = _running(session, bank, channel=CampaignChannel.PHONE)
    by_customer = {m.customer_id: m for m in _members(session, phone)}
    assert by_customer[opted_out].reasons == ["opted_out"]
    listed = {
        r["customer_number"]
        for r in service.contact_list(session, user=bank.analyst, campaign_id=phone)
    }
    assert session.get_one(CampaignMember, (phone, opted_out)).group is CampaignGroup.EXCLUDED
    assert all(number.startswith("C") for number in listed)


def test_a_customer_is_not_contacted_over_the_frequency_cap(session: Session, bank: Bank) -> None:
    cap = CampaignSettings(frequency_cap=1, control_share=0.2)
    first = _running(session, bank, settings=cap)
    second = _running(session, bank, channel=CampaignChannel.SMS, seed=3, settings=cap)
    treated_first = {
        m.customer_id for m in _members(session, first) if m.group is CampaignGroup.TREATMENT
    }
    second_members = {m.customer_id: m for m in _members(session, second)}
    assert all(second_members[c].reasons == ["frequency_cap"] for c in treated_first)
    assert not any(m.group is CampaignGroup.TREATMENT for m in second_members.values())


def test_a_bank_wide_holdout_is_never_in_a_campaign(session: Session, bank: Bank) -> None:
    today = bank_today()
    holdout = service.draw_holdout(
        session,
        user=bank.analyst,
        name="2026 全行保留组",
        share=0.1,
        starts_on=today,
        ends_on=today + timedelta(days=365),
        seed=5,
    )
    assert 6 <= holdout.customers <= 18
    campaign_id = _running(session, bank)
    held = [m for m in _members(session, campaign_id) if m.reasons == ["holdout"]]
    assert len(held) == holdout.customers


def test_outcomes_close_the_task_and_a_control_member_is_never_contacted(
    session: Session, bank: Bank
) -> None:
    campaign_id = _running(session, bank)
    members = _members(session, campaign_id)
    treated = next(m for m in members if m.group is CampaignGroup.TREATMENT)
    control = next(m for m in members if m.group is CampaignGroup.CONTROL)
    manager = next(u for u in bank.managers if u.id == treated.manager_id)
    service.record_outcome(
        session,
        user=manager,
        campaign_id=campaign_id,
        customer_id=treated.customer_id,
        contacted=True,
        responded=True,
        converted=True,
        amount=Decimal("50000"),
    )
    task = session.scalars(
        select(Task).where(Task.source == "campaign", Task.customer_id == treated.customer_id)
    ).one()
    assert task.status is TaskStatus.DONE
    assert treated.amount_cents == 5_000_000
    with pytest.raises(Conflict):
        service.record_outcome(
            session,
            user=bank.analyst,
            campaign_id=campaign_id,
            customer_id=control.customer_id,
            contacted=True,
            responded=False,
            converted=False,
        )


def _numbers(session: Session, campaign_id: int) -> dict[CampaignGroup, list[str]]:
    from bankcrm.customers.models import Customer

    found: dict[CampaignGroup, list[str]] = {group: [] for group in CampaignGroup}
    for member in _members(session, campaign_id):
        found[member.group].append(session.get_one(Customer, member.customer_id).external_id)
    return found


def test_a_response_file_is_taken_whole_or_not_at_all(session: Session, bank: Bank) -> None:
    campaign_id = _running(session, bank)
    numbers = _numbers(session, campaign_id)
    good = [f"{n},yes,yes,no,0" for n in numbers[CampaignGroup.TREATMENT][:5]]
    bad = [*good, f"{numbers[CampaignGroup.CONTROL][0]},yes,no,no,0"]
    content = "customer_number,contacted,responded,converted,amount\n" + "\n".join(bad)
    with pytest.raises(ImportRejected) as refused:
        service.import_responses(
            session,
            user=bank.analyst,
            campaign_id=campaign_id,
            content=content.encode(),
            file_name="responses.csv",
        )
    assert refused.value.row == 7 and refused.value.column == "contacted"
    assert not any(m.responded for m in _members(session, campaign_id))
    maybe = "customer_number,responded\n" + f"{numbers[CampaignGroup.CONTROL][0]},maybe"
    with pytest.raises(ImportRejected, match="maybe"):
        service.import_responses(
            session,
            user=bank.analyst,
            campaign_id=campaign_id,
            content=maybe.encode(),
            file_name="responses.csv",
        )
    content = "customer_number,contacted,responded,converted,amount\n" + "\n".join(good)
    assert (
        service.import_responses(
            session,
            user=bank.analyst,
            campaign_id=campaign_id,
            content=content.encode(),
            file_name="responses.csv",
        )
        == 5
    )
    assert sum(m.responded for m in _members(session, campaign_id)) == 5


def test_the_evaluation_is_the_difference_of_the_groups_rates(session: Session, bank: Bank) -> None:
    campaign_id = _running(session, bank, share=0.5)
    numbers = _numbers(session, campaign_id)
    treated, control = numbers[CampaignGroup.TREATMENT], numbers[CampaignGroup.CONTROL]
    rows = [f"{n},yes,{'yes' if i % 2 == 0 else 'no'},no,1000" for i, n in enumerate(treated)]
    rows += [f"{n},no,{'yes' if i % 5 == 0 else 'no'},no,0" for i, n in enumerate(control)]
    content = "customer_number,contacted,responded,converted,amount\n" + "\n".join(rows)
    service.import_responses(
        session,
        user=bank.analyst,
        campaign_id=campaign_id,
        content=content.encode(),
        file_name="r.csv",
    )
    result = service.evaluate(session, user=bank.analyst, campaign_id=campaign_id)
    assert result.overall is not None
    t_rate = sum(1 for i in range(len(treated)) if i % 2 == 0) / len(treated)
    c_rate = sum(1 for i in range(len(control)) if i % 5 == 0) / len(control)
    assert result.overall.uplift == pytest.approx(t_rate - c_rate, abs=1e-12)
    assert result.overall.ci_low < result.overall.uplift < result.overall.ci_high
    assert result.cost == pytest.approx(100 + 2.5 * len(treated))
    assert result.funnel["contacted"] == len(treated)
    assert set(result.by_branch) == set(bank.branches)
    [phone] = service.by_channel(session, user=bank.analyst)
    assert phone.channel is CampaignChannel.PHONE and phone.campaigns == 1
    assert phone.incremental_responses == pytest.approx((t_rate - c_rate) * len(treated))
    assert phone.cost == pytest.approx(result.cost)


def test_sending_logs_every_member_and_stops_with_the_campaign(
    session: Session, bank: Bank, tmp_path: Path
) -> None:
    campaign_id = _running(session, bank, channel=CampaignChannel.SMS)
    session.commit()
    summary = service.send(
        session, campaign_id=campaign_id, export_dir=tmp_path, sleep=lambda _: None
    )
    treated = [m for m in _members(session, campaign_id) if m.group is CampaignGroup.TREATMENT]
    assert summary.sent == len(treated) and summary.failed == 0
    with (
        tmp_path / service.campaigns_repository.campaign(session, campaign_id).code / "sms.csv"
    ).open(encoding="utf-8-sig") as handle:
        assert len(list(csv.reader(handle))) == len(treated) + 1
    sends = session.scalars(select(CampaignSend).where(CampaignSend.campaign_id == campaign_id))
    assert sorted(s.customer_id for s in sends) == sorted(m.customer_id for m in treated)
    assert all(m.contacted_at is not None for m in treated)
    assert service.send(session, campaign_id=campaign_id, export_dir=tmp_path).sent == 0
    service.stop(session, user=bank.analyst, campaign_id=campaign_id)
    with pytest.raises(Conflict):
        service.send(session, campaign_id=campaign_id, export_dir=tmp_path)


def test_stopping_cancels_the_open_contact_tasks(session: Session, bank: Bank) -> None:
    campaign_id = _running(session, bank)
    service.stop(session, user=bank.analyst, campaign_id=campaign_id)
    statuses = session.scalars(select(Task.status).where(Task.source == "campaign")).all()
    assert statuses and set(statuses) == {TaskStatus.CANCELLED}


CONSENT = st.sampled_from(["yes", "no", "yes_then_no", "no_then_yes", "none"])


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    states=st.lists(CONSENT, min_size=120, max_size=120),
    share=st.floats(min_value=0, max_value=0.9),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_property_only_consenting_treated_members_are_listed_or_tasked(
    session: Session, bank: Bank, states: list[str], share: float, seed: int
) -> None:
    nested = session.begin_nested()
    try:
        granted = set()
        for customer, state in zip(bank.customers, states, strict=True):
            answers = {
                "yes": [True],
                "no": [False],
                "yes_then_no": [True, False],
                "no_then_yes": [False, True],
                "none": [],
            }[state]
            for answer in answers:
                service.record_consent(
                    session,
                    user=bank.analyst,
                    customer_id=customer,
                    channel=CampaignChannel.WECHAT,
                    granted=answer,
                    source="app",
                    given_on=date(2026, 1, 1),
                )
            if answers and answers[-1]:
                granted.add(customer)
        campaign_id = _running(
            session,
            bank,
            channel=CampaignChannel.WECHAT,
            share=share,
            seed=seed,
            settings=CampaignSettings(frequency_cap=100),
        )
        members = {m.customer_id: m for m in _members(session, campaign_id)}
        listed = {
            r["customer_number"]
            for r in service.contact_list(session, user=bank.analyst, campaign_id=campaign_id)
        }
        numbers = _numbers(session, campaign_id)
        assert listed == set(numbers[CampaignGroup.TREATMENT])
        assert {c for c, m in members.items() if m.group is not CampaignGroup.EXCLUDED} == granted
        assert not listed & set(numbers[CampaignGroup.CONTROL])
    finally:
        nested.rollback()


def test_the_contacts_for_analysis_hold_both_groups_and_no_personal_data(
    session: Session, bank: Bank
) -> None:
    campaign_id = _running(session, bank)
    table = service.contacts_for_analysis(session, campaign_id=campaign_id)
    members = [m for m in _members(session, campaign_id) if m.group is not CampaignGroup.EXCLUDED]
    assert table.column_names == list(service.ANALYSIS_COLUMNS)
    assert table.num_rows == len(members)
    assert sorted(set(table.column("group").to_pylist())) == ["control", "treatment"]
    text = " ".join(str(value) for column in table.columns for value in column.to_pylist())
    assert "客户" not in text and "139" not in text


def test_the_frozen_members_are_in_the_audit_trail(session: Session, bank: Bank) -> None:
    audit_recorder.install()
    campaign_id = _running(session, bank)
    session.commit()
    entry = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "campaign_members", AuditEntry.entity_id == str(campaign_id)
        )
    ).one()
    assert entry.action is AuditAction.BULK_INSERT
    assert entry.after_json is not None and json.loads(entry.after_json) == {"rows": 120}
