"""Every route the app registers × every role × own and other object, against docs/security.md.

The routes come from the application's route table (``bankcrm.access.route_table``), so a new
route is in this test the day it is added: one with a path parameter or a body this test
cannot fill fails here until an example is given below."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access import RouteAccess, route_table, security_markdown
from bankcrm.accounts.models import Account
from bankcrm.branches.queue import service as queue_service
from bankcrm.branches.queue.schemas import TicketCreate
from bankcrm.campaigns import service as campaigns_service
from bankcrm.campaigns.models import Campaign
from bankcrm.campaigns.planning import service as planning_service
from bankcrm.campaigns.planning.models import MarketingPlan
from bankcrm.campaigns.planning.schemas import CampaignLinkCreate, CompetitorCreate, PlanCreate
from bankcrm.campaigns.prospects import service as prospects_service
from bankcrm.campaigns.prospects.schemas import FollowUpCreate, ProspectCreate
from bankcrm.campaigns.service import CampaignDraft
from bankcrm.campaigns.targeting import SegmentCriteria
from bankcrm.churn import service as churn_service
from bankcrm.clv import service as clv_service
from bankcrm.complaints import service as complaints_service
from bankcrm.core import clock
from bankcrm.core.config import get_settings
from bankcrm.core.db import make_engine
from bankcrm.core.enums import (
    ActionOrigin,
    AnalyticsEngine,
    CampaignChannel,
    CampaignObjective,
    ComplaintChannel,
    CreditGrade,
    InspectionKind,
    PrivacyRequestKind,
    ProductCategory,
    ProductRisk,
    QuoteStatus,
    RatingStatus,
    RecoveryKind,
    Role,
    SaleStatus,
    SurveyKind,
    TargetDirection,
    WaveStatus,
)
from bankcrm.core.permissions import ROLE_PERMISSIONS, Permission
from bankcrm.credit import ratings as credit_ratings
from bankcrm.credit.models import CorporateRating, PricingQuote
from bankcrm.credit.pricing import Authority
from bankcrm.credit.rating import ChoiceFactor
from bankcrm.customers.models import Customer
from bankcrm.jobs.models import JobOrigin, JobRun, JobStatus
from bankcrm.main import create_app
from bankcrm.offers.models import Sale
from bankcrm.offers.questionnaire import load_shipped
from bankcrm.privacy import service as privacy_service
from bankcrm.products.models import Product
from bankcrm.quality.inspections import service as inspections_service
from bankcrm.quality.inspections.checklist import Answer as InspectionAnswer
from bankcrm.quality.models import ImprovementAction, ServicePromise, ServiceStandard, SurveyWave
from bankcrm.quality.surveys import service as surveys_service
from bankcrm.scope import ROLE_SCOPE, Scope
from bankcrm.segmentation import service as segmentation_service
from bankcrm.staff.models import StaffUser
from bankcrm.staff.training.models import TrainingCourse
from bankcrm.tasks.models import Task
from tests import factories
from tests.branches.planted import plan_next_week
from tests.small_bank import SmallBank
from tests.staff.incentives.planted import last_month as incentive_month
from tests.staff.incentives.planted import plant_pool

REPOSITORY = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 9, 30)
EARLIER = date(2026, 3, 31)
"""A second segmentation, so that migration between two runs has an answer too."""
SENTINEL_NAME = "越界客户甲乙"
SENTINEL_PHONE = "13987654321"
ACCESS_REASON = "客户本人书面申请查阅个人信息,已核验身份"
"""An access request needs a reason (finding L7)."""
UNMASKING_ROUTES = {
    ("POST", "/api/v1/customers/{customer_id}/reveal"),
    ("POST", "/customers/{customer_id}/reveal"),
    ("GET", "/api/v1/privacy/requests/{request_id}/export"),
    ("GET", "/privacy/{request_id}/export"),
}
"""Routes that show personal data unmasked by design: an audited reveal, an access export."""
SESSION_ROUTES = {("POST", "/login"), ("POST", "/logout")}
"""Tested on their own (tests/web): calling them here would end the session under test."""


@dataclass
class Objects:
    """Ids to put in path parameters and bodies: one the role may see, one it may not."""

    customer: int
    access_request: int
    correction_request: int
    complaint: int
    recovery: int
    """A compensation above the approval limit, waiting for a checker."""
    quality: QualityObjects
    product: int
    """In the catalogue every role reads."""
    sale: int
    """A mismatch sale waiting for a branch manager."""
    quote: int
    """A loan quote beyond its quoter's authority, waiting for a branch manager."""
    rating: int
    """A corporate rating waiting for a branch manager's review."""
    marketing: MarketingObjects
    """Campaigns, plans and prospects: made once, in the own book."""
    incentives: tuple[int, int] = (0, 0)
    """A draft incentive pool of the branch and the own account manager's statement in it."""
    staff: int = 0
    """The own account manager, whose KPIs they, their branch manager and the bank see."""
    training: tuple[int, int] = (0, 0)
    """A qualifying course and the own account manager's certificate of it."""
    queue_ticket: int = 0
    """A waiting queue ticket at the own account manager's branch."""
    task: int = 0
    """An open task of the own customer, assigned to the own account manager."""
    colleague: int = 0
    """Another account manager of the own branch, whom the task can be handed to."""
    job_run: int = 0
    """A finished run of the complaint sweep (job runs are the bank's, every reader sees all)."""


@dataclass(frozen=True)
class QualityObjects:
    """Service-quality records; they hold no customer's data, so every role sees the same."""

    wave: int
    standard: int
    inspection: int
    action: int
    promise: int
    branch: int
    """The branch manager's branch, where the inspections take place."""
    today: str
    daily_check: list[tuple[str, float | None]]
    """The daily checklist: each standard's code and, for a measured one, its target."""


@dataclass(frozen=True)
class MarketingObjects:
    """A saved segment and a running bank-wide campaign on it (the own customer a treated
    member), a draft marketing plan with a competitor row and the campaign linked, and a
    prospect of the own account manager with a planned follow-up."""

    segment: int
    campaign: int
    campaign_version: int
    customer_number: str
    """The own customer's number, as a response file and the outcome form name it."""
    plan: int
    plan_version: int
    row_kind: str
    row: int
    """A row of ``row_kind`` in the plan."""
    prospect: int
    prospect_version: int
    follow_up: int
    starts_on: str
    ends_on: str


@dataclass
class Caller:
    role: Role
    api: dict[str, str]
    pages: TestClient
    csrf: str
    own: Objects
    other: Objects | None
    forbidden_text: list[str] = field(default_factory=list)


def _request(session: Session, maker: StaffUser, customer_id: int, kind: PrivacyRequestKind) -> int:
    corrections = {"occupation": "教师"} if kind is PrivacyRequestKind.CORRECTION else None
    reason = ACCESS_REASON if kind is PrivacyRequestKind.ACCESS else None
    return privacy_service.create_request(
        session,
        user=maker,
        customer_id=customer_id,
        kind=kind,
        reason=reason,
        corrections=corrections,
    ).id


