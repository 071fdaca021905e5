"""Jinja2 environments, one per locale, with the gettext catalog and formatting filters."""

from __future__ import annotations

from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bankcrm.core.localized import in_language
from bankcrm.web import i18n
from bankcrm.web.locale import request_locale

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@lru_cache
def environment(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters["money"] = partial(_money, locale=locale)
    env.filters["money_compact"] = partial(_money, locale=locale, compact=True)
    env.filters["number"] = partial(i18n.format_number, locale=locale)
    env.filters["day"] = partial(i18n.format_date, locale=locale)
    env.filters["label"] = partial(_label, locale=locale)
    env.filters["stored"] = partial(_stored, locale=locale)
    env.globals["locale"] = locale
    env.globals["html_lang"] = locale.replace("_", "-")
    env.globals["languages"] = i18n.LANGUAGE_SWITCH
    env.globals["in_language"] = partial(in_language, locale)
    return env


def _money(value: Any, locale: str, compact: bool = False) -> str:
    return i18n.format_money(value, locale, compact=compact)


def _label(value: Any, locale: str) -> str:
    """The translated label of an enumeration value (``CustomerType.INDIVIDUAL`` → 个人客户)."""
    if value is None:
        return "—"
    from bankcrm.web.labels import label_for

    return label_for(value, locale)


def _stored(value: Any, locale: str) -> Any:
    """A coded value stored in Chinese words (gender, income band, …) in the page's language."""
    from bankcrm.web.labels import stored_word

    return stored_word(value, locale)


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    locale = request_locale(request)
    page_context = {"request": request, **(context or {})}
    page_context.setdefault("user", getattr(request.state, "user", None))
    page_context.setdefault("csrf_token", request.session.get("csrf_token", ""))
    html = environment(locale).get_template(template).render(page_context)
    return HTMLResponse(html, status_code=status_code)
