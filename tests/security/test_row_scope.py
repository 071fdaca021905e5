"""Row scope by construction (issue 16): no query of a customer's rows can leave out the
viewer, because the only way to write one is to start from ``bankcrm.scope``.

Three guards:

* a lint over ``src/`` (like Polar's ``lint_org_scope``): a ``select``, ``update``,
  ``delete``, ``insert``, ``aliased`` or ``exists`` of a table registered in
  ``scope.OWNERSHIP``, a ``join``/``select_from``/``get`` of one, or raw SQL naming one, is
  refused anywhere but ``scope.py`` and the bodies of the named ``SystemRepository``
  classes (and the migrations);
* a test generated from every public method of every scoped repository, found by
  introspection: each is called as an account manager (their book) and as a branch
  manager (their branch) with the ids, branch and manager of another book's and another
  branch's rows, and must return exactly what it returns once those rows are deleted, and
  change none of them;
* the inspection scores: a branch manager reads their own branch's per-staff results only.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator, Set
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Engine, Table, delete, false, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

import bankcrm
from bankcrm import scope
from bankcrm.accounts.models import AccountParty, StandingOrder
from bankcrm.campaigns.models import (
    Campaign,
    CampaignMember,
    CampaignSend,
    HoldoutMember,
    MarketingConsent,
    MarketingHoldout,
)
from bankcrm.churn.models import ChurnRun, ChurnScore
from bankcrm.clv.models import ClvRun, CustomerValue
from bankcrm.complaints.models import Complaint, ComplaintEvent, ComplaintRecovery
from bankcrm.core import clock
from bankcrm.core.db import Base, make_engine
from bankcrm.core.enums import (
    AccountPartyRole,
    AnalyticsEngine,
    CampaignChannel,
    CampaignGroup,
    CampaignObjective,
    CampaignStatus,
    ChurnMethod,
    ComplaintChannel,
    ComplaintEventKind,
    CustomerType,
    InspectionKind,
    InvestmentGoal,
    LifecycleStage,
    PrivacyRequestKind,
    PrivacyRequestStatus,
    ProductRisk,
    Quadrant,
    RecoveryKind,
    RecoveryStatus,
    RiskLevel,
    Role,
    SaleStatus,
    SendStatus,
    Severity,
    SurveyKind,
    ValueTier,
)
from bankcrm.core.exceptions import NotFound
from bankcrm.customers.models import Customer, Note
from bankcrm.offers.models import OfferScore, RiskAssessment, Sale
from bankcrm.privacy.models import PrivacyRequest
from bankcrm.quality.inspections import service as inspections_service
from bankcrm.quality.inspections.checklist import Answer as InspectionAnswer
from bankcrm.quality.models import (
    Inspection,
    InspectionResult,
    ServiceStandard,
    SurveyInvitation,
    SurveyResponse,
    SurveyWave,
)
from bankcrm.scope import OWNERSHIP, ScopedRepository, SystemRepository
from bankcrm.segmentation.models import CustomerSegment, SegmentRun
from bankcrm.staff.models import StaffUser
from bankcrm.tasks.models import Task
from tests import factories
from tests.small_bank import SmallBank, login
from tests.web.test_pages import log_in

SOURCE = Path(bankcrm.__file__).resolve().parent
HTML = {"accept": "text/html"}


def _modules() -> list[str]:
    """Every module of the package but the migrations (Alembic loads those itself)."""
    return [
        info.name
        for info in pkgutil.walk_packages(bankcrm.__path__, "bankcrm.")
        if not info.name.startswith("bankcrm.migrations")
    ]


for _name in _modules():
    importlib.import_module(_name)


def _subclasses(base: type) -> set[type]:
    found: set[type] = set()
    for sub in base.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


SYSTEM_REPOSITORIES = sorted(_subclasses(SystemRepository), key=lambda cls: cls.__qualname__)
SCOPED_REPOSITORIES = sorted(
    (cls for cls in _subclasses(ScopedRepository) if not issubclass(cls, SystemRepository)),
    key=lambda cls: (cls.__module__, cls.__qualname__),
)
OWNED_MODELS = {(model.__module__, model.__name__) for model in OWNERSHIP}
OWNED_TABLES = {model.__table__.name for model in OWNERSHIP}  # type: ignore[attr-defined]


# --- (a) the lint ----------------------------------------------------------------------------

SQL_FUNCTIONS = {"select", "update", "delete", "insert", "exists", "union", "union_all"}
"""SQLAlchemy functions that put a table into a statement: any mention of a registered
table among their arguments is a query of it."""
ALIASES = {"aliased", "alias"}
"""An alias of a registered table is one too: where it is used counts as the table."""
FROM_METHODS = {"join", "outerjoin", "join_from", "outerjoin_from", "select_from"}
"""Methods whose first argument adds a table to a statement (the rest is an ON clause)."""
SESSION_METHODS = {"get", "get_one", "query", "merge"}
RAW_SQL = re.compile(r"\b(?:FROM|JOIN|UPDATE|INTO)\s+(" + "|".join(sorted(OWNED_TABLES)) + r")\b")
NOT_LINTED = ("scope.py", "migrations/")
"""The scope module itself, and the migrations (they run as the schema's owner before any
viewer exists)."""


@dataclass
class _Imports:
    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Local name → (module, attribute) of ``from module import attribute``."""
    modules: dict[str, str] = field(default_factory=dict)
    """Local name → module of ``import module``."""


