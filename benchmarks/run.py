"""Measure llmpick's start-up and command times as whole processes; write docs/performance.md.

Usage: python benchmarks/run.py [--runs N]   (run from the repository, with llmpick installed)

Each command runs once to warm the catalog cache, then N times; the table shows the median wall time,
its ratio to `python -c pass` measured in the same run, and the peak memory (max RSS) of the child.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(cmd: list[str], runs: int, env: dict[str, str]) -> tuple[float, float, float]:
    """(cold seconds, warm median seconds, peak MB)."""
    def once() -> tuple[float, float]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        elapsed = time.perf_counter() - start
        return elapsed, max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024

    cold, _ = once()
    times, peak = [], 0.0
    for _ in range(runs):
        elapsed, rss = once()
        times.append(elapsed)
        peak = max(peak, rss)
    return cold, statistics.median(times), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-write", action="store_true", help="print only; do not write docs/performance.md")
    args = parser.parse_args()
    llmpick = shutil.which("llmpick") or str(Path(sys.executable).parent / "llmpick")
    cache = tempfile.mkdtemp(prefix="llmpick-bench-")
    env = {**os.environ, "LLMPICK_CACHE_DIR": cache, "NO_COLOR": "1"}
    commands = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("llmpick --version", [llmpick, "--version"]),
        ("llmpick --help", [llmpick, "--help"]),
        ("llmpick recommend --commercial --vram 12", [llmpick, "recommend", "--commercial", "--vram", "12"]),
        ("llmpick validate catalog/", [llmpick, "validate", str(ROOT / "catalog")]),
        ("llmpick fit mixtral-8x7b-v0.1 --vram 24", [llmpick, "fit", "mixtral-8x7b-v0.1", "--vram", "24"]),
        ("llmpick list --format json", [llmpick, "list", "--format", "json"]),
    ]
    rows = []
    floor = None
    for label, cmd in commands:
        cold, warm, peak = measure(cmd, args.runs, env)
        floor = floor or warm
        rows.append((label, cold, warm, warm / floor, peak))
        print(f"{label:<45} cold {cold * 1000:7.0f} ms  warm {warm * 1000:7.0f} ms  {warm / floor:5.1f}x  "
              f"{peak:6.0f} MB", flush=True)
    shutil.rmtree(cache, ignore_errors=True)
    if args.no_write:
        return
    lines = [
        "# Performance",
        "",
        "Written by `python benchmarks/run.py`: whole processes, median of "
        f"{args.runs} warm runs after one cold run (empty catalog cache). Ratios are to `python -c pass` measured",
        "in the same run. Peak memory is the largest child max-RSS seen so far (a running maximum).",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}.",
        "",
        "| command | cold ms | warm ms | × python | peak MB |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| `{label}` | {cold * 1000:.0f} | {warm * 1000:.0f} | {ratio:.1f} | {peak:.0f} |"
              for label, cold, warm, ratio, peak in rows]
    (ROOT / "docs" / "performance.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
