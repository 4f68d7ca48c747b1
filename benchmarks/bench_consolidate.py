"""Benchmark: fourgood consolidate vs the naive openpyxl + pandera loop vs the calamine read floor,
plus the history store's figures (incremental and no-op re-runs, the year view, peak RSS at 100,000).

    python benchmarks/bench_consolidate.py --files 10000 [--repeat 3] [--only PARTS] [--skip-naive]
        [--incremental-new 100] [--year-cells N] [--profile] [--rss-100k]

Parts (`--only`, comma-separated; default floor,pipeline,naive,incremental,year,one; `--skip-naive`
drops naive, `--profile` adds profile, `--rss-100k` adds rss100k):

- floor: calamine reads the three sheets fourgood reads, with 1 and 2 processes;
- pipeline: `fourgood consolidate --no-store`, `--jobs 1` and `--jobs 2`;
- naive: openpyxl `load_workbook` + DataFrame + pandera per file;
- incremental: a store filled from the N forms, then the same folder re-consolidated with nothing
  new (no-op) and with `--incremental-new` new cells' forms added;
- year: 12 monthly forms (and for every 4th cell the year-end evaluation) of `--year-cells` cells,
  `--period 2026` with a store: the filling run, then the run over the stored results;
- rss100k: 100,000 forms, `consolidate --jobs 2` with a fresh store: time and peak RSS;
- one: what a secretary waits for on a click: `fourgood validate FORM` on one form, wall time of
  a fresh process (`check_one_s`), and of a fresh process importing the command (`import_s`:
  `import fourgood.validate_cmd`), medians of at least 5 runs each;
- profile: where `--jobs 1` spends its time (cProfile).

Submissions are generated once from the real templates and cached in benchmarks/.cache/ (with
benchmarks/fastfill.py, ~15x faster than openpyxl; tests/test_fastfill.py proves the files read
the same; `--openpyxl`: every set through `fill_template`); an interrupted generation resumes.
fourgood runs through its command line (`fourgood.cli.main`), the interface that stays while the
store and pipeline are rewritten. Each run is a fresh process that reports its own peak RSS
(`getrusage(RUSAGE_SELF)`) and its largest child's (`RUSAGE_CHILDREN`: the pool's workers, reaped
before it reports, and helpers the libraries fork, which start with the parent's pages). Times
are medians of --repeat runs, taken inside the process after the imports (the naive loop's
imports are outside its clock too; `cli_import_s` says what fourgood's cost). Every run's summary
JSON is checked: each generated form must count as valid. A table follows the figures; the last
line printed is JSON (null: not measured). Its store figures: `store_fill_s` (first run, empty
store), `noop_s` (nothing new: the workbook is left as it is, `fourgood.freshness`),
`noop_rewrite_s` (nothing new, `--rewrite`: rolled up and written again from the stored
judgements), `incremental_s` (`--incremental-new` forms added) and
`incremental_ratio` (that / `pipeline_jobs2_s`), all `--jobs 2`, each from the same store;
`year_view_fill_s` and `year_view_s` (the store in place); `pipeline_100k_s`, `peak_rss_mb_100k`;
`check_one_s`, `import_s` and `check_addin_s` (part one: wall times of whole processes, interpreter
start included; `check_addin_s`: the add-in's `entry.check` on the form's book as xlwings Server
hands it over, the book's JSON built beforehand; each also as `…_cpu_s`, the process's user + system
time, which a busy shared machine moves less than the wall time).
Peak RSS figures are the larger of the process and its largest child.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
OUT = CACHE / "out"
NOVEMBER = "Tháng 11"  # the monthly forms' period: 2026-11
YEAR_END = "Cả năm"
YEAR_END_EVERY = 4  # cells 0, 4, 8, … also send the year-end evaluation
PARTS = ("floor", "pipeline", "naive", "incremental", "year", "one", "rss100k", "profile")
DEFAULT_PARTS = "floor,pipeline,naive,incremental,year,one"
ONE_REPEAT = 5  # at least: a one-second figure on a shared machine needs a median of several


class Form(NamedTuple):
    """One submission to generate: cell number `i` (code CB-{i:05d}), its file name and period label."""

    i: int
    name: str
    period: str = NOVEMBER


_SPECS: dict = {}


def _make(args: tuple[Form, str, bool]) -> None:
    form, folder, slow = args
    from fourgood.fill import Submission, fill_template
    from fourgood.spec import load_specs
    from fourgood.workbook_templates import writer

    # November's seed is the one the first cached sets used, so they stay valid and a year-view cell's
    # November form is the monthly set's form of the same cell
    rng = random.Random(f"bench-{form.i}" if form.period == NOVEMBER else f"bench-{form.i}-{form.period}")
    specs = _SPECS or _SPECS.update(load_specs()) or _SPECS  # once per process: parsing the YAML takes 0.1 s
    kind = list(specs)[form.i % 4]
    spec = specs[kind]
    scores = {c.id: c.max for c in spec.criteria}
    for _ in range(rng.randint(0, 12)):
        c = rng.choice(spec.criteria)
        scores[c.id] = max(0.0, scores[c.id] - spec.step)
    info = {"upper_committee": f"Đảng bộ huyện {form.i % 12}", "grassroots": f"Đảng bộ xã {form.i % 97}",
            "cell_name": f"Chi bộ số {form.i}", "cell_code": f"CB-{form.i:05d}", "period": form.period,
            "year": 2026, "members": rng.randint(8, 60)}
    template = Path(writer.__file__).parent / writer.template_filename(kind)
    sub = Submission(info=info, self_scores=scores, vetoes={v.id: "Không" for v in spec.vetoes})
    if slow:
        fill_template(template, sub, Path(folder) / form.name)
    else:
        from fastfill import fast_fill  # benchmarks/ is on the path: this script's folder, or put there by the tests

        fast_fill(template, sub, Path(folder) / form.name)


def build(name: str, forms: list[Form], slow: bool = False) -> Path:
    """CACHE/name (name-openpyxl with `slow`) holding `forms`, generated once. The completion marker
    sits beside the folder, not in it (consolidate would read it as an input); both writers replace
    files atomically, so an interrupted generation resumes where it stopped."""
    name += "-openpyxl" if slow else ""
    folder, done = CACHE / name, CACHE / f"{name}.done"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in [folder / ".done", *folder.glob("*.tmp")]:  # earlier versions' marker; an interrupted write
        leftover.unlink(missing_ok=True)
    have = {p.name for p in folder.iterdir()}
    todo = [(f, str(folder), slow) for f in forms if f.name not in have]
    t = time.perf_counter()
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        list(pool.map(_make, todo, chunksize=256))
    done.write_text(str(len(forms)))
    print(f"generated {len(todo):,} forms into {folder} in {time.perf_counter() - t:.1f} s", flush=True)
    return folder


def monthly_forms(start: int, stop: int) -> list[Form]:
    return [Form(i, f"cb-{i:05d}.xlsx") for i in range(start, stop)]


def year_forms(cells: int) -> list[Form]:
    months = [Form(i, f"cb-{i:05d}-t{m:02d}.xlsx", f"Tháng {m}") for i in range(cells) for m in range(1, 13)]
    return months + [Form(i, f"cb-{i:05d}-ca-nam.xlsx", YEAR_END) for i in range(0, cells, YEAR_END_EVERY)]


# fourgood's command line, timed after the imports (the consolidate command's module is imported
# lazily by the CLI: imported here before the clock, as the naive loop's libraries are)
CLI = """
import json, resource, sys, time
t0 = time.perf_counter()
from fourgood.cli import main
import fourgood.consolidate_cmd
imported = time.perf_counter() - t0
t = time.perf_counter()
code = main(sys.argv[1:])
dt = time.perf_counter() - t
if code != 0:
    sys.exit(f"fourgood exited with {code}")