def _quality_objects(
    session: Session, *, officer: StaffUser, branch_manager: StaffUser
) -> QualityObjects:
    """A SERVQUAL wave open today, the shipped standards, a failed daily check at the branch
    manager's branch (so gap 3 is open and the diagnosis can raise an action) and an action
    the branch manager owns."""
    today = clock.bank_today()
    inspections_service.load_standard_catalogue(session)
    daily_check = [
        (standard.code, standard.target)
        for standard in inspections_service.checklist(session, InspectionKind.DAILY_CHECK)
    ]
    assert branch_manager.branch_id is not None
    inspection = inspections_service.record_inspection(
        session,
        user=officer,
        kind=InspectionKind.DAILY_CHECK,
        branch_id=branch_manager.branch_id,
        inspected_on=today,
        results=[
            InspectionAnswer(code=code, observed=target)
            if target
            else InspectionAnswer(code=code, passed=False)
            for code, target in daily_check
        ],
    )
    wave = SurveyWave(
        instrument_text=surveys_service.shipped_instrument_text("servqual_bank"),
        code="SQ-MATRIX",
        title="服务质量调查",
        kind=SurveyKind.SERVQUAL,
        instrument="servqual_bank",
        status=WaveStatus.OPEN,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
    )
    action = ImprovementAction(
        title="缩短排队等候时间",
        owner_id=branch_manager.id,
        branch_id=branch_manager.branch_id,
        due_on=today + timedelta(days=30),
        origin=ActionOrigin.OTHER,
    )
    promise = ServicePromise(
        title="排队等候不超过15分钟",
        unit="min",
        promised=15,
        direction=TargetDirection.AT_MOST,
        delivered=19.5,
        measured_on=today,
    )
    session.add_all([wave, action, promise])
    session.flush()
    standard = session.scalars(select(ServiceStandard).where(ServiceStandard.code == "ENV-01"))
    return QualityObjects(
        wave=wave.id,
        standard=standard.one().id,
        inspection=inspection.id,
        action=action.id,
        promise=promise.id,
        branch=branch_manager.branch_id,
        today=today.isoformat(),
        daily_check=daily_check,
    )


def _marketing_objects(
    session: Session,
    *,
    analyst: StaffUser,
    approver: StaffUser,
    manager: StaffUser,
    customer: Customer,
) -> MarketingObjects:
    """The campaign is bank-wide and drawn without a control group, so that the own customer,
    who consented to calls, is a treated member every contact role may record an outcome of."""
    today = clock.bank_today()
    campaigns_service.record_consent(
        session,
        user=manager,
        customer_id=customer.id,
        channel=CampaignChannel.PHONE,
        granted=True,
        source="柜台书面授权",
    )
    criteria = SegmentCriteria(branch_ids=(customer.branch_id,))
    segment = campaigns_service.save_segment(
        session, user=analyst, name="本行网点客户", criteria=criteria
    )
    campaign = campaigns_service.create_campaign(
        session,
        user=analyst,
        draft=CampaignDraft(
            name="理财到期续作",
            objective=CampaignObjective.REMIND,
            channel=CampaignChannel.PHONE,
            criteria=criteria,
            segment_id=segment.id,
            starts_on=today,
            ends_on=today + timedelta(days=30),
            control_share=0.0,
            seed=7,
            cost_per_contact=Decimal("2.50"),
            message="您好，您的理财即将到期。",
        ),
    )
    campaigns_service.approve(session, user=approver, campaign_id=campaign.id)
    campaigns_service.launch(session, user=analyst, campaign_id=campaign.id)
    plan = planning_service.create_plan(
        session,
        user=analyst,
        data=PlanCreate(
            title="2027年度零售营销计划",
            period_start=date(2027, 1, 1),
            period_end=date(2027, 12, 31),
        ),
    )
    competitor = planning_service.add_competitor(
        session,
        user=analyst,
        plan_id=plan.id,
        data=CompetitorCreate(version=plan.version, name="城东农商行", strengths="网点密集"),
    )
    planning_service.link_campaign(
        session,
        user=analyst,
        plan_id=plan.id,
        data=CampaignLinkCreate(
            version=session.get_one(MarketingPlan, plan.id).version, campaign_id=campaign.id
        ),
    )
    fee_service = factories.product(session, category=ProductCategory.FEE_SERVICE)
    prospect = prospects_service.create_prospect(
        session,
        user=manager,
        data=ProspectCreate.model_validate(
            {
                "name": "星河科技有限公司",
                "kind": "corporate",
                "source": "referral",
                "product_id": fee_service.id,
                "expected_amount": "120000",
            },
            strict=False,
        ),
    )
    follow_up = prospects_service.add_follow_up(
        session,
        user=manager,
        prospect_id=prospect.id,
        data=FollowUpCreate.model_validate(
            {
                "planned_on": (today + timedelta(days=3)).isoformat(),
                "channel": "phone",
                "purpose": "介绍代发工资方案",
            },
            strict=False,
        ),
    )
    session.flush()
    return MarketingObjects(
        segment=segment.id,
        campaign=campaign.id,
        campaign_version=session.get_one(Campaign, campaign.id).version,
        customer_number=customer.external_id,
        plan=plan.id,
        plan_version=session.get_one(MarketingPlan, plan.id).version,
        row_kind="competitors",
        row=competitor,
        prospect=prospect.id,
        prospect_version=prospect.version,
        follow_up=follow_up.id,
        starts_on=today.isoformat(),
        ends_on=(today + timedelta(days=30)).isoformat(),
    )


def _objects(
    session: Session,
    maker: StaffUser,
    customer_id: int,
    quality: QualityObjects,
    marketing: MarketingObjects,
) -> Objects:
    complaint = complaints_service.create_complaint(
        session,
        user=maker,
        customer_id=customer_id,
        channel=ComplaintChannel.COUNTER,
        text="理财产品实际收益与宣传不符，要求补偿损失。",
    )
    with_recovery = complaints_service.propose_recovery(
        session,
        user=maker,
        complaint_id=complaint.id,
        kind=RecoveryKind.COMPENSATION,
        amount=Decimal("5000"),
    )
    return Objects(
        customer=customer_id,
        access_request=_request(session, maker, customer_id, PrivacyRequestKind.ACCESS),
        correction_request=_request(session, maker, customer_id, PrivacyRequestKind.CORRECTION),
        complaint=complaint.id,
        recovery=with_recovery.recoveries[0].id,
        quality=quality,
        product=session.scalars(select(Product.id).order_by(Product.id)).first() or 0,
        sale=_pending_sale(session, maker, customer_id),
        quote=_pending_quote(session, maker, customer_id),
        rating=_submitted_rating(session, maker, customer_id),
        marketing=marketing,
    )


