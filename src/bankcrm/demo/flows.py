"""Build the demo bank: generate it, import it, segment, value and score it, and give one
login per role."""

from __future__ import annotations

import contextlib
import logging
import secrets
import shutil
import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow.csv as pa_csv
from sqlalchemy.orm import Session

from bankcrm.audit import recorder as audit_recorder
from bankcrm.branches import service as branches_service
from bankcrm.churn import service as churn_service
from bankcrm.clv import service as clv_service
from bankcrm.complaints import service as complaints_service
from bankcrm.core import clock
from bankcrm.core.clock import utcnow
from bankcrm.core.config import Settings
from bankcrm.core.db import make_engine
from bankcrm.core.enums import (
    AnalyticsEngine,
    ComplaintAction,
    ComplaintChannel,
    PrivacyRequestKind,
    RecoveryKind,
    Role,
    Severity,
)
from bankcrm.core.exceptions import BankcrmError, Conflict, ValidationFailed
from bankcrm.core.migrate import upgrade
from bankcrm.credit import bank_loans
from bankcrm.credit import service as credit_service
from bankcrm.demo import repository
from bankcrm.demo.branch_desk import plan_demo_branches, plant_queue_history
from bankcrm.demo.campaigns_desk import open_the_marketing_desk
from bankcrm.demo.incentives_desk import open_demo_pools
from bankcrm.demo.offers_desk import plant_offers
from bankcrm.demo.performance_desk import compute_demo_kpis
from bankcrm.demo.pipeline_desk import fill_pipelines
from bankcrm.demo.quality_improvement import plant_improvement
from bankcrm.demo.quality_inspections import plant_inspections
from bankcrm.demo.quality_surveys import plant_survey_waves
from bankcrm.demo.repository import DemoSystemRepository
from bankcrm.demo.training_desk import plant_training
from bankcrm.ingest import service as ingest_service
from bankcrm.ingest import synth
from bankcrm.offers.ranking import raise_reassessment_tasks, rank_bank
from bankcrm.privacy import service as privacy_service
from bankcrm.segmentation import service as segmentation_service
from bankcrm.segmentation.features import earlier_as_of
from bankcrm.staff import service as staff_service
from bankcrm.staff.models import StaffUser

ACCOUNT_MANAGER_LOGINS = 2
PASSWORD_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    full_name: str


@dataclass(frozen=True)
class DemoBank:
    database_url: str
    logins: list[DemoLogin]
    rows_by_table: dict[str, int]


