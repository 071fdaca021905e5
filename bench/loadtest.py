"""``make loadtest``: ``bankcrm serve`` under 50 members of staff at once, on PostgreSQL.

A demo bank of ``LOADTEST_CUSTOMERS`` customers (default 100,000; segmented, valued and
scored as ``bankcrm demo`` does) is built in a throwaway PostgreSQL server, or in a new
database of ``BANKCRM_TEST_POSTGRES_URL``'s server when that is set. ``bankcrm serve
--workers LOADTEST_WORKERS`` (default 4) serves it on a free port of 127.0.0.1, and locust's
virtual users (bench/locustfile.py) work on it for ``LOADTEST_SECONDS`` (default 60). The
figures per route, and the bare ``/healthz`` of the same server in the same run to compare
them with, go to the "Web app under load" section of docs/performance.md.
"""

from __future__ import annotations

import csv
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil
import sqlalchemy as sa

from bench.run import REPORT, _splice

ROOT = Path(__file__).resolve().parents[1]
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
POSTGRES_SCRIPT = ROOT / "scripts" / "test-postgres.sh"
BANKCRM = str(Path(sys.executable).with_name("bankcrm"))
LOCAL_HOST = "127.0.0.1"
CUSTOMERS = int(os.environ.get("LOADTEST_CUSTOMERS", "100000"))
WORKERS = int(os.environ.get("LOADTEST_WORKERS", "4"))
SECONDS = int(os.environ.get("LOADTEST_SECONDS", "60"))
USERS = 50
SPAWN_RATE = 10
"""Users started per second: all 50 are at work after five seconds."""
WARM_UP_SECONDS = 20
"""An unmeasured run first: every worker has then loaded its templates and filled its
connection pool, as a server that has been up for a while has."""
SEED = 7
DATABASE = "bankcrm_loadtest"
SERVER_START_SECONDS = 120
HEALTHZ = "GET /healthz"
CUSTOMER_360 = "GET /customers/[id] (360)"
RATIO_TARGET = 3.0
SECTION = "## Web app under load (`make loadtest`)"


@dataclass(frozen=True)
class RouteFigures:
    name: str
    requests: int
    failures: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests_per_second: float


