"""Privacy requests (PIPL): access, correction and deletion, with maker–checker approval.

An access request is answered with an export of everything kept about the customer. It is
registered with a reason, which the audit trail records with every export; staff whose role
sees personal data masked export only once a second person (a checker, neither the maker
nor the exporter) has approved the request."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bankcrm.audit import recorder as audit_recorder
from bankcrm.core.clock import bank_today, utcnow
from bankcrm.core.config import get_settings
from bankcrm.core.enums import AuditAction, PrivacyRequestKind, PrivacyRequestStatus
from bankcrm.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from bankcrm.core.inputs import normalise_name, normalise_text, parse_day
from bankcrm.core.pagination import PageParams
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.customers.models import Customer
from bankcrm.privacy import export
from bankcrm.privacy.fields import CUSTOMER_PERSONAL_FIELDS, pseudonym
from bankcrm.privacy.models import PrivacyRequest
from bankcrm.privacy.repository import PrivacyRepository
from bankcrm.privacy.retention import deletion_hold
from bankcrm.privacy.schemas import PrivacyRequestPage, PrivacyRequestRead
from bankcrm.staff.models import StaffUser

CORRECTABLE_FIELDS = CUSTOMER_PERSONAL_FIELDS
"""Every personal profile field can be corrected (PIPL article 46)."""
DATE_FIELDS = frozenset({"birth_date"})


def create_request(
    session: Session,
    *,
    user: StaffUser,
    customer_id: int,
    kind: PrivacyRequestKind,
    note: str | None = None,
    reason: str | None = None,
    corrections: dict[str, str | None] | None = None,
) -> PrivacyRequestRead:
    """Register a request; a deletion the law does not allow yet is held at once, with why.

    An access request needs a ``reason``: why the bank hands the customer's data over."""
    repository = PrivacyRepository(session, user)
    customer = repository.customer(customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id}")
    if customer.erased_at is not None:
        raise Conflict("this customer's personal data has already been erased")
    checked = _checked_corrections(kind, corrections)
    stated = _stated(reason)
    if kind is PrivacyRequestKind.ACCESS and stated is None:
        raise ValidationFailed(
            "say why the customer's data is exported: an access request needs a reason, "
            "which the audit trail records with the export",
            field="reason",
        )
    received = utcnow()
    request = PrivacyRequest(
        customer_id=customer.id,
        kind=kind,
        status=PrivacyRequestStatus.RECEIVED,
        received_at=received,
        due_on=bank_today() + timedelta(days=get_settings().privacy.request_days),
        requested_by_id=user.id,
        note=(note or "").strip() or None,
        reason=stated,
        corrections=checked,
    )
    if kind is PrivacyRequestKind.DELETION:
        hold = _hold(repository, customer)
        if hold is not None:
            request.status = PrivacyRequestStatus.HELD
            request.outcome = hold
            request.decided_at = received
    session.add(request)
    session.flush()
    return get_request(session, user=user, request_id=request.id)


def _stated(text: str | None) -> str | None:
    """The text as stored; None when nothing visible is left (blanks and invisible characters
    such as zero-width spaces say nothing)."""
    return normalise_text(text) or None


def _checked_corrections(
    kind: PrivacyRequestKind, corrections: dict[str, str | None] | None
) -> dict[str, str | None] | None:
    if kind is not PrivacyRequestKind.CORRECTION:
        if corrections:
            raise ValidationFailed(
                "only a correction request carries corrections", field="corrections"
            )
        return None
    if not corrections:
        raise ValidationFailed(
            "say which fields to correct and their new values", field="corrections"
        )
    unknown = sorted(set(corrections) - set(CORRECTABLE_FIELDS))
    if unknown:
        raise ValidationFailed(
            f"not a correctable profile field: {', '.join(unknown)}", field="corrections"
        )
    return {field: _corrected(field, value) for field, value in corrections.items()}


IDENTIFYING_FIELDS = frozenset(
    {"name", "nickname", "decision_maker", "id_number", "mobile_phone", "office_phone"}
    | {"fax", "email"}
)
"""Corrected as names are typed (NFKC: full-width digits and letters become ASCII); the other
fields are free text (NFC, the full-width punctuation of Chinese prose stays)."""


def _corrected(field: str, value: str | None) -> str | None:
    """The new value as it will be stored, or a ``ValidationFailed`` naming the field."""
    where = f"corrections.{field}"
    text = (normalise_name(value) if field in IDENTIFYING_FIELDS else normalise_text(value)) or None
    if text is None:
        if field == "name":
            raise ValidationFailed("a customer's name cannot be cleared", field=where)
        return None
    if field in DATE_FIELDS:
        try:
            day = parse_day(text)
        except ValueError as error:
            raise ValidationFailed(f"{field}: {error}", field=where) from error
        if day > bank_today():
            raise ValidationFailed(f"{field}: a birth date cannot be in the future", field=where)
        return day.isoformat()
    room = getattr(getattr(Customer, field).type, "length", None)
    if room is not None and len(text) > room:
        raise ValidationFailed(f"{field}: at most {room} characters", field=where)
    return text


