"""The history store's incremental figures alone (issue 18): a full `consolidate --jobs 2 --no-store`
run, then a store filled from the same N forms, re-run with nothing new and with `--new` forms added.

    python benchmarks/bench_incremental.py --files 3000 [--new 100] [--repeat 3] [--cache /tmp/core-bench]

The forms are generated (once) and cached by benchmarks/bench_consolidate.py's own `build`, in
`--cache` (default: that benchmark's cache). Each run is a fresh process timed after its imports,
as bench_consolidate times its contenders, and reports both its wall time and its CPU time (user +
system, of the process and its pool's workers): on a shared machine the wall time follows the
other users' load, the CPU time much less. Every re-run starts from the same filled store (copied
back). Medians of `--repeat` runs; the last line is JSON with the ratios to the full run:
`noop_ratio`, `incremental_ratio` (wall; targets ≤ 0.05 and ≤ 0.10) and `*_cpu_ratio`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_consolidate as bench  # noqa: E402

CONTENDER = """
import json, os, resource, sys, time
from fourgood.cli import main
import fourgood.consolidate_cmd
def cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime
t, c = time.perf_counter(), cpu()
code = main(sys.argv[1:])
if code != 0:
    sys.exit(f"fourgood exited with {code}")
print(json.dumps({"s": time.perf_counter() - t, "cpu": cpu() - c}))
"""


def run(work: Path, argv: list[str]) -> tuple[float, float]:
    script = work / "contender.py"
    script.write_text(CONTENDER, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), *argv], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "400"})
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:3])} … failed:\n{proc.stderr[-3000:]}")
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    return got["s"], got["cpu"]


def measure(work: Path, repeat: int, argv: list[str], setup=None, expect: int = 0) -> dict[str, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        if setup:
            setup()
        wall, cpu = run(work, argv)
        walls.append(wall)
        cpus.append(cpu)
    summary = json.loads((work / "out.json").read_text(encoding="utf-8"))
    if (summary["files_total"], summary["files_valid"]) != (expect, expect):
        raise SystemExit(f"{summary['files_valid']} valid of {summary['files_total']} files, expected {expect}")
    return {"s": round(statistics.median(walls), 3), "cpu": round(statistics.median(cpus), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=bench.CACHE)
    args = parser.parse_args()
    bench.CACHE = args.cache
    n = args.files
    folder = bench.build(str(n), bench.monthly_forms(0, n))
    added = bench.build(f"{n}-new{args.new}", bench.monthly_forms(n, n + args.new))
    work = bench.fresh(args.cache / "out" / "incremental-core")
    inbox, live, filled = work / "inbox", work / "store", work / "store-filled"
    inbox.mkdir()
    for p in folder.glob("*.xlsx"):
        os.link(p, inbox / p.name)
    store = live / "inbox.fourgood.sqlite"
    common = ["consolidate", str(inbox), "-o", str(work / "out.xlsx"), "--jobs", "2", "--summary-json",
              str(work / "out.json"), "--no-progress", "--lang", "en"]

    def restore() -> None:
        shutil.rmtree(live, ignore_errors=True)
        shutil.copytree(filled, live)

    full = measure(work, args.repeat, [*common, "--no-store"], expect=n)
    print("full run (--no-store):", full, flush=True)
    fill = measure(work, 1, [*common, "--store", str(store)], setup=lambda: bench.fresh(live), expect=n)
    shutil.copytree(live, filled)
    noop = measure(work, args.repeat, [*common, "--store", str(store)], setup=restore, expect=n)
    print("nothing new:", noop, flush=True)
    for p in added.glob("*.xlsx"):
        os.link(p, inbox / p.name)
    inc = measure(work, args.repeat, [*common, "--store", str(store)], setup=restore, expect=n + args.new)
    print(f"{args.new} new forms:", inc, flush=True)
    print(json.dumps({"files": n, "new": args.new, "repeat": args.repeat, "full_s": full["s"], "full_cpu": full["cpu"],
                      "store_fill_s": fill["s"], "noop_s": noop["s"], "noop_cpu": noop["cpu"],
                      "incremental_s": inc["s"], "incremental_cpu": inc["cpu"],
                      "noop_ratio": round(noop["s"] / full["s"], 3),
                      "incremental_ratio": round(inc["s"] / full["s"], 3),
                      "noop_cpu_ratio": round(noop["cpu"] / full["cpu"], 3),
                      "incremental_cpu_ratio": round(inc["cpu"] / full["cpu"], 3)}))


if __name__ == "__main__":
    main()