@contextmanager
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server's ``postgres`` database: ``BANKCRM_TEST_POSTGRES_URL``'s
    server, or a throwaway one started here and stopped afterwards."""
    given = os.environ.get("BANKCRM_TEST_POSTGRES_URL")
    if given:
        yield given.rsplit("/", 1)[0] + "/postgres"
        return
    # a folder of its own, not one in ``work``: the server runs as the postgres user, who
    # cannot enter another user's private temporary folder
    directory = Path(tempfile.mkdtemp(prefix="bankcrm-loadtest-pg-"))
    try:
        started = subprocess.run(
            [str(POSTGRES_SCRIPT), "start", str(directory)],
            capture_output=True,
            text=True,
            check=True,
        )
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(POSTGRES_SCRIPT), "stop", str(directory)], check=False)


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """An empty database on the server, dropped afterwards."""
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
            connection.execute(sa.text(f"CREATE DATABASE {DATABASE}"))
        yield server_url.rsplit("/", 1)[0] + f"/{DATABASE}"
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
    finally:
        admin.dispose()


def build_bank(work: Path, database_url: str) -> tuple[Path, float]:
    """The demo bank in ``database_url`` (migrations, import, segments, lifetime value, churn,
    the complaint desk); the file of its logins and the seconds it took."""
    logins = work / "demo.json"
    started = time.perf_counter()
    with logins.open("w") as stdout, (work / "demo.log").open("w") as stderr:
        subprocess.run(
            [
                BANKCRM,
                "demo",
                "--no-serve",
                "--json",
                "--customers",
                str(CUSTOMERS),
                "--seed",
                str(SEED),
            ],
            cwd=work,
            env={**os.environ, "BANKCRM_DATABASE_URL": database_url},
            stdout=stdout,
            stderr=stderr,
            check=True,
        )
    return logins, time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOCAL_HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(work: Path, database_url: str, port: int) -> Iterator[str]:
    """``bankcrm serve --workers WORKERS`` on ``port`` until the block ends."""
    base_url = f"http://{LOCAL_HOST}:{port}"
    # files, not pipes: uvicorn logs every request, and a full pipe stops the server
    with (work / "serve.out").open("w") as stdout, (work / "serve.log").open("w") as stderr:
        server = subprocess.Popen(
            [
                BANKCRM,
                "serve",
                "--host",
                LOCAL_HOST,
                "--port",
                str(port),
                "--workers",
                str(WORKERS),
            ],
            cwd=work,
            env={**os.environ, "BANKCRM_DATABASE_URL": database_url},
            stdout=stdout,
            stderr=stderr,
        )
    try:
        _wait_until_serving(base_url, server, work / "serve.log")
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_serving(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"bankcrm serve did not start\n{log.read_text()[-3000:]}")
        time.sleep(0.5)


def run_locust(
    work: Path, base_url: str, logins: Path, *, users: int, seconds: int, label: str = "locust"
) -> Path:
    """Run the virtual staff headless against ``base_url``; the prefix of locust's CSV files
    (``label`` names them and the logs)."""
    if not base_url.startswith(f"http://{LOCAL_HOST}:"):
        raise ValueError(f"the load test runs against {LOCAL_HOST} only, not {base_url}")
    prefix = work / label
    log = work / f"{label}.log"
    options = {
        "--users": str(users),
        "--spawn-rate": str(SPAWN_RATE),
        "--run-time": f"{seconds}s",
        "--stop-timeout": "10",
        "--host": base_url,
        "--csv": str(prefix),
    }
    with (work / f"{label}.out").open("w") as stdout, log.open("w") as stderr:
        # locust exits 1 when any request failed: the failures are in its CSV, reported below
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary"]
            + [part for option in options.items() for part in option],
            cwd=ROOT,
            env={**os.environ, "LOADTEST_LOGINS": str(logins)},
            stdout=stdout,
            stderr=stderr,
            check=False,
            timeout=seconds + 120,
        )
    if not Path(f"{prefix}_stats.csv").exists():
        raise RuntimeError(f"locust wrote no figures\n{log.read_text()[-3000:]}")
    return prefix


def read_figures(prefix: Path) -> tuple[list[RouteFigures], RouteFigures]:
    """Locust's figures per route, and over all routes."""
    with Path(f"{prefix}_stats.csv").open(newline="") as file:
        rows = [
            RouteFigures(
                name=f"{row['Type']} {row['Name']}".strip(),
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                p50_ms=float(row["50%"]),
                p95_ms=float(row["95%"]),
                p99_ms=float(row["99%"]),
                requests_per_second=float(row["Requests/s"]),
            )
            for row in csv.DictReader(file)
        ]
    routes = [row for row in rows if row.name != "Aggregated"]
    total = next(row for row in rows if row.name == "Aggregated")
    return routes, total


def restarted_workers(server_log: Path) -> int:
    """Workers the uvicorn supervisor replaced: it kills one that misses a health check (five
    seconds without answering), dropping the requests in its hands."""
    return sum("Child process" in line and "died" in line for line in server_log.open())


@dataclass(frozen=True)
class Failure:
    route: str
    occurrences: int
    error: str

    @property
    def connection_lost(self) -> bool:
        """No answer came back at all (the other failures are answers we did not expect)."""
        return not self.error.startswith("CatchResponseError(")

    def line(self) -> str:
        return f"- {self.route}: {self.occurrences} × {self.error}"


def read_failures(prefix: Path) -> list[Failure]:
    with Path(f"{prefix}_failures.csv").open(newline="") as file:
        return [
            Failure(
                route=f"{row['Method']} {row['Name']}",
                occurrences=int(row["Occurrences"]),
                error=row["Error"],
            )
            for row in csv.DictReader(file)
        ]


