from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.branches import repository
from bankcrm.branches.models import Branch


def list_branches(session: Session) -> list[Branch]:
    return repository.list_branches(session)