def _pending_sale(session: Session, maker: StaffUser, customer_id: int) -> int:
    customer = session.get_one(Customer, customer_id)
    now = clock.utcnow()
    sale = Sale(
        customer_id=customer_id,
        product_id=session.scalars(select(Product.id).order_by(Product.id)).first(),
        branch_id=customer.branch_id,
        amount_cents=10_000_00,
        status=SaleStatus.PENDING_APPROVAL,
        sold_by_id=maker.id,
        sold_at=now,
        product_risk=ProductRisk.R2,
        mismatch=[{"reason": "no_valid_assessment", "product": "R2", "customer": ""}],
        override_reason="客户坚持",
        disclosure_confirmed_at=now,
        customer_confirmed_mismatch_at=now,
    )
    session.add(sale)
    session.flush()
    return sale.id


def _pending_quote(session: Session, maker: StaffUser, customer_id: int) -> int:
    quote = PricingQuote(
        customer_id=customer_id,
        grade=CreditGrade.BBB,
        probability_of_default=0.003,
        amount_cents=20_000_000_00,
        term_months=36,
        rate=Decimal("4.1068"),
        floor=Decimal("2.5"),
        ceiling=Decimal("15"),
        base=Decimal("3"),
        spreads={"expected_loss": 0.135, "capital": 0.5718, "funding": 0.0, "operating": 0.4},
        discount=Decimal("0"),
        raroc=Decimal("14.9992"),
        authority=Authority.BRANCH_MANAGER,
        rate_table_version="2025-05-20",
        status=QuoteStatus.PENDING_APPROVAL,
        quoted_by_id=maker.id,
        quoted_at=clock.utcnow(),
    )
    session.add(quote)
    session.flush()
    return quote.id


def _submitted_rating(session: Session, maker: StaffUser, customer_id: int) -> int:
    rating = CorporateRating(
        customer_id=customer_id,
        model_version=credit_ratings.model().version,
        answers=RATING_ANSWERS,
        factor_points={code: 0.0 for code in RATING_ANSWERS},
        score=0.0,
        grade=CreditGrade.C,
        status=RatingStatus.SUBMITTED,
        prepared_by_id=maker.id,
        prepared_at=clock.utcnow(),
    )
    session.add(rating)
    session.flush()
    return rating.id


def _give_history(session: Session, bank: SmallBank) -> None:
    """Monthly transactions over two years, so that every analysis has something to show."""
    for customer_id in [*bank.book_a, *bank.book_b, bank.other_branch_customer]:
        account = session.scalars(select(Account).where(Account.customer_id == customer_id)).first()
        if account is None:
            account = factories.account(
                session,
                customer=session.get_one(Customer, customer_id),
                product_id=session.scalars(select(Product.id)).first(),  # type: ignore[arg-type]
            )
        for month in range(0, 24, 1 + customer_id % 3):
            factories.transaction(
                session,
                account=account,
                amount_cents=10_000 + 100 * customer_id,
                booked_at=datetime(2024, 10, 5, tzinfo=UTC) + timedelta(days=30 * month),
            )


def _analyse(session: Session) -> None:
    settings = get_settings()
    segmentation_service.run_segmentation(
        session, settings=settings, as_of=EARLIER, engine=AnalyticsEngine.DUCKDB
    )
    for job in (
        segmentation_service.run_segmentation,
        clv_service.run_clv,
        churn_service.run_churn,
    ):
        job(session, settings=settings, as_of=AS_OF, engine=AnalyticsEngine.DUCKDB)
        session.commit()


