"""The branch service flow (网点服务流程): greeting and triage, consulting, handling and
follow-up, each with its standard minutes, against the minutes measured.

Pure: the flow file in, checked data out; ticket times and inspection observations in, the
figures of each stage out. Tickets measure the wait before the call (the consulting stage,
where the service blueprint puts its queue wait point) and the service at the counter (the
handling stage, the blueprint's counter-time wait point). Inspections measure what their
timed standards record (seconds to greet, minutes waited, minutes at the counter); for a
stage nothing times, the share of its checklist lines passed is what there is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import time
from enum import StrEnum
from importlib import resources
from pathlib import Path

from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.localized import LocalizedText
from bankcrm.core.toml_reader import TomlReader

FLOW_FILE = "service_flow.toml"
MINUTES_PER_UNIT = {"s": 1 / 60, "min": 1.0, "h": 60.0}
"""Inspection units that are times, as minutes; other units (%, days) time no stage."""


class FlowInvalid(ValidationFailed):
    """A service flow file that cannot be used; the message names the entry."""


class TicketMeasure(StrEnum):
    """What queue tickets measure of a stage."""

    WAIT = "wait"
    """From arrival to the call."""
    SERVICE = "service"
    """From the start of service to its end."""


@dataclass(frozen=True)
class ServiceType:
    code: str
    name: LocalizedText


@dataclass(frozen=True)
class Stage:
    code: str
    """The service blueprint's step of the same code."""
    name: LocalizedText
    standard_minutes: float
    ticket_measure: TicketMeasure | None
    timed_standards: tuple[str, ...]
    checked_standards: tuple[str, ...]


@dataclass(frozen=True)
class ServiceFlow:
    opens: time
    closes: time
    service_types: tuple[ServiceType, ...]
    stages: tuple[Stage, ...]

    def service_type(self, code: str) -> ServiceType | None:
        return next((kind for kind in self.service_types if kind.code == code), None)


@dataclass(frozen=True)
class Observation:
    """One checklist line of an inspection: the standard, its unit, what was observed."""

    standard: str
    unit: str | None
    observed: float | None
    passed: bool


@dataclass(frozen=True)
class StageFigures:
    stage: Stage
    ticket_minutes: float | None
    """Mean minutes of the stage's ticket measure; ``None`` when tickets do not see it."""
    tickets: int
    inspection_minutes: float | None
    """Mean of the times inspections observed for the stage's timed standards."""
    timed_observations: int
    checked: int
    """Checklist lines of the stage's standards in the period's inspections."""
    passed: int

    @property
    def measured_minutes(self) -> float | None:
        """The tickets' measure when there is one (every visit, not a sample), else the
        inspections'."""
        return self.ticket_minutes if self.ticket_minutes is not None else self.inspection_minutes

    @property
    def over_standard(self) -> float | None:
        """Measured less standard minutes: positive when the stage runs late."""
        measured = self.measured_minutes
        return None if measured is None else measured - self.stage.standard_minutes

    @property
    def passed_share(self) -> float | None:
        return None if self.checked == 0 else self.passed / self.checked


@dataclass(frozen=True)
class WaitPoint:
    """A wait point of the service blueprint and the stage that measures it."""

    code: str
    step: str


@dataclass(frozen=True)
class WaitPointFigures:
    point: WaitPoint
    stage: StageFigures | None
    """The flow stage on the point's step; ``None`` when the flow has no such stage."""

    @property
    def measured_minutes(self) -> float | None:
        """What tickets measured at the point (inspections only sample it)."""
        return None if self.stage is None else self.stage.ticket_minutes


