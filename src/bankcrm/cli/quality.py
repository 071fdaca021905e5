"""``bankcrm quality``: analyse a SERVQUAL-style survey from a response file, the bank's
short satisfaction surveys (CSAT, NPS), and the links of survey waves (follow-ups, reminders)."""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from bankcrm.core.enums import SurveyKind
from bankcrm.core.exceptions import BankcrmError, ImportRejected

if TYPE_CHECKING:
    from bankcrm.quality import servqual
    from bankcrm.quality.instrument import Instrument

quality_app = typer.Typer(help="Service quality: SERVQUAL surveys.", no_args_is_help=True)

# Typer's own exit code for bad arguments; bad input files are the same kind of mistake.
BAD_INPUT = 2


@quality_app.command("analyze")
def analyze(
    responses: Path = typer.Option(
        ...,
        "--responses",
        help="CSV (or .csv.gz), one row per respondent: E1..En, P1..Pn, "
        "optional W_<dimension> points.",
    ),
    instrument_name: str = typer.Option(
        "servqual_bank",
        "--instrument",
        # the instruments of quality.instrument.SHIPPED_INSTRUMENTS, named here as importing
        # that module takes pydantic (tests/cli/test_startup.py checks they agree)
        help="Instrument TOML file, or a shipped one: servqual_bank, kiosk_kservqual.",
    ),
    by: str | None = typer.Option(
        None, "--by", help="Column to break the gaps down by (branch, segment, period)."
    ),
    baseline: Path | None = typer.Option(
        None,
        "--baseline",
        help="Earlier wave in the same layout: Welch's t-test of each dimension's gap.",
    ),
    confidence: float = typer.Option(
        # servqual.DEFAULT_CONFIDENCE, named here as servqual imports scipy (the same check)
        0.95,
        "--confidence",
        min=0.5,
        max=0.999,
        help="CI coverage.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Gaps P − E per item and dimension, SERVQUAL scores and Cronbach's α.

    Bad input stops with exit code 2 and a message naming the row and column.
    """
    from bankcrm.quality import servqual
    from bankcrm.quality.instrument import InstrumentInvalid

    # Everything is read and checked before anything is printed, so bad input leaves no
    # partial report behind.
    try:
        instrument = _instrument(instrument_name)
        answers = servqual.read_responses_csv(responses, instrument, group_column=by)
        earlier = (
            servqual.read_responses_csv(baseline, instrument) if baseline is not None else None
        )
    except (ImportRejected, InstrumentInvalid) as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(BAD_INPUT) from error

    analysis = servqual.ServqualAnalysis(instrument, confidence=confidence).fit(answers)
    report = servqual.summarize(analysis)
    if by is not None:
        report["breakdown_by"] = by
        report["breakdown"] = {
            label: _group_summary(group)
            for label, group in servqual.fit_by_group(
                instrument, answers, confidence=confidence
            ).items()
        }
    if earlier is not None:
        before = servqual.ServqualAnalysis(instrument, confidence=confidence).fit(earlier)
        report["baseline"] = {
            "respondents": before.n_respondents_,
            "servqual_unweighted": servqual.finite_or_none(before.servqual_unweighted_),
            "servqual_weighted": servqual.finite_or_none(before.servqual_weighted_),
        }
        report["change"] = {
            code: servqual.summarize_welch(test)
            for code, test in servqual.compare_waves(
                before, analysis, confidence=confidence
            ).items()
        }

    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        typer.echo(_table(report, instrument))


def _instrument(name: str) -> Instrument:
    from bankcrm.quality.instrument import load_instrument, shipped_instrument

    path = Path(name)
    if path.suffix == ".toml" or path.exists():
        return load_instrument(path)
    return shipped_instrument(name)


def _group_summary(analysis: servqual.ServqualAnalysis) -> dict[str, Any]:
    from bankcrm.quality import servqual

    return {
        "respondents": analysis.n_respondents_,
        "dimensions": {
            code: {
                "respondents": found.respondents,
                "gap": servqual.finite_or_none(found.gap.mean),
                "gap_ci_low": servqual.finite_or_none(found.gap.low),
                "gap_ci_high": servqual.finite_or_none(found.gap.high),
            }
            for code, found in analysis.dimensions_.items()
        },
        "servqual_unweighted": servqual.finite_or_none(analysis.servqual_unweighted_),
        "servqual_weighted": servqual.finite_or_none(analysis.servqual_weighted_),
    }


def _table(report: dict[str, Any], instrument: Instrument) -> str:
    percent = f"{report['confidence']:.0%}"
    lines = [
        f"{instrument.title.text('en')} ({instrument.id}): {report['respondents']:,} "
        f"respondents, {report['respondents_answering']:,} with answers",
        "",
        f"{'dimension':<16}{'n':>5}{'E':>7}{'P':>7}{'gap':>8}  {percent + ' CI of gap':<18}"
        f"{'α E':>6}{'α P':>6}{'weight':>8}  quadrant",
    ]
    for code, found in report["dimensions"].items():
        interval = f"[{_number(found['gap_ci_low'])}, {_number(found['gap_ci_high'])}]"
        quadrant = (found["quadrant"] or "–").replace("_", " ")
        lines.append(
            f"{code:<16}{found['respondents']:>5}{_number(found['expectation']):>7}"
            f"{_number(found['perception']):>7}{_number(found['gap']):>8}  {interval:<18}"
            f"{_number(found['alpha_expectation']):>6}{_number(found['alpha_perception']):>6}"
            f"{_number(found['importance'], 1):>8}  {quadrant:<23}"
            f"{found['name_zh']}"
        )
    lines += [
        "",
        f"SERVQUAL score: unweighted {_number(report['servqual_unweighted'])}, "
        f"weighted {_number(report['servqual_weighted'])} "
        f"(weights from the {report['weights_source']}, "
        f"{report['weighted_respondents']:,} respondents)",
        "",
        f"{'item':>4}  {'dimension':<16}{'n':>5}{'E':>7}{'P':>7}{'gap':>8}",
    ]
    for item in report["items"]:
        lines.append(
            f"{item['number']:>4}  {item['dimension']:<16}{item['respondents']:>5}"
            f"{_number(item['expectation']):>7}{_number(item['perception']):>7}"
            f"{_number(item['gap']):>8}"
        )
    if "breakdown" in report:
        codes = list(report["dimensions"])
        lines += ["", f"gap by {report['breakdown_by']} ({percent} CI)"]
        labels = {label: label or "(blank)" for label in report["breakdown"]}
        label_width = max(16, *(_columns(shown) + 1 for shown in labels.values()))
        lines.append(
            _left("", label_width) + f"{'n':>5}" + "".join(f"{code[:22]:>24}" for code in codes)
        )
        for label, group in report["breakdown"].items():
            cells = []
            for code in codes:
                found = group["dimensions"][code]
                cells.append(
                    f"{_number(found['gap'])} [{_number(found['gap_ci_low'])}, "
                    f"{_number(found['gap_ci_high'])}]"
                )
            lines.append(
                _left(labels[label], label_width)
                + f"{group['respondents']:>5}"
                + "".join(f"{cell:>24}" for cell in cells)
            )
    if "change" in report:
        lines += [
            "",
            f"change since the baseline (Welch's t-test, {percent} CI of the difference)",
            f"{'dimension':<16}{'before':>8}{'now':>8}{'change':>8}  {'CI':<18}"
            f"{'t':>7}{'df':>8}{'p':>8}",
        ]
        for code, test in report["change"].items():
            interval = (
                f"[{_number(test['difference_ci_low'])}, {_number(test['difference_ci_high'])}]"
            )
            lines.append(
                f"{code:<16}{_number(test['gap_earlier']):>8}{_number(test['gap_later']):>8}"
                f"{_number(test['difference']):>8}  {interval:<18}{_number(test['t']):>7}"
                f"{_number(test['df'], 1):>8}{_number(test['p_value'], 3):>8}"
            )
    return "\n".join(lines)


def _columns(text: str) -> int:
    """Terminal columns ``text`` takes: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _left(text: str, width: int) -> str:
    return text + " " * max(width - _columns(text), 1)


def _number(value: float | None, decimals: int = 2) -> str:
    return "–" if value is None else f"{value:.{decimals}f}"


@quality_app.command("satisfaction")
def satisfaction(
    since: str | None = typer.Option(
        None, "--since", help="Only answers from this day on (YYYY-MM-DD)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """CSAT, first-time satisfaction and NPS of the surveys in the records store, with their
    monthly trends."""
    from bankcrm.core.db import session_scope
    from bankcrm.quality.repository import QualitySystemRepository
    from bankcrm.quality.schemas import SatisfactionRead

    try:
        answered_from = date.fromisoformat(since) if since else None
    except ValueError:
        typer.echo(f"--since: a day as YYYY-MM-DD, not {since!r}", err=True)
        raise typer.Exit(BAD_INPUT) from None
    with session_scope() as session:
        bank = QualitySystemRepository(session)
        figures = SatisfactionRead.of(
            csat_answers=bank.scored_answers_by_branch(
                kind=SurveyKind.CSAT, answered_from=answered_from
            ),
            nps_answers=bank.scored_answers_by_branch(
                kind=SurveyKind.NPS, answered_from=answered_from
            ),
            since=answered_from,
        )
    report = figures.model_dump(mode="json", include={"csat", "first_time_csat", "nps", "monthly"})
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    csat_share = report["csat"]["share"]
    first_share = report["first_time_csat"]["share"]
    score = report["nps"]["score"]
    typer.echo(
        f"CSAT {_number(None if csat_share is None else 100 * csat_share, 1)} % satisfied "
        f"of {report['csat']['answers']:,} answers; first-time "
        f"{_number(None if first_share is None else 100 * first_share, 1)} % of "
        f"{report['first_time_csat']['answers']:,} customers"
    )
    typer.echo(
        f"NPS {_number(score, 1)} ({_number(report['nps']['low'], 1)} to "
        f"{_number(report['nps']['high'], 1)}) of {report['nps']['answers']:,} answers"
    )


def _day(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        typer.echo(f"{option}: a day as YYYY-MM-DD, not {value!r}", err=True)
        raise typer.Exit(BAD_INPUT) from None


@quality_app.command("follow-up")
def follow_up(
    wave: str = typer.Option(..., "--wave", help="Code of an open or draft CSAT or NPS wave."),
    since: str = typer.Option(..., "--since", help="First day of interactions (YYYY-MM-DD)."),
    until: str | None = typer.Option(
        None, "--until", help="Last day of interactions (YYYY-MM-DD); today when left out."
    ),
) -> None:
    """Invite every customer who had an interaction in the window to a short survey about
    their latest one there (once per customer and wave)."""
    from bankcrm.core.db import session_scope
    from bankcrm.quality.surveys import service as surveys_service

    first = _day("--since", since)
    last = _day("--until", until) if until else None
    try:
        with session_scope() as session:
            found = surveys_service.wave_by_code(session, code=wave)
            issued = surveys_service.issue_follow_up_invitations(
                session, wave_id=found.id, since=first, until=last
            )
    except BankcrmError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(BAD_INPUT) from error
    typer.echo(f"{issued:,} invitations issued to wave {wave}")


@quality_app.command("remind")
def remind(
    wave: str = typer.Option(..., "--wave", help="Code of an open wave."),
) -> None:
    """Count a reminder on every unanswered link of the wave that is due one; the links file
    on the wave's page lists them for the SMS or e-mail gateway."""
    from bankcrm.core.db import session_scope
    from bankcrm.quality.surveys import service as surveys_service

    try:
        with session_scope() as session:
            found = surveys_service.wave_by_code(session, code=wave)
            reminded = surveys_service.send_reminders_job(session, wave_id=found.id)
    except BankcrmError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(BAD_INPUT) from error
    typer.echo(f"{reminded.reminded:,} reminders counted for wave {wave}")


def register(app: typer.Typer) -> None:
    app.add_typer(quality_app, name="quality")
