"""A churn reason as a manager reads it: the feature in its natural unit (yuan, months,
counts), beside the typical value among similar customers.

The model works on some features transformed (turnover and business volume as
``log(1 + yuan)``); a reason turns them back. "Similar customers" are those of the same
customer type (individual or corporate) who stayed: their median is what the model's
what-if sets the feature to (:class:`bankcrm.churn.model.ChurnModel`), and for the
1 − P(alive) fallback the median of the live customers of the same type.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from bankcrm.churn.model import Reason
from bankcrm.core.enums import CustomerType
from bankcrm.core.messages import _
from bankcrm.web.i18n import format_money, format_number, gettext
from bankcrm.web.labels import label_for

FEATURE_NAMES: dict[str, str] = {
    "customer_type": _("Customer type"),
    "credit_grade": _("Credit grade score"),
    "tenure_months": _("Customer for"),
    "months_since_last_transaction": _("Last own transaction"),
    "transactions": _("Own transactions in the last 12 months"),
    "active_months": _("Months with transactions, of the last 12"),
    "turnover": _("Transactions in the last 12 months"),
    "business_volume": _("Business volume"),
    "volume_trend": _("Volume, second half-year on the first"),
    "interactions": _("Contacts in the last 12 months"),
    "product_categories": _("Product categories held"),
    "open_accounts": _("Open accounts"),
    "loyalty_index": _("Loyalty index"),
    "p_alive": _("Chance of still being active"),
    "expected_transactions": _("Own transactions expected ahead"),
}
"""Each model feature's name on the pages (catalog msgid)."""

REASON = _("%(feature)s %(value)s; similar customers usually %(typical)s")
MONEY_FEATURES = frozenset({"turnover", "business_volume"})
"""Stored as ``log(1 + yuan)``."""
MONTH_FEATURES = frozenset({"tenure_months"})
MONTHS_AGO_FEATURES = frozenset({"months_since_last_transaction"})
PERCENT_FEATURES = frozenset({"p_alive"})
CHANGE_FEATURES = frozenset({"volume_trend"})
DECIMAL_FEATURES = frozenset({"expected_transactions"})
"""Shown with one decimal; every other count or score as a whole number."""


def feature_name(feature: str, locale: str) -> str:
    message = FEATURE_NAMES.get(feature)
    return gettext(locale, message) if message else feature


def _rounded(value: float, digits: int) -> float:
    """``value`` rounded, never a negative zero (``-0.004`` is ``0``)."""
    return round(value, digits) + 0.0


def _number(value: float, digits: int, locale: str) -> str:
    return format_number(_rounded(value, digits), locale)


def _month_count(value: float) -> float:
    """Whole months from ten on, tenths below (``0.4`` months is not "0 months")."""
    return _rounded(value, 0 if abs(value) >= 10 else 1)


def _months(value: float, locale: str) -> str:
    months = _month_count(value)
    if months == 1:
        return gettext(locale, "1 month")
    return gettext(locale, "%(months)s months") % {"months": format_number(months, locale)}


def _months_ago(value: float | None, locale: str) -> str:
    if value is None:
        return gettext(locale, "never")
    months = _month_count(value)
    if months == 0:
        return gettext(locale, "this month")
    if months == 1:
        return gettext(locale, "1 month ago")
    return gettext(locale, "%(months)s months ago") % {"months": format_number(months, locale)}


def _money(value: float, locale: str) -> str:
    """``log(1 + yuan)`` back in yuan, whole yuan, in the product's money format (¥1.2万)."""
    yuan = math.expm1(value)
    return format_money(_rounded(yuan, 0), locale, compact=True)


def _change(value: float, locale: str) -> str:
    if math.isinf(value):
        return gettext(locale, "up from nothing")
    percent = _rounded(value * 100, 0)
    sign = "+" if percent > 0 else ""
    return f"{sign}{format_number(percent, locale)}%"


def _customer_type(value: float, locale: str) -> str:
    kind = CustomerType.CORPORATE if value >= 0.5 else CustomerType.INDIVIDUAL
    return label_for(kind, locale)


def value_text(value: float | None, feature: str, locale: str) -> str:
    """One value of ``feature`` in its natural unit, in the reader's language."""
    if feature in MONTHS_AGO_FEATURES:
        return _months_ago(value, locale)
    if value is None or math.isnan(value):
        return "—"
    shown: dict[str, Callable[[float, str], str]] = {
        **dict.fromkeys(MONEY_FEATURES, _money),
        **dict.fromkeys(MONTH_FEATURES, _months),
        **dict.fromkeys(CHANGE_FEATURES, _change),
        "customer_type": _customer_type,
    }
    if feature in shown:
        return shown[feature](value, locale)
    if feature in PERCENT_FEATURES:
        return f"{format_number(_rounded(value * 100, 0), locale)}%"
    return _number(value, 1 if feature in DECIMAL_FEATURES else 0, locale)


def describe(reason: Reason, locale: str) -> str:
    """``近 12 个月交易额 ¥1.2万，同类客户常见 ¥3万`` / ``Transactions in the last 12 months
    ¥1,234.00; similar customers usually ¥30K``."""
    return gettext(locale, REASON) % {
        "feature": feature_name(reason.feature, locale),
        "value": value_text(reason.value, reason.feature, locale),
        "typical": value_text(reason.typical, reason.feature, locale),
    }