def _imports(tree: ast.Module) -> _Imports:
    found = _Imports()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                found.names[alias.asname or alias.name] = (node.module, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                found.modules[alias.asname or alias.name.split(".")[0]] = alias.name
    return found


def _owned_name(node: ast.AST, imports: _Imports, aliases: Set[str] = frozenset()) -> str | None:
    """The registered model ``node`` names (``Customer``, ``models.Customer``, an alias
    of one), if any."""
    if isinstance(node, ast.Name) and (
        imports.names.get(node.id) in OWNED_MODELS or node.id in aliases
    ):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        module = imports.modules.get(node.value.id)
        if module is None and node.value.id in imports.names:
            module = ".".join(imports.names[node.value.id])
        if module is not None and (module, node.attr) in OWNED_MODELS:
            return node.attr
    return None


def _mentions(nodes: list[ast.AST], imports: _Imports, aliases: Set[str]) -> str | None:
    for root in nodes:
        for node in ast.walk(root):
            name = _owned_name(node, imports, aliases)
            if name is not None:
                return name
    return None


def _alias_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    function = node.func
    return (isinstance(function, ast.Name) and function.id in ALIASES) or (
        isinstance(function, ast.Attribute) and function.attr in ALIASES
    )


def _aliases(tree: ast.Module, imports: _Imports) -> dict[int, set[str]]:
    """For each node inside a function, the names that function gives aliases of
    registered tables (``before = aliased(CustomerSegment)``)."""
    found: dict[int, set[str]] = {}
    functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
    for function in functions:  # outer functions first: an inner one's names win
        names = {
            target.id
            for node in ast.walk(function)
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and _alias_call(node.value)
            and _mentions(node.value.args[:1], imports, set()) is not None
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(function):
            found[id(node)] = names
    return found


def _is_sqlalchemy(function: ast.AST, imports: _Imports) -> str | None:
    """The SQLAlchemy function a call's ``function`` is (``select``, ``sa.select``)."""
    if isinstance(function, ast.Name) and function.id in SQL_FUNCTIONS:
        module, _ = imports.names.get(function.id, ("", ""))
        return function.id if module.startswith("sqlalchemy") else None
    if (
        isinstance(function, ast.Attribute)
        and function.attr in SQL_FUNCTIONS
        and isinstance(function.value, ast.Name)
        and imports.modules.get(function.value.id, "").startswith("sqlalchemy")
    ):
        return function.attr
    return None


def _system_spans(tree: ast.Module, module: str) -> list[tuple[int, int]]:
    """Line spans of the module's system repository classes."""
    names = {cls.__qualname__ for cls in SYSTEM_REPOSITORIES if cls.__module__ == module}
    return [
        (node.lineno, node.end_lineno or node.lineno)
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name in names
    ]


def _docstrings(tree: ast.Module) -> set[int]:
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }


def unscoped_queries(path: Path, module: str) -> list[str]:
    """Every statement of ``path`` that reads or writes a registered table without the
    scope: ``file:line: what``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imports = _imports(tree)
    allowed = _system_spans(tree, module)
    docstrings = _docstrings(tree)
    aliases_at = _aliases(tree, imports)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        aliases = aliases_at.get(id(node), set())
        what = None
        if isinstance(node, ast.Call):
            function = _is_sqlalchemy(node.func, imports)
            arguments: list[ast.AST] = [*node.args, *(keyword.value for keyword in node.keywords)]
            if function is not None:
                name = _mentions(arguments, imports, aliases)
                what = f"{function}({name})" if name else None
            elif isinstance(node.func, ast.Attribute) and node.args:
                method = node.func.attr
                if method in FROM_METHODS or method in SESSION_METHODS:
                    name = _mentions([node.args[0]], imports, aliases)
                    what = f".{method}({name})" if name else None
        elif isinstance(node, ast.Attribute) and node.attr == "__table__":
            name = _owned_name(node.value, imports)
            what = f"{name}.__table__" if name else None
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and (match := RAW_SQL.search(node.value))
        ):
            what = f"SQL on {match.group(1)}"
        if what is None:
            continue
        line = getattr(node, "lineno", 0)
        if not any(first <= line <= last for first, last in allowed):
            found.append((line, what))
    shown = path.relative_to(SOURCE.parent) if path.is_relative_to(SOURCE) else path.name
    return [f"{shown}:{line}: {what}" for line, what in sorted(found)]


def _source_files() -> Iterator[tuple[Path, str]]:
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        if relative.startswith(NOT_LINTED):
            continue
        module = "bankcrm." + relative.removesuffix(".py").replace("/", ".")
        yield path, module.removesuffix(".__init__")


def test_no_query_of_a_customers_rows_leaves_the_scope() -> None:
    """Every ``select(Customer|Account|Transaction|Complaint|…)`` outside ``scope.py`` and
    the named system repositories is a query that could forget the viewer."""
    found = [line for path, module in _source_files() for line in unscoped_queries(path, module)]
    assert found == [], "queries of customer-owned rows outside the scope:\n" + "\n".join(found)


def test_the_lint_sees_each_way_of_writing_such_a_query(tmp_path: Path) -> None:
    """The lint is not vacuous: each way around the scope in a scratch module is found,
    and the body of a named system repository is let through."""
    scratch = tmp_path / "repository.py"
    text = """
from sqlalchemy import select, update
import sqlalchemy as sa
from sqlalchemy.orm import aliased
from bankcrm.accounts.models import Account
from bankcrm.complaints import models as complaint_models
from bankcrm.customers.models import Customer as Client
from bankcrm.products.models import Product
from bankcrm.scope import SystemRepository


def reads(session, viewer):
    session.scalars(select(Client).where(Client.id == 1))
    session.execute(sa.select(sa.func.count(Account.id)))
    select(Product).join(Account, Account.product_id == Product.id)
    session.get(complaint_models.Complaint, 1)
    update(Client).values(name="x")
    other = aliased(Account)
    session.execute(select(other.id))
    select(Product).join(Product, Product.id == Account.product_id)
    session.execute("SELECT * FROM customers")


class ComplaintSystemRepository(SystemRepository):
    def whole_bank(self):
        return select(Client)
"""
    scratch.write_text(text, encoding="utf-8")
    found = unscoped_queries(scratch, "bankcrm.complaints.repository")
    whats = [line.split(": ", 1)[1] for line in found]
    assert whats == [
        "select(Client)",
        "select(Account)",
        ".join(Account)",
        ".get(Complaint)",
        "update(Client)",
        "select(other)",
        "SQL on customers",
    ]


NOT_REGISTERED = {
    "improvement_actions": "a PDCA action names the case or inspection it came from and "
    "holds none of their data",
    "audit_entries": "the audit trail, read whole by the compliance auditor (audit:read)",
}
"""Tables that point at a registered table (a foreign key, or a ``customer_id``) and are
not customer-owned rows themselves."""


def test_every_table_that_belongs_to_a_customer_is_registered() -> None:
    registered = set(OWNED_TABLES)
    pointing = {
        table.name
        for table in Base.metadata.sorted_tables
        if "customer_id" in table.c
        or any(key.column.table.name in registered for key in table.foreign_keys)
    }
    assert pointing - registered - set(NOT_REGISTERED) == set()
    assert set(NOT_REGISTERED) <= pointing


def test_system_repositories_are_named_and_used_only_by_jobs() -> None:
    """An unscoped read says so where it is used, and no route module uses one."""
    assert SYSTEM_REPOSITORIES, "the jobs' repositories were not found"
    assert all(cls.__name__.endswith("SystemRepository") for cls in SYSTEM_REPOSITORIES)
    with pytest.raises(TypeError, match="ends in SystemRepository"):
        type("Sneaky", (SystemRepository,), {})
    names = {cls.__name__ for cls in SYSTEM_REPOSITORIES}
    edges = [
        path
        for path, _ in _source_files()
        if path.name in {"endpoints.py", "pages.py", "respondent.py", "deps.py"}
        or path.parent.name == "web"
    ]
    used = [
        f"{path.relative_to(SOURCE.parent)}: {node.id}"
        for path in edges
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Name) and node.id in names
    ]
    assert used == []


# --- (b) every method of every scoped repository -----------------------------------------

METHODS = [
    (cls, name)
    for cls in SCOPED_REPOSITORIES
    for name, function in inspect.getmembers(cls, inspect.isfunction)
    if not name.startswith("_")
    and function.__module__.startswith("bankcrm.")
    and function.__module__ != scope.__name__
]


@dataclass(frozen=True)
class Group:
    """The rows of one book: its branch, its account manager, a customer and their rows."""

    name: str
    branch_id: int
    manager_id: int
    customer_id: int
    customer_name: str
    customer_number: str
    complaint_id: int
    recovery_id: int
    request_id: int
    inspection_id: int
    sale_id: int


@dataclass(frozen=True)
class RowBank:
    groups: dict[str, Group]
    viewers: dict[str, int]
    """Scope → the staff member who sees that much: ``own_book`` (book A), ``branch``."""
    main_branch: int
    segment_runs: tuple[int, int]
    clv_run: int
    churn_run: int
    wave_id: int
    wave_code: str
    campaign_id: int
    campaign_code: str
    as_of: date
    issue: str
    standard_codes: tuple[str, ...]


FOREIGN = {"own_book": ("B", "C"), "branch": ("C",)}
"""Book A is the account manager's, book B another's at the same branch, book C is at
another branch; the branch manager manages the branch of A and B."""
BIG = 10**12
"""Money of another book's rows: a sum that took it in would show."""


def _staff(session: Session, username: str) -> StaffUser:
    return session.scalars(select(StaffUser).where(StaffUser.username == username)).one()


def _plant_group(
    session: Session,
    *,
    name: str,
    branch_id: int,
    manager: StaffUser,
    context: dict[str, Any],
) -> Group:
    """One customer of the book with a row in every registered table, and a case, an
    answer and an inspection of the book's branch."""
    money = 1_000 if name == "A" else BIG
    customer = factories.customer(
        session, branch_id=branch_id, manager_id=manager.id, name=f"范围{name}客户"
    )
    account = factories.account(
        session, customer=customer, product_id=context["product"], balance_cents=money
    )
    factories.transaction(session, account=account, amount_cents=money)
    factories.holding(session, customer=customer, product_id=context["product"], amount_cents=money)
    contact = factories.interaction(session, customer=customer, staff_id=manager.id)
    received = datetime(2026, 6, 1, 9, tzinfo=UTC)
    complaint = Complaint(
        external_id=f"SCOPE-{name}",
        customer_id=customer.id,
        branch_id=branch_id,
        owner_id=manager.id,
        channel=ComplaintChannel.COUNTER,
        issue=context["issue"],
        severity=Severity.MEDIUM,
        text=f"{name} 的投诉",
        received_at=received,
        deadline_at=received + timedelta(days=15),
    )
    walk_in = Complaint(
        external_id=f"SCOPE-{name}-WALK-IN",
        branch_id=branch_id,
        owner_id=manager.id,
        channel=ComplaintChannel.PHONE,
        issue=context["issue"],
        severity=Severity.LOW,
        text=f"{name} 的来电",
        received_at=received,
        deadline_at=received + timedelta(days=15),
    )
    session.add_all([complaint, walk_in])
    session.flush()
    recovery = ComplaintRecovery(
        complaint_id=complaint.id,
        kind=RecoveryKind.FEE_REFUND,
        amount=Decimal(money) / 100,
        status=RecoveryStatus.APPROVED,
        maker_id=manager.id,
    )
    request = PrivacyRequest(
        customer_id=customer.id,
        kind=PrivacyRequestKind.ACCESS,
        status=PrivacyRequestStatus.RECEIVED,
        received_at=received,
        due_on=date(2026, 6, 30),
        requested_by_id=manager.id,
        note=f"{name} 的申请",
    )
    responses = [
        SurveyResponse(
            external_id=f"SR-{name}-Q",
            kind=SurveyKind.SERVQUAL,
            wave=context["wave_code"],
            customer_id=customer.id,
            branch_id=branch_id,
            answered_on=date(2026, 6, 2),
            answers={"E1": 7, "P1": 1 if name != "A" else 6},
        ),
        SurveyResponse(
            external_id=f"SR-{name}-C",
            kind=SurveyKind.CSAT,
            wave=context["wave_code"],
            customer_id=customer.id,
            branch_id=branch_id,
            answered_on=date(2026, 6, 3),
            score=1 if name != "A" else 5,
        ),
    ]
    if name != "A":
        # an anonymous answer about the branch: the branch sees it, no book does
        responses.append(
            SurveyResponse(
                external_id=f"SR-{name}-ANON",
                kind=SurveyKind.CSAT,
                wave=context["wave_code"],
                branch_id=branch_id,
                answered_on=date(2026, 6, 4),
                score=2,
            )
        )
    inspection = Inspection(
        kind=InspectionKind.DAILY_CHECK,
        branch_id=branch_id,
        staff_id=manager.id,
        inspector_id=manager.id,
        inspected_on=date(2026, 6, 5),
        created_at=received,
        results=[InspectionResult(standard_id=context["standard"], passed=name == "A")],
    )
    session.add_all(
        [
            recovery,
            request,
            *responses,
            inspection,
            ComplaintEvent(
                complaint_id=complaint.id,
                at=received,
                actor_id=manager.id,
                kind=ComplaintEventKind.NOTE,
                text=f"{name} 的记录",
            ),
            Note(customer_id=customer.id, author_id=manager.id, body=f"{name} 的笔记"),
            Task(
                customer_id=customer.id,
                assignee_id=manager.id,
                kind="call",
                title=f"{name} 的任务",
            ),
            AccountParty(
                external_id=f"AP-{name}",
                account_id=account.id,
                customer_id=customer.id,
                role=AccountPartyRole.OWNER,
            ),
            StandingOrder(external_id=f"SO-{name}", account_id=account.id, amount_cents=money),
            SurveyInvitation(
                wave_id=context["wave_id"],
                customer_id=customer.id,
                branch_id=branch_id,
                interaction_id=contact.id,
                token=f"token-{name}",
                issued_at=received,
            ),
            CustomerValue(
                run_id=context["clv_run"],
                customer_id=customer.id,
                frequency=3,
                recency_weeks=4.0,
                age_weeks=50.0,
                p_alive=0.5,
                expected_transactions=2.0,
                expected_amount_cents=money,
                clv_cents=money,
            ),
            ChurnScore(
                run_id=context["churn_run"], customer_id=customer.id, probability=0.9, reasons=[]
            ),
            *_campaign_rows(context, customer, manager.id, received, money),
        ]
    )
    for run_id, quadrant in zip(
        context["segment_runs"], (Quadrant.LOYAL, Quadrant.PROBLEM_2), strict=True
    ):
        session.add(_segment(run_id, customer, quadrant, money))
    sale = _offers_rows(session, customer, manager.id, account.product_id, received, money)
    session.flush()
    return Group(
        name=name,
        branch_id=branch_id,
        manager_id=manager.id,
        customer_id=customer.id,
        customer_name=customer.name,
        customer_number=customer.external_id,
        complaint_id=complaint.id,
        recovery_id=recovery.id,
        request_id=request.id,
        inspection_id=inspection.id,
        sale_id=sale.id,
    )


def _campaign_rows(
    context: dict[str, Any], customer: Customer, manager_id: int, at: datetime, money: int
) -> list[Any]:
    """The customer as a treated member of the scope campaign, sent to and tasked, with a
    consent and a place in the holdout."""
    return [
        CampaignMember(
            campaign_id=context["campaign"],
            customer_id=customer.id,
            group=CampaignGroup.TREATMENT,
            branch_id=customer.branch_id,
            manager_id=manager_id,
            reasons=["all_customers"],
            responded=True,
            converted=True,
            amount_cents=money,
        ),
        CampaignSend(
            campaign_id=context["campaign"],
            customer_id=customer.id,
            channel=CampaignChannel.PHONE,
            status=SendStatus.SENT,
            attempts=1,
            logged_at=at,
        ),
        MarketingConsent(
            customer_id=customer.id,
            channel=CampaignChannel.PHONE,
            granted=True,
            source="scope",
            given_on=at.date(),
            recorded_at=at,
        ),
        HoldoutMember(holdout_id=context["holdout"], customer_id=customer.id),
        Task(
            customer_id=customer.id,
            assignee_id=manager_id,
            kind="campaign_contact",
            source="campaign",
            source_ref=context["campaign_code"],
            title="活动联系",
        ),
    ]


def _offers_rows(
    session: Session,
    customer: Customer,
    manager_id: int,
    product_id: int,
    received: datetime,
    money: int,
) -> Sale:
    """The customer's risk assessment, a subscription and an offer score."""
    session.add_all(
        [
            RiskAssessment(
                customer_id=customer.id,
                assessed_by_id=manager_id,
                questionnaire_version="2026.1",
                level=RiskLevel.C3,
                score=50,
                score_level=RiskLevel.C3,
                goal=InvestmentGoal.BALANCED,
                horizon_months=36,
                answers={},
                dimension_scores={},
                assessed_on=received.date(),
                valid_until=received.date() + timedelta(days=365),
            ),
            OfferScore(
                customer_id=customer.id,
                product_id=product_id,
                score=0.5,
                scored_on=received.date(),
                facts={},
            ),
        ]
    )
    sale = Sale(
        customer_id=customer.id,
        product_id=product_id,
        branch_id=customer.branch_id,
        amount_cents=money,
        status=SaleStatus.SUBSCRIBED,
        sold_by_id=manager_id,
        sold_at=received,
        product_risk=ProductRisk.R1,
        mismatch=[],
        disclosure_confirmed_at=received,
    )
    session.add(sale)
    return sale


def _segment(run_id: int, customer: Customer, quadrant: Quadrant, money: int) -> CustomerSegment:
    scores = {
        f"{factor}_score": 50.0
        for factor in (
            "trust",
            "communication",
            "transaction_frequency",
            "annual_transactions",
            "product_dependency",
            "share_of_wallet",
            "credit_grade",
        )
    }
    return CustomerSegment(
        run_id=run_id,
        customer_id=customer.id,
        customer_type=CustomerType.INDIVIDUAL,
        branch_id=customer.branch_id,
        manager_id=customer.manager_id,
        business_volume_cents=money,
        business_share=0.5,
        loyalty_index=0.5,
        quadrant=quadrant,
        value_tier=ValueTier.A,
        recency_score=3,
        frequency_score=3,
        monetary_score=3,
        lifecycle_stage=LifecycleStage.MATURE,
        **scores,
    )


@pytest.fixture
def row_bank(small_bank: SmallBank, app_settings: str) -> RowBank:
    """The small bank with a customer of each book (A, B at the main branch, C at the other)
    holding a row in every registered table."""
    engine = make_engine(app_settings)
    with Session(engine) as session:
        manager_a = _staff(session, small_bank.manager_a)
        manager_b = _staff(session, small_bank.manager_b)
        elsewhere = session.get(Customer, small_bank.other_branch_customer)
        assert elsewhere is not None and elsewhere.manager_id is not None
        manager_c = session.get(StaffUser, elsewhere.manager_id)
        assert manager_c is not None
        inspections_service.load_standard_catalogue(session)
        standard = session.scalars(select(ServiceStandard).order_by(ServiceStandard.id)).first()
        assert standard is not None
        as_of = date(2026, 6, 30)
        segment_runs = [
            SegmentRun(
                as_of=day,
                engine=AnalyticsEngine.DUCKDB,
                period_months=12,
                customers=0,
                settings={},
                summary={},
                finished_at=datetime(2026, 7, 1, tzinfo=UTC),
            )
            for day in (date(2026, 3, 31), as_of)
        ]
        clv_run = ClvRun(
            as_of=as_of,
            engine=AnalyticsEngine.DUCKDB,
            customers=0,
            settings={},
            params={},
            finished_at=datetime(2026, 7, 1, tzinfo=UTC),
        )
        churn_run = ChurnRun(
            as_of=as_of,
            engine=AnalyticsEngine.DUCKDB,
            method=ChurnMethod.P_ALIVE,
            customers=0,
            warnings=0,
            threshold=0.5,
            settings={},
            finished_at=datetime(2026, 7, 1, tzinfo=UTC),
        )
        wave = SurveyWave(
            code="SCOPE-WAVE",
            title="范围调查",
            kind=SurveyKind.SERVQUAL,
            opens_on=date(2026, 6, 1),
            closes_on=date(2026, 6, 30),
        )
        campaign = Campaign(
            code="SCOPE-CMP",
            name="范围活动",
            objective=CampaignObjective.INFORM,
            channel=CampaignChannel.PHONE,
            status=CampaignStatus.RUNNING,
            criteria={},
            starts_on=as_of,
            ends_on=as_of + timedelta(days=30),
            control_share=0.1,
            seed=1,
        )
        holdout = MarketingHoldout(
            name="范围保留组", share=0.1, seed=1, starts_on=as_of, ends_on=as_of
        )
        session.add_all([*segment_runs, clv_run, churn_run, wave, campaign, holdout])
        session.flush()
        context = {
            "product": factories.product(session).id,
            "issue": "fee_dispute",
            "standard": standard.id,
            "wave_id": wave.id,
            "wave_code": wave.code,
            "campaign": campaign.id,
            "campaign_code": campaign.code,
            "holdout": holdout.id,
            "clv_run": clv_run.id,
            "churn_run": churn_run.id,
            "segment_runs": [run.id for run in segment_runs],
        }
        groups = {
            name: _plant_group(
                session, name=name, branch_id=manager.branch_id, manager=manager, context=context
            )
            for name, manager in (("A", manager_a), ("B", manager_b), ("C", manager_c))
            if manager.branch_id is not None
        }
        bank = RowBank(
            groups=groups,
            viewers={
                "own_book": manager_a.id,
                "branch": _staff(session, small_bank.branch_manager).id,
            },
            main_branch=small_bank.branch_id,
            segment_runs=(segment_runs[0].id, segment_runs[1].id),
            clv_run=clv_run.id,
            churn_run=churn_run.id,
            wave_id=wave.id,
            wave_code=wave.code,
            campaign_id=campaign.id,
            campaign_code=campaign.code,
            as_of=as_of,
            issue=context["issue"],
            standard_codes=(standard.code,),
        )
        session.commit()
    engine.dispose()
    return bank


def _foreign_seeds(bank: RowBank, viewer: str) -> dict[str, ColumnElement[bool]]:
    """The rows the viewer may not see, by table, as the scope rules state them; what hangs
    off them follows through the foreign keys."""
    own = bank.groups["A"]
    if viewer == "own_book":
        return {
            "customers": or_(Customer.manager_id.is_(None), Customer.manager_id != own.manager_id),
            "complaints": Complaint.customer_id.is_(None)
            & or_(Complaint.owner_id.is_(None), Complaint.owner_id != own.manager_id),
            "survey_responses": SurveyResponse.customer_id.is_(None),
            "inspections": or_(
                Inspection.staff_id.is_(None), Inspection.staff_id != own.manager_id
            ),
        }
    return {
        "customers": Customer.branch_id != bank.main_branch,
        "complaints": or_(Complaint.branch_id.is_(None), Complaint.branch_id != bank.main_branch),
        "survey_responses": or_(
            SurveyResponse.branch_id.is_(None), SurveyResponse.branch_id != bank.main_branch
        ),
        "survey_invitations": or_(
            SurveyInvitation.branch_id.is_(None), SurveyInvitation.branch_id != bank.main_branch
        ),
        "inspections": Inspection.branch_id != bank.main_branch,
    }


def _foreign_rows(
    session: Session, seeds: dict[str, ColumnElement[bool]]
) -> dict[Table, ColumnElement[bool]]:
    """The condition on each table that picks the foreign rows and every row that points at
    one (the tables in the order they depend on each other)."""
    chosen: dict[Table, ColumnElement[bool]] = {}
    ids: dict[Table, list[int]] = {}
    for table in Base.metadata.sorted_tables:
        parts: list[ColumnElement[bool]] = []
        if table.name in seeds:
            parts.append(seeds[table.name])
        for key in table.foreign_keys:
            parent = key.column.table
            if ids.get(parent):
                parts.append(key.parent.in_(ids[parent]))
        if not parts:
            continue
        chosen[table] = or_(false(), *parts)
        if "id" in table.c and table.c.id.primary_key:
            ids[table] = list(session.scalars(select(table.c.id).where(chosen[table])))
    return chosen


def _snapshot(session: Session, rows: dict[Table, ColumnElement[bool]]) -> dict[str, list[Any]]:
    return {
        table.name: sorted(
            (tuple(map(repr, row)) for row in session.execute(select(table).where(condition))),
        )
        for table, condition in rows.items()
    }


def _delete(session: Session, rows: dict[Table, ColumnElement[bool]]) -> None:
    for table in reversed(list(rows)):
        session.execute(delete(table).where(rows[table]))


def _normal(value: Any) -> Any:
    """A value with rows and records as plain data, for comparing two results."""
    if isinstance(value, Base):
        state = sa_inspect(value)
        return (
            type(value).__name__,
            tuple(
                (attribute.key, _normal(getattr(value, attribute.key)))
                for attribute in state.mapper.column_attrs
            ),
        )
    if isinstance(value, BaseModel):
        return _normal(value.model_dump())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _normal(dataclasses.asdict(value))
    if isinstance(value, dict):
        return sorted((repr(key), _normal(item)) for key, item in value.items())
    if isinstance(value, set | frozenset):
        return sorted(map(repr, map(_normal, value)))
    if isinstance(value, list | tuple) or type(value).__name__ == "Row":
        return [_normal(item) for item in value]
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _rows_in(value: Any) -> Iterator[Any]:
    """The mapped rows anywhere in a result."""
    if isinstance(value, Base):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _rows_in(item)
    elif isinstance(value, list | tuple | set | frozenset) or type(value).__name__ == "Row":
        for item in value:
            yield from _rows_in(item)


LOWER = {"since", "start", "received_from", "answered_from", "inspected_from"}
UPPER = {"until", "end", "received_to", "received_before", "before", "inspected_to"}
RUNS = {"segmentation": "segment", "clv": "clv", "churn": "churn"}


def _argument(
    parameter: inspect.Parameter,
    annotation: Any,
    *,
    bank: RowBank,
    group: Group,
    cls: type,
) -> Any:
    """The value a call of a scoped method gets for ``parameter``, from another book's or
    branch's rows where the parameter names one; a parameter nobody thought of fails the
    test, so that a new method is called with something meant."""
    name = parameter.name
    optional = "None" in str(annotation)
    ids = {
        "customer_id": group.customer_id,
        "complaint_id": group.complaint_id,
        "recovery_id": group.recovery_id,
        "request_id": group.request_id,
        "inspection_id": group.inspection_id,
        "sale_id": group.sale_id,
        "branch_id": group.branch_id,
        "manager_id": group.manager_id,
        "staff_id": group.manager_id,
    }
    if name in ids:
        # the viewer's own call leaves the optional filters out
        return None if optional and group.name == "A" else ids[name]
    feature = RUNS.get(cls.__module__.split(".")[1])
    runs = {
        "segment": bank.segment_runs[1],
        "clv": bank.clv_run,
        "churn": bank.churn_run,
    }
    values: dict[str, Any] = {
        "customer_ids": [other.customer_id for other in bank.groups.values()],
        "branch_ids": {other.branch_id for other in bank.groups.values()},
        "run_id": runs[feature] if feature else None,
        "segment_run_id": bank.segment_runs[1],
        "from_run": bank.segment_runs[0],
        "to_run": bank.segment_runs[1],
        "moves": [(source.value, target.value) for source in Quadrant for target in Quadrant],
        "wave_id": bank.wave_id,
        "wave_code": bank.wave_code,
        "campaign_id": bank.campaign_id,
        "campaign_code": bank.campaign_code,
        "number": group.customer_number,
        "group": None,
        "text": group.customer_name,
        "match_mobile": True,
        "conditions": [],
        "offset": 0,
        "limit": 1_000,
        "threshold": 0.0,
        "active_threshold": 0.0,
        "lapsed": None,
        "issue": bank.issue,
        "issues": [bank.issue],
        "codes": list(bank.standard_codes),
        "day": bank.as_of,
        "today": bank.as_of,
        "run_as_of": bank.as_of,
        "month": bank.as_of.replace(day=1),
        "kind": SurveyKind.CSAT if "SurveyKind" in str(annotation) else None,
        "customer_type": None,
        "quadrant": None,
        "status": None,
        "overdue_on": None,
        "standard_id": None,
        "instrument": None,
        "changes": {"counter": "9"},
        # a list's order (its default column) changes which rows come first, never which
        "sort": parameter.default,
        "descending": False,
    }
    if name in values:
        return values[name]
    if name in LOWER | UPPER:
        year = 2000 if name in LOWER else 2100
        moment = datetime(year, 1, 1, tzinfo=UTC)
        return moment if "datetime" in str(annotation) else moment.date()
    raise AssertionError(
        f"{cls.__name__}.{parameter.name}: say in _argument what a call of a scoped method "
        "gets for this parameter"
    )


def _calls(cls: type, name: str, bank: RowBank, viewer: str) -> list[dict[str, Any]]:
    """Keyword arguments of each call: with the rows of every book the viewer may not see,
    and once with their own book's."""
    signature = inspect.signature(getattr(cls, name))
    parameters = [p for p in signature.parameters.values() if p.name != "self"]
    return [
        {
            parameter.name: _argument(
                parameter, parameter.annotation, bank=bank, group=group, cls=cls
            )
            for parameter in parameters
        }
        for group in [bank.groups[other] for other in FOREIGN[viewer]] + [bank.groups["A"]]
    ]


def _answer(repository: Any, name: str, arguments: dict[str, Any]) -> Any:
    """What the method answers; a refusal that the row is not the viewer's (``NotFound``)
    tells nothing about it, so it counts as an empty answer."""
    try:
        return getattr(repository, name)(**arguments)
    except NotFound:
        return None


def _problems(engine: Engine, bank: RowBank, cls: type, name: str) -> list[str]:
    """What goes wrong when ``cls.name`` is called by each viewer: rows of another book or
    branch in the answer, another book's rows changed, or an answer that those rows
    change."""
    problems = []
    for viewer, staff_id in bank.viewers.items():
        with Session(engine) as session:
            user = session.get(StaffUser, staff_id)
            foreign = _foreign_rows(session, _foreign_seeds(bank, viewer))
            before = _snapshot(session, foreign)
            calls = _calls(cls, name, bank, viewer)
            names = {bank.groups[other].customer_name for other in FOREIGN[viewer]}
            keys = {
                table.name: {
                    tuple(row)
                    for row in session.execute(select(*table.primary_key.columns).where(condition))
                }
                for table, condition in foreign.items()
            }
            seen = []
            for arguments in calls:
                result = _answer(cls(session, user), name, arguments)
                leaked = [
                    f"{type(row).__name__} {sa_inspect(row).identity}"
                    for row in _rows_in(result)
                    if tuple(sa_inspect(row).identity or ())
                    in keys.get(type(row).__table__.name, set())
                ]
                leaked += sorted(names & set(_strings(result)))
                if leaked:
                    problems.append(f"{name} as {viewer}({arguments}) returned {leaked}")
                seen.append(_normal(result))
            session.flush()
            if _snapshot(session, foreign) != before:
                problems.append(f"{name} as {viewer} changed another book's rows")
            _delete(session, foreign)
            session.expire_all()
            alone = [_normal(_answer(cls(session, user), name, arguments)) for arguments in calls]
            session.rollback()
        if seen != alone:
            problems.append(f"{name} as {viewer}: another book's rows changed the answer")
    return problems


@pytest.mark.parametrize("cls", SCOPED_REPOSITORIES, ids=lambda cls: cls.__name__)
def test_no_scoped_method_returns_anything_of_another_book_or_branch(
    cls: type, row_bank: RowBank, app_settings: str
) -> None:
    """Every public method of the repository (found by introspection, not listed), called
    as an account manager and as a branch manager with another book's and another branch's
    ids, branch and manager."""
    methods = [method for owner, method in METHODS if owner is cls]
    assert methods, f"{cls.__name__} has no public method"
    engine = make_engine(app_settings)
    try:
        problems = [line for name in methods for line in _problems(engine, row_bank, cls, name)]
    finally:
        engine.dispose()
    assert problems == [], "\n".join(problems)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Base):
        for attribute in sa_inspect(value).mapper.column_attrs:
            yield from _strings(getattr(value, attribute.key))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple | set | frozenset) or type(value).__name__ == "Row":
        for item in value:
            yield from _strings(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield from _strings(dataclasses.asdict(value))


def test_every_scoped_repository_was_found() -> None:
    """The generated test covers the repositories that read customer-owned rows for staff."""
    names = {cls.__name__ for cls in SCOPED_REPOSITORIES}
    assert {
        "CustomerRepository",
        "ComplaintRepository",
        "PrivacyRepository",
        "SegmentRepository",
        "ValueRepository",
        "ChurnScoreRepository",
        "QualityRepository",
        "SurveyRepository",
        "WaveReportRepository",
        "ImprovementRepository",
        "InspectionRepository",
    } <= names
    assert len(METHODS) >= 60


# --- (c) inspections: a branch manager reads their branch's per-staff results ------------


@dataclass(frozen=True)
class Inspected:
    branch_staff: int
    other_staff: int
    other_staff_name: str
    own_inspection: int
    other_inspection: int


@pytest.fixture
def inspected(small_bank: SmallBank, app_settings: str) -> Inspected:
    """A daily check at each branch, each observing one of the branch's account managers."""
    engine = make_engine(app_settings)
    with Session(engine) as session:
        officer = factories.staff(session, role=Role.QUALITY_OFFICER)
        inspections_service.load_standard_catalogue(session)
        lines = [
            InspectionAnswer(code=standard.code, observed=standard.target)
            if standard.target is not None
            else InspectionAnswer(code=standard.code, passed=True)
            for standard in inspections_service.checklist(session, InspectionKind.DAILY_CHECK)
        ]
        own_staff = _staff(session, small_bank.manager_a)
        elsewhere = session.get(Customer, small_bank.other_branch_customer)
        assert elsewhere is not None and elsewhere.manager_id is not None
        other_staff = session.get(StaffUser, elsewhere.manager_id)
        assert other_staff is not None
        recorded = [
            inspections_service.record_inspection(
                session,
                user=officer,
                kind=InspectionKind.DAILY_CHECK,
                branch_id=staff.branch_id,
                staff_id=staff.id,
                inspected_on=clock.bank_today(),
                results=lines,
            ).id
            for staff in (own_staff, other_staff)
            if staff.branch_id is not None
        ]
        found = Inspected(
            branch_staff=own_staff.id,
            other_staff=other_staff.id,
            other_staff_name=other_staff.full_name,
            own_inspection=recorded[0],
            other_inspection=recorded[1],
        )
        session.commit()
    engine.dispose()
    return found


API = "/api/v1/quality/inspections"


def test_a_branch_manager_reads_only_their_branchs_inspection_results(
    client: TestClient, small_bank: SmallBank, inspected: Inspected
) -> None:
    manager = login(client, small_bank.branch_manager)
    staff = client.get(f"{API}/scores", params={"group": "staff"}, headers=manager).json()
    assert [row["id"] for row in staff["rows"]] == [inspected.branch_staff]
    branches = client.get(f"{API}/scores", params={"group": "branch"}, headers=manager).json()
    assert [row["id"] for row in branches["rows"]] == [small_bank.branch_id]
    listed = client.get(API, headers=manager).json()
    assert [row["id"] for row in listed] == [inspected.own_inspection]
    assert client.get(f"{API}/{inspected.other_inspection}", headers=manager).status_code == 404
    assert client.get(f"{API}/{inspected.own_inspection}", headers=manager).status_code == 200

    analyst = login(client, small_bank.analyst)
    everyone = client.get(f"{API}/scores", params={"group": "staff"}, headers=analyst).json()
    assert {row["id"] for row in everyone["rows"]} == {
        inspected.branch_staff,
        inspected.other_staff,
    }
    assert client.get(f"{API}/{inspected.other_inspection}", headers=analyst).status_code == 200


def test_the_inspections_page_of_a_branch_manager_names_no_other_branchs_staff(
    client: TestClient, small_bank: SmallBank, inspected: Inspected
) -> None:
    log_in(client, small_bank.branch_manager)
    page = client.get("/quality/inspections", headers=HTML)
    assert page.status_code == 200
    assert inspected.other_staff_name not in page.text
    other = client.get(f"/quality/inspections/{inspected.other_inspection}", headers=HTML)
    assert other.status_code == 404


def test_the_scope_of_inspections_is_the_scope_modules() -> None:
    """The inspection service keeps no scope of its own: it asks ``bankcrm.scope``."""
    source = (SOURCE / "quality" / "inspections" / "service.py").read_text(encoding="utf-8")
    assert "ROLE_SCOPE" not in source and "Scope." not in source