def _login_page(client: TestClient, username: str) -> str:
    token = _csrf(client.get("/login").text)
    answer = client.post(
        "/login",
        data={"username": username, "password": factories.PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return _csrf(client.get("/customers").text)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


@pytest.fixture
def callers(small_bank: SmallBank, app_settings: str) -> Iterator[list[Caller]]:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        users = {user.username: user for user in session.query(StaffUser).all()}
        manager_a = users[small_bank.manager_a]
        own_customer = session.get_one(Customer, small_bank.book_a[0])
        own_customer.mobile_phone = "13900001111"
        own_customer.birth_date = date(1980, 5, 1)
        outsider_branch = session.get_one(Customer, small_bank.other_branch_customer)
        outsider_branch.name = SENTINEL_NAME
        outsider_branch.mobile_phone = SENTINEL_PHONE
        auditor = factories.staff(session, role=Role.COMPLIANCE_AUDITOR)
        officer = factories.staff(session, role=Role.QUALITY_OFFICER)
        _give_history(session, small_bank)
        plan_next_week(session, users[small_bank.branch_manager].branch_id or 0)
        quality = _quality_objects(
            session, officer=officer, branch_manager=users[small_bank.branch_manager]
        )
        marketing = _marketing_objects(
            session,
            analyst=users[small_bank.analyst],
            approver=users[small_bank.branch_manager],
            manager=manager_a,
            customer=own_customer,
        )
        mine = _objects(session, manager_a, own_customer.id, quality, marketing)
        mine.incentives = plant_pool(
            session, branch_manager=users[small_bank.branch_manager], account_manager=manager_a
        )
        mine.staff = manager_a.id
        mine.task = _open_task(session, own_customer, manager_a)
        mine.colleague = users[small_bank.manager_b].id
        mine.training = _training_objects(session, manager_a)
        mine.queue_ticket = queue_service.issue_ticket(
            session,
            user=manager_a,
            data=TicketCreate(branch_id=quality.branch, service_type="cash"),
        ).id
        mine.job_run = _job_run(session)
        # a checker's approval lets the roles that see personal data masked export it too
        privacy_service.approve(
            session,
            user=users[small_bank.branch_manager],
            request_id=mine.access_request,
            version=1,
        )
        elsewhere = _objects(session, auditor, outsider_branch.id, quality, marketing)
        session.commit()
        by_role = {
            Role.ACCOUNT_MANAGER: manager_a,
            Role.BRANCH_MANAGER: users[small_bank.branch_manager],
            Role.MARKETING_ANALYST: users[small_bank.analyst],
            Role.ADMIN: users[small_bank.admin],
            Role.QUALITY_OFFICER: officer,
            Role.COMPLIANCE_AUDITOR: auditor,
        }
        logins = {role: (user.id, user.username) for role, user in by_role.items()}
        _analyse(session)
    engine.dispose()

    app = create_app()
    made = []
    for role, (user_id, username) in logins.items():
        client = TestClient(app)
        client.__enter__()
        scope = ROLE_SCOPE[role]
        forbidden = [] if scope is Scope.ALL else [SENTINEL_NAME, SENTINEL_PHONE]
        if Permission.PERSONAL_DATA_VIEW not in ROLE_PERMISSIONS[role]:
            forbidden += ["13900001111", SENTINEL_PHONE]
        made.append(
            Caller(
                role=role,
                api=factories.api_headers(app_settings, user_id),
                pages=client,
                csrf=_login_page(client, username),
                own=mine,
                other=None if scope is Scope.ALL else elsewhere,
                forbidden_text=sorted(set(forbidden)),
            )
        )
    yield made
    for caller in made:
        caller.pages.__exit__(None, None, None)


def _job_run(session: Session) -> int:
    run = JobRun(
        job=MATRIX_JOB,
        status=JobStatus.SUCCEEDED,
        origin=JobOrigin.SCHEDULER,
        done=1,
        total=1,
    )
    session.add(run)
    session.flush()
    return run.id


MATRIX_JOB = "complaint_sweep"
"""The job the matrix starts: on the matrix's fresh complaints the sweep changes nothing."""


def _open_task(session: Session, customer: Customer, assignee: StaffUser) -> int:
    task = Task(
        customer_id=customer.id,
        assignee_id=assignee.id,
        kind="retention",
        source="churn",
        title="流失预警:挽留客户",
        due_on=clock.bank_today() + timedelta(days=7),
    )
    session.add(task)
    session.flush()
    return task.id


def _training_objects(session: Session, holder: StaffUser) -> tuple[int, int]:
    course = TrainingCourse(
        code="WS-MATRIX",
        name="理财销售资格培训",
        hours=8.0,
        pass_mark=80.0,
        qualification="wealth_sales",
        validity_months=24,
    )
    session.add(course)
    session.flush()
    certificate = factories.certificate(session, holder=holder, issued_on=date(2026, 1, 5))
    return course.id, certificate.id


def _path(access: RouteAccess, objects: Objects) -> str:
    values = {
        "customer_id": objects.customer,
        "request_id": (
            objects.access_request
            if access.path.endswith("/export")
            else objects.correction_request
        ),
        "code": "en",
        "complaint_id": objects.complaint,
        "recovery_id": objects.recovery,
        "wave_id": objects.quality.wave,
        "standard_id": objects.quality.standard,
        "inspection_id": objects.quality.inspection,
        "action_id": objects.quality.action,
        "promise_id": objects.quality.promise,
        "product_id": objects.product,
        "sale_id": objects.sale,
        "quote_id": objects.quote,
        "rating_id": objects.rating,
        "campaign_id": objects.marketing.campaign,
        "plan_id": objects.marketing.plan,
        "kind": objects.marketing.row_kind,
        "row_id": objects.marketing.row,
        "prospect_id": objects.marketing.prospect,
        "follow_up_id": objects.marketing.follow_up,
        "branch_id": objects.quality.branch,
        "pool_id": objects.incentives[0],
        "statement_id": objects.incentives[1],
        "staff_id": objects.staff,
        "certificate_id": objects.training[1],
        "ticket_id": objects.queue_ticket,
        "task_id": objects.task,
        "job": MATRIX_JOB,
        "run_id": objects.job_run,
    }
    names = re.findall(r"{(\w+)}", access.path)
    missing = [name for name in names if name not in values]
    assert not missing, f"{access.method} {access.path}: no example for {missing}"
    return access.path.format(**{name: values[name] for name in names})


# New standards in the examples are of the efficiency category, which the daily check (the
# inspection examples) does not include, so the examples' checklist stays complete.
GET_QUERIES = {
    ("GET", "/api/v1/quality/inspections/checklist"): {"kind": "daily_check"},
    # the customer picker, by a name of every book, the sentinel's among them
    ("GET", "/api/v1/customers/search"): {"q": SENTINEL_NAME[:2]},
    ("GET", "/customers/search"): {"q": SENTINEL_NAME[:2]},
}
"""Query parameters a GET route requires."""
SHIPPED_QUESTIONNAIRE = load_shipped()
RATING_ANSWERS: dict[str, Any] = {
    factor.code: factor.options[0].code if isinstance(factor, ChoiceFactor) else 1.0
    for factor in credit_ratings.model().factors
}
PREQUALIFICATION: dict[str, Any] = {
    "residence": "local_hukou",
    "employment_months": 24,
    "income_proof": "employer_certificate",
    "monthly_income": "20000",
    "declared_monthly_debt": "0",
    "purchase_price": "200000",
    "down_payment": "60000",
    "term_months": 36,
}
API_BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/queue/tickets"): lambda o: {
        "branch_id": o.quality.branch,
        "service_type": "cash",
        "priority": "elderly",
    },
    ("POST", "/api/v1/queue/tickets/call-next"): lambda o: {
        "branch_id": o.quality.branch,
        "counter": "1",
    },
    ("POST", "/api/v1/queue/tickets/{ticket_id}/start"): lambda o: None,
    ("POST", "/api/v1/jobs/{job}/run"): lambda o: None,
    ("POST", "/api/v1/queue/tickets/{ticket_id}/end"): lambda o: None,
    ("POST", "/api/v1/queue/tickets/{ticket_id}/no-show"): lambda o: None,
    ("POST", "/api/v1/incentives/pools"): lambda o: {
        "branch_id": o.quality.branch,
        "month": incentive_month(),
        "amount": "50000",
    },
    ("POST", "/api/v1/incentives/pools/{pool_id}/compute"): lambda o: {},
    ("POST", "/api/v1/tasks/{task_id}/do"): lambda o: {"version": 1, "outcome": "客户已续作"},
    ("POST", "/api/v1/tasks/{task_id}/postpone"): lambda o: {
        "version": 1,
        "due_on": (clock.bank_today() + timedelta(days=14)).isoformat(),
        "reason": "客户出差,下周回访",
    },
    ("POST", "/api/v1/tasks/{task_id}/handover"): lambda o: {
        "version": 1,
        "assignee_id": o.colleague,
    },
    ("POST", "/api/v1/training/courses"): lambda o: {
        "code": "AML-MATRIX",
        "name": "反洗钱培训",
        "hours": 4,
        "pass_mark": 60,
        "qualification": "anti_money_laundering",
        "validity_months": 12,
    },
    ("POST", "/api/v1/training/attendances"): lambda o: {
        "course_id": o.training[0],
        "staff_id": o.staff,
        "attended_on": "2026-01-05",
        "assessment_score": 85,
    },
    ("POST", "/api/v1/training/certificates/{certificate_id}/revoke"): lambda o: {
        "reason": "资格核查未通过"
    },
    ("POST", "/api/v1/incentives/pools/{pool_id}/approve"): lambda o: {"version": 1},
    ("POST", "/api/v1/branches/{branch_id}/staffing"): lambda o: {
        "week_start": (clock.bank_today() + timedelta(days=7)).isoformat()
    },
    ("POST", "/api/v1/customers/{customer_id}/assessments"): lambda o: {
        "answers": {
            question.code: question.options[0].code for question in SHIPPED_QUESTIONNAIRE.questions
        }
    },
    ("POST", "/api/v1/sales"): lambda o: {
        "customer_id": o.customer,
        "product_id": o.product,
        "amount": "1000",
    },
    ("POST", "/api/v1/sales/{sale_id}/approve"): lambda o: {"note": "已核实"},
    ("POST", "/api/v1/sales/{sale_id}/reject"): lambda o: {"note": "风险过高"},
    ("POST", "/api/v1/sales/{sale_id}/cancel"): lambda o: {"reason": "客户改变主意"},
    ("POST", "/api/v1/pricing/quotes"): lambda o: {
        "customer_id": o.customer,
        "amount": "1000000",
        "term_months": 36,
        "grade": "BBB",
    },
    ("POST", "/api/v1/pricing/quotes/{quote_id}/approve"): lambda o: {"version": 1, "note": "同意"},
    ("POST", "/api/v1/pricing/quotes/{quote_id}/reject"): lambda o: {"version": 1, "note": "否"},
    ("POST", "/api/v1/customers/{customer_id}/ratings"): lambda o: {"answers": RATING_ANSWERS},
    ("POST", "/api/v1/ratings/{rating_id}/review"): lambda o: {
        "approve": True,
        "version": 1,
        "note": "同意",
    },
    ("POST", "/api/v1/customers/{customer_id}/prequalifications"): lambda o: {
        **PREQUALIFICATION,
        "annual_rate": "0.036",
    },
    ("PATCH", "/api/v1/products/{product_id}"): lambda o: {"version": 1, "risk_level": "R2"},
    ("POST", "/api/v1/customers/{customer_id}/reveal"): lambda o: {"reason": "客户来电核实身份"},
    ("POST", "/api/v1/privacy/requests"): lambda o: {
        "customer_id": o.customer,
        "kind": "access",
        "reason": ACCESS_REASON,
    },
    ("POST", "/api/v1/privacy/requests/{request_id}/approve"): lambda o: {"version": 1},
    ("POST", "/api/v1/privacy/requests/{request_id}/reject"): lambda o: {
        "version": 1,
        "reason": "信息无误",
    },
    ("POST", "/api/v1/auth/token"): None,
    ("POST", "/api/v1/complaints"): lambda o: {
        "customer_id": o.customer,
        "channel": "phone",
        "text": "信用卡年费未经告知被扣收。",
    },
    ("POST", "/api/v1/complaints/suggestions"): lambda o: {"text": "手机银行转账失败"},
    ("POST", "/api/v1/complaints/classifier"): lambda o: None,
    ("POST", "/api/v1/complaints/sweep"): lambda o: None,
    ("PATCH", "/api/v1/complaints/{complaint_id}"): lambda o: {"version": 1, "severity": "high"},
    ("POST", "/api/v1/complaints/{complaint_id}/transitions"): lambda o: {
        "action": "accept",
        "version": 1,
    },
    ("POST", "/api/v1/complaints/{complaint_id}/notes"): lambda o: {"text": "已调取录音"},
    ("POST", "/api/v1/complaints/{complaint_id}/recoveries"): lambda o: {"kind": "apology"},
    ("POST", "/api/v1/complaints/recoveries/{recovery_id}/decision"): lambda o: {
        "version": 1,
        "approve": True,
    },
    ("POST", "/api/v1/quality/waves"): lambda o: {
        "code": "SQ-NEW",
        "title": "服务质量调查",
        "kind": "servqual",
        "opens_on": "2026-11-01",
        "closes_on": "2026-12-31",
    },
    ("POST", "/api/v1/quality/waves/{wave_id}/invitations"): lambda o: {
        "sample_size": 5,
        "seed": 3,
    },
    ("POST", "/api/v1/quality/waves/{wave_id}/reminders"): lambda o: {},
    ("POST", "/api/v1/quality/waves/{wave_id}/status"): lambda o: {
        "status": "closed",
        "version": 1,
    },
    ("POST", "/api/v1/quality/waves/{wave_id}/predictions"): lambda o: {
        "answers": {f"E{number}": 6 for number in range(1, 23)}
    },
    ("POST", "/api/v1/quality/standards"): lambda o: {
        "code": "EFF-09",
        "category": "efficiency",
        "title": "大额取款预约次日办结",
        "servqual_items": [11],
    },
    ("POST", "/api/v1/quality/standards/catalogue"): lambda o: None,
    ("PATCH", "/api/v1/quality/standards/{standard_id}"): lambda o: {
        "version": 1,
        "title": "大厅整洁明亮",
    },
    ("POST", "/api/v1/quality/inspections"): lambda o: {
        "kind": "daily_check",
        "branch_id": o.quality.branch,
        "inspected_on": o.quality.today,
        "results": [
            {"standard": code, "observed": target} if target else {"standard": code, "passed": True}
            for code, target in o.quality.daily_check
        ],
    },
    ("POST", "/api/v1/quality/actions"): lambda o: {
        "title": "优化叫号分流",
        "due_on": "2026-12-31",
        "origin": "other",
    },
    ("PATCH", "/api/v1/quality/actions/{action_id}"): lambda o: {
        "version": 1,
        "description": "高峰时段增开窗口",
    },
    ("POST", "/api/v1/quality/actions/{action_id}/stage"): lambda o: {
        "stage": "do",
        "version": 1,
    },
    ("POST", "/api/v1/quality/diagnosis/actions"): lambda o: {"gap": 3},
    ("POST", "/api/v1/quality/promises"): lambda o: {
        "title": "贷款审批不超过5个工作日",
        "promised": 5,
        "direction": "at_most",
    },
    ("PATCH", "/api/v1/quality/promises/{promise_id}"): lambda o: {"delivered": 18.0},
    ("POST", "/api/v1/campaigns/segments"): lambda o: {
        "name": "高价值客户",
        "description": "A类价值客户",
        "criteria": {"value_tiers": ["A"]},
    },
    ("POST", "/api/v1/campaigns/segments/count"): lambda o: {"value_tiers": ["A"]},
    ("POST", "/api/v1/campaigns/holdouts"): lambda o: {
        "name": "全行保留组",
        "share": 0.05,
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "seed": 3,
    },
    ("POST", "/api/v1/campaigns"): lambda o: {
        "name": "新客礼",
        "objective": "stimulate",
        "channel": "sms",
        "segment_id": o.marketing.segment,
        "starts_on": o.marketing.starts_on,
        "ends_on": o.marketing.ends_on,
        "budget": "5000",
        "cost_per_contact": "0.10",
        "message": "新客户开户礼，详询网点。",
    },
    ("POST", "/api/v1/campaigns/{campaign_id}/approve"): lambda o: {
        "version": o.marketing.campaign_version
    },
    ("POST", "/api/v1/campaigns/{campaign_id}/launch"): lambda o: {
        "version": o.marketing.campaign_version
    },
    ("POST", "/api/v1/campaigns/{campaign_id}/stop"): lambda o: {
        "version": o.marketing.campaign_version
    },
    ("POST", "/api/v1/campaigns/{campaign_id}/outcomes"): lambda o: {
        "customer_id": o.customer,
        "contacted": True,
        "responded": True,
        "converted": True,
        "amount": "50000",
    },
    ("POST", "/api/v1/customers/{customer_id}/consents"): lambda o: {
        "channel": "sms",
        "granted": True,
        "source": "柜台书面授权",
    },
    ("POST", "/api/v1/marketing-plans"): lambda o: {
        "title": "2027年度对公营销计划",
        "period_start": "2027-01-01",
        "period_end": "2027-12-31",
        "target_new_customers": 120,
    },
    ("PATCH", "/api/v1/marketing-plans/{plan_id}"): lambda o: {
        "version": o.marketing.plan_version,
        "target_new_customers": 300,
        "budget_inputs": {"revenue": "2000000", "costs": "1500000", "target_profit": "300000"},
        "budget_method": "affordable",
    },
    ("POST", "/api/v1/marketing-plans/{plan_id}/submit"): lambda o: {
        "version": o.marketing.plan_version
    },
    ("POST", "/api/v1/marketing-plans/{plan_id}/approve"): lambda o: {
        "version": o.marketing.plan_version
    },
    ("POST", "/api/v1/marketing-plans/{plan_id}/return"): lambda o: {
        "version": o.marketing.plan_version,
        "reason": "预算依据不足",
    },
    ("POST", "/api/v1/prospects"): lambda o: {
        "name": "远航物流有限公司",
        "kind": "corporate",
        "source": "event",
        "source_detail": "小微企业沙龙",
        "expected_amount": "300000",
    },
    ("PATCH", "/api/v1/prospects/{prospect_id}"): lambda o: {
        "version": o.marketing.prospect_version,
        "decision_maker": "财务总监",
        "needs": "代发工资",
    },
    ("POST", "/api/v1/prospects/{prospect_id}/stage"): lambda o: {
        "version": o.marketing.prospect_version,
        "stage": "needs",
    },
    ("POST", "/api/v1/prospects/{prospect_id}/fee-flow"): lambda o: {
        "version": o.marketing.prospect_version
    },
    ("POST", "/api/v1/prospects/{prospect_id}/objections"): lambda o: {
        "kind": "doubt",
        "said": "手续费比他行高",
        "answer": "出示同业收费对比表",
    },
    ("POST", "/api/v1/prospects/{prospect_id}/follow-ups"): lambda o: {
        "planned_on": o.marketing.ends_on,
        "channel": "visit",
        "purpose": "上门演示企业网银",
    },
    ("POST", "/api/v1/prospects/{prospect_id}/follow-ups/{follow_up_id}/complete"): lambda o: {
        "version": 1,
        "outcome": "客户同意下周面谈",
    },
}
PAGE_FORMS: dict[tuple[str, str], Any] = {
    ("POST", "/tasks/{task_id}/do"): lambda o: {"version": "1", "outcome": "客户已续作"},
    ("POST", "/churn/{customer_id}/retention-task"): lambda o: {"as_of": "", "page": "1"},
    ("POST", "/tasks/{task_id}/postpone"): lambda o: {
        "version": "1",
        "due_on": (clock.bank_today() + timedelta(days=14)).isoformat(),
        "reason": "客户出差,下周回访",
    },
    ("POST", "/tasks/{task_id}/handover"): lambda o: {
        "version": "1",
        "assignee_id": str(o.colleague),
    },
    ("POST", "/jobs/{job}/run"): lambda o: {},
    ("POST", "/queue/tickets"): lambda o: {"service_type": "wealth", "priority": "vip"},
    ("POST", "/queue/call-next"): lambda o: {"counter": "2"},
    ("POST", "/queue/tickets/{ticket_id}/start"): lambda o: {"counter": "2"},
    ("POST", "/queue/tickets/{ticket_id}/end"): lambda o: {"counter": "2"},
    ("POST", "/queue/tickets/{ticket_id}/no-show"): lambda o: {"counter": "2"},
    ("POST", "/queue/imports"): lambda o: {"counter": "2"},
    ("POST", "/training/courses"): lambda o: {
        "code": "FUND-MATRIX",
        "name": "基金销售培训",
        "hours": "6",
        "pass_mark": "70",
        "qualification": "fund_sales",
        "validity_months": "36",
    },
    ("POST", "/training/attendances"): lambda o: {
        "course_id": str(o.training[0]),
        "staff_id": str(o.staff),
        "attended_on": "2026-01-06",
        "assessment_score": "90",
    },
    ("POST", "/training/certificates/{certificate_id}/revoke"): lambda o: {
        "reason": "资格核查未通过"
    },
    ("POST", "/incentives/pools"): lambda o: {"month": incentive_month()[:7], "amount": "50000"},
    ("POST", "/incentives/pools/{pool_id}/compute"): lambda o: {"month": incentive_month()[:7]},
    ("POST", "/incentives/pools/{pool_id}/approve"): lambda o: {
        "month": incentive_month()[:7],
        "version": "1",
    },
    ("POST", "/branches/{branch_id}/staffing"): lambda o: {
        "week_start": (clock.bank_today() + timedelta(days=7)).isoformat()
    },
    ("POST", "/customers/{customer_id}/assessment"): lambda o: {
        question.code: question.options[0].code for question in SHIPPED_QUESTIONNAIRE.questions
    },
    ("POST", "/customers/{customer_id}/sale"): lambda o: {
        "product_id": str(o.product),
        "amount": "100000",
        "disclosure_confirmed": "1",
    },
    ("POST", "/sales/{sale_id}/approve"): lambda o: {"note": "已核实"},
    ("POST", "/sales/{sale_id}/reject"): lambda o: {"note": "风险过高"},
    ("POST", "/sales/{sale_id}/cancel"): lambda o: {"reason": "客户改变主意"},
    ("POST", "/customers/{customer_id}/quote"): lambda o: {
        "amount": "1000000",
        "term_months": "36",
        "grade": "BBB",
    },
    ("POST", "/pricing/quotes/{quote_id}/approve"): lambda o: {"version": "1", "note": "已核实"},
    ("POST", "/pricing/quotes/{quote_id}/reject"): lambda o: {"version": "1", "note": "超出授权"},
    ("POST", "/customers/{customer_id}/rating"): lambda o: {
        code: str(answer) for code, answer in RATING_ANSWERS.items()
    },
    ("POST", "/ratings/{rating_id}/review"): lambda o: {"approve": "1", "version": "1"},
    ("POST", "/customers/{customer_id}/prequalification"): lambda o: {
        **{key: str(value) for key, value in PREQUALIFICATION.items()},
        "annual_rate": "3.6",
    },
    ("POST", "/products/{product_id}"): lambda o: {
        "version": "1",
        "name_zh": "三年定期存款",
        "name_en": "Three-year time deposit",
        "risk_level": "R1",
        "is_active": "1",
    },
    ("POST", "/customers/{customer_id}/reveal"): lambda o: {"reason": "客户来电核实身份"},
    ("POST", "/privacy"): lambda o: {
        "customer_id": str(o.customer),
        "kind": "access",
        "reason": ACCESS_REASON,
    },
    ("POST", "/privacy/{request_id}/approve"): lambda o: {"version": "1"},
    ("POST", "/privacy/{request_id}/reject"): lambda o: {"version": "1", "reason": "信息无误"},
    ("POST", "/complaints/new"): lambda o: {
        "customer_id": str(o.customer),
        "channel": "phone",
        "text": "信用卡年费未经告知被扣收。",
    },
    ("POST", "/complaints/{complaint_id}/labels"): lambda o: {"version": "1", "severity": "high"},
    ("POST", "/complaints/{complaint_id}/transitions"): lambda o: {
        "action": "accept",
        "version": "1",
    },
    ("POST", "/complaints/{complaint_id}/notes"): lambda o: {"text": "已调取录音"},
    ("POST", "/complaints/{complaint_id}/recoveries"): lambda o: {"kind": "apology"},
    ("POST", "/complaints/{complaint_id}/recoveries/{recovery_id}/decision"): lambda o: {
        "version": "1",
        "decision": "approve",
    },
    ("POST", "/quality/waves/new"): lambda o: {
        "code": "SQ-PAGE",
        "title": "服务质量调查",
        "kind": "servqual",
        "instrument": "servqual_bank",
        "opens_on": "2026-11-01",
        "closes_on": "2026-12-31",
    },
    ("POST", "/quality/waves/{wave_id}/invitations"): lambda o: {"sample_size": "5", "seed": "3"},
    ("POST", "/quality/waves/{wave_id}/reminders"): lambda o: {},
    ("POST", "/quality/waves/{wave_id}/status"): lambda o: {"status": "closed", "version": "1"},
    ("POST", "/quality/waves/{wave_id}/prediction"): lambda o: {
        f"E{number}": "6" for number in range(1, 23)
    },
    ("POST", "/quality/standards"): lambda o: {
        "code": "EFF-08",
        "category": "efficiency",
        "title": "开户资料一次告知",
    },
    ("POST", "/quality/standards/catalogue"): lambda o: {},
    ("POST", "/quality/standards/{standard_id}"): lambda o: {
        "version": "1",
        "category": "environment",
        "title": "大厅整洁明亮",
        "active": "1",
    },
    ("POST", "/quality/inspections/new"): lambda o: {
        "kind": "daily_check",
        "branch_id": str(o.quality.branch),
        "inspected_on": o.quality.today,
        **{
            f"observed:{code}" if target else f"passed:{code}": str(target) if target else "yes"
            for code, target in o.quality.daily_check
        },
    },
    ("POST", "/quality/actions/new"): lambda o: {
        "title": "优化叫号分流",
        "due_on": "2026-12-31",
        "origin": "other",
    },
    ("POST", "/quality/actions/{action_id}/stage"): lambda o: {"stage": "do", "version": "1"},
    ("POST", "/quality/actions/{action_id}/edit"): lambda o: {
        "version": "1",
        "description": "高峰时段增开窗口",
    },
    ("POST", "/quality/diagnosis/actions"): lambda o: {"gap": "3"},
    ("POST", "/quality/promises"): lambda o: {
        "title": "贷款审批不超过5个工作日",
        "promised": "5",
        "direction": "at_most",
    },
    ("POST", "/quality/promises/{promise_id}"): lambda o: {
        "title": "排队等候不超过15分钟",
        "promised": "15",
        "direction": "at_most",
        "delivered": "18",
    },
    ("POST", "/campaigns/segments"): lambda o: {
        "name": "A类价值客户",
        "value_tiers": "A",
        "churn_risk_max": "30",
        "action": "save",
    },
    ("POST", "/campaigns/new"): lambda o: {
        "name": "理财到期提醒",
        "objective": "remind",
        "channel": "phone",
        "segment_id": str(o.marketing.segment),
        "starts_on": o.marketing.starts_on,
        "ends_on": o.marketing.ends_on,
        "control_share": "10",
        "budget": "5,000",
        "cost_per_contact": "2.50",
        "fixed_cost": "100",
        "message": "您好，您的理财即将到期。",
    },
    ("POST", "/campaigns/{campaign_id}/approve"): lambda o: {
        "version": str(o.marketing.campaign_version)
    },
    ("POST", "/campaigns/{campaign_id}/launch"): lambda o: {
        "version": str(o.marketing.campaign_version)
    },
    ("POST", "/campaigns/{campaign_id}/stop"): lambda o: {
        "version": str(o.marketing.campaign_version)
    },
    ("POST", "/campaigns/{campaign_id}/outcome"): lambda o: {
        "customer_number": o.marketing.customer_number,
        "contacted": "1",
        "responded": "1",
    },
    ("POST", "/campaigns/{campaign_id}/responses"): lambda o: {},
    ("POST", "/customers/{customer_id}/consent"): lambda o: {
        "channel": "sms",
        "granted": "1",
        "source": "柜台书面授权",
    },
    ("POST", "/plans"): lambda o: {
        "title": "2027年度对公营销计划",
        "period_start": "2027-01-01",
        "period_end": "2027-12-31",
    },
    ("POST", "/plans/{plan_id}/edit"): lambda o: {
        "version": str(o.marketing.plan_version),
        "title": "2027年度零售营销计划",
        "period_start": "2027-01-01",
        "period_end": "2027-12-31",
        "target_new_customers": "300",
        "target_deposits": "50,000,000",
    },
    ("POST", "/plans/{plan_id}/budget"): lambda o: {
        "version": str(o.marketing.plan_version),
        "revenue": "2,000,000",
        "costs": "1,500,000",
        "target_profit": "300,000",
        "budget_method": "affordable",
    },
    ("POST", "/plans/{plan_id}/rows/{kind}"): lambda o: {
        "version": str(o.marketing.plan_version),
        "name": "城西城商行",
        "strengths": "审批快",
        "market_share": "12%",
    },
    ("POST", "/plans/{plan_id}/rows/{kind}/{row_id}/delete"): lambda o: {
        "version": str(o.marketing.plan_version)
    },
    ("POST", "/plans/{plan_id}/checklist"): lambda o: {
        "version": str(o.marketing.plan_version),
        f"answer.{planning_service.checklist().questions[0].code}": "yes",
    },
    ("POST", "/plans/{plan_id}/campaigns"): lambda o: {
        "version": str(o.marketing.plan_version),
        "campaign_id": str(o.marketing.campaign),
    },
    ("POST", "/plans/{plan_id}/campaigns/{campaign_id}/delete"): lambda o: {
        "version": str(o.marketing.plan_version)
    },
    ("POST", "/plans/{plan_id}/submit"): lambda o: {"version": str(o.marketing.plan_version)},
    ("POST", "/plans/{plan_id}/revise"): lambda o: {"version": str(o.marketing.plan_version)},
    ("POST", "/plans/{plan_id}/approve"): lambda o: {"version": str(o.marketing.plan_version)},
    ("POST", "/plans/{plan_id}/return"): lambda o: {
        "version": str(o.marketing.plan_version),
        "reason": "预算依据不足",
    },
    ("POST", "/pipeline/new"): lambda o: {
        "name": "远航物流有限公司",
        "kind": "corporate",
        "source": "walk_in",
        "expected_amount": "300000",
    },
    ("POST", "/pipeline/prospects/{prospect_id}"): lambda o: {
        "version": str(o.marketing.prospect_version),
        "name": "星河科技有限公司",
        "decision_maker": "财务总监",
        "needs": "代发工资",
        "growth_potential": "1",
        "cultivation": "satisfaction",
    },
    ("POST", "/pipeline/prospects/{prospect_id}/stage"): lambda o: {
        "version": str(o.marketing.prospect_version),
        "stage": "needs",
    },
    ("POST", "/pipeline/prospects/{prospect_id}/fee-flow"): lambda o: {
        "version": str(o.marketing.prospect_version)
    },
    ("POST", "/pipeline/prospects/{prospect_id}/objections"): lambda o: {
        "kind": "doubt",
        "said": "手续费比他行高",
    },
    ("POST", "/pipeline/prospects/{prospect_id}/follow-ups"): lambda o: {
        "planned_on": o.marketing.ends_on,
        "channel": "phone",
        "purpose": "确认报价",
    },
    ("POST", "/pipeline/prospects/{prospect_id}/follow-ups/{follow_up_id}/done"): lambda o: {
        "version": "1",
        "outcome": "客户同意下周面谈",
    },
}
QUEUE_EXPORT = (
    b"senha,servico,prioridade,dataChegada,dataChamada,dataInicio,dataFim,local\n"
    b"A001,cash,normal,2026-09-01 09:00:00,2026-09-01 09:05:00,2026-09-01 09:05:00,"
    b"2026-09-01 09:12:00,1\n"
)
"""A day's export of a queue system, in the past so that it leaves today's queue alone."""
API_FILES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/queue/imports"): lambda o: (
        {"branch_id": str(o.quality.branch)},
        {"file": ("queue.csv", QUEUE_EXPORT, "text/csv")},
    ),
}
"""Multipart API calls: the form and the files."""
PAGE_FILES: dict[tuple[str, str], Any] = {
    ("POST", "/queue/imports"): lambda o: {"file": ("queue.csv", QUEUE_EXPORT, "text/csv")},
    ("POST", "/campaigns/{campaign_id}/responses"): lambda o: {
        "file": (
            "responses.csv",
            f"customer_number,contacted,responded,converted,amount\n"
            f"{o.marketing.customer_number},1,1,1,50000\n".encode(),
            "text/csv",
        )
    },
}
"""Files a page POST uploads, beside its form."""


