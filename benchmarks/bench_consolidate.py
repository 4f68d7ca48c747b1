"""Benchmark: fourgood consolidate vs the naive openpyxl + pandera loop vs the calamine read floor.

    python benchmarks/bench_consolidate.py --files 10000 [--repeat 3] [--profile] [--rss-100k]

Submissions are generated once from the real templates and cached in benchmarks/.cache/N: by
default with benchmarks/fastfill.py (writes the form's XML directly, ~15x faster than openpyxl;
tests/test_fastfill.py proves the files read the same), `--openpyxl` for `fill_template`.
Each contender runs in its own process (so peak RSS is its own); times are medians of
--repeat runs. The read floor runs with the same process counts as the pipeline (1 and 2), and
the pipeline is compared with the floor at its own process count. `--profile` prints where
`--jobs 1` spends its time (cProfile); `--rss-100k` also generates 100,000 submissions and
measures the pipeline's peak RSS on them. The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent


_SPECS: dict = {}


def _make(args: tuple[int, str, str, bool]) -> None:
    i, out, seed, slow = args
    from fourgood.fill import Submission, fill_template
    from fourgood.spec import load_specs
    from fourgood.workbook_templates import writer

    rng = random.Random(f"{seed}-{i}")
    specs = _SPECS or _SPECS.update(load_specs()) or _SPECS  # once per process: parsing the YAML takes 0.1 s
    kind = list(specs)[i % 4]
    spec = specs[kind]
    scores = {c.id: c.max for c in spec.criteria}
    for _ in range(rng.randint(0, 12)):
        c = rng.choice(spec.criteria)
        scores[c.id] = max(0.0, scores[c.id] - spec.step)
    info = {"upper_committee": f"Đảng bộ huyện {i % 12}", "grassroots": f"Đảng bộ xã {i % 97}",
            "cell_name": f"Chi bộ số {i}", "cell_code": f"CB-{i:05d}", "period": "Tháng 11", "year": 2026,
            "members": rng.randint(8, 60)}
    template = Path(writer.__file__).parent / writer.template_filename(kind)
    sub = Submission(info=info, self_scores=scores, vetoes={v.id: "Không" for v in spec.vetoes})
    if slow:
        fill_template(template, sub, Path(out) / f"cb-{i:05d}.xlsx")
    else:
        sys.path.insert(0, str(HERE))
        from fastfill import fast_fill

        fast_fill(template, sub, Path(out) / f"cb-{i:05d}.xlsx")


def generate(n: int, jobs: int, slow: bool = False) -> Path:
    out = HERE / ".cache" / (f"{n}-openpyxl" if slow else str(n))
    done = out / ".done"
    if done.exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_make, [(i, str(out), "bench", slow) for i in range(n)], chunksize=256))
    done.write_text(str(n))
    return out


PIPELINE = """
import resource, sys, time
from fourgood.consolidate_cmd import run_consolidate
t = time.perf_counter()
run_consolidate([sys.argv[1]], sys.argv[2], jobs=int(sys.argv[3]), quiet=True)
dt = time.perf_counter() - t
rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(dt, rss // 1024)
"""

NAIVE = """
import resource, sys, time
from pathlib import Path
import pandas as pd
import pandera.pandas as pa
from openpyxl import load_workbook
schema = pa.DataFrameSchema({
    "criterion": pa.Column(str),
    "max": pa.Column(float, pa.Check.gt(0)),
    "score": pa.Column(float, [pa.Check.ge(0)], nullable=True),
}, checks=[pa.Check(lambda d: d["score"].isna() | (d["score"] <= d["max"]))])
t = time.perf_counter()
rows = []
for path in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    wb = load_workbook(path, data_only=True)
    ws = wb["Chấm điểm"]
    info = wb["Thông tin"]
    records = [{"criterion": str(r[0]), "max": float(r[2]), "score": r[3]}
               for r in ws.iter_rows(min_row=8, max_row=40, max_col=5, values_only=True)
               if isinstance(r[0], str) and "." in r[0]]
    frame = pd.DataFrame(records).astype({"score": float})
    try:
        schema.validate(frame, lazy=True)
        ok = True
    except pa.errors.SchemaErrors:
        ok = False
    rows.append({"file": path.name, "code": info["B9"].value, "total": frame["score"].sum(), "ok": ok})
pd.DataFrame(rows).to_excel(sys.argv[2], index=False)
dt = time.perf_counter() - t
print(dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""

# The floor: calamine reads the three sheets fourgood reads, nothing more, with as many processes
# and the same chunking as pipeline.read_all (so the comparison at --jobs 2 is fair).
FLOOR = """
import resource, sys, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from python_calamine import CalamineWorkbook

def read(path):
    book = CalamineWorkbook.from_path(path)
    for name in ("_meta", "Thông tin", "Chấm điểm"):
        book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return None

if __name__ == "__main__":
    jobs = int(sys.argv[2])
    t = time.perf_counter()
    paths = [str(p) for p in sorted(Path(sys.argv[1]).glob("*.xlsx"))]
    if jobs <= 1:
        for p in paths:
            read(p)
    else:
        chunk = max(1, min(64, len(paths) // (jobs * 8) or 1))
        with ProcessPoolExecutor(jobs) as pool:
            for _ in pool.map(read, paths, chunksize=chunk):
                pass
    dt = time.perf_counter() - t
    rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(dt, rss // 1024)
"""

PROFILE = """
import cProfile, pstats, sys
from fourgood.consolidate_cmd import run_consolidate
prof = cProfile.Profile()
prof.enable()
run_consolidate([sys.argv[1]], sys.argv[2], jobs=1, quiet=True)
prof.disable()
stats = pstats.Stats(prof)
stats.sort_stats("tottime").print_stats(25)
stats.sort_stats("cumulative").print_stats(30)
print(0, 0)
"""


def run(code: str, *args: str, show: bool = False) -> tuple[float, int]:
    script = HERE / ".cache" / "contender.py"  # a file, not -c: the floor's worker processes import it
    script.write_text(code, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, check=True)
    if show:
        print(proc.stdout, flush=True)
    seconds, rss = proc.stdout.split()[-2:]
    return float(seconds), int(rss)


def median_of(repeat: int, code: str, *args: str) -> tuple[float, int]:
    results = [run(code, *args) for _ in range(repeat)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--skip-naive", action="store_true", help="for very large N: the naive loop takes long")
    parser.add_argument("--openpyxl", action="store_true", help="generate through fill_template (slow)")
    parser.add_argument("--profile", action="store_true", help="cProfile of consolidate --jobs 1")
    parser.add_argument("--rss-100k", action="store_true", help="peak RSS of consolidate --jobs 2 at N = 100,000")
    args = parser.parse_args()
    t = time.perf_counter()
    folder = generate(args.files, os.cpu_count() or 1, args.openpyxl)
    print(f"submissions: {folder} (generated or cached in {time.perf_counter() - t:.1f} s)", flush=True)
    out = HERE / ".cache" / "out"
    out.mkdir(exist_ok=True)
    f1, floor_rss = median_of(args.repeat, FLOOR, str(folder), "1")
    print(f"read floor (calamine), 1 process: {f1:.2f} s, {floor_rss} MB", flush=True)
    f2, floor_rss = median_of(args.repeat, FLOOR, str(folder), "2")
    print(f"read floor (calamine), 2 processes: {f2:.2f} s, {floor_rss} MB", flush=True)
    p1, rss1 = median_of(args.repeat, PIPELINE, str(folder), str(out / "p1.xlsx"), "1")
    print(f"fourgood consolidate --jobs 1: {p1:.2f} s, {rss1} MB", flush=True)
    p2, rss2 = median_of(args.repeat, PIPELINE, str(folder), str(out / "p2.xlsx"), "2")
    print(f"fourgood consolidate --jobs 2: {p2:.2f} s, {rss2} MB", flush=True)
    naive_s = float("nan")
    if not args.skip_naive:
        naive_s, naive_rss = median_of(args.repeat, NAIVE, str(folder), str(out / "naive.xlsx"))
        print(f"naive openpyxl + pandera loop: {naive_s:.2f} s, {naive_rss} MB", flush=True)
    best = min(p1, p2)
    floor_s = f1 if p1 <= p2 else f2  # the floor at the pipeline's own process count
    if args.profile:
        run(PROFILE, str(folder), str(out / "profile.xlsx"), show=True)
    rss_100k = None
    if args.rss_100k:
        t = time.perf_counter()
        big = generate(100_000, os.cpu_count() or 1)
        print(f"100,000 submissions: {big} (generated or cached in {time.perf_counter() - t:.1f} s)", flush=True)
        s100, rss_100k = run(PIPELINE, str(big), str(out / "p100k.xlsx"), "2")
        print(f"fourgood consolidate --jobs 2 at N = 100,000: {s100:.2f} s, {rss_100k} MB", flush=True)
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(json.dumps({
        "files": args.files, "pipeline_s": round(best, 3), "pipeline_jobs1_s": round(p1, 3),
        "pipeline_jobs2_s": round(p2, 3), "naive_s": round(naive_s, 3), "read_floor_s": round(floor_s, 3),
        "read_floor_jobs1_s": round(f1, 3), "read_floor_jobs2_s": round(f2, 3),
        "speedup_vs_naive": round(naive_s / best, 2), "ratio_to_read_floor": round(best / floor_s, 2),
        "peak_rss_mb": max(rss1, rss2), "peak_rss_mb_100k": rss_100k,
        # the history store's and the year view's figures (issue 12 parts 1-2) are not measured here
        "incremental_s": None, "incremental_ratio": None, "year_view_s": None,
    }))


if __name__ == "__main__":
    main()