def _hold(repository: PrivacyRepository, customer: Customer) -> str | None:
    return deletion_hold(
        legal_hold=customer.retention_hold,
        open_accounts=repository.open_account_count(customer.id),
        last_closed_on=repository.last_closed_on(customer.id),
        today=bank_today(),
        retention_years=get_settings().privacy.retention_years,
    )


def get_request(session: Session, *, user: StaffUser, request_id: int) -> PrivacyRequestRead:
    found = PrivacyRepository(session, user).get(request_id)
    if found is None:
        raise NotFound(f"no privacy request {request_id}")
    return _shown(session, _read(*found))


def _shown(session: Session, request: PrivacyRequestRead) -> PrivacyRequestRead:
    """A correction's new values are personal data: showing them is a recorded read."""
    if request.corrections:
        audit_recorder.record(
            session,
            action=AuditAction.READ_PERSONAL,
            entity="privacy_requests",
            entity_id=request.id,
            customer_id=request.customer_id,
            reason=f"privacy request {request.id}",
            after={"fields": sorted(request.corrections)},
        )
    return request


def list_requests(
    session: Session,
    *,
    user: StaffUser,
    status: PrivacyRequestStatus | None = None,
    overdue: bool = False,
    page: int = 1,
    page_size: int = 25,
) -> PrivacyRequestPage:
    params = PageParams(page=page, page_size=page_size)
    rows, total = PrivacyRepository(session, user).page(
        status=status,
        overdue_on=bank_today() if overdue else None,
        offset=params.offset,
        limit=params.page_size,
    )
    return PrivacyRequestPage(
        items=[_shown(session, _read(*row)) for row in rows],
        total=total,
        page=params.page,
        page_size=params.page_size,
    )


def _read(
    request: PrivacyRequest, customer_name: str, maker: str, checker: str | None
) -> PrivacyRequestRead:
    return PrivacyRequestRead(
        id=request.id,
        customer_id=request.customer_id,
        customer_name=customer_name,
        kind=request.kind,
        status=request.status,
        received_at=request.received_at,
        due_on=request.due_on,
        overdue=request.status is PrivacyRequestStatus.RECEIVED and request.due_on < bank_today(),
        requested_by=maker,
        decided_by=checker,
        decided_at=request.decided_at,
        completed_at=request.completed_at,
        note=request.note,
        reason=request.reason,
        corrections=request.corrections,
        outcome=request.outcome,
        version=request.version,
    )


def _open_request(
    session: Session, user: StaffUser, request_id: int, version: int
) -> tuple[PrivacyRepository, PrivacyRequest]:
    repository = PrivacyRepository(session, user)
    found = repository.get(request_id)
    if found is None:
        raise NotFound(f"no privacy request {request_id}")
    request: PrivacyRequest = found[0]
    if request.version != version:
        raise Conflict(
            f"privacy request {request_id} was changed by someone else (now version "
            f"{request.version}); reload it"
        )
    if request.status is not PrivacyRequestStatus.RECEIVED:
        raise Conflict(f"privacy request {request_id} is already {request.status.value}")
    return repository, request


def _check_checker(user: StaffUser, request: PrivacyRequest) -> None:
    if not has_permission(user.role, Permission.PRIVACY_APPROVE):
        raise PermissionDenied(f"the role {user.role.value} may not approve privacy requests")
    if request.requested_by_id == user.id:
        raise PermissionDenied(
            "the person who registered a request cannot also approve it (maker–checker)"
        )


def approve(
    session: Session, *, user: StaffUser, request_id: int, version: int
) -> PrivacyRequestRead:
    """Carry out a correction or deletion registered by someone else; for an access request,
    allow its export by staff whose role sees personal data masked (the export completes it)."""
    repository, request = _open_request(session, user, request_id, version)
    _check_checker(user, request)
    if request.kind is PrivacyRequestKind.ACCESS:
        if request.decided_by_id is not None:
            raise Conflict(f"privacy request {request_id} has already been approved")
        request.decided_by_id = user.id
        request.decided_at = utcnow()
        session.flush()
        return get_request(session, user=user, request_id=request_id)
    customer = repository.customer(request.customer_id)
    if customer is None:
        raise NotFound(f"no customer {request.customer_id}")
    now = utcnow()
    request.decided_by_id = user.id
    request.decided_at = now
    if request.kind is PrivacyRequestKind.CORRECTION:
        for field, value in (request.corrections or {}).items():
            setattr(
                customer,
                field,
                date.fromisoformat(value) if field in DATE_FIELDS and value else value,
            )
    else:
        hold = _hold(repository, customer)
        if hold is not None:
            request.status = PrivacyRequestStatus.HELD
            request.outcome = hold
            session.flush()
            return get_request(session, user=user, request_id=request_id)
        _erase(repository, customer, request, now)
    request.status = PrivacyRequestStatus.COMPLETED
    request.completed_at = now
    session.flush()
    return get_request(session, user=user, request_id=request_id)