def _call(caller: Caller, access: RouteAccess, objects: Objects) -> Response:
    url = _path(access, objects)
    key = (access.method, access.path)
    if access.is_api:
        if access.method == "GET":
            return caller.pages.get(url, headers=caller.api, params=GET_QUERIES.get(key))
        if key in API_FILES:
            form, files = API_FILES[key](objects)
            return caller.pages.post(url, headers=caller.api, data=form, files=files)
        assert key in API_BODIES, f"{key}: give an example body in API_BODIES"
        return caller.pages.request(
            access.method, url, headers=caller.api, json=API_BODIES[key](objects)
        )
    if access.method == "GET":
        return caller.pages.get(url, params=GET_QUERIES.get(key), follow_redirects=False)
    assert key in PAGE_FORMS, f"{key}: give an example form in PAGE_FORMS"
    form = {**PAGE_FORMS[key](objects), "csrf_token": caller.csrf}
    files = PAGE_FILES[key](objects) if key in PAGE_FILES else None
    return caller.pages.post(url, data=form, files=files, follow_redirects=False)


def _allowed(answer: Response, access: RouteAccess) -> bool:
    """The access layer let the call through: success, or a business answer about the object."""
    if access.method == "GET":
        return answer.status_code == 200
    # 202: a job started in the background
    return answer.status_code in (200, 201, 202, 303, 409)