def report(
    routes: list[RouteFigures],
    total: RouteFigures,
    failures: list[Failure],
    *,
    warm_up_failures: list[Failure],
    restarts: int,
    started: datetime,
    build_seconds: float,
    load_average: float,
) -> list[str]:
    memory = psutil.virtual_memory().total / 2**30
    by_name = {route.name: route for route in routes}
    dropped = [failure for failure in warm_up_failures if failure.connection_lost]
    bare = by_name[HEALTHZ].p95_ms
    ratio = by_name[CUSTOMER_360].p95_ms / bare
    lines = [
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, {memory:.0f} GiB, "
        f"Python {platform.python_version()}, {platform.system()} {platform.machine()}; "
        "locust, PostgreSQL and the server share these cores, with whatever else runs there "
        f"(load average {load_average:.1f} over the last minute of the run).",
        f"`bankcrm serve --workers {WORKERS}` on PostgreSQL with the demo bank of "
        f"{CUSTOMERS:,} customers (built in {build_seconds / 60:.0f} min); {USERS} locust users "
        f"for {SECONDS} s, each waiting 1–3 s between pages: account managers, branch managers "
        "and marketing analysts (4 : 2 : 2; customer list, picker search, 360, segments, churn "
        "warnings) and complaint officers (2; the same customer pages, then complaint intake "
        "and accepting the new case). Logins happen as the users start, ten a second; an "
        f"unmeasured {WARM_UP_SECONDS} s run of the same users comes first.",
        "",
        "| route | requests | errors | p50 ms | p95 ms | p99 ms | requests/s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for route in sorted(routes, key=lambda route: route.name.split(" ", 1)[::-1]):
        lines.append(_row(route, f"`{route.name}`"))
    lines += [
        _row(total, "**all**"),
        "",
        f"Throughput {total.requests_per_second:.1f} requests/s; "
        f"{total.failures} errors in {total.requests:,} requests (target 0).",
        f"Baseline: the same server's bare `/healthz` in the same run, p95 {bare:.0f} ms. "
        f"Customer 360 p95 ÷ `/healthz` p95 = {ratio:.1f} (target ≤ {RATIO_TARGET:.0f}).",
        "Locust rounds times above 100 ms to 10 ms and above 1 s to 100 ms.",
        *(["", "Errors:", *(failure.line() for failure in failures)] if failures else []),
        "",
        f"The warm-up had {sum(failure.occurrences for failure in warm_up_failures)} errors, "
        f"{sum(failure.occurrences for failure in dropped)} of them connections closed without "
        "an answer (a user whose login page was lost stays logged out, and each of its pages "
        f"after is an error too); uvicorn replaced {restarts} worker(s) that missed its "
        "health check during the two runs.",
        *(failure.line() for failure in dropped),
        "",
    ]
    return lines


def _row(route: RouteFigures, label: str) -> str:
    return (
        f"| {label} | {route.requests:,} | {route.failures:,} | {route.p50_ms:.0f} | "
        f"{route.p95_ms:.0f} | {route.p99_ms:.0f} | {route.requests_per_second:.1f} |"
    )


def main() -> None:
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="bankcrm-loadtest-") as directory:
        work = Path(directory)
        with postgres_server() as server_url, fresh_database(server_url) as database_url:
            print(f"building a demo bank of {CUSTOMERS:,} customers", flush=True)
            logins, build_seconds = build_bank(work, database_url)
            print(f"built in {build_seconds:.0f} s; serving with {WORKERS} workers", flush=True)
            with serving(work, database_url, free_port()) as base_url:
                print(f"warming up for {WARM_UP_SECONDS} s against {base_url}", flush=True)
                warm_up = run_locust(
                    work, base_url, logins, users=USERS, seconds=WARM_UP_SECONDS, label="warm-up"
                )
                print(f"{USERS} users for {SECONDS} s", flush=True)
                prefix = run_locust(work, base_url, logins, users=USERS, seconds=SECONDS)
                load_average = os.getloadavg()[0]
            routes, total = read_figures(prefix)
            lines = report(
                routes,
                total,
                read_failures(prefix),
                warm_up_failures=read_failures(warm_up),
                restarts=restarted_workers(work / "serve.log"),
                started=started,
                build_seconds=build_seconds,
                load_average=load_average,
            )
    print("\n".join(lines), flush=True)
    page = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Performance\n"
    REPORT.write_text(_splice(page, {SECTION: lines}), encoding="utf-8")
    print(f"wrote {REPORT}")


if __name__ == "__main__":
    main()
