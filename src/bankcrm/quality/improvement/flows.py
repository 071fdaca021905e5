"""The five-gap diagnosis from the bank's records, and the PDCA action that takes a finding over.

The evidence comes from several features: SERVQUAL waves and managers' predictions
(gaps 1 and 5), the standards catalogue (gap 2), inspections (gap 3), the promise register
and the complaint desk (gap 4). A gap whose records are missing is ``unknown``; nothing
missing raises.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from dateutil.relativedelta import relativedelta

from bankcrm.branches import service as branches_service
from bankcrm.complaints import service as complaints_service
from bankcrm.core.clock import bank_day_start
from bankcrm.core.config import get_settings
from bankcrm.core.enums import ActionOrigin, TargetDirection
from bankcrm.core.exceptions import Conflict, ValidationFailed
from bankcrm.core.messages import _
from bankcrm.quality import gaps
from bankcrm.quality.gaps import (
    NOT_AS_ADVERTISED,
    ChecklistTally,
    Diagnosis,
    GapControls,
    GapEvidence,
    GapStatus,
)
from bankcrm.quality.improvement import repository, service
from bankcrm.quality.improvement.repository import ImprovementRepository
from bankcrm.quality.improvement.schemas import ControlMethodRead, DiagnosisRead, GapRead
from bankcrm.quality.inspections import service as inspections_service
from bankcrm.quality.instrument import Instrument, InstrumentInvalid, Item, shipped_instrument
from bankcrm.quality.models import ImprovementAction, SurveyWave
from bankcrm.quality.servqual import ServqualAnalysis, stored_number, stored_responses
from bankcrm.quality.surveys import service as surveys_service
from bankcrm.staff import service as staff_service
from bankcrm.staff.models import StaffUser
from bankcrm.web.i18n import gettext
from bankcrm.web.labels import stored_word

DEFAULT_INSTRUMENT = "servqual_bank"
TITLE_LENGTH = 200
METRIC_DIGITS = 3


# The wording an action created from a finding is stored with, in the creator's language.
ITEM = _("item %(number)s")
METRICS = {
    1: _("mean |customer expectation − managers' prediction| (points)"),
    2: _("share of survey items with a service standard"),
    3: _("inspection compliance at %(branch)s"),
    4: _("delivered for “%(promise)s”"),
    5: _("%(dimension)s gap P − E (points)"),
}
COMPLAINT_RATE = _("not-as-advertised complaints per 1,000 complaints")
ACTION_TITLE = _("%(gap)s: %(subject)s")
METHODS_HEADING = _("Methods that control the gap:")


@dataclass(frozen=True)
class Evidence:
    """The five evidence records, what each was read from, and what names their elements
    in words."""

    records: tuple[GapEvidence, ...]
    read_from: Mapping[int, Mapping[str, Any]]
    """Per gap, what its record was read from: wave and respondents, items and standards,
    the period, promises and customer contacts (the complaint rate's denominator)."""
    today: date
    period_start: date
    instrument: Instrument
    branch_ids: Mapping[str, int]
    """Branch labels (code and name) as gap 3 names them, to their ids."""
    promises: Mapping[str, Any]
    """Measured promises by title: the register's rows (``PromiseRead``)."""

    def record(self, gap: int) -> GapEvidence:
        return next(record for record in self.records if record.gap == gap)


@dataclass(frozen=True)
class DiagnosisReport:
    evidence: Evidence
    diagnosis: Diagnosis
    controls: Mapping[int, GapControls]

    def status(self, gap: int) -> GapStatus:
        return self.evidence.record(gap).status


def diagnose(session: Any, *, user: StaffUser, today: date) -> DiagnosisReport:
    """The open gaps ranked by severity, with the seed's control methods, from the records
    ``user`` may see (a branch manager: their branch's answers, contacts, cases and
    inspections) over the twelve months up to ``today``."""
    start = today - relativedelta(years=1) + timedelta(days=1)
    rows = ImprovementRepository(session, user)
    latest = repository.latest_servqual_wave(session)
    instrument = _instrument(latest) if latest is not None else None
    fallback = instrument or shipped_instrument(DEFAULT_INSTRUMENT)

    period = {"period_start": start.isoformat(), "period_end": today.isoformat()}
    first, prediction_wave = _management_perception(session, rows)
    second, standards = _standards_coverage(session, fallback)
    third, branch_ids = _inspection_compliance(session, user, start, today)
    fourth, promises, contacts = _promise_keeping(session, rows, start, today)
    fifth, perception_wave, perception_instrument = _perceived_quality(rows)
    evidence = Evidence(
        records=(first, second, third, fourth, fifth),
        read_from={
            1: prediction_wave,
            2: standards,
            3: period,
            4: {"promises": len(promises), "contacts": contacts, **period},
            5: perception_wave,
        },
        today=today,
        period_start=start,
        instrument=perception_instrument or fallback,
        branch_ids=branch_ids,
        promises=promises,
    )
    controls = gaps.shipped_gap_controls()
    return DiagnosisReport(
        evidence=evidence, diagnosis=gaps.diagnose(evidence.records, controls), controls=controls
    )


# --- gap 1 ---------------------------------------------------------------------------------


def _management_perception(
    session: Any, rows: ImprovementRepository
) -> tuple[gaps.ManagementPerceptionEvidence, dict[str, Any]]:
    wave = repository.latest_wave_with_predictions(session)
    instrument = _instrument(wave) if wave is not None else None
    if wave is None or instrument is None:
        return gaps.management_perception_evidence({}, {}), _wave(None, 0) | {"managers": 0}
    answers = rows.wave_answers(wave.code)
    predictions = repository.prediction_answers(session, wave.id)
    responses, _ = stored_responses(answers, instrument)
    keys = [instrument.expectation_column(item.number) for item in instrument.items]
    # a manager's prediction is a typed mean, not a point on the scale as an answer is
    predicted = _item_means(
        keys, [[stored_number(row.get(key)) for key in keys] for row in predictions]
    )
    expected = _item_means(keys, [] if responses is None else responses.expectations)
    shared = [key for key in expected if key in predicted]
    evidence = gaps.management_perception_evidence(
        {key: expected[key] for key in shared}, {key: predicted[key] for key in shared}
    )
    return evidence, _wave(wave, len(answers)) | {"managers": len(predictions)}


def _item_means(keys: Sequence[str], table: npt.ArrayLike) -> dict[str, float]:
    """Mean of each column (one per key) over the rows that answered it."""
    columns = np.asarray(table, dtype=np.float64).reshape(-1, len(keys)).T
    return {
        key: float(np.nanmean(column))
        for key, column in zip(keys, columns, strict=True)
        if not np.isnan(column).all()
    }


# --- gap 2 ---------------------------------------------------------------------------------


def _standards_coverage(
    session: Any, instrument: Instrument
) -> tuple[gaps.StandardsCoverageEvidence, dict[str, Any]]:
    numbers = {item.number for item in instrument.items}
    by_item: dict[str, list[str]] = {}
    rows = repository.standard_items(session)
    for code, items in rows:
        # an item number the instrument does not have belongs to another item set
        for number in items:
            if isinstance(number, int) and number in numbers:
                by_item.setdefault(str(number), []).append(code)
    item_keys = [str(item.number) for item in instrument.items]
    evidence = gaps.standards_coverage_evidence(item_keys, by_item)
    return evidence, {"items": len(item_keys), "standards": len(rows)}


# --- gap 3 ---------------------------------------------------------------------------------


def _inspection_compliance(
    session: Any, user: StaffUser, start: date, today: date
) -> tuple[gaps.InspectionComplianceEvidence, dict[str, int]]:
    tallies = inspections_service.compliance_tallies(session, user=user, since=start, until=today)
    # the tallies name a branch by its name, or "name (code)" when two share a name; the
    # diagnosis names it by code and name, and needs its id for the action
    branches: dict[str, tuple[int, str]] = {}
    for branch in branches_service.list_branches(session):
        label = f"{branch.external_id} {branch.name}"
        branches.setdefault(branch.name, (branch.id, label))
        branches[f"{branch.name} ({branch.external_id})"] = (branch.id, label)
    by_label: dict[str, ChecklistTally] = {}
    branch_ids: dict[str, int] = {}
    for name, tally in tallies.items():
        branch_id, label = branches.get(name, (0, name))
        by_label[label] = tally
        if branch_id:
            branch_ids[label] = branch_id
    return gaps.inspection_compliance_evidence(by_label), branch_ids


# --- gap 4 ---------------------------------------------------------------------------------


def _promise_keeping(
    session: Any, rows: ImprovementRepository, start: date, today: date
) -> tuple[gaps.PromiseKeepingEvidence, dict[str, Any], int]:
    measured = {
        row.title: row
        for row in service.list_promises(session, active_only=True)
        if row.delivered is not None
    }
    # the complaint rate is per customer contact: the cases the bank handled in the period
    since, before = bank_day_start(start), bank_day_start(today + timedelta(days=1))
    contacts = rows.contacts(since=since, before=before)
    tagged = rows.complaints_by_issue(
        issues=[NOT_AS_ADVERTISED], received_from=since, received_before=before
    )
    evidence = gaps.promise_keeping_evidence(
        service.measured_promises(session),
        not_as_advertised_complaints=tagged.get(NOT_AS_ADVERTISED, 0) if contacts else 0,
        cases=contacts,
    )
    return evidence, measured, contacts


# --- gap 5 ---------------------------------------------------------------------------------


def _perceived_quality(
    rows: ImprovementRepository,
) -> tuple[gaps.PerceivedQualityEvidence, dict[str, Any], Instrument | None]:
    empty = gaps.perceived_quality_evidence({})
    wave = rows.latest_wave_with_answers()
    instrument = _instrument(wave) if wave is not None else None
    if wave is None or instrument is None:
        return empty, _wave(None, 0), None
    responses, _ = stored_responses(rows.wave_answers(wave.code), instrument)
    if responses is None:
        return empty, _wave(wave, 0), instrument
    analysis = ServqualAnalysis(instrument).fit(responses)
    dimension_gaps = {
        code: stats.gap.mean
        for code, stats in analysis.dimensions_.items()
        if math.isfinite(stats.gap.mean)
    }
    evidence = gaps.perceived_quality_evidence(dimension_gaps)
    return evidence, _wave(wave, analysis.n_answering_), instrument


def _wave(wave: SurveyWave | None, respondents: int) -> dict[str, Any]:
    return {"wave": wave.code if wave else None, "respondents": respondents}


def _instrument(wave: SurveyWave) -> Instrument | None:
    """The wave's instrument; a stored text that no longer parses leaves the wave unreadable
    (``None``) rather than read against another item set."""
    try:
        return surveys_service.wave_instrument(wave)
    except InstrumentInvalid:
        return None


# --- naming the weakest element --------------------------------------------------------------


def weakest_label(evidence: Evidence, gap: int, weakest: str | None, locale: str) -> str | None:
    """The weakest element in words: an item's number and statement, a branch, a promise,
    a dimension's name."""
    if weakest is None:
        return None
    instrument = evidence.instrument
    if gap in (1, 2):
        number, item = _item(instrument, weakest)
        words = gettext(locale, ITEM) % {"number": number}
        return f"{words} {item.expectation.text(locale)}" if item else words
    if gap == 4 and weakest == NOT_AS_ADVERTISED:
        return complaints_service.taxonomy().issue(NOT_AS_ADVERTISED, locale)
    if gap == 5:
        return dimension_name(instrument, weakest, locale)
    return weakest


def dimension_name(instrument: Instrument, code: str, locale: str) -> str:
    try:
        return instrument.dimension(code).name.text(locale)
    except KeyError:
        return code


def _item(instrument: Instrument, key: str) -> tuple[int, Item | None]:
    """The number an item key (``E3``, ``P3`` or ``3``) names, and that item if it exists."""
    number = int(key.lstrip("EP"))
    return number, next((item for item in instrument.items if item.number == number), None)


# --- the API's view ---------------------------------------------------------------------------


def figures(evidence: Evidence, gap: int) -> dict[str, Any]:
    """The evidence's figures as plain values (shares 0–1, gaps in scale points): the
    record's own, without its severity, and what they were read from."""
    record = evidence.record(gap)
    values = {
        name: value for name, value in asdict(record).items() if name not in ("severity", "open_at")
    }
    if isinstance(record, gaps.ManagementPerceptionEvidence):
        values["shortfalls"] = [
            {**asdict(entry), "shortfall": entry.shortfall} for entry in record.shortfalls
        ]
    if isinstance(record, gaps.StandardsCoverageEvidence):
        values["uncovered_items"] = [int(item) for item in record.uncovered_items]
    return {**evidence.read_from[gap], **values}


def diagnosis_read(report: DiagnosisReport, *, locale: str) -> DiagnosisRead:
    def read(gap: int) -> GapRead:
        record = report.evidence.record(gap)
        controls = report.controls[gap]
        return GapRead(
            gap=gap,
            name=controls.name.text(locale),
            definition=controls.definition.text(locale),
            status=report.status(gap).value,
            severity=record.severity,
            weakest=record.weakest,
            weakest_label=weakest_label(report.evidence, gap, record.weakest, locale),
            figures=figures(report.evidence, gap),
            methods=[
                ControlMethodRead(zh=method.text("zh"), en=method.text("en"))
                for method in controls.methods
            ],
        )

    diagnosis = report.diagnosis
    return DiagnosisRead(
        as_of=report.evidence.today,
        period_start=report.evidence.period_start,
        period_end=report.evidence.today,
        open_gaps=[read(finding.gap) for finding in diagnosis.open_gaps],
        closed_gaps=[read(gap) for gap in diagnosis.closed_gaps],
        unknown_gaps=[read(gap) for gap in diagnosis.unknown_gaps],
    )


def open_gap_actions(session: Any) -> dict[int, list[ImprovementAction]]:
    """Unfinished actions per gap, so the page shows what already works on a finding."""
    by_gap: dict[int, list[ImprovementAction]] = defaultdict(list)
    for action in repository.open_actions(session, ImprovementAction.gap.is_not(None)):
        by_gap[action.gap or 0].append(action)
    return by_gap


# --- one click: the action that takes a finding over ----------------------------------------


def create_gap_action(
    session: Any, *, user: StaffUser, gap: int, today: date, locale: str
) -> ImprovementAction:
    """A PDCA action prefilled from an open gap's finding, due in thirty days.

    The owner is the failing branch's manager for gap 3 (the user when the branch has
    none), else the user; the metric and its value now come from the evidence, and the
    description lists the seed's control methods in ``locale``."""
    if gap not in gaps.GAP_NUMBERS:
        raise ValidationFailed(f"gap {gap} does not exist; gaps are numbered 1 to 5", field="gap")
    report = diagnose(session, user=user, today=today)
    status = report.status(gap)
    if status is GapStatus.UNKNOWN:
        raise ValidationFailed(
            f"gap {gap} is unknown: there is no evidence to act on yet", field="gap"
        )
    if status is GapStatus.CLOSED:
        raise Conflict(f"gap {gap} is closed: its evidence is within the target")
    finding = next(entry for entry in report.diagnosis.open_gaps if entry.gap == gap)
    evidence = report.evidence
    controls = finding.controls
    label = weakest_label(evidence, gap, finding.weakest, locale)
    title = gettext(locale, ACTION_TITLE) % {
        "gap": controls.name.text(locale),
        "subject": label or controls.definition.text(locale),
    }
    description = "\n".join(
        [
            controls.definition.text(locale),
            gettext(locale, METHODS_HEADING),
            *(f"- {method.text(locale)}" for method in controls.methods),
        ]
    )
    weakest = finding.weakest
    metric, before, higher = _metric(evidence, finding, label, locale)
    branch_id = evidence.branch_ids.get(weakest) if gap == 3 and weakest is not None else None
    manager = staff_service.branch_manager(session, branch_id=branch_id) if branch_id else None
    dimension = weakest if gap == 5 else None
    if gap == 1 and weakest is not None:
        item = _item(evidence.instrument, weakest)[1]
        dimension = item.dimension if item is not None else None
    return service.create_action(
        session,
        user=user,
        title=title[:TITLE_LENGTH],
        owner_id=manager.id if manager is not None else user.id,
        due_on=today + timedelta(days=get_settings().quality.action_days),
        origin=ActionOrigin.GAP,
        description=description,
        branch_id=branch_id,
        gap=gap,
        dimension=dimension,
        metric=metric[:TITLE_LENGTH],
        # the check compares a value typed in later: the baseline at the precision shown
        metric_before=None if before is None else round(before, METRIC_DIGITS),
        higher_is_better=higher,
    )


def _metric(
    evidence: Evidence, finding: gaps.GapFinding, label: str | None, locale: str
) -> tuple[str, float | None, bool]:
    """What the action's check measures, its value now, and whether higher is better."""
    record = finding.evidence
    template = gettext(locale, METRICS[finding.gap])
    match record:
        case gaps.ManagementPerceptionEvidence():
            return template, record.mean_absolute_difference, False
        case gaps.StandardsCoverageEvidence():
            return template, record.coverage, True
        case gaps.InspectionComplianceEvidence():
            weakest = finding.weakest
            if weakest is None:
                return template % {"branch": "—"}, record.overall_compliance, True
            return template % {"branch": weakest}, record.branch_compliance[weakest], True
        case gaps.PromiseKeepingEvidence():
            promise = evidence.promises.get(finding.weakest or "")
            if promise is not None:
                unit = f" ({stored_word(promise.unit, locale)})" if promise.unit else ""
                return (
                    template % {"promise": promise.title} + unit,
                    promise.delivered,
                    promise.direction is TargetDirection.AT_LEAST,
                )
            return gettext(locale, COMPLAINT_RATE), record.complaints_per_thousand_cases, False
        case gaps.PerceivedQualityEvidence():
            dimension = label or record.worst_dimension or "—"
            worst = record.worst_dimension
            before = record.dimension_gaps[worst] if worst is not None else None
            return template % {"dimension": dimension}, before, True