def build_demo_bank(
    *,
    database_url: str,
    work_dir: Path,
    customers: int,
    seed: int,
    as_of: date | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> DemoBank:
    """Generate ``customers`` customers into ``work_dir/demo-bank``, import them, set passwords.

    The bank's history ends at ``as_of`` and is analysed as of it: by default yesterday, the
    last whole day. An existing SQLite demo database is replaced so that the demo always
    starts clean.
    """
    files_dir = work_dir / "demo-bank"
    if files_dir.exists():
        shutil.rmtree(files_dir)
    _remove_sqlite_database(database_url)
    if as_of is None:
        as_of = clock.bank_today() - timedelta(days=1)
    synth.generate_bank(files_dir, customers=customers, seed=seed, as_of=as_of, progress=progress)
    upgrade(database_url)
    report = ingest_service.import_directory(database_url, files_dir, progress=progress)
    _analyse(database_url, as_of=as_of)
    logins = _grant_demo_logins(database_url)
    _register_privacy_requests(database_url)
    _open_the_complaint_desk(database_url)
    _run_the_quality_desk(database_url, seed=seed, as_of=as_of)
    _train_the_staff(database_url, seed=seed)
    _open_the_sales_desk(database_url, seed=seed)
    _open_the_credit_desk(database_url, files_dir)
    _open_the_marketing_desk(database_url, seed=seed)
    _run_the_branches(database_url, seed=seed)
    return DemoBank(database_url=database_url, logins=logins, rows_by_table=report.rows_by_table)


logger = logging.getLogger(__name__)

SEGMENTED_MONTHS_APART = 6
"""Two snapshots half a year apart, so the demo shows migration and its alerts."""


def _analyse(database_url: str, *, as_of: date) -> None:
    """Segments half a year before ``as_of`` and on it, then lifetime value and churn
    warnings as of it."""
    settings = Settings(database_url=database_url)
    engine = make_engine(database_url)
    try:
        for day in (earlier_as_of(as_of, SEGMENTED_MONTHS_APART), as_of):
            with Session(engine) as session:
                segmentation_service.run_segmentation(
                    session, settings=settings, as_of=day, engine=AnalyticsEngine.DUCKDB
                )
                session.commit()
        for job in (clv_service.run_clv, churn_service.run_churn):
            with Session(engine) as session:
                try:
                    job(
                        session,
                        settings=settings,
                        as_of=as_of,
                        engine=AnalyticsEngine.DUCKDB,
                    )
                except ValidationFailed as error:
                    # a bank of a handful of customers may give a model nothing to learn
                    # from; the demo is still built, and says which figures it lacks
                    logger.warning("demo without %s: %s", job.__module__, error.message)
                    continue
                session.commit()
    finally:
        engine.dispose()


PRIVACY_EXAMPLES: tuple[tuple[PrivacyRequestKind, str, dict[str, str | None] | None], ...] = (
    (PrivacyRequestKind.ACCESS, "客户来电,要求提供本行保存的全部个人信息副本。", None),
    (
        PrivacyRequestKind.CORRECTION,
        "客户搬家,要求更正常用地址。",
        {"primary_address": "上海市浦东新区世纪大道100号"},
    ),
    (PrivacyRequestKind.DELETION, "客户要求删除个人信息。", None),
)
"""What the privacy page shows in the demo: an export to send, a correction awaiting its
checker, a deletion held while the customer still banks with us."""
PRIVACY_REASON = "客户本人书面申请查阅个人信息,已在柜台核验身份证件。"
"""Why the demo's access request hands the data over (an access request needs a reason)."""


def _register_privacy_requests(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            maker = DemoSystemRepository(session).staff_with_largest_books(limit=1)
            if not maker:
                return
            audit_recorder.act_as(session, actor_id=maker[0].id, label=maker[0].username)
            customers = DemoSystemRepository(session).book_customers(
                manager_id=maker[0].id, limit=len(PRIVACY_EXAMPLES)
            )
            for customer, (kind, note, corrections) in zip(
                customers, PRIVACY_EXAMPLES, strict=False
            ):
                privacy_service.create_request(
                    session,
                    user=maker[0],
                    customer_id=customer.id,
                    kind=kind,
                    note=note,
                    reason=PRIVACY_REASON if kind is PrivacyRequestKind.ACCESS else None,
                    corrections=corrections,
                )
            session.commit()
    finally:
        engine.dispose()


LIVE_COMPLAINTS: tuple[tuple[int, ComplaintChannel, Severity, str], ...] = (
    (
        0,
        ComplaintChannel.COUNTER,
        Severity.MEDIUM,
        "今天上午在网点排队一个多小时，只开了两个窗口，大堂经理也没有引导分流。",
    ),
    (
        1,
        ComplaintChannel.PHONE,
        Severity.HIGH,
        "信用卡被扣了一笔境外消费，我本人从未出境，怀疑卡片被盗刷，要求立即冻结并退款。",
    ),
    (
        2,
        ComplaintChannel.APP,
        Severity.MEDIUM,
        "手机银行转账显示失败，但账户余额已经扣减，两天了钱还没有退回。",
    ),
    (
        4,
        ComplaintChannel.WEB,
        Severity.LOW,
        "借记卡每季度被扣小额账户管理费，开户时没有人告知，要求退还。",
    ),
    (
        9,
        ComplaintChannel.LETTER,
        Severity.MEDIUM,
        "购买的理财产品宣传年化收益百分之四点五，到期实际只有百分之二点八，与宣传不符。",
    ),
    (
        12,
        ComplaintChannel.COUNTER,
        Severity.MEDIUM,
        "办理房贷提前还款申请已经三周，网点一直说在审批，没有任何书面答复。",
    ),
    (
        13,
        ComplaintChannel.REGULATOR,
        Severity.HIGH,
        "监管转办：客户反映征信报告出现一笔从未办理的贷款逾期记录，要求更正。",
    ),
    (
        17,
        ComplaintChannel.PHONE,
        Severity.HIGH,
        "催收人员多次在晚上十点以后打电话，还联系了我的同事，严重影响生活。",
    ),
)
"""Complaints received in the days before the demo starts, so that the queue has cases due
today, due soon and overdue whatever day the demo is built."""
DEMO_COMPENSATION = Decimal("1800")


def _open_the_complaint_desk(database_url: str) -> None:
    """Train the bank's classifier on the imported closed cases, take in recent complaints
    at the service-quality desk, propose a compensation for the branch manager to approve,
    and run the deadline sweep."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            officer = repository.first_staff_in_role(session, role=Role.QUALITY_OFFICER)
            branch_manager = _demo_branch_manager(session)
            if officer is None or branch_manager is None or branch_manager.branch_id is None:
                return
            audit_recorder.act_as(session, actor_id=officer.id, label=officer.username)
            with contextlib.suppress(Conflict):
                # a small demo bank has too few closed cases: the starting model suggests
                complaints_service.train_classifier(session, user=officer)
            customers = DemoSystemRepository(session).branch_customers(
                branch_id=branch_manager.branch_id, limit=len(LIVE_COMPLAINTS)
            )
            now = utcnow()
            registered = []
            for customer, (days_ago, channel, severity, text) in zip(
                customers, LIVE_COMPLAINTS, strict=False
            ):
                registered.append(
                    complaints_service.create_complaint(
                        session,
                        user=officer,
                        customer_id=customer.id,
                        channel=channel,
                        severity=severity,
                        text=text,
                        received_at=now - timedelta(days=days_ago, hours=2),
                    )
                )
            for case in registered[2:]:
                accepted = complaints_service.transition(
                    session,
                    user=officer,
                    complaint_id=case.id,
                    action=ComplaintAction.ACCEPT,
                    version=case.version,
                )
                complaints_service.transition(
                    session,
                    user=officer,
                    complaint_id=case.id,
                    action=ComplaintAction.INVESTIGATE,
                    version=accepted.version,
                )
            if len(registered) > 4:
                complaints_service.propose_recovery(
                    session,
                    user=officer,
                    complaint_id=registered[4].id,
                    kind=RecoveryKind.COMPENSATION,
                    amount=DEMO_COMPENSATION,
                    note="按宣传收益补足差额",
                )
            complaints_service.sweep(session)
            session.commit()
    finally:
        engine.dispose()


def _run_the_quality_desk(database_url: str, *, seed: int, as_of: date) -> None:
    """A year of inspections against the standards catalogue (branch BR002 failing), the
    bank's service promises and improvement actions, and the survey waves: the generated
    ones closed, one open with invitations, answers and the managers' predictions."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            officer = repository.first_staff_in_role(session, role=Role.QUALITY_OFFICER)
            if officer is None:
                return
            audit_recorder.act_as(session, actor_id=officer.id, label=officer.username)
            today = clock.bank_today()
            plant_inspections(session, as_of=as_of, seed=seed)
            plant_improvement(session, as_of=as_of, today=today, seed=seed)
            plant_survey_waves(session, as_of=as_of, today=today, seed=seed)
            session.commit()
    finally:
        engine.dispose()


def _open_the_sales_desk(database_url: str, *, seed: int) -> None:
    """Risk assessments and a year of sales, then the nightly ranking of offers and the
    re-assessment tasks it raises."""
    settings = Settings(database_url=database_url).offers
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            audit_recorder.act_as(session, actor_id=None, label="demo")
            today = clock.bank_today()
            plant_offers(session, today=today, seed=seed, settings=settings)
            session.commit()
            rank_bank(session, today=today, window_months=settings.window_months)
            raise_reassessment_tasks(
                session, today=today, notice_days=settings.reassessment_notice_days
            )
            session.commit()
    finally:
        engine.dispose()


def _open_the_credit_desk(database_url: str, files_dir: Path) -> None:
    """A scorecard learnt from the bank's own classified loans (kept beside the generated
    files), and every borrower scored with it for the customer 360."""
    settings = Settings(database_url=database_url).credit
    engine = make_engine(database_url)
    loans_file, card_file = files_dir / "loans.csv", files_dir / "scorecard.json"
    try:
        with Session(engine) as session:
            pa_csv.write_csv(bank_loans.loan_table(session), loans_file)
        try:
            report, card = credit_service.fit_file(
                loans_file,
                target="loan_class",
                bad_values=bank_loans.BAD_CLASSES,
                exclude=("loan", "customer"),
                folds=5,
                seed=0,
                special_codes=None,
                settings=settings,
                with_baseline=False,
            )
        except BankcrmError as error:
            logger.warning("demo without a credit scorecard: %s", error.message)
            return
        credit_service.save(card, card_file)
        logger.info("demo scorecard: AUC %.3f on %d loans", report["auc"], report["rows"])
        with Session(engine) as session:
            audit_recorder.act_as(session, actor_id=None, label="demo")
            bank_loans.score_bank(
                session,
                card=card,
                card_name=card_file.name,
                settings=settings,
                today=clock.bank_today(),
                create_tasks=False,
            )
            session.commit()
    finally:
        engine.dispose()


def _open_the_marketing_desk(database_url: str, *, seed: int) -> None:
    """Consent on every channel, three past campaigns with their control groups and what
    came of them, a live campaign with contact tasks for the account managers, and each
    demo account manager's prospect pipeline."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            audit_recorder.act_as(session, actor_id=None, label="demo")
            analyst = repository.first_staff_in_role(session, role=Role.MARKETING_ANALYST)
            approver = _demo_branch_manager(session)
            if analyst is None or approver is None:
                logger.warning("demo without campaigns: no marketing analyst or branch manager")
                return
            open_the_marketing_desk(
                session,
                analyst=analyst,
                approver=approver,
                today=clock.bank_today(),
                seed=seed,
            )
            fill_pipelines(
                session,
                managers=DemoSystemRepository(session).staff_with_largest_books(
                    limit=ACCOUNT_MANAGER_LOGINS
                ),
                today=clock.bank_today(),
                seed=seed,
            )
            session.commit()
    finally:
        engine.dispose()


def _train_the_staff(database_url: str, *, seed: int) -> None:
    """A year of courses and assessments for every member of staff, and the wealth-sales
    certificates the account managers need before they sell R3 and above."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            audit_recorder.act_as(session, actor_id=None, label="demo")
            plant_training(session, today=clock.bank_today(), seed=seed)
            session.commit()
    finally:
        engine.dispose()


def _run_the_branches(database_url: str, *, seed: int) -> None:
    """A year of queue tickets at every branch and next week's counter plan; six months of
    KPIs for the staff, and last month's incentive pool of every branch with a manager."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            audit_recorder.act_as(session, actor_id=None, label="demo")
            today = clock.bank_today()
            plant_queue_history(session, today=today, seed=seed)
            session.commit()
            plan_demo_branches(session, today=today)
            compute_demo_kpis(session, today=today)
            session.commit()
            managers = {
                branch.id: manager
                for branch in branches_service.list_branches(session)
                if (
                    manager := repository.first_staff_in_role(
                        session, role=Role.BRANCH_MANAGER, branch_id=branch.id
                    )
                )
                is not None
                and manager.branch_id == branch.id
            }
            open_demo_pools(session, today=today, approver_by_branch=managers)
            session.commit()
    finally:
        engine.dispose()


def _demo_password() -> str:
    """Twelve letters and digits: easy to type, nothing a shell would read as an option."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))


def _remove_sqlite_database(database_url: str) -> None:
    if not database_url.startswith("sqlite:///"):
        return
    path = Path(database_url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _demo_branch_manager(session: Session) -> StaffUser | None:
    """The branch manager of the demo's first account manager (the largest book): the one
    who checks that manager's sales and takes the escalated complaints of that branch."""
    largest = DemoSystemRepository(session).staff_with_largest_books(limit=1)
    return repository.first_staff_in_role(
        session, role=Role.BRANCH_MANAGER, branch_id=largest[0].branch_id if largest else None
    )


def _grant_demo_logins(database_url: str) -> list[DemoLogin]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            chosen = DemoSystemRepository(session).staff_with_largest_books(
                limit=ACCOUNT_MANAGER_LOGINS
            )
            for role in Role:
                if role is Role.ACCOUNT_MANAGER:
                    continue
                user = (
                    _demo_branch_manager(session)
                    if role is Role.BRANCH_MANAGER
                    else repository.first_staff_in_role(session, role=role)
                )
                if user is not None:
                    chosen.append(user)
            logins = []
            for user in chosen:
                password = _demo_password()
                staff_service.set_password(session, username=user.username, password=password)
                logins.append(
                    DemoLogin(
                        username=user.username,
                        password=password,
                        role=user.role.value,
                        full_name=user.full_name,
                    )
                )
            session.commit()
    finally:
        engine.dispose()
    return logins
