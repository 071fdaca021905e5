"""The catalogue pages of the product team: every product, and one product's edit form."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from bankcrm.core.db import STORABLE_TEXT
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import ProductRisk
from bankcrm.core.exceptions import BankcrmError, Conflict
from bankcrm.core.inputs import FormName, FormText, parse_number
from bankcrm.core.messages import _
from bankcrm.core.pagination import MAX_ID, MAX_PAGE_SIZE, RowId, whole_number
from bankcrm.products import service
from bankcrm.products.schemas import (
    FAB_LENGTH,
    LONGEST_TERM_MONTHS,
    NAME_LENGTH,
    ProductRead,
    ProductUpdate,
)
from bankcrm.web.deps import PageProductsManage
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, refusal, translated
from bankcrm.web.security import check_csrf
from bankcrm.web.templating import render

router = APIRouter(prefix="/products")

Version = Annotated[int, Form(ge=1, le=MAX_ID)]
ProductName = Annotated[FormName, Form(max_length=NAME_LENGTH, pattern=STORABLE_TEXT)]
TalkingPoint = Annotated[FormText, Form(max_length=FAB_LENGTH, pattern=STORABLE_TEXT)]
Figure = Annotated[str, Form(max_length=32)]
"""A number typed as text, so that a wrong one comes back in the form with the reason."""

CATALOGUE_PAGE_SIZE = 50
"""A bank's catalogue is tens of products: one page holds most of them."""
FAB_PARTS = ("feature", "advantage", "benefit")
SEPARATORS = ",，"
"""The thousands separators a figure may be typed with, the full-width one of a Chinese
input method too."""


CONFLICT = _(
    "Someone else changed this product since you opened it. Your entries are kept below, "
    "with what is saved now beside each field that differs: check them and save again."
)
NOT_SAVED = _("The product was not saved.")


@dataclass(frozen=True)
class ProductForm:
    """The edit form's fields as text: filled from the product, or as typed when refused."""

    name_zh: str = ""
    name_en: str = ""
    risk_level: str = ""
    term_months: str = ""
    minimum_amount: str = ""
    annual_rate: str = ""
    fab_feature_zh: str = ""
    fab_feature_en: str = ""
    fab_advantage_zh: str = ""
    fab_advantage_en: str = ""
    fab_benefit_zh: str = ""
    fab_benefit_en: str = ""
    is_active: bool = True

    @classmethod
    def of(cls, product: ProductRead) -> ProductForm:
        fab = product.fab
        return cls(
            name_zh=product.name.zh or "",
            name_en=product.name.en or "",
            risk_level=product.risk_level.value,
            term_months=_text(product.term_months),
            minimum_amount=_text(product.minimum_amount),
            annual_rate=_text(product.annual_rate),
            fab_feature_zh=fab.feature.zh or "",
            fab_feature_en=fab.feature.en or "",
            fab_advantage_zh=fab.advantage.zh or "",
            fab_advantage_en=fab.advantage.en or "",
            fab_benefit_zh=fab.benefit.zh or "",
            fab_benefit_en=fab.benefit.en or "",
            is_active=product.is_active,
        )

    def differences(self, other: ProductForm) -> dict[str, Any]:
        """The fields where ``other`` holds something else, with its value (``1000`` and
        ``1,000.00`` are the same amount)."""
        return {
            field.name: getattr(other, field.name)
            for field in fields(self)
            if not _same(getattr(self, field.name), getattr(other, field.name))
        }

    def change(self, version: int) -> ProductUpdate:
        """The whole form as a change of every field it shows.

        Raises
        ------
        ValidationError
            A field is not valid; its location names the field (``("fab", "feature", "zh")``).
        """
        return ProductUpdate.model_validate(
            {
                "version": version,
                "name": {"zh": self.name_zh, "en": self.name_en},
                "risk_level": self.risk_level,
                "term_months": _whole(self.term_months),
                "minimum_amount": _amount(self.minimum_amount),
                "annual_rate": _amount(self.annual_rate),
                "fab": {
                    part: {
                        "zh": getattr(self, f"fab_{part}_zh"),
                        "en": getattr(self, f"fab_{part}_en"),
                    }
                    for part in FAB_PARTS
                },
                "is_active": self.is_active,
            }
        )


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _amount(typed: str) -> Decimal | str | None:
    """A figure typed in a form, with the thousands separators people write (``1,000.00``):
    a number when it is one (the change's model checks its range), else the text itself for
    the model to refuse; empty is none."""
    try:
        return parse_number(typed, ignore=SEPARATORS)
    except ValueError:
        return typed


def _same(typed: object, stored: object) -> bool:
    if isinstance(typed, str) and isinstance(stored, str):
        with suppress(ValueError):
            typed_figure = parse_number(typed, ignore=SEPARATORS)
            stored_figure = parse_number(stored, ignore=SEPARATORS)
            if typed_figure is not None and stored_figure is not None:
                return typed_figure == stored_figure
    return typed == stored