def test_every_route_answers_every_role_as_documented(callers: list[Caller]) -> None:
    table = [
        access
        for access in route_table(create_app())
        if (access.method, access.path) not in SESSION_ROUTES
    ]
    problems = []
    checked = 0
    for caller in callers:
        for access in table:
            if not access.login:
                continue
            variants = [("own", caller.own)]
            names_a_customer = access.scoped_parameter or (access.method, access.path) in {
                ("POST", "/api/v1/privacy/requests"),
                ("POST", "/privacy"),
                ("POST", "/api/v1/complaints"),
                ("POST", "/complaints/new"),
            }
            if names_a_customer and caller.other is not None:
                variants.append(("other", caller.other))
            for which, objects in variants:
                answer = _call(caller, access, objects)
                checked += 1
                where = f"{caller.role.value} {access.method} {access.path} ({which})"
                if not access.allows(caller.role):
                    expected = "403"
                    ok = answer.status_code == 403
                elif which == "other":
                    expected = "404"
                    ok = answer.status_code == 404
                else:
                    expected = "allowed"
                    ok = _allowed(answer, access)
                if not ok:
                    problems.append(f"{where}: {answer.status_code}, documented {expected}")
                if (access.method, access.path) in UNMASKING_ROUTES and which == "own":
                    continue
                body = answer.text
                leaked = [text for text in caller.forbidden_text if text in body]
                if leaked:
                    problems.append(f"{where}: leaks {leaked}")
    assert problems == [], "\n".join(problems)
    assert checked > len(table) * 4


def test_without_a_login_nothing_but_the_public_routes_answers(client: TestClient) -> None:
    for access in route_table(create_app()):
        if access.method != "GET":
            continue
        url = re.sub(r"{\w+}", "1", access.path.replace("{code}", "en"))
        answer = client.get(url, follow_redirects=False)
        if access.path == "/s/{token}":
            assert answer.status_code == 404, "an unknown survey link is not found"
        elif not access.login:
            assert answer.status_code < 400, url
        elif access.is_api:
            assert answer.status_code == 401, url
        else:
            assert answer.status_code == 303, url
            assert answer.headers["location"].startswith("/login"), url


def test_the_committed_security_doc_is_the_route_table() -> None:
    committed = (REPOSITORY / "docs" / "security.md").read_text(encoding="utf-8")
    assert committed.startswith(security_markdown(create_app())), (
        "docs/security.md is stale: run `bankcrm access-matrix` and paste it at the top"
    )
