"""python -m benchmarks [--quick] [--output PATH]: the poll cycle, the template cycle, the monitoring render, storage,
the overview at scale and the first visit in a browser."""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet

from benchmarks import bytecode, first_visit, machine, overview, poll, render, report, storage, template_poll
from benchmarks.figures import Stage
from benchmarks.sizes import FULL, QUICK, Sizes

RESULTS = Path(__file__).resolve().parent / "results.json"
# The page under test never calls the Graph API (nobody clicks "Poll now"); a closed port proves it.
UNUSED_GRAPH_URL = "http://127.0.0.1:9"


def _describe(sizes: Sizes) -> str:
    return (
        f"Mode: {sizes.mode}. Poll: {sizes.wabas} WABAs x {sizes.numbers_per_waba} numbers, "
        f"{sizes.poll_cycles} timed cycles, {sizes.baseline_runs} baseline runs. Render: {sizes.render_numbers} "
        f"numbers x {sizes.render_days} days of 5-minute polls, {sizes.render_runs} timed renders per view and store. "
        f"Templates: the demo WABAs, {sizes.poll_cycles} timed cycles. "
        f"Overview: {sizes.fleet_small:,} and {sizes.fleet_large:,} numbers ({sizes.overview_wabas} WABAs). "
        f"First visit: {sizes.first_visit_runs} runs each."
    )


def _stage(label: str, started: float) -> None:
    print(f"[{time.perf_counter() - started:6.1f} s] {label}", flush=True)


def run(sizes: Sizes, output: Path, profile_dir: Path | None = None) -> dict[str, Stage]:
    """Run the six benchmarks, print the table and write `output`; returns the stages."""
    found = machine.describe()
    print(machine.headline(found))
    print(_describe(sizes), flush=True)
    started = time.perf_counter()
    if not bytecode.compile_sources():
        print("Some of the console's modules did not compile to bytecode; their imports compile them each time.")
    secret_key = Fernet.generate_key().decode()
    with tempfile.TemporaryDirectory(prefix="console-benchmarks-") as folder:
        workdir = Path(folder)
        _stage("1/6 poll: simulator process, credential, poll cycles, baseline", started)
        polled = poll.run(sizes=sizes, workdir=workdir, secret_key=secret_key, profile_dir=profile_dir)
        _stage("2/6 templates: the demo's templates read through the simulator process", started)
        templates = template_poll.run(sizes=sizes, workdir=workdir / "templates", secret_key=secret_key)
        _stage("3/6 render: filling the store through health.observe, then rendering", started)
        environment = {
            "GRAPH_API_URL": UNUSED_GRAPH_URL,
            "CONSOLE_SECRET_KEY": secret_key,
            "CONSOLE_DATA_DIR": str(workdir / "data"),
        }
        rendered, fill = render.run(sizes=sizes, workdir=workdir, environment=environment, profile_dir=profile_dir)
        _stage("4/6 storage", started)
        stored = storage.run(fill)
        _stage("5/6 overview: filling a small and a large fleet, then rendering app.py over each", started)
        overviewed = overview.run(sizes=sizes, workdir=workdir, environment=environment, profile_dir=profile_dir)
        _stage("6/6 first visit: servers started afresh, a headless Chromium", started)
        visited = first_visit.run(sizes=sizes, workdir=workdir)
        stages = {
            "poll": polled,
            "templates": templates,
            "render": rendered,
            "storage": stored,
            "overview": overviewed,
            "first_visit": visited,
        }
    elapsed = time.perf_counter() - started
    figures = [figure for stage in stages.values() for figure in stage.figures]
    print()
    print(report.table(figures))
    print()
    print(report.LEGEND)
    print()
    missed = [figure.name for figure in figures if figure.target and not figure.target.met(figure.value)]
    print(f"Targets missed: {', '.join(missed)}." if missed else "Every target met.")
    print(f"Finished in {elapsed:.0f} s; results in {output}.")
    report.write(output, report.results(stages=stages, machine=found, mode=sizes.mode, elapsed_s=elapsed))
    return stages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes on the same code paths (CI smoke run)")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"where to write the results (default {RESULTS})")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="also profile (pyinstrument, untimed) one poll cycle, the fill's last day and one render per view",
    )
    args = parser.parse_args(argv)
    profile_dir = args.profile.resolve() if args.profile else None
    run(QUICK if args.quick else FULL, args.output, profile_dir)
    if profile_dir:
        print(f"Profiles in {profile_dir}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
