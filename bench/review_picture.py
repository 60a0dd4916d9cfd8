"""The review's picture (bot/views/network_picture.py): how long a 30-advisor board takes to
render, and whether a process that renders it 1,000 times keeps growing.

Run from the repository root:

    .venv/bin/python -m bench.review_picture [--timed 50] [--renders 1000] [--json PATH]

Everything runs in this one process, as the bot would render: `render_network` on a board of
30 advisors with every closeness, origin, support and seniority among them, some long and
non-Latin names (the tests' mix). After 10 unmeasured renders (imports, font loading and
matplotlib's caches), `--timed` renders of the same board are timed with time.perf_counter (wall)
and time.process_time (this process's CPU): median, 90th percentile and the slowest (the load
average is printed too: on a shared machine, wall time is CPU time plus the wait for a CPU).
Then memory: every render is of a board whose names change with each render (so no cache is
ever hit twice by a name: the worst case for growth). `--warm-up` such renders first (the
process's heap and matplotlib's caches settle: their growth is printed too, and VmRSS before
the first render of all), then gc.collect() and VmRSS from /proc/self/status; then `--renders`
renders, with VmRSS read every tenth of the way and at the end after gc.collect(). The growth
is the last reading less the first. Every PNG is checked (signature, IHDR size). Targets from
the issue: median under 300 ms, growth under 20 MB.
"""

import argparse
import gc
import json
import os
import platform
import statistics
import struct
import sys
import time
from pathlib import Path

import matplotlib

from bot.views.network_picture import PictureAdvisor, render_network
from core.models import Origin, RelationshipKind, Support

TARGET_MS = 300.0
TARGET_GROWTH_MB = 20.0
WARM_UP = 10
FIRST = ["Grace", "Ada", "Alan", "Katherine", "Margaret", "Linus", "Barbara", "Donald", "Edsger"]
LAST = ["Hopper", "Lovelace", "Turing", "Johnson", "Hamilton", "Torvalds", "Liskov", "Knuth"]
ODD = ["Maximilian Alexander von Habsburg-Lothringen", "Владимир Набоков", "Σωκράτης Παπαδόπουλος"]
SUPPORTS = [(), (Support.COACHING,), (Support.FRIENDSHIP,), (Support.SPONSORSHIP, Support.COUNSEL)]


class BenchError(Exception):
    pass


def board(size: int = 30, variant: int = 0) -> list[PictureAdvisor]:
    """The tests' board: every closeness, origin, support and seniority; `variant` changes
    every name."""
    suffix = f" {variant}" if variant else ""
    names = [name + suffix for name in ODD]
    names += [f"{FIRST[n % 9]} {LAST[n % 8]}{suffix}" for n in range(size)]
    closeness = [4, 3, 2, 1, None]
    origins = [*Origin, None]
    return [
        PictureAdvisor(
            names[n],
            closeness=closeness[n % 5],
            origin=origins[n % 8],
            support=SUPPORTS[n % 4],
            relationship=list(RelationshipKind)[n % 5],
        )
        for n in range(size)
    ]


def vm_rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise BenchError("no VmRSS in /proc/self/status (Linux only)")


def checked(png: bytes) -> bytes:
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise BenchError("not a PNG")
    width, height = struct.unpack(">II", png[16:24])
    if not (600 <= width <= 1600 and 600 <= height <= 1600) or len(png) >= 400_000:
        raise BenchError(f"a PNG of {width} x {height} px, {len(png)} bytes")
    return png


def timing(timed: int) -> dict:
    advisors = board()
    for _ in range(WARM_UP):
        checked(render_network("Alice Martin", advisors))
    wall, cpu = [], []
    size = 0
    for _ in range(timed):
        started, started_cpu = time.perf_counter(), time.process_time()
        size = len(checked(render_network("Alice Martin", advisors)))
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return {
        "renders": timed,
        "png_bytes": size,
        "wall_ms": summary(wall),
        "cpu_ms": summary(cpu),
    }


def summary(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "median": statistics.median(ordered),
        "p90": ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))],
        "max": ordered[-1],
    }


def memory(renders: int, warm_up: int) -> dict:
    gc.collect()
    before_warm_up = vm_rss_kb()
    for n in range(1, warm_up + 1):
        checked(render_network(f"Warming {n}", board(variant=-n)))
    gc.collect()
    first = vm_rss_kb()
    readings = [(0, first)]
    started = time.perf_counter()
    every = max(1, renders // 10)
    for n in range(1, renders + 1):
        checked(render_network(f"Member {n}", board(variant=n)))
        if n % every == 0 and n != renders:
            readings.append((n, vm_rss_kb()))
    gc.collect()
    readings.append((renders, vm_rss_kb()))
    return {
        "renders": renders,
        "warm_up": warm_up,
        "warm_up_growth_mb": (first - before_warm_up) / 1024,
        "seconds": time.perf_counter() - started,
        "rss_kb": readings,
        "growth_mb": (readings[-1][1] - first) / 1024,
    }


def report(results: dict) -> str:
    wall, cpu = results["timing"]["wall_ms"], results["timing"]["cpu_ms"]
    grown = results["memory"]["growth_mb"]
    rss = ", ".join(f"{n}: {kb / 1024:.1f}" for n, kb in results["memory"]["rss_kb"])
    memory = results["memory"]
    lines = [
        f"Python {platform.python_version()}, matplotlib {matplotlib.__version__}, "
        f"{os.cpu_count()} CPUs, load average {results['load']}",
        f"30 advisors, {results['timing']['renders']} timed renders after {WARM_UP}, "
        f"PNG {results['timing']['png_bytes'] / 1024:.0f} KB",
        f"  wall ms: median {wall['median']:.1f}, p90 {wall['p90']:.1f}, max {wall['max']:.1f}",
        f"  CPU ms:  median {cpu['median']:.1f}, p90 {cpu['p90']:.1f}, max {cpu['max']:.1f}",
        f"  target: median under {TARGET_MS:.0f} ms: "
        + ("met" if wall["median"] < TARGET_MS else "NOT met"),
        f"VmRSS before the first render {results['rss_before_kb'] / 1024:.1f} MB; the timed "
        f"renders and {memory['warm_up']} more to warm up add "
        f"{(memory['rss_kb'][0][1] - results['rss_before_kb']) / 1024:+.1f} MB "
        f"(the last {memory['warm_up']}: {memory['warm_up_growth_mb']:+.1f} MB)",
        f"{memory['renders']} renders, each of a board with new names, in "
        f"{memory['seconds']:.0f} s",
        f"  VmRSS MB by renders done: {rss}",
        f"  growth {grown:+.1f} MB; target under {TARGET_GROWTH_MB:.0f} MB: "
        + ("met" if grown < TARGET_GROWTH_MB else "NOT met"),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.review_picture",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--timed", type=int, default=50, help="timed renders (default 50)")
    parser.add_argument("--renders", type=int, default=1000, help="renders for memory (1000)")
    parser.add_argument("--warm-up", type=int, default=100, help="renders before (100)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the numbers here")
    options = parser.parse_args(argv)
    if options.timed < 1 or options.renders < 1 or options.warm_up < 0:
        parser.error("--timed and --renders must be at least 1, --warm-up at least 0")
    try:
        results = {"rss_before_kb": vm_rss_kb(), "timing": timing(options.timed)}
        results["load"] = " ".join(f"{n:.1f}" for n in os.getloadavg())
        results["memory"] = memory(options.renders, options.warm_up)
    except BenchError as problem:
        print(f"review_picture: FAILED: {problem}", file=sys.stderr)
        return 1
    print(report(results))
    if options.json:
        options.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