def _erase(
    repository: PrivacyRepository, customer: Customer, request: PrivacyRequest, now: datetime
) -> None:
    """Personal fields anonymised everywhere; accounts, transactions and aggregates stay,
    under a pseudonym, so the bank's figures do not move."""
    for field in CUSTOMER_PERSONAL_FIELDS:
        setattr(customer, field, None)
    customer.name = pseudonym(customer.id, get_settings().secret_key.encode())
    customer.erased_at = now
    request.note = None
    request.corrections = None
    repository.session.flush()
    repository.erase_related_text(customer.id)


def reject(
    session: Session, *, user: StaffUser, request_id: int, version: int, reason: str | None
) -> PrivacyRequestRead:
    _, request = _open_request(session, user, request_id, version)
    _check_checker(user, request)
    if request.kind is PrivacyRequestKind.ACCESS and request.decided_by_id is not None:
        raise Conflict(f"privacy request {request_id} has already been approved")
    if not (reason or "").strip():
        raise ValidationFailed("say why the request is rejected", field="reason")
    request.status = PrivacyRequestStatus.REJECTED
    request.outcome = (reason or "").strip()
    request.decided_by_id = user.id
    request.decided_at = utcnow()
    session.flush()
    return get_request(session, user=user, request_id=request_id)


def export_refusal(user: StaffUser, request: PrivacyRequestRead) -> str | None:
    """Why ``user`` may not export this access request's answer now, or None if they may.

    A role that sees personal data masked exports only a request a second person approved:
    a checker who is neither the maker (enforced at approval) nor the exporter."""
    if request.reason is None:
        return (
            f"privacy request {request.id} has no reason recorded, and an export of personal "
            "data needs one: register the access request again, saying why"
        )
    if has_permission(user.role, Permission.PERSONAL_DATA_VIEW):
        return None
    if request.decided_by is None:
        return (
            f"the role {user.role.value} sees personal data masked: another person with "
            f"privacy:approve must approve access request {request.id} before you export it"
        )
    if request.decided_by == user.username:
        return (
            f"you approved access request {request.id} yourself: the export needs a second "
            "person, so someone else exports it"
        )
    return None


def export_customer_data(
    session: Session, *, user: StaffUser, request_id: int, file_format: str
) -> tuple[bytes, str, str]:
    """An access request's answer: everything kept about the customer, as JSON or Excel.

    Returns the file, its media type and its file name; the request is completed. The export
    is recorded in the audit trail with the request's reason (and its approver, if any)."""
    repository = PrivacyRepository(session, user)
    found = repository.get(request_id)
    if found is None:
        raise NotFound(f"no privacy request {request_id}")
    request: PrivacyRequest = found[0]
    if request.kind is not PrivacyRequestKind.ACCESS:
        raise Conflict("only an access request is answered with an export")
    if request.status is PrivacyRequestStatus.REJECTED:
        raise Conflict(f"privacy request {request_id} was rejected: it is not answered")
    shown = _read(*found)
    refused = export_refusal(user, shown)
    if refused is not None:
        if request.reason is None:
            raise Conflict(refused)
        raise PermissionDenied(refused)
    customer = repository.customer(request.customer_id)
    if customer is None:
        raise NotFound(f"no customer {request.customer_id}")
    data = export.customer_data(customer, repository.records(customer.id))
    audit_recorder.record(
        session,
        action=AuditAction.EXPORT,
        entity="customers",
        entity_id=customer.id,
        customer_id=customer.id,
        reason=f"privacy access request {request.id}: {request.reason}",
        after={
            "format": file_format,
            "sections": sorted(data),
            "privacy_request": request.id,
            "approved_by": shown.decided_by,
        },
    )
    if request.status is PrivacyRequestStatus.RECEIVED:
        request.status = PrivacyRequestStatus.COMPLETED
        request.completed_at = utcnow()
        session.flush()
    stem = f"customer-{customer.external_id}-data"
    if file_format == "xlsx":
        return export.to_excel(data), export.XLSX_MEDIA_TYPE, f"{stem}.xlsx"
    return export.to_json(data), "application/json", f"{stem}.json"