def parse_flow(text: str, *, origin: str = FLOW_FILE) -> ServiceFlow:
    """Read a service flow file; an entry that cannot be used is refused by name."""
    reader = _Reader(origin)
    data = reader.parse(text)
    reader.keys("file", data, {"opens", "closes", "service_types", "stages"})
    types = []
    for index, entry in enumerate(reader.table_list("service_types", data["service_types"])):
        where = reader.named(f"service_types[{index}]", entry.get("code"))
        reader.keys(where, entry, {"code", "name"})
        types.append(
            ServiceType(
                code=reader.code(f"{where}.code", entry["code"]),
                name=reader.localized(f"{where}.name", entry["name"]),
            )
        )
    stages = []
    for index, entry in enumerate(reader.table_list("stages", data["stages"])):
        where = reader.named(f"stages[{index}]", entry.get("code"))
        reader.keys(
            where,
            entry,
            {"code", "name", "standard_minutes", "timed_standards", "checked_standards"},
            {"ticket_measure"},
        )
        measure = entry.get("ticket_measure")
        standard = reader.number(f"{where}.standard_minutes", entry["standard_minutes"])
        if standard < 0:
            raise reader.fail(f"{where}.standard_minutes", "must be 0 or more")
        stages.append(
            Stage(
                code=reader.code(f"{where}.code", entry["code"]),
                name=reader.localized(f"{where}.name", entry["name"]),
                standard_minutes=standard,
                ticket_measure=(
                    None
                    if measure is None
                    else reader.choice(f"{where}.ticket_measure", measure, TicketMeasure)
                ),
                timed_standards=reader.codes(f"{where}.timed_standards", entry["timed_standards"]),
                checked_standards=reader.codes(
                    f"{where}.checked_standards", entry["checked_standards"]
                ),
            )
        )
    _unique(reader, "service_types", [kind.code for kind in types])
    _unique(reader, "stages", [stage.code for stage in stages])
    measures = [stage.ticket_measure for stage in stages if stage.ticket_measure is not None]
    if len(measures) != len(set(measures)):
        raise reader.fail("stages", "each ticket_measure belongs to one stage only")
    opens = reader.clock_time("opens", data["opens"])
    closes = reader.clock_time("closes", data["closes"])
    if closes <= opens:
        raise reader.fail("closes", "the branch must close after it opens")
    return ServiceFlow(opens=opens, closes=closes, service_types=tuple(types), stages=tuple(stages))


def load_flow(path: Path | None = None) -> ServiceFlow:
    """The shipped flow, or the bank's own file at ``path``."""
    source = (
        resources.files("bankcrm.branches.queue") / "data" / FLOW_FILE if path is None else path
    )
    reader = _Reader(str(path) if path is not None else FLOW_FILE)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise reader.fail("file", f"cannot be read: {error}") from None
    return parse_flow(text, origin=reader.origin)


def measure(
    flow: ServiceFlow,
    *,
    waits: Sequence[float],
    services: Sequence[float],
    observations: Iterable[Observation],
) -> list[StageFigures]:
    """Each stage's standard against what tickets (``waits`` and ``services``, minutes)
    and inspections measured."""
    seen = list(observations)
    by_measure = {TicketMeasure.WAIT: waits, TicketMeasure.SERVICE: services}
    figures = []
    for stage in flow.stages:
        tickets = by_measure[stage.ticket_measure] if stage.ticket_measure is not None else ()
        timed = [
            observation.observed * MINUTES_PER_UNIT[observation.unit]
            for observation in seen
            if observation.standard in stage.timed_standards
            and observation.observed is not None
            and observation.unit in MINUTES_PER_UNIT
        ]
        checked = [
            observation for observation in seen if observation.standard in stage.checked_standards
        ]
        figures.append(
            StageFigures(
                stage=stage,
                ticket_minutes=_mean(tickets),
                tickets=len(tickets),
                inspection_minutes=_mean(timed),
                timed_observations=len(timed),
                checked=len(checked),
                passed=sum(1 for observation in checked if observation.passed),
            )
        )
    return figures


def wait_points(
    points: Iterable[WaitPoint], figures: Sequence[StageFigures]
) -> list[WaitPointFigures]:
    """The blueprint's wait points, each with the figures of the flow stage on its step."""
    by_code = {each.stage.code: each for each in figures}
    return [WaitPointFigures(point=point, stage=by_code.get(point.step)) for point in points]


def _mean(values: Sequence[float]) -> float | None:
    return None if not values else sum(values) / len(values)


def _unique(reader: TomlReader, where: str, codes: list[str]) -> None:
    for code in codes:
        if codes.count(code) > 1:
            raise reader.fail(where, f"the code {code!r} is used twice")


class _Reader(TomlReader):
    invalid = FlowInvalid

    def codes(self, where: str, value: object) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
            raise self.fail(where, "must be a list of standard codes")
        return tuple(value)

    def clock_time(self, where: str, value: object) -> time:
        text = self.string(where, value)
        try:
            return time.fromisoformat(text)
        except ValueError:
            raise self.fail(where, f"{text!r} is not a time of day (HH:MM)") from None
