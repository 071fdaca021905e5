from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert

from bankcrm.core.enums import TaskStatus
from bankcrm.scope import SystemRepository
from bankcrm.tasks.models import Task

INSERT_CHUNK = 5_000


class TaskSystemRepository(SystemRepository):
    """Tasks raised in bulk by the analytics runs."""

    def open_keys(self, *, source: str, kinds: Sequence[str]) -> set[tuple[int, str]]:
        """(customer, kind) of the tasks from ``source`` still open, so none is raised twice."""
        statement = self.owned(Task, Task.customer_id, Task.kind).where(
            Task.source == source,
            Task.kind.in_(kinds),
            Task.status.in_((TaskStatus.OPEN, TaskStatus.IN_PROGRESS)),
            Task.customer_id.is_not(None),
        )
        return {
            (int(customer_id), kind)
            for customer_id, kind in self.session.execute(statement)
            if customer_id is not None
        }

    def add_many(self, rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), INSERT_CHUNK):
            self.session.execute(insert(Task), rows[start : start + INSERT_CHUNK])
