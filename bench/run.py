"""``make bench``: generator, import, customer list, segmentation, CLV, audit, backup, complaints,
offers, credit, campaigns, branch staffing, command start-up.

Every figure is printed next to a baseline measured in the same run on the same machine, so
the ratios mean something wherever it runs; the figures go to docs/performance.md. Set
``BENCH_QUICK=1`` for a short run and ``BENCH_ONLY=segmentation`` (comma-separated, from
generator, import, segmentation, segment-run, clv, security, complaints, offers, credit,
campaigns, staffing, startup, spark) to run some sections only: their sections of the page
are replaced and the others kept. ``BENCH_WORK=DIR`` keeps the generated banks and ledgers
in ``DIR`` for the next run instead of a temporary folder.
"""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import make_url, text
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import CustomerType, Role
from bankcrm.core.migrate import upgrade
from bankcrm.customers import service as customers_service
from bankcrm.customers.schemas import CustomerSort
from bankcrm.staff.models import StaffUser
from bench.audit import bench_audit, bench_backup
from bench.campaigns import bench_campaigns
from bench.clv import bench_clv
from bench.complaints import bench_complaints
from bench.credit import bench_credit
from bench.measure import in_child, measured_on
from bench.offers import bench_offers
from bench.segment import bench_segmentation
from bench.segment_run import bench_segment_run, people_store
from bench.spark import bench_spark
from bench.staffing import bench_staffing
from bench.startup import bench_startup

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "performance.md"
QUICK = os.environ.get("BENCH_QUICK") == "1"
SYNTH_SIZES = (2_000, 20_000) if QUICK else (10_000, 100_000, 1_000_000)
IMPORT_SIZES = (2_000, 20_000) if QUICK else (10_000, 100_000)
LIST_REPEATS = 20
LIST_PAGE_SIZE = 25
DEEP_PAGE = 3_000
"""The deep page the customer list is measured at, or the last page of a smaller bank."""
SEGMENT_SIZES = (20_000,) if QUICK else (100_000, 400_000, 1_000_000)
SEGMENT_REPEATS = 3 if QUICK else 2
SEGMENT_RUN_SIZES = (20_000,) if QUICK else (100_000, 1_000_000)
CLV_SIZES = (20_000,) if QUICK else (100_000, 1_000_000)
CLV_REPEATS = 5
OFFERS_SIZES = (2_000, 20_000) if QUICK else (10_000, 100_000)
RANK_SIZES = (20_000,) if QUICK else (100_000, 1_000_000)
RANK_REPEATS = 2
CREDIT_FIT_ROWS = 20_000 if QUICK else 100_000
CREDIT_SCORE_ROWS = 100_000 if QUICK else 1_000_000
CAMPAIGN_CUSTOMERS = 100_000 if QUICK else 1_000_000
STAFFING_BRANCHES = 50 if QUICK else 500
STAFFING_SAMPLE = 2 if QUICK else 5
STARTUP_REPEATS = 3 if QUICK else 10
SPARK_SIZES = (20_000,) if QUICK else (100_000, 1_000_000)
SECTIONS = (
    "generator",
    "import",
    "segmentation",
    "segment-run",
    "clv",
    "security",
    "complaints",
    "offers",
    "credit",
    "campaigns",
    "staffing",
    "startup",
    "spark",
)
ONLY = tuple(name for name in os.environ.get("BENCH_ONLY", "").split(",") if name) or SECTIONS


def _rate(rows: float, seconds: float) -> str:
    return f"{rows / seconds:,.0f}"


