"""What each churn feature means, for reasons a manager can read (zh-CN and en)."""

from __future__ import annotations

from bankcrm.churn.model import Reason
from bankcrm.segmentation.playbooks import Text

FEATURE_NAMES: dict[str, Text] = {
    "customer_type": Text("客户类型", "customer type"),
    "credit_grade": Text("信用等级得分", "credit grade score"),
    "tenure_months": Text("往来月数", "months as a customer"),
    "months_since_last_transaction": Text("距上次主动交易(月)", "months since own transaction"),
    "transactions": Text("近12个月主动交易笔数", "own transactions, last 12 months"),
    "active_months": Text("近12个月有交易的月数", "active months of the last 12"),
    "turnover": Text("近12个月交易额(元,对数)", "turnover, last 12 months (log yuan)"),
    "business_volume": Text("业务量(元,对数)", "business volume (log yuan)"),
    "volume_trend": Text("业务量变化(下半期比上半期)", "volume change, second half on first"),
    "interactions": Text("近12个月接触次数", "contacts, last 12 months"),
    "product_categories": Text("持有产品类别数", "product categories held"),
    "open_accounts": Text("未销户账户数", "open accounts"),
    "loyalty_index": Text("忠诚度指数", "loyalty index"),
    "p_alive": Text("仍活跃概率 P(alive)", "probability still active, P(alive)"),
    "expected_transactions": Text("预计未来交易笔数", "expected own transactions ahead"),
}


def feature_name(feature: str, locale: str) -> str:
    text = FEATURE_NAMES.get(feature)
    return text.get(locale) if text else feature


PERCENT_FEATURES = frozenset({"p_alive"})


NEVER = Text("从未", "never")


def _number(value: float | None, feature: str, locale: str) -> str:
    if value is None:
        return NEVER.get(locale) if feature == "months_since_last_transaction" else "—"
    if feature in PERCENT_FEATURES:
        return f"{value:.1%}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")


def describe(reason: Reason, locale: str) -> str:
    """``<feature> <value> (typical <value>)`` in the reader's language."""
    typical = "常见" if locale.startswith("zh") else "typical"
    return (
        f"{feature_name(reason.feature, locale)} {_number(reason.value, reason.feature, locale)}"
        f" ({typical} {_number(reason.typical, reason.feature, locale)})"
    )
