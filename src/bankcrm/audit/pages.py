"""The audit trail page: who did what, when and why, for compliance."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.audit import service
from bankcrm.audit.endpoints import NO_CONTROL_CHARACTERS
from bankcrm.audit.schemas import AuditEntryRead
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import AuditAction
from bankcrm.core.inputs import parse_day
from bankcrm.core.pagination import MAX_PAGE_SIZE
from bankcrm.customers import service as customers_service
from bankcrm.web.deps import PageAuditRead
from bankcrm.web.filters import chosen_id
from bankcrm.web.templating import render

router = APIRouter(prefix="/audit")

Text = Annotated[str | None, Query(max_length=64, pattern=NO_CONTROL_CHARACTERS)]
Choice = Annotated[str | None, Query(max_length=16)]


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntryRead
    before: str | None
    after: str | None
    """The before and after values, indented for reading."""


@router.get("", response_class=HTMLResponse)
def audit_trail(
    request: Request,
    session: DbSession,
    _auditor: PageAuditRead,
    actor: Text = None,
    customer_id: Choice = None,
    action: Choice = None,
    entity: Text = None,
    since: Choice = None,
    until: Choice = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Response:
    chosen_action = AuditAction(action) if action in set(AuditAction) else None
    chosen_customer = chosen_id(customer_id)
    first_day, last_day = _day(since), _day(until)
    actor, entity = (actor or "").strip(), (entity or "").strip()
    result = service.search(
        session,
        actor=actor or None,
        customer_id=chosen_customer,
        action=chosen_action,
        entity=entity or None,
        since=first_day,
        until=last_day,
        page=page,
        page_size=page_size,
    )
    query = {
        "actor": actor,
        "customer_id": chosen_customer or "",
        "action": chosen_action.value if chosen_action else "",
        "entity": entity,
        "since": first_day.isoformat() if first_day else "",
        "until": last_day.isoformat() if last_day else "",
        "page_size": page_size,
    }
    # customers are named "王芳 (C000014388)", the filter's as well as the rows'
    shown = [entry.customer_id for entry in result.items if entry.customer_id is not None]
    labels = customers_service.customer_labels(
        session, user=_auditor, customer_ids=shown + ([chosen_customer] if chosen_customer else [])
    )
    context: dict[str, Any] = {
        "result": result,
        "customer_labels": labels,
        "customer_label": labels.get(chosen_customer, "") if chosen_customer else "",
        "rows": [
            AuditRow(entry, _readable(entry.before_json), _readable(entry.after_json))
            for entry in result.items
        ],
        "actions": list(AuditAction),
        "query": query,
    }
    return render(request, "audit/list.html", context)


def _day(value: str | None) -> date | None:
    """A day typed or picked in the form; a garbled one means no limit."""
    try:
        return parse_day(value) if value else None
    except ValueError:
        return None


def _readable(stored: str | None) -> str | None:
    if stored is None:
        return None
    try:
        return json.dumps(json.loads(stored), ensure_ascii=False, indent=2, sort_keys=True)
    except ValueError:
        # an altered entry may hold anything; the trail is where one goes to look at it
        return stored