def bench_synth(work: Path) -> list[str]:
    lines = [
        "| customers | transactions | all rows | seconds | rows/s | peak memory | "
        "baseline rows/s (plain pyarrow write) | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for customers in SYNTH_SIZES:
        out = work / f"synth-{customers}"
        measured = in_child(
            "bench.synth_child",
            "bank",
            str(customers),
            "1",
            str(out),
            "parquet" if customers >= 1_000_000 else "csv",
        )
        rows = measured.result["rows"]
        assert isinstance(rows, dict)
        total = sum(rows.values())
        seconds = float(measured.result["seconds"])  # type: ignore[arg-type]
        base = in_child("bench.synth_child", "baseline", str(total), str(work / "plain"))
        base_seconds = float(base.result["seconds"])  # type: ignore[arg-type]
        ratio = (total / seconds) / (total / base_seconds)
        lines.append(
            f"| {customers:,} | {rows['transactions']:,} | {total:,} | {seconds:.1f} | "
            f"{_rate(total, seconds)} | {measured.peak_rss_mb:,.0f} MB | "
            f"{_rate(total, base_seconds)} | {ratio:.2f} |"
        )
        print(lines[-1], flush=True)
    return lines


def _import_files(work: Path, customers: int) -> Path:
    files = work / f"import-{customers}"
    if not files.exists():
        in_child("bench.synth_child", "bank", str(customers), "2", str(files), "csv")
    return files


def _empty_postgres(server_url: str, name: str) -> str:
    """A new, empty database ``name`` on the server of ``server_url``, as a first import
    meets it; one of that name from an earlier run is dropped."""
    url = make_url(server_url)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url.set(database=name).render_as_string(hide_password=False)


def _fresh(database: Path) -> Path:
    """``database``, with the files an earlier run in the same ``BENCH_WORK`` left removed."""
    for suffix in ("", "-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    return database


def bench_import(work: Path) -> tuple[list[str], Path]:
    lines = [
        "| backend | customers | rows | seconds | rows/s | peak memory | "
        "baseline rows/s (bare sqlite3 executemany of transactions) | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    largest = work
    for customers in IMPORT_SIZES:
        files = _import_files(work, customers)
        database = _fresh(work / f"import-{customers}.db")
        targets = [("SQLite", f"sqlite:///{database}")]
        postgres = os.environ.get("BANKCRM_TEST_POSTGRES_URL")
        if postgres:
            targets.append(("PostgreSQL", _empty_postgres(postgres, f"bench_import_{customers}")))
        base = in_child(
            "bench.import_child", "baseline", str(_fresh(work / f"raw-{customers}.db")), str(files)
        )
        base_rate = float(base.result["rows"]) / float(base.result["seconds"])  # type: ignore[arg-type]
        for backend, url in targets:
            measured = in_child("bench.import_child", "import", url, str(files))
            rows = measured.result["rows"]
            assert isinstance(rows, dict)
            total = sum(rows.values())
            seconds = float(measured.result["seconds"])  # type: ignore[arg-type]
            lines.append(
                f"| {backend} | {customers:,} | {total:,} | {seconds:.1f} | "
                f"{_rate(total, seconds)} | {measured.peak_rss_mb:,.0f} MB | "
                f"{base_rate:,.0f} | {(total / seconds) / base_rate:.2f} |"
            )
            print(lines[-1], flush=True)
        largest = database
    return lines, largest


def _median_ms(action: object) -> float:
    timings = []
    for _ in range(LIST_REPEATS):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def bench_customer_list(database: Path) -> list[str]:
    """Pages of the customer list: the first, page 3,000 and the last, in every order."""
    upgrade(f"sqlite:///{database}", "head")
    engine = make_engine(f"sqlite:///{database}")
    lines = [
        "| who | query | median ms | baseline ms (bare SELECT … LIMIT 25) | ratio |",
        "|---|---|---:|---:|---:|",
    ]
    with Session(engine) as session:
        customers = session.execute(text("SELECT COUNT(*) FROM customers")).scalar_one()
        raw_sql = text("SELECT * FROM customers ORDER BY name, id LIMIT 25")
        baseline = _median_ms(lambda: session.execute(raw_sql).all())
        viewers = {
            role: session.query(StaffUser).filter(StaffUser.role == role).first()
            for role in (Role.ACCOUNT_MANAGER, Role.BRANCH_MANAGER, Role.MARKETING_ANALYST)
        }
        last_page = max(1, -(-customers // LIST_PAGE_SIZE))
        deep_page = min(DEEP_PAGE, last_page)
        pages = sorted({1, deep_page, last_page})
        cases: list[tuple[Role, str, dict[str, object]]] = [
            (Role.ACCOUNT_MANAGER, "own book, first page", {}),
            (Role.BRANCH_MANAGER, "branch, first page", {}),
            (Role.MARKETING_ANALYST, "all customers, first page", {}),
            (Role.MARKETING_ANALYST, "all customers, page 2,000", {"page": 2_000}),
            (Role.MARKETING_ANALYST, "search by surname 王", {"search": "王"}),
            (Role.MARKETING_ANALYST, "corporates only", {"customer_type": "corporate"}),
            *(
                (
                    Role.MARKETING_ANALYST,
                    f"all customers by {sort.value}, page {page:,}",
                    {"sort": sort, "page": page},
                )
                for sort in CustomerSort
                for page in pages
            ),
        ]
        by_sort: dict[tuple[object, object], float] = {}
        for role, label, options in cases:
            viewer = viewers[role]
            assert viewer is not None
            median = _median_ms(
                lambda viewer=viewer, options=options: customers_service.list_customers(
                    session,
                    user=viewer,
                    page_size=LIST_PAGE_SIZE,
                    **options,
                )
            )
            lines.append(
                f"| {role.value} | {label} | {median:.1f} | {baseline:.1f} | "
                f"{median / baseline:.1f} |"
            )
            print(lines[-1], flush=True)
            if "sort" in options:
                by_sort[options["sort"], options["page"]] = median
        filtered = _filtered_pages(session, viewers[Role.MARKETING_ANALYST])
    engine.dispose()
    deep_over_first = ", ".join(
        f"by {sort.value} {by_sort[sort, deep_page] / by_sort[sort, 1]:.1f}"
        for sort in CustomerSort
    )
    (slowest_sort, slowest_page), slowest = max(by_sort.items(), key=lambda entry: entry[1])
    filtered_lines, (slowest_filtered, slowest_filtered_ms) = filtered
    return [
        f"On {customers:,} customers (SQLite).",
        "",
        *lines,
        "",
        f"Page {deep_page:,} ÷ first page, all customers: {deep_over_first}.",
        f"Slowest page: {slowest:.1f} ms (by {slowest_sort}, page {slowest_page:,}).",
        "",
        "Filtered, in every order, ascending and descending (marketing_analyst; median ms):",
        "",
        *filtered_lines,
        "",
        f"Slowest filtered page: {slowest_filtered_ms:.1f} ms ({slowest_filtered}).",
    ]


def _filtered_pages(
    session: Session, analyst: StaffUser | None
) -> tuple[list[str], tuple[str, float]]:
    """The first page, page 3,000 and the last of the corporates, the individuals and the
    largest branch, by each sort key both ways; the table's lines and the slowest page."""
    assert analyst is not None
    largest_branch = session.execute(
        text("SELECT branch_id FROM customers GROUP BY branch_id ORDER BY COUNT(*) DESC LIMIT 1")
    ).scalar_one()
    filters: dict[str, dict[str, Any]] = {
        "corporates only": {"customer_type": CustomerType.CORPORATE},
        "individuals only": {"customer_type": CustomerType.INDIVIDUAL},
        "the largest branch": {"branch_id": largest_branch},
    }
    lines = [
        "| filter | customers | sort | first page | page 3,000 | last page | "
        "slowest (descending) |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    slowest = ("", 0.0)
    for label, chosen in filters.items():
        total = customers_service.list_customers(session, user=analyst, **chosen).total
        last_page = max(1, -(-total // LIST_PAGE_SIZE))
        for sort in CustomerSort:
            medians = {
                (page, descending): _median_ms(
                    partial(
                        customers_service.list_customers,
                        session,
                        user=analyst,
                        page_size=LIST_PAGE_SIZE,
                        sort=sort,
                        descending=descending,
                        page=page,
                        **chosen,
                    )
                )
                for page in sorted({1, min(DEEP_PAGE, last_page), last_page})
                for descending in (False, True)
            }
            ascending = [medians[page, False] for page in (1, min(DEEP_PAGE, last_page), last_page)]
            descending_worst = max(ms for (_, descending), ms in medians.items() if descending)
            lines.append(
                f"| {label} | {total:,} | by {sort.value} | {ascending[0]:.1f} | "
                f"{ascending[1]:.1f} | {ascending[2]:.1f} (page {last_page:,}) | "
                f"{descending_worst:.1f} |"
            )
            print(lines[-1], flush=True)
            (page, descending), worst = max(medians.items(), key=lambda entry: entry[1])
            if worst > slowest[1]:
                order = "descending" if descending else "ascending"
                slowest = (f"{label}, by {sort.value} {order}, page {page:,}", worst)
    return lines, slowest


def imported_store(work: Path, customers: int) -> tuple[Path, Path, int]:
    """A SQLite store holding a generated bank, from the import section if it ran."""
    files = _import_files(work, customers)
    database = work / f"import-{customers}.db"
    if not database.exists():
        in_child("bench.import_child", "import", f"sqlite:///{database}", str(files))
    return database, files, customers


def _splice(page: str, sections: dict[str, list[str]], head: str | None = None) -> str:
    """Replace the ``## `` sections of a page that were measured, and its head if given;
    keep the other sections."""
    kept_head, *rest = page.split("\n## ")
    head = kept_head if head is None else head
    bodies = {"## " + part.split("\n", 1)[0]: part for part in rest}
    for title, lines in sections.items():
        bodies[title] = "\n".join([title.removeprefix("## "), *lines])
    return "\n## ".join([head, *bodies.values()]).rstrip("\n") + "\n"


def main() -> None:
    unknown = set(ONLY) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"BENCH_ONLY: unknown section(s) {', '.join(sorted(unknown))}")
    sections: dict[str, list[str]] = {}
    kept = os.environ.get("BENCH_WORK")
    with tempfile.TemporaryDirectory(prefix="bankcrm-bench-") as directory:
        work = Path(kept) if kept else Path(directory)
        work.mkdir(parents=True, exist_ok=True)
        if "generator" in ONLY:
            print("generator", flush=True)
            synth = bench_synth(work)
            sections["## Demo-bank generator (`bankcrm synth`)"] = [
                "",
                measured_on() + ".",
                "Rows of every table together. The 1M-customer bank writes its transactions as "
                "Parquet.",
                "Peak memory is the child process's maximum resident set size.",
                "",
                *synth,
                "",
            ]
        if "import" in ONLY:
            print("import", flush=True)
            imports, largest = bench_import(work)
            print("customer list", flush=True)
            listing = bench_customer_list(largest)
            listing += [
                "",
                *bench_customer_list(people_store(work, SEGMENT_RUN_SIZES[-1])),
                "",
                "This store holds the customers without their accounts: every deposit total is "
                "0, so the list by deposits walks its index in id order.",
            ]
            sections["## Import (`bankcrm import`)"] = [
                "",
                measured_on() + ".",
                "All tables of a generated bank, validated, staged and upserted in one "
                "transaction.",
                "Files are read in chunks bounded in cells (`BANKCRM_IMPORT_CHUNK_ROWS` rows of a",
                "transaction-wide file); compare the peak memory of the two sizes.",
                "Each chunk goes from Arrow to the stage without a Python object per value:",
                "on PostgreSQL by `COPY` of the CSV Arrow writes, on SQLite through the ADBC",
                "driver into a scratch database that the import's transaction attaches.",
                "Targets at 100,000 customers: SQLite ≥ 0.8 × the baseline, PostgreSQL",
                "≥ 300,000 rows/s.",
                "",
                *imports,
                "",
            ]
            sections["## Customer list (`GET /api/v1/customers`, service call)"] = [
                "",
                measured_on() + ".",
                "",
                *listing,
                "",
            ]
        if "segmentation" in ONLY:
            print("segmentation", flush=True)
            segmentation = bench_segmentation(
                work,
                sizes=SEGMENT_SIZES,
                repeats=SEGMENT_REPEATS,
                store=imported_store(work, IMPORT_SIZES[-1]),
            )
            sections["## Segmentation"] = ["", *segmentation, ""]
        if "segment-run" in ONLY:
            print("segment run", flush=True)
            whole = bench_segment_run(work, sizes=SEGMENT_RUN_SIZES, repeats=SEGMENT_REPEATS)
            sections["## Segmentation as a command (`bankcrm segment run --source`)"] = [
                "",
                *whole,
                "",
            ]
        if "clv" in ONLY:
            print("clv", flush=True)
            clv = bench_clv(work, sizes=CLV_SIZES, repeats=CLV_REPEATS)
            sections["## Lifetime value (BG/NBD fit)"] = ["", *clv, ""]
        if "security" in ONLY:
            print("audit trail", flush=True)
            sections["## Audit trail"] = [
                "",
                measured_on() + ".",
                *bench_audit(work, quick=QUICK),
                "",
            ]
            print("backup", flush=True)
            store, _, _ = imported_store(work, IMPORT_SIZES[0])
            sections["## Backup and restore"] = [
                "",
                measured_on() + ".",
                *bench_backup(work, store),
                "",
            ]
        if "complaints" in ONLY:
            print("complaint classifier", flush=True)
            sections["## Complaint classifier"] = ["", measured_on() + ".", *bench_complaints(), ""]
        if "offers" in ONLY:
            print("offers", flush=True)
            offers = bench_offers(
                work, offers_sizes=OFFERS_SIZES, rank_sizes=RANK_SIZES, rank_repeats=RANK_REPEATS
            )
            sections["## Offers"] = ["", *offers, ""]
        if "credit" in ONLY:
            print("credit", flush=True)
            credit = bench_credit(work, fit_rows=CREDIT_FIT_ROWS, score_rows=CREDIT_SCORE_ROWS)
            sections["## Credit scorecards"] = ["", *credit, ""]
        if "campaigns" in ONLY:
            print("campaigns", flush=True)
            campaigns = bench_campaigns(work, customers=CAMPAIGN_CUSTOMERS)
            sections["## Campaigns"] = ["", *campaigns, ""]
        if "staffing" in ONLY:
            print("branch staffing", flush=True)
            staffing = bench_staffing(branches=STAFFING_BRANCHES, sample=STAFFING_SAMPLE)
            sections["## Branch staffing"] = ["", *staffing, ""]
        if "startup" in ONLY:
            print("command start-up", flush=True)
            sections["## Command start-up"] = [
                "",
                measured_on() + ".",
                *bench_startup(STARTUP_REPEATS),
                "",
            ]
        if "spark" in ONLY:
            print("spark cluster", flush=True)
            sections["## Spark cluster"] = ["", *bench_spark(work, SPARK_SIZES), ""]
    header = [
        "# Performance",
        "",
        "Written by `make bench` (`python -m bench.run`, `BENCH_ONLY` for some sections) and "
        "`make loadtest`; each section says when it was measured and on what machine, and "
        f"ran on Python {platform.python_version()}, {platform.system()} {platform.machine()}.",
        "Each figure stands next to a baseline measured in the same run; the ratio is ours "
        "÷ baseline for throughput (higher is better) and ours ÷ baseline for latency "
        "(lower is better).",
        "",
    ]
    complete = set(ONLY) == set(SECTIONS) or not REPORT.exists()
    page = "" if complete else REPORT.read_text(encoding="utf-8")
    REPORT.write_text(_splice(page, sections, head="\n".join(header)), encoding="utf-8")
    print(f"wrote {REPORT}")


if __name__ == "__main__":
    main()
