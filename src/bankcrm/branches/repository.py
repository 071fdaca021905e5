from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.branches.models import Branch


def list_branches(session: Session) -> list[Branch]:
    return list(session.scalars(select(Branch).order_by(Branch.external_id)))
