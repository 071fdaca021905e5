"""Request-scoped dependencies of the ground floor: the database session.

Who is calling and what they may do needs the staff feature; those aliases
(``CurrentUser``, one per permission) live above the features, in ``bankcrm.web.deps``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from bankcrm.core.db import session_scope


def get_db() -> Iterator[Session]:
    with session_scope() as session:
        yield session


# Committed before the answer is sent (FastAPI's default ends it after): a commit that
# fails, such as the audit entry of a read, must reach the caller as an error, not as a
# success whose writes were lost.
DbSession = Annotated[Session, Depends(get_db, scope="function")]