print(json.dumps({"s": dt, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                  "children_rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
                  "import_s": imported}))
"""

NAIVE = """
import json, resource, sys, time
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
print(json.dumps({"s": dt, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "children_rss": 0}))
"""

# The floor: calamine reads the three sheets fourgood reads, nothing more, with as many processes
# and the same chunking as pipeline.read_all (so the comparison at --jobs 2 is fair).
FLOOR = """
import json, resource, sys, time
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
    print(json.dumps({"s": dt, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                      "children_rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024}))
"""

PROFILE = """
import cProfile, json, pstats, sys
from fourgood.cli import main
import fourgood.consolidate_cmd
prof = cProfile.Profile()
prof.enable()
main(sys.argv[1:])
prof.disable()
stats = pstats.Stats(prof)
stats.sort_stats("tottime").print_stats(25)
stats.sort_stats("cumulative").print_stats(30)
print(json.dumps({"s": 0, "rss": 0, "children_rss": 0}))
"""


@dataclass(frozen=True)
class Run:
    """One measurement (a median over repeats: seconds; the largest RSS seen)."""

    seconds: float
    rss_mb: int  # the run's own process
    children_rss_mb: int  # its largest child process, a pool worker as a rule (0: none)
    import_s: float | None = None  # fourgood's imports, before the clock (CLI runs)
    store: str | None = None  # what the CLI said of its history store: "n file(s) already stored, m read."

    @property
    def peak_mb(self) -> int:
        return max(self.rss_mb, self.children_rss_mb)


def run(code: str, args: list[str], show: bool = False) -> Run:
    script = CACHE / "contender.py"  # a file, not -c: the floor's worker processes import it
    script.write_text(code, encoding="utf-8")
    # a wide console: rich would wrap the store line (and its path) at 80 columns
    proc = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "400"})
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])} … failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    if show:
        print(proc.stdout, flush=True)
    lines = proc.stdout.strip().splitlines()
    got = json.loads(lines[-1])
    # "History store PATH: n file(s) already stored, m read.": the counts, without the path
    store = next((line.strip().rsplit(": ", 1)[-1] for line in lines if line.startswith("History store")), None)
    return Run(got["s"], got["rss"], got["children_rss"], got.get("import_s"), store)


def median_of(repeat: int, code: str, args: list[str], setup: Callable[[], object] | None = None) -> Run:
    """Median time of `repeat` runs, each after `setup` (which puts the store back as it was)."""
    runs = []
    for _ in range(repeat):
        if setup:
            setup()
        runs.append(run(code, args))
    imports = [r.import_s for r in runs if r.import_s is not None]
    return Run(statistics.median(r.seconds for r in runs), max(r.rss_mb for r in runs),
               max(r.children_rss_mb for r in runs), statistics.median(imports) if imports else None, runs[-1].store)


def consolidate(repeat: int, paths: list[Path], out: Path, *, expect: int, jobs: int = 2, store: Path | None = None,
                period: str | None = None, setup: Callable[[], object] | None = None,
                extra: tuple[str, ...] = ()) -> tuple[Run, dict[str, Any]]:
    """`fourgood consolidate` (`--no-store` unless `store`), and its summary JSON. Fails unless all
    `expect` generated forms were found and counted valid: otherwise the time would measure something else."""
    summary = out.with_suffix(".json")
    argv = ["consolidate", *map(str, paths), "-o", str(out), "--jobs", str(jobs), "--summary-json", str(summary),
            "--no-progress", "--lang", "en", *(["--store", str(store)] if store else ["--no-store"]),
            *(["--period", period] if period else []), *extra]
    result = median_of(repeat, CLI, argv, setup)
    s = json.loads(summary.read_text(encoding="utf-8"))
    if (s["files_total"], s["files_valid"]) != (expect, expect):
        raise SystemExit(f"{out.name}: {s['files_valid']} valid of {s['files_total']} files, expected {expect} valid")
    return result, s


def fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def restore(snapshot: Path, live: Path) -> Callable[[], None]:
    """Put the store's folder (the database and any journal beside it) back as it was at `snapshot`."""
    def setup() -> None:
        shutil.rmtree(live, ignore_errors=True)
        shutil.copytree(snapshot, live)
    return setup


class Report:
    """The figures (for the JSON line) and the table's rows, filled part by part."""

    def __init__(self) -> None:
        self.figures: dict[str, Any] = {}
        self.rows: list[tuple[str, Run]] = []
        self.imports: list[float] = []  # each CLI measurement's import time

    def add(self, label: str, result: Run) -> Run:
        self.rows.append((label, result))
        store = f"  [{result.store}]" if result.store else ""
        print(f"{label}: {result.seconds:.2f} s, {result.rss_mb} MB (largest child {result.children_rss_mb} MB){store}",
              flush=True)
        if result.import_s is not None:
            self.imports.append(result.import_s)
        return result

    def table(self) -> str:
        width = max((len(label) for label, _ in self.rows), default=3)
        lines = [f"{'run':<{width}}  {'seconds':>9}  {'RSS MB':>7}  {'child MB':>9}  store",
                 f"{'-' * width}  {'-' * 9}  {'-' * 7}  {'-' * 9}  -----"]
        lines += [f"{label:<{width}}  {r.seconds:>9.2f}  {r.rss_mb:>7}  {r.children_rss_mb:>9}  {r.store or ''}"
                  for label, r in self.rows]
        return "\n".join(lines)


def part_floor(rep: Report, folder: Path, repeat: int) -> tuple[Run, Run]:
    f1 = rep.add("read floor (calamine), 1 process", median_of(repeat, FLOOR, [str(folder), "1"]))
    f2 = rep.add("read floor (calamine), 2 processes", median_of(repeat, FLOOR, [str(folder), "2"]))
    return f1, f2


def part_pipeline(rep: Report, folder: Path, n: int, repeat: int, jobs: tuple[int, ...]) -> dict[int, Run]:
    return {j: rep.add(f"consolidate --jobs {j} --no-store",
                       consolidate(repeat, [folder], OUT / f"p{j}.xlsx", expect=n, jobs=j)[0]) for j in jobs}


def part_incremental(rep: Report, folder: Path, n: int, new: int, repeat: int, slow: bool) -> dict[str, Any]:
    """Fill a store from the N forms, then re-run with nothing new and with `new` forms added.

    The inbox is a folder of hard links to the cached forms (regular files to the reader, the cache
    untouched); the new forms (cells N … N+new-1, same period) are cached like the others and linked
    in after the no-op runs. Each timed run starts from the same store, copied back beforehand."""
    added = build(f"{n}-new{new}", monthly_forms(n, n + new), slow)
    work = fresh(OUT / "incremental")
    inbox, live, filled = work / "inbox", work / "store", work / "store-filled"
    inbox.mkdir()
    for p in folder.glob("*.xlsx"):
        os.link(p, inbox / p.name)
    store = live / "inbox.fourgood.sqlite"
    fill = rep.add("store: first run, fills it (--jobs 2)", consolidate(
        repeat, [inbox], work / "out.xlsx", expect=n, store=store, setup=lambda: fresh(live))[0])
    shutil.copytree(live, filled)
    # nothing new: the workbook written by the first run is left as it is (fourgood.freshness) ...
    noop = rep.add("store: re-run, nothing new", consolidate(
        repeat, [inbox], work / "out.xlsx", expect=n, store=store, setup=restore(filled, live))[0])
    # ... and the same run told to write it anyway: the roll-up and the writer on stored judgements
    rewrite = rep.add("store: re-run, nothing new, --rewrite", consolidate(
        repeat, [inbox], work / "out.xlsx", expect=n, store=store, setup=restore(filled, live),
        extra=("--rewrite",))[0])
    for p in added.glob("*.xlsx"):
        os.link(p, inbox / p.name)
    inc = rep.add(f"store: re-run, {new} new forms", consolidate(
        repeat, [inbox], work / "out.xlsx", expect=n + new, store=store, setup=restore(filled, live))[0])
    return {"store_fill_s": round(fill.seconds, 3), "noop_s": round(noop.seconds, 3),
            "noop_rewrite_s": round(rewrite.seconds, 3), "incremental_s": round(inc.seconds, 3),
            "store_peak_rss_mb": max(r.peak_mb for r in (fill, noop, rewrite, inc))}


def part_year(rep: Report, cells: int, repeat: int, slow: bool) -> dict[str, Any]:
    """`--period 2026` over 12 months (and some year-end evaluations) of `cells` cells: the run that
    fills the store, then the run over the stored results (the store restored before each)."""
    forms = year_forms(cells)
    folder = build(f"year-{cells}", forms, slow)
    work = fresh(OUT / "year")
    live, filled = work / "store", work / "store-filled"
    store = live / "year.fourgood.sqlite"
    fill, _ = consolidate(repeat, [folder], work / "year.xlsx", expect=len(forms), store=store, period="2026",
                          setup=lambda: fresh(live))
    rep.add(f"year view --period 2026, {cells:,} cells: fills the store", fill)
    shutil.copytree(live, filled)
    view, summary = consolidate(repeat, [folder], work / "year.xlsx", expect=len(forms), store=store, period="2026",
                                setup=restore(filled, live))
    rep.add(f"year view --period 2026, {cells:,} cells: store in place", view)
    if summary["year"]["cells"] != cells:
        raise SystemExit(f"year view: {summary['year']['cells']} cells, expected {cells}")
    return {"year_cells": cells, "year_files": len(forms), "year_view_fill_s": round(fill.seconds, 3),
            "year_view_s": round(view.seconds, 3), "year_view_fill_rss_mb": fill.peak_mb,
            "year_view_rss_mb": view.peak_mb}


def part_rss100k(rep: Report, openpyxl: bool, n: int = 100_000) -> dict[str, Any]:
    """One run of `consolidate --jobs 2` over `n` forms with a fresh store beside the workbook (the
    command's default): what a first consolidation of that size needs."""
    folder = build(str(n), monthly_forms(0, n), openpyxl)
    work = fresh(OUT / "100k")
    big = rep.add(f"consolidate --jobs 2 at N = {n:,} (fresh store)", consolidate(
        1, [folder], work / "p100k.xlsx", expect=n, store=work / "p100k.fourgood.sqlite")[0])
    return {"pipeline_100k_s": round(big.seconds, 3), "peak_rss_mb_100k": big.peak_mb}


class Timed(NamedTuple):
    wall: float  # seconds on the clock: what a user waits
    cpu: float  # user + system seconds of the process: what it costs, less moved by a busy machine


def wall(argv: list[str], env: dict[str, str] | None = None) -> Timed:
    """Wall and CPU time of a whole fresh process (interpreter start, imports, work, exit); it must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, "COLUMNS": "400", **(env or {})})
    seconds = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv[1:4])} … failed ({proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return Timed(seconds, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)


def medians(runs: int, argv: list[str], env: dict[str, str] | None = None) -> Timed:
    """Median wall and median CPU time of `runs` fresh processes."""
    times = [wall(argv, env) for _ in range(runs)]
    return Timed(statistics.median(t.wall for t in times), statistics.median(t.cpu for t in times))


# The add-in's click in a fresh process: the book Office.js sends (built once, beforehand, by the
# tests' builder), then the entry point's check, as xlwings Server runs it.
ADDIN_CLICK = """
import json, sys
import xlwings as xw
book = xw.Book(json=json.loads(open(sys.argv[1], encoding="utf-8").read()))
from fourgood.addin import entry
result = entry.check(book)
sys.exit(0 if result is not None else 1)
"""


def _addin_book(form: Path) -> Path:
    """The xlwings book payload of `form`, as a JSON file (the tests' builder: benchmarks/ sits beside tests/)."""
    sys.path.insert(0, str(HERE.parent))
    from tests.xlwings_book import book_json

    out = CACHE / "one-book.json"
    out.write_text(json.dumps(book_json(form), default=str), encoding="utf-8")
    return out


def part_one(rep: Report, repeat: int, slow: bool) -> dict[str, Any]:
    """One form checked in a fresh process, as the desktop add-in's click and `fourgood validate FORM`
    run it (exit 0: the generated form is valid), and the import of the command alone."""
    form = next(iter(sorted(build("1", monthly_forms(0, 1), slow).glob("*.xlsx"))))
    runs = max(repeat, ONE_REPEAT)
    compiled = compile_fourgood()
    book = _addin_book(form)
    check = medians(runs, [sys.executable, "-m", "fourgood", "validate", str(form)])
    imports = medians(runs, [sys.executable, "-c", "import fourgood.validate_cmd"])
    addin = medians(runs, [sys.executable, "-c", ADDIN_CLICK, str(book)], {"XLWINGS_LICENSE_KEY": "noncommercial"})
    for label, t in ((f"fourgood validate FORM (one form, fresh process, median of {runs})", check),
                     (f"import fourgood.validate_cmd (fresh process, median of {runs})", imports),
                     (f"add-in entry.check(book) (one form, fresh process, median of {runs})", addin)):
        rep.add(label, Run(t.wall, 0, 0))
        rep.add("  its CPU time (user + system)", Run(t.cpu, 0, 0))
    rep.add(f"  (fourgood's {compiled} modules byte-compiled first, as pip install does)", Run(0, 0, 0))
    return {"check_one_s": round(check.wall, 3), "import_s": round(imports.wall, 3),
            "check_addin_s": round(addin.wall, 3), "check_one_cpu_s": round(check.cpu, 3),
            "import_cpu_s": round(imports.cpu, 3), "check_addin_cpu_s": round(addin.cpu, 3)}


def compile_fourgood() -> int:
    """Byte-compile fourgood's modules, as `pip install` does for an installed package: an editable
    install under PYTHONDONTWRITEBYTECODE (CI, this machine) would otherwise compile about 60 of
    them from source in every fresh process (half a second), which no user's click pays twice."""
    import compileall
    import importlib.util

    import fourgood

    folders = {Path(fourgood.__file__).parent}
    for name in ("validators", "workbook_templates", "addin", "macros", "server"):
        spec = importlib.util.find_spec(f"fourgood.{name}")  # located, not imported
        folders |= {Path(p) for p in (spec.submodule_search_locations or [])} if spec else set()
    for folder in folders:
        compileall.compile_dir(str(folder), quiet=1)
    return sum(1 for folder in folders for _ in folder.rglob("*.py"))


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000, help="N, the monthly forms consolidated")
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure (the median is kept)")
    parser.add_argument("--only", default=DEFAULT_PARTS, help=f"comma-separated parts of {','.join(PARTS)}")
    parser.add_argument("--skip-naive", action="store_true", help="for very large N: the naive loop takes long")
    parser.add_argument("--openpyxl", action="store_true", help="generate through fill_template (slow)")
    parser.add_argument("--profile", action="store_true", help="cProfile of consolidate --jobs 1")
    parser.add_argument("--rss-100k", action="store_true", help="peak RSS of consolidate --jobs 2 at N = 100,000")
    parser.add_argument("--incremental-new", type=int, default=100, help="new forms added for the incremental run")
    parser.add_argument("--year-cells", type=int, help="cells of the year view (12 monthly forms each; default N)")
    args = parser.parse_args()
    parts = {p.strip() for p in args.only.split(",") if p.strip()}
    if unknown := parts - set(PARTS):
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    parts -= {"naive"} if args.skip_naive else set()
    parts |= ({"profile"} if args.profile else set()) | ({"rss100k"} if args.rss_100k else set())
    n, repeat = args.files, args.repeat
    OUT.mkdir(parents=True, exist_ok=True)
    rep = Report()
    f1 = f2 = naive = None
    pipe: dict[int, Run] = {}
    if parts & {"floor", "pipeline", "naive", "incremental", "profile"}:
        folder = build(str(n), monthly_forms(0, n), args.openpyxl)
        print(f"submissions: {folder} ({n:,} forms)", flush=True)
        if "floor" in parts:
            f1, f2 = part_floor(rep, folder, repeat)
        # the incremental ratio's denominator is the --jobs 2 run without a store, measured in this run
        jobs = (1, 2) if "pipeline" in parts else (2,) if "incremental" in parts else ()
        pipe = part_pipeline(rep, folder, n, repeat, jobs)
        if "naive" in parts:
            naive = rep.add("naive openpyxl + pandera loop",
                            median_of(repeat, NAIVE, [str(folder), str(OUT / "naive.xlsx")]))
        if "incremental" in parts:
            rep.figures |= {"incremental_new": args.incremental_new,
                            **part_incremental(rep, folder, n, args.incremental_new, repeat, args.openpyxl)}
        if "profile" in parts:
            run(PROFILE, ["consolidate", str(folder), "-o", str(OUT / "profile.xlsx"), "--jobs", "1", "--no-store",
                          "--no-progress", "--lang", "en"], show=True)
    if "year" in parts:
        rep.figures |= part_year(rep, n if args.year_cells is None else args.year_cells, repeat, args.openpyxl)
    if "one" in parts:
        rep.figures |= part_one(rep, repeat, args.openpyxl)
    if "rss100k" in parts:
        rep.figures |= part_rss100k(rep, args.openpyxl)
    machine = f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"\nmachine: {machine}; medians of {repeat} run(s)\n{rep.table()}")

    def s(r: Run | None) -> float | None:
        return round(r.seconds, 3) if r else None
    p1, p2 = pipe.get(1), pipe.get(2)
    best = min((r for r in (p1, p2) if r), key=lambda r: r.seconds, default=None)
    floor = (f1 if best is p1 else f2) if best and f1 else None  # the floor at the pipeline's own process count
    fig = rep.figures
    print(json.dumps({
        "files": n, "pipeline_s": s(best), "pipeline_jobs1_s": s(p1), "pipeline_jobs2_s": s(p2),
        "naive_s": s(naive), "read_floor_s": s(floor), "read_floor_jobs1_s": s(f1), "read_floor_jobs2_s": s(f2),
        "speedup_vs_naive": ratio(s(naive), s(best)), "ratio_to_read_floor": ratio(s(best), s(floor)),
        "peak_rss_mb": max((r.peak_mb for r in (p1, p2) if r), default=None),
        "peak_rss_mb_100k": fig.get("peak_rss_mb_100k"), "pipeline_100k_s": fig.get("pipeline_100k_s"),
        "incremental_new": fig.get("incremental_new"), "store_fill_s": fig.get("store_fill_s"),
        "noop_s": fig.get("noop_s"), "noop_rewrite_s": fig.get("noop_rewrite_s"),
        "incremental_s": fig.get("incremental_s"),
        "incremental_ratio": ratio(fig.get("incremental_s"), s(p2)), "noop_ratio": ratio(fig.get("noop_s"), s(p2)),
        "noop_rewrite_ratio": ratio(fig.get("noop_rewrite_s"), s(p2)), "store_peak_rss_mb": fig.get("store_peak_rss_mb"),
        "year_cells": fig.get("year_cells"), "year_files": fig.get("year_files"),
        "year_view_fill_s": fig.get("year_view_fill_s"), "year_view_s": fig.get("year_view_s"),
        "year_view_fill_rss_mb": fig.get("year_view_fill_rss_mb"), "year_view_rss_mb": fig.get("year_view_rss_mb"),
        "cli_import_s": round(statistics.median(rep.imports), 3) if rep.imports else None,
        "check_one_s": fig.get("check_one_s"), "import_s": fig.get("import_s"),
        "check_addin_s": fig.get("check_addin_s"), "check_one_cpu_s": fig.get("check_one_cpu_s"),
        "import_cpu_s": fig.get("import_cpu_s"), "check_addin_cpu_s": fig.get("check_addin_cpu_s"), "machine": machine,
    }))


if __name__ == "__main__":
    main()
