"""Counters for a waiting-time target: Erlang C (M/M/c) and Erlang A (M/M/c+M, with
customers who give up).

Rates and times share one unit (minutes in the command): ``rate`` arrivals per unit,
``service`` the mean handling time, ``wait`` the waiting-time target. The service level is
the share of arriving customers answered within ``wait``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
from scipy.linalg import expm
from scipy.special import logsumexp

from bankcrm.core.exceptions import ImportRejected, ValidationFailed

DAY_SECONDS = 24 * 60 * 60

TAIL_LOG_MASS = -40.0
"""Erlang A: queue lengths whose stationary probability is below e^-40 of the most likely
one are left out (they change no printed decimal)."""


@dataclass(frozen=True)
class Staffing:
    """The fewest counters meeting a target and what they give."""

    counters: int
    service_level: float
    wait_probability: float


def erlang_b(counters: int, load: float) -> float:
    """Blocking probability B(c, a) by the recursion B(k) = a·B(k-1) / (k + a·B(k-1)),
    stable for thousands of counters where a^c/c! overflows."""
    blocking = 1.0
    for k in range(1, counters + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def _erlang_c_from_b(counters: int, load: float, blocking: float) -> float:
    return counters * blocking / (counters - load * (1.0 - blocking))


def erlang_c(counters: int, load: float) -> float:
    """P(wait) C(c, a): the chance an arrival finds every counter busy; 1 when a ≥ c (the
    queue grows without bound)."""
    if load <= 0:
        return 0.0
    if counters <= load:
        return 1.0
    return _erlang_c_from_b(counters, load, erlang_b(counters, load))


def _service_level_from_c(
    wait_probability: float, counters: int, rate: float, service: float, wait: float
) -> float:
    if counters <= rate * service:
        return 0.0
    drain = counters / service - rate
    return 1.0 - wait_probability * math.exp(-drain * wait)


def service_level(counters: int, rate: float, service: float, wait: float) -> float:
    """Erlang C service level 1 − C(c, a)·exp(−(cμ − λ)t); 1 with no arrivals."""
    _check(rate, service, wait)
    if rate == 0:
        return 1.0
    load = rate * service
    return _service_level_from_c(erlang_c(counters, load), counters, rate, service, wait)


def average_speed_of_answer(counters: int, rate: float, service: float) -> float:
    """Mean wait of all arrivals, C(c, a) / (cμ − λ); infinite when a ≥ c."""
    _check(rate, service, 0.0)
    load = rate * service
    if rate == 0:
        return 0.0
    if counters <= load:
        return math.inf
    return erlang_c(counters, load) / (counters / service - rate)


def counters_needed(rate: float, service: float, wait: float, target: float) -> Staffing:
    """The fewest counters c > a whose Erlang C service level reaches ``target``; none for
    no arrivals. B(c, a) is carried from one c to the next, so the search costs O(c)."""
    _check(rate, service, wait)
    _check_target(target)
    if rate == 0:
        return Staffing(0, 1.0, 0.0)
    load = rate * service
    counters = math.floor(load) + 1
    blocking = erlang_b(counters, load)
    while True:
        wait_probability = _erlang_c_from_b(counters, load, blocking)
        level = _service_level_from_c(wait_probability, counters, rate, service, wait)
        if level >= target:
            return Staffing(counters, level, wait_probability)
        counters += 1
        blocking = load * blocking / (counters + load * blocking)


def erlang_a(counters: int, rate: float, service: float, patience: float, wait: float) -> Staffing:
    """Erlang A (Palm's M/M/c+M): exponential patience of mean ``patience``; a customer
    still queued when it runs out leaves. The stationary queue comes from the birth–death
    chain with death rate min(n, c)μ + max(n − c, 0)θ (θ = 1/patience) in log space; an
    arrival finding k ahead is answered within t with the chance that the k ahead clear
    (each step at rate cμ + jθ) and a counter frees before t and before its own patience
    ends, a small Markov chain solved by a matrix exponential. Customers who leave count
    as not answered."""
    _check(rate, service, wait)
    if patience <= 0 or not math.isfinite(patience):
        raise ValidationFailed("the mean patience must be a positive number", field="patience")
    if counters < 1:
        raise ValidationFailed("Erlang A needs at least one counter", field="counters")
    if rate == 0:
        return Staffing(counters, 1.0, 0.0)
    mu, theta = 1.0 / service, 1.0 / patience
    log_terms = [0.0]
    peak = 0.0
    n = 0
    while n < counters or log_terms[-1] - peak > TAIL_LOG_MASS:
        n += 1
        death = min(n, counters) * mu + max(n - counters, 0) * theta
        log_terms.append(log_terms[-1] + math.log(rate / death))
        peak = max(peak, log_terms[-1])
    log_pi = np.array(log_terms) - logsumexp(log_terms)
    pi = np.exp(log_pi)
    waiting = pi[counters:]
    ahead = len(waiting)
    # states 0..ahead-1: customers ahead of the arrival; state `ahead`: answered
    generator = np.zeros((ahead + 1, ahead + 1))
    for j in range(ahead):
        move = counters * mu + j * theta
        generator[j, j] = -(move + theta)
        generator[j, j - 1 if j else ahead] = move
    answered = expm(generator * wait)[:ahead, ahead]
    level = float(pi[:counters].sum() + waiting @ answered)
    return Staffing(counters, min(level, 1.0), float(waiting.sum()))


def counters_needed_with_abandonment(
    rate: float, service: float, patience: float, wait: float, target: float
) -> Staffing:
    """The fewest counters whose Erlang A service level reaches ``target``; with customers
    leaving, the queue is stable even at c ≤ a, so the search starts at one counter."""
    _check(rate, service, wait)
    _check_target(target)
    if rate == 0:
        return Staffing(0, 1.0, 0.0)

    def meets(counters: int) -> bool:
        return erlang_a(counters, rate, service, patience, wait).service_level >= target

    # the service level rises with c: double until it is met, then bisect
    low, high = 0, 1
    while not meets(high):
        low, high = high, 2 * high
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if meets(middle) else (middle, high)
    return erlang_a(high, rate, service, patience, wait)


@dataclass(frozen=True)
class Slot:
    """Arrivals counted in one slot; ``start`` in the file's own offset (naive when the
    file's times have none), ``minutes`` the part of the slot the file's rows cover."""

    start: datetime
    arrivals: float
    minutes: float

    @property
    def rate(self) -> float:
        """Arrivals per minute over the minutes covered."""
        return self.arrivals / self.minutes if self.minutes else 0.0


@dataclass(frozen=True)
class TypicalSlot:
    """One slot of the typical week: ``weekday`` 0 = Monday, its start on the local clock,
    ``rate`` arrivals per minute over every minute the file covers there."""

    weekday: int
    minute_of_day: int
    rate: float

    @property
    def time(self) -> str:
        return f"{self.minute_of_day // 60:02d}:{self.minute_of_day % 60:02d}"


def slot_arrivals(
    times: Sequence[str | None],
    counts: Sequence[float | str | None],
    *,
    slot_minutes: int,
    file: str,
    time_column: str,
    count_column: str,
) -> list[Slot]:
    """Count rows (ISO 8601 times, any spacing) summed into slots of ``slot_minutes`` on the
    file's local clock. A row covers the file's row spacing (the most common gap between
    consecutive times), cut short where the next row comes sooner; a row spanning slot
    boundaries is shared among them in proportion to the time in each. Rows at one time
    are added up."""
    if slot_minutes <= 0 or DAY_SECONDS % (slot_minutes * 60):
        raise ValidationFailed(
            f"slots of {slot_minutes} minutes do not divide a day", field="slot_minutes"
        )
    instants, offsets, amounts, aware = _parse_rows(
        times, counts, file=file, time_column=time_column, count_column=count_column
    )
    order = np.argsort(instants, kind="stable")
    instants, offsets, amounts = instants[order], offsets[order], amounts[order]
    distinct, first = np.unique(instants, return_index=True)
    amounts = np.add.reduceat(amounts, first)
    offsets = offsets[first]
    if len(distinct) < 2:
        raise ImportRejected(
            "at least two different times are needed to see how far apart rows are",
            file=file,
            row=None,
            column=time_column,
        )
    gaps, frequency = np.unique(np.diff(distinct), return_counts=True)
    spacing = gaps[np.argmax(frequency)]
    cover = np.minimum(np.append(np.diff(distinct), spacing), spacing)
    slot = slot_minutes * 60
    begin = distinct + offsets  # seconds on the local clock
    end = begin + cover
    keys: list[np.ndarray] = []
    zones: list[np.ndarray] = []
    shares: list[np.ndarray] = []
    pieces: list[np.ndarray] = []
    while len(begin):
        local_slot = begin // slot * slot
        piece = np.minimum(end, local_slot + slot) - begin
        keys.append(local_slot - offsets)  # the slot's start as an instant
        zones.append(offsets)
        pieces.append(piece)
        shares.append(amounts * piece / cover)
        rest = local_slot + slot < end
        begin, end = (local_slot + slot)[rest], end[rest]
        offsets, amounts, cover = offsets[rest], amounts[rest], cover[rest]
    starts, first_seen, where = np.unique(
        np.concatenate(keys), return_index=True, return_inverse=True
    )
    start_offsets = np.concatenate(zones)[first_seen]
    arrivals = np.bincount(where, weights=np.concatenate(shares))
    minutes = np.bincount(where, weights=np.concatenate(pieces)) / 60
    return [
        Slot(
            _local(int(start), int(offset), aware),
            float(arrivals[index]),
            float(minutes[index]),
        )
        for index, (start, offset) in enumerate(zip(starts, start_offsets, strict=True))
    ]


def weekly_profile(slots: Sequence[Slot]) -> list[TypicalSlot]:
    """The typical week: for each weekday and time of day the file covers, all arrivals
    there over all minutes covered there, so a partial slot weighs by what it saw."""
    arrivals: dict[tuple[int, int], float] = {}
    minutes: dict[tuple[int, int], float] = {}
    for slot in slots:
        key = (slot.start.weekday(), slot.start.hour * 60 + slot.start.minute)
        arrivals[key] = arrivals.get(key, 0.0) + slot.arrivals
        minutes[key] = minutes.get(key, 0.0) + slot.minutes
    return [
        TypicalSlot(weekday, minute, arrivals[weekday, minute] / minutes[weekday, minute])
        for weekday, minute in sorted(arrivals)
        if minutes[weekday, minute] > 0
    ]


def _parse_rows(
    times: Sequence[str | None],
    counts: Sequence[float | str | None],
    *,
    file: str,
    time_column: str,
    count_column: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Seconds since 1970 (UTC where the times carry an offset), each row's offset in
    seconds, the counts, and whether the times carry offsets."""
    instants = np.empty(len(times), dtype=np.int64)
    offsets = np.zeros(len(times), dtype=np.int64)
    amounts = np.empty(len(times), dtype=np.float64)
    parsed: dict[str, datetime] = {}
    aware: bool | None = None
    for index, (text, count) in enumerate(zip(times, counts, strict=True)):
        row = index + 1
        moment = parsed.get(text) if text is not None else None
        if moment is None:
            try:
                moment = datetime.fromisoformat((text or "").strip())
            except ValueError:
                raise ImportRejected(
                    f"{text!r} is not a date and time (ISO 8601, e.g. 2024-03-04T09:30)",
                    file=file,
                    row=row,
                    column=time_column,
                ) from None
            parsed[text or ""] = moment
        offset = moment.utcoffset()
        if aware is None:
            aware = offset is not None
        elif aware != (offset is not None):
            raise ImportRejected(
                "some times carry a UTC offset and others do not",
                file=file,
                row=row,
                column=time_column,
            )
        seconds = offset.total_seconds() if offset is not None else 0.0
        instants[index] = round(moment.replace(tzinfo=UTC).timestamp() - seconds)
        offsets[index] = round(seconds)
        try:
            amount = math.nan if count is None else float(count)
        except ValueError:
            amount = math.nan
        if not (math.isfinite(amount) and amount >= 0):
            raise ImportRejected(
                f"the count must be a number ≥ 0, not {count!r}",
                file=file,
                row=row,
                column=count_column,
            )
        amounts[index] = amount
    return instants, offsets, amounts, bool(aware)


def _local(instant: int, offset: int, aware: bool) -> datetime:
    local = datetime.fromtimestamp(instant, UTC) + timedelta(seconds=offset)
    return local.replace(tzinfo=timezone(timedelta(seconds=offset)) if aware else None)


def _check(rate: float, service: float, wait: float) -> None:
    if not (math.isfinite(rate) and rate >= 0):
        raise ValidationFailed("the arrival rate must be a number ≥ 0", field="rate")
    if not (math.isfinite(service) and service > 0):
        raise ValidationFailed("the handling time must be a positive number", field="service")
    if not (math.isfinite(wait) and wait >= 0):
        raise ValidationFailed("the waiting-time target must be a number ≥ 0", field="wait")


def _check_target(target: float) -> None:
    if not 0 < target < 1:
        raise ValidationFailed(
            f"the service level must lie strictly between 0 and 1, not {target}",
            field="service_level",
        )
