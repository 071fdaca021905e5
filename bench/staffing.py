"""The "Branch staffing" section of ``make bench``: a year of 5-minute arrival counts for
each of 500 branches, planned on two cores.

For every branch the forecaster is fitted on its year and forecasts the next week, Erlang C
staffs every slot of the year and of that week, and every slot of the typical week is
checked by simulation (30 replications). The baseline is the same plan with the typical
week simulated by the SimPy event model, as the product did before, on a sample of branches
in one process, extrapolated; the same sample is planned by the product in one process too,
so the table separates the faster simulation from the second core.
"""

from __future__ import annotations

from bench.measure import Measurement, in_child, measured_on

TARGET_SECONDS = 300.0
WORKERS = 2
CHILD = "bench.staffing_child"


def _float(measured: Measurement, key: str) -> float:
    return float(measured.result[key])  # type: ignore[arg-type]


def bench_staffing(*, branches: int, sample: int) -> list[str]:
    before = in_child(CHILD, "events", str(sample))
    single = in_child(CHILD, "plan", str(sample), "1")
    planned = in_child(CHILD, "plan", str(branches), str(WORKERS))
    steps = ("generate", "forecast", "erlang")
    shared = sum(_float(before, step) for step in steps) / sample
    events_per_branch = shared + _float(before, "simulate") / sample
    check_per_branch = _float(before, "check") / sample
    single_per_branch = _float(single, "seconds") / sample
    baseline_seconds = events_per_branch * branches
    seconds = planned.seconds
    per_branch = planned.result
    profile_slots = int(_float(before, "profile_slots"))
    differing = int(_float(before, "differing_slots"))
    lines = [
        measured_on() + f". `bench/staffing_child.py` (seed 20): {branches:,} branches, "
        f"each 365 days of 5-minute counts, 9:00–17:00, five or six days a week, 100–300 "
        f"visits a day ({per_branch['slots']:,} slots in all). Per branch: "
        "`ArrivalForecaster` fitted on the year and the next week forecast, "
        f"`planning.plan_slots` for the year and that week ({per_branch['planned']:,} slots "
        "staffed, Erlang C: 6-minute visits, 80 % within 5 minutes), "
        f"`planning.check_profile` on the typical week ({per_branch['profile_slots']:,} slots, "
        f"30 replications each, at most {per_branch['max_counters']} counters).",
        "",
        "| work | branches | processes | seconds | CPU seconds | seconds per branch | "
        "baseline seconds (SimPy event model, one process, extrapolated) | ratio | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| plan, SimPy check (baseline) | {sample} | 1 | "
        f"{events_per_branch * sample:.1f} | — | {events_per_branch:.2f} | — | — | — |",
        f"| plan, product | {sample} | 1 | {single_per_branch * sample:.1f} | "
        f"{single.cpu_seconds:.1f} | {single_per_branch:.2f} | "
        f"{events_per_branch * sample:.1f} | {single_per_branch / events_per_branch:.2f} | — |",
        f"| plan, product | {branches:,} | {WORKERS} | {seconds:.1f} | "
        f"{planned.cpu_seconds:.1f} | {seconds / branches:.2f} | {baseline_seconds:,.0f} | "
        f"{seconds / baseline_seconds:.3f} | ≤ {TARGET_SECONDS:.0f} s |",
        "",
        f"The typical-week check alone: {_float(before, 'simulate') / sample:.2f} s per branch "
        f"with SimPy, {check_per_branch:.2f} s with `simulation.simulate_service_levels`, which "
        f"draws the same customers: of the sample's {profile_slots:,} typical slots, "
        f"{profile_slots - differing:,} got the same service level and interval from both "
        f"simulators. Other processes kept {planned.others_busy:.0%} of the machine busy "
        f"during the {branches:,}-branch run; its CPU seconds (the workers' too) over "
        f"{WORKERS}, about the wall time on {WORKERS} otherwise idle cores, are "
        f"{planned.cpu_seconds / WORKERS:.0f} s. Peak memory {planned.peak_rss_mb:,.0f} MB "
        "(the parent; each worker holds one branch at a time).",
    ]
    for line in lines[4:]:
        print(line, flush=True)
    return lines
