"""Command-line start-up: `--help`, `classify` of one item, `process` of digital PDFs.

    python -m exportdesk.models.bench_startup [--rounds 3] [--before DIR]

Each command runs in a fresh interpreter, as a user would start it; CPU is the user + system
time of the process and its children (the reader child), wall is end to end. With
``--before DIR`` (a folder holding an ``exportdesk`` package of an older commit, e.g. from
``git archive``) both versions run alternately in every round, so load moves both alike.
The 1-minute load average is printed at the start and the end: on a busy machine wall time
is inflated and CPU time is the figure that carries over.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "pdfs"
ITEM = '{"id": "1", "description": "thermal imaging camera, cooled focal plane array"}\n'
LAUNCH = "from exportdesk.ui.cli import main; main()"


def commands() -> dict[str, tuple[list[str], str]]:
    return {
        "--help": (["--help"], ""),
        "classify one item": (["classify", "--jsonl"], ITEM),
        "process 2-page digital PDF": (
            ["process", str(SAMPLES / "eu_individual-100005.pdf"), "--json"],
            "",
        ),
        "process 3-page digital PDF": (
            ["process", str(SAMPLES / "invoice-100023.pdf"), "--json"],
            "",
        ),
    }


def run_once(args: list[str], stdin: str, pythonpath: str | None) -> tuple[float, float]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", OMP_THREAD_LIMIT="1")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", LAUNCH, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{args} failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, help="folder with an older exportdesk package")
    parser.add_argument(
        "--after", type=Path, help="folder with the exportdesk package to time (default: installed)"
    )
    args = parser.parse_args(argv)
    after = str(args.after) if args.after else None
    variants: dict[str, str | None] = {"after": after}
    if args.before:
        variants = {"before": str(args.before), "after": after}
    print(f"load average at start: {os.getloadavg()[0]:.1f}", file=sys.stderr)
    figures: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for number in range(args.rounds):
        for name, (cmd, stdin) in commands().items():
            for variant, path in variants.items():
                cpu, wall = run_once(cmd, stdin, path)
                figures.setdefault((name, variant), []).append((cpu, wall))
                print(
                    f"round {number + 1} {variant:6s} {name}: cpu {cpu:.2f} s, wall {wall:.2f} s",
                    file=sys.stderr,
                )
    print(f"load average at end: {os.getloadavg()[0]:.1f}", file=sys.stderr)
    header = (
        "| command | "
        + " | ".join(f"{v} CPU (median) | {v} wall (median)" for v in variants)
        + " |"
    )
    print(header)
    print("|---|" + "---|---|" * len(variants))
    for name in commands():
        cells = []
        for variant in variants:
            runs = figures[(name, variant)]
            cells.append(f"{statistics.median(c for c, _ in runs):.2f} s")
            cells.append(f"{statistics.median(w for _, w in runs):.2f} s")
        print(f"| `{name}` | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
