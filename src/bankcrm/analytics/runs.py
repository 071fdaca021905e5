"""Dated analytics runs (segments, values, churn scores): one snapshot per day, replaced by
a rerun, with its per-customer rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, ClassVar, Generic, TypeVar

import pyarrow as pa
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bankcrm.core.bulk import append_arrow
from bankcrm.core.exceptions import Conflict, NotFound

INSERT_CHUNK = 5_000
RunT = TypeVar("RunT")


class DatedRuns(Generic[RunT]):
    """Runs are bank-wide records; writing them is their job's alone.

    Subclasses name the run model (with ``id``, ``as_of`` and ``finished_at``), the model of
    its per-customer rows (with ``run_id``) and what the job is called in messages.
    """

    run_model: ClassVar[Any]
    row_model: ClassVar[Any]
    job: ClassVar[str]

    def __init__(self, session: Session) -> None:
        self.session = session

    def by_as_of(self, as_of: date) -> RunT | None:
        model = self.run_model
        return self.session.scalar(select(model).where(model.as_of == as_of))

    def latest(self, *, before: date | None = None) -> RunT | None:
        model = self.run_model
        statement = select(model).where(model.finished_at.is_not(None))
        if before is not None:
            statement = statement.where(model.as_of < before)
        return self.session.scalar(statement.order_by(model.as_of.desc()).limit(1))

    def finished(self, as_of: date | None = None) -> RunT:
        """The finished run of ``as_of``, or the latest one; not found when there is none."""
        run: Any = self.by_as_of(as_of) if as_of else self.latest()
        if run is None or run.finished_at is None:
            raise NotFound(
                f"no {self.job} run as of {as_of}" if as_of else f"{self.job} has not run yet"
            )
        return run

    def dates(self) -> list[date]:
        """The days of the finished runs, latest first."""
        return [run.as_of for run in self.all()]  # type: ignore[attr-defined]

    def all(self) -> list[RunT]:
        model = self.run_model
        statement = select(model).where(model.finished_at.is_not(None)).order_by(model.as_of.desc())
        return list(self.session.scalars(statement))

    def replace(self, run: RunT) -> RunT:
        # the run models are unrelated mapped classes; ``run_model`` says which one this is
        new: Any = run
        previous: Any = self.by_as_of(new.as_of)
        if previous is not None:
            self.session.execute(delete(self.row_model).where(self.row_model.run_id == previous.id))
            self.session.delete(previous)
            self.session.flush()
        self.session.add(run)
        try:
            self.session.flush()
        except IntegrityError as error:
            raise Conflict(
                f"another {self.job} run as of {new.as_of} was saved first; run again"
            ) from error
        return run

    def add_table(self, rows: pa.Table, *, run_id: int) -> None:
        """The run's per-customer rows from Arrow columns named after the row model's, by
        the store's bulk path."""
        with_run = rows.append_column("run_id", pa.repeat(pa.scalar(run_id, pa.int64()), len(rows)))
        append_arrow(self.session.connection(), self.row_model.__table__, with_run)

    def add_rows(self, rows: Iterable[dict[str, Any]]) -> None:
        chunk: list[dict[str, Any]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == INSERT_CHUNK:
                self.session.execute(insert(self.row_model), chunk)
                chunk = []
        if chunk:
            self.session.execute(insert(self.row_model), chunk)