def _whole(typed: str) -> int | str | None:
    """A count typed in a form: a number when it is written in digits (the change's model
    checks its range), else the text itself for the model to refuse; empty is none."""
    if not typed:
        return None
    number = whole_number(typed, low=0, high=MAX_ID)
    return typed if number is None else number


# --- the catalogue -------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def catalogue(
    request: Request,
    session: DbSession,
    user: PageProductsManage,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = CATALOGUE_PAGE_SIZE,
) -> Response:
    """Every product, on sale or withdrawn, by category, risk level and code."""
    result = service.list_products(session, active_only=False, page=page, page_size=page_size)
    context: dict[str, Any] = {"result": result, "query": {"page_size": page_size}}
    return render(request, "products/list.html", context)


# --- one product ---------------------------------------------------------------------------


@router.get("/{product_id}", response_class=HTMLResponse)
def edit_form(
    request: Request,
    session: DbSession,
    user: PageProductsManage,
    product_id: RowId,
    saved: bool = False,
) -> Response:
    product = service.get_product(session, product_id)
    return _render_form(request, product, ProductForm.of(product), saved=saved)


@router.post("/{product_id}", response_class=HTMLResponse)
async def save_product(
    request: Request,
    session: DbSession,
    user: PageProductsManage,
    product_id: RowId,
    version: Version,
    name_zh: ProductName = "",
    name_en: ProductName = "",
    risk_level: Annotated[str, Form(max_length=8)] = "",
    term_months: Figure = "",
    minimum_amount: Figure = "",
    annual_rate: Figure = "",
    fab_feature_zh: TalkingPoint = "",
    fab_feature_en: TalkingPoint = "",
    fab_advantage_zh: TalkingPoint = "",
    fab_advantage_en: TalkingPoint = "",
    fab_benefit_zh: TalkingPoint = "",
    fab_benefit_en: TalkingPoint = "",
    is_active: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Saves the edit form as the version it was opened at; a refused form comes back as
    typed, with the reason (and, when someone else saved first, what is saved now)."""
    await check_csrf(request)
    typed = ProductForm(
        name_zh=name_zh,
        name_en=name_en,
        risk_level=risk_level,
        term_months=term_months.strip(),
        minimum_amount=minimum_amount.strip(),
        annual_rate=annual_rate.strip(),
        fab_feature_zh=fab_feature_zh,
        fab_feature_en=fab_feature_en,
        fab_advantage_zh=fab_advantage_zh,
        fab_advantage_en=fab_advantage_en,
        fab_benefit_zh=fab_benefit_zh,
        fab_benefit_en=fab_benefit_en,
        is_active=bool(is_active),
    )
    try:
        change = typed.change(version)
    except ValidationError as error:
        problems = {_form_field(problem["loc"]): problem["msg"] for problem in error.errors()}
        product = service.get_product(session, product_id)
        problem = Problem(
            NOT_SAVED, "; ".join(f"{field}: {message}" for field, message in problems.items())
        )
        return _render_form(
            request,
            product,
            typed,
            version=version,
            problem=problem,
            invalid=set(problems),
            status_code=422,
        )
    try:
        service.update_product(session, product_id=product_id, changes=change)
    except BankcrmError as error:
        problem = refusal(
            session,
            error,
            conflict=CONFLICT,
            denied=_("You may not change the catalogue."),
            otherwise=NOT_SAVED,
        )
        product = service.get_product(session, product_id)
        stale = isinstance(error, Conflict)
        return _render_form(
            request,
            product,
            typed,
            # the form now carries the version it was compared with: saving it again is a
            # decision taken with the other change in view
            version=product.version if stale else version,
            problem=problem,
            saved_now=typed.differences(ProductForm.of(product)) if stale else None,
            status_code=error.status_code,
        )
    return RedirectResponse(f"/products/{product_id}?saved=true", status_code=303)


def _form_field(location: tuple[int | str, ...]) -> str:
    """The form field a problem of the change names: ``("fab", "feature", "zh")`` is
    ``fab_feature_zh``; a problem of the whole change has no field."""
    return "_".join(str(part) for part in location) or "form"


def _render_form(
    request: Request,
    product: ProductRead,
    form: ProductForm,
    *,
    version: int | None = None,
    saved: bool = False,
    problem: Problem | None = None,
    invalid: set[str] | None = None,
    saved_now: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "product": product,
        "form": form,
        "version": product.version if version is None else version,
        "risk_levels": list(ProductRisk),
        "fab_parts": FAB_PARTS,
        "saved": saved,
        "problem": translated(problem, request_locale(request)),
        "invalid": invalid or set(),
        "saved_now": saved_now or {},
        "limits": {"name": NAME_LENGTH, "fab": FAB_LENGTH, "term": LONGEST_TERM_MONTHS},
    }
    return render(request, "products/edit.html", context, status_code=status_code)
