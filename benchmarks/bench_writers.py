"""Which writer for the large report sheets, and how fast is the report writer?

1. `python benchmarks/bench_writers.py --rows 10000 100000`: times and peak RSS of one detail-like
   sheet of 18 columns written three ways, each in its own process:

   - openpyxl normal mode, styled cell by cell as report.table_sheet.write_table once did (font,
     wrap, border, number format, a row height per row);
   - openpyxl write-only mode (WriteOnlyCell with the same named styles, rows streamed);
   - XlsxWriter constant_memory mode (one format object, rows streamed).

   Needs `pip install xlsxwriter` (not a fourgood dependency).

2. `python benchmarks/bench_writers.py --report 1000 10000 [--replicate 100000] [--old REV] [--repeat 3]
   [--compare]`: `write_consolidated` alone on a `Consolidation` of N benchmark forms
   (bench_consolidate.generate, fastfill), pickled once in benchmarks/.cache, `run_at` fixed; each
   run in its own process, reporting seconds, the process's RSS before the write and its peak
   during the write (VmHWM, reset before writing). `--replicate M` adds a Consolidation of M forms
   made by repeating the rows of the first N's per-form tables (cells, files, summary, grassroots,
   below, missing, rejected), file paths and cell codes made distinct: building a real one of
   100,000 forms through the pipeline needs several GB. `--old REV` runs the same on the writer
   of git revision REV (its package copied from `git archive`, on PYTHONPATH), old and new
   alternated; `--compare` checks each pair of workbooks with `compare_workbooks.py --xml`.

The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from io import BytesIO
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

COLS = 18

COMMON = """
import random, resource, sys, time
rows = int(sys.argv[1]); out = sys.argv[2]
rng = random.Random(1)
def record(i):
    return [f"/srv/inbox/huyen-{i % 12}/xa-{i % 97}/cb-{i:06d}.xlsx", f"CB-{i:06d}", f"Chi bộ số {i}", "Chi bộ cơ quan",
            f"Đảng bộ xã {i % 97}", f"Đảng bộ huyện {i % 12}", "Tháng 11", 2026, rng.randint(8, 60),
            round(rng.uniform(60, 100) * 2) / 2, round(rng.uniform(60, 100) * 2) / 2, 95.0, "Tự chấm",
            "Đạt “Chi bộ 4 tốt”", 0, rng.randint(0, 3), "a" * 64, "2026-11-30"]
data = [record(i) for i in range(rows)]
t = time.perf_counter()
"""
TAIL = """
dt = time.perf_counter() - t
print(dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""

NORMAL = COMMON + """
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
wb = Workbook(); ws = wb.active
side = Side(style="thin"); box = Border(left=side, right=side, top=side, bottom=side)
body = Font(name="Times New Roman", size=12); wrap = Alignment(wrap_text=True, vertical="top")
for i, rec in enumerate(data, 2):
    for j, v in enumerate(rec, 1):
        c = ws.cell(i, j, v)
        c.font, c.alignment, c.border = body, wrap, box
        if isinstance(v, float):
            c.number_format = "0.0"
    ws.row_dimensions[i].height = 30
wb.save(out)
""" + TAIL

WRITE_ONLY = COMMON + """
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
wb = Workbook(write_only=True); ws = wb.create_sheet()
side = Side(style="thin"); box = Border(left=side, right=side, top=side, bottom=side)
plain = NamedStyle("plain", font=Font(name="Times New Roman", size=12), border=box,
                   alignment=Alignment(wrap_text=True, vertical="top"))
number = NamedStyle("number", font=Font(name="Times New Roman", size=12), border=box,
                    alignment=Alignment(wrap_text=True, vertical="top"), number_format="0.0")
wb.add_named_style(plain); wb.add_named_style(number)
for rec in data:
    row = []
    for v in rec:
        c = WriteOnlyCell(ws, value=v)
        c.style = "number" if isinstance(v, float) else "plain"
        row.append(c)
    ws.append(row)
wb.save(out)
""" + TAIL

XLSXWRITER = COMMON + """
import xlsxwriter
wb = xlsxwriter.Workbook(out, {"constant_memory": True})
ws = wb.add_worksheet()
plain = wb.add_format({"font_name": "Times New Roman", "font_size": 12, "border": 1, "text_wrap": True, "valign": "top"})
number = wb.add_format({"font_name": "Times New Roman", "font_size": 12, "border": 1, "text_wrap": True, "valign": "top",
                        "num_format": "0.0"})
for i, rec in enumerate(data, 1):
    ws.set_row(i, 30)
    for j, v in enumerate(rec):
        if isinstance(v, str):
            ws.write_string(i, j, v, plain)
        else:
            ws.write_number(i, j, v, number if isinstance(v, float) else plain)
wb.close()
""" + TAIL

BASELINE = COMMON + TAIL  # building the rows only: the RSS every contender starts from


def run(code: str, rows: int, out: Path) -> tuple[float, int]:
    script = out.with_suffix(".py")
    script.write_text(code, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), str(rows), str(out)], capture_output=True, text=True,
                          check=True)
    s, rss = proc.stdout.split()[-2:]
    return float(s), int(rss)


CONSOLIDATE = """
import pickle, sys
from fourgood.rollup import consolidate_paths
from fourgood.spec import load_specs
pickle.dump(consolidate_paths([sys.argv[1]], load_specs(None), jobs=2), open(sys.argv[2], "wb"))
"""

WRITE = """
import datetime as dt, gc, pickle, re, sys, time
sys.path.insert(0, sys.argv[4])
from bench_writers import replicate
from fourgood.report.writer import write_consolidated
def status(key):
    return int(re.search(key + r":\\s+(\\d+)", open("/proc/self/status").read()).group(1)) // 1024
c = pickle.load(open(sys.argv[1], "rb"))
if int(sys.argv[3]):
    c = replicate(c, int(sys.argv[3]))
gc.collect()
open("/proc/self/clear_refs", "w").write("5")  # the peak RSS from here on: the write's own
before = status("VmRSS")
t = time.perf_counter()
write_consolidated(c, sys.argv[2], "vi", run_at=dt.datetime(2026, 11, 30, 9, 15))
print(time.perf_counter() - t, before, status("VmHWM"))
"""


def replicate(c: Any, forms: int) -> Any:
    """`c` with its per-form tables repeated to about `forms` rows, each copy's file paths (in a
    folder of its own) and cell codes and names distinct; the small tables as they are."""
    import pandas as pd

    copies = max(1, forms // max(1, len(c.cells)))

    def grown(frame: pd.DataFrame) -> pd.DataFrame:
        if frame.empty:
            return frame
        parts = []
        for k in range(copies):
            f = frame.copy()
            if "file" in f:
                f["file"] = [os.path.join(os.path.dirname(x), f"r{k:03d}", os.path.basename(x)) if isinstance(x, str)
                             else x for x in f["file"]]
            for col in ("cell_code", "cell_name", "name"):
                if col in f and k:
                    f[col] = [f"{x}-{k}" if isinstance(x, str) else x for x in f[col]]
            parts.append(f)
        return pd.concat(parts, ignore_index=True)

    for name in ("cells", "files", "hierarchy", "grassroots", "below", "missing", "rejected"):
        setattr(c, name, grown(getattr(c, name)))
    return c


def consolidation(forms: int) -> Path:
    """A pickled Consolidation of `forms` benchmark forms, built once."""
    sys.path.insert(0, str(HERE))
    from bench_consolidate import build, monthly_forms

    path = HERE / ".cache" / f"consolidation-{forms}.pkl"
    if not path.exists():
        folder = build(str(forms), monthly_forms(0, forms))
        subprocess.run([sys.executable, "-c", CONSOLIDATE, str(folder), str(path)], check=True)
    return path


def old_package(rev: str, dest: Path) -> Path:
    """The fourgood package of git revision `rev`, laid out as installed (five source folders,
    [tool.setuptools.package-dir]), for PYTHONPATH."""
    archive = subprocess.run(["git", "archive", rev], cwd=HERE.parent, capture_output=True, check=True).stdout
    src = dest / "src"
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(src, filter="data")
    config = tomllib.loads((src / "pyproject.toml").read_text(encoding="utf-8"))
    for name, folder in config["tool"]["setuptools"]["package-dir"].items():
        shutil.copytree(src / folder, dest / "pkg" / Path(*name.split(".")), dirs_exist_ok=True)
    return dest / "pkg"


def write_report(pickle_path: Path, out: Path, forms: int, pythonpath: Path | None) -> tuple[float, int, int]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    proc = subprocess.run([sys.executable, "-c", WRITE, str(pickle_path), str(out), str(forms), str(HERE)],
                          capture_output=True, text=True, check=True, env=env)
    s, before, peak = proc.stdout.split()[-3:]
    return float(s), int(before), int(peak)


def report(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    sources = [(n, consolidation(n), 0) for n in args.report]
    sources += [(m, sources[0][1], m) for m in args.replicate]
    with tempfile.TemporaryDirectory() as tmp:
        writers: list[tuple[str, Path | None]] = [("new", None)]
        if args.old:
            writers.insert(0, ("old", old_package(args.old, Path(tmp) / "old")))
        for forms, pickle_path, replicated in sources:
            label = f"{forms}{' (replicated)' if replicated else ''}"
            runs: dict[str, list[tuple[float, int, int]]] = {name: [] for name, _ in writers}
            for _ in range(args.repeat):
                for name, path in writers:
                    runs[name].append(write_report(pickle_path, Path(tmp) / f"{name}-{forms}.xlsx", replicated, path))
                    s, before, peak = runs[name][-1]
                    print(f"{label} forms, {name} writer: {s:.2f} s, RSS {before} MB before, peak {peak} MB", flush=True)
            for name, _ in writers:
                results[f"{name}_{forms}"] = {
                    "s": [round(r[0], 3) for r in runs[name]],
                    "median_s": round(statistics.median(r[0] for r in runs[name]), 3),
                    "rss_before_mb": max(r[1] for r in runs[name]), "peak_rss_mb": max(r[2] for r in runs[name]),
                    "replicated": bool(replicated)}
            if args.compare and args.old:
                proc = subprocess.run([sys.executable, str(HERE / "compare_workbooks.py"), "--xml",
                                       str(Path(tmp) / f"old-{forms}.xlsx"), str(Path(tmp) / f"new-{forms}.xlsx")],
                                      capture_output=True, text=True)
                results[f"compare_{forms}"] = proc.stdout.strip().splitlines()[-1]
                print(f"{label} forms, compare_workbooks: {results[f'compare_{forms}']}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[], help="the three writers on one synthetic sheet")
    parser.add_argument("--report", type=int, nargs="+", default=[], help="write_consolidated on N benchmark forms")
    parser.add_argument("--replicate", type=int, nargs="+", default=[],
                        help="also on M forms replicated from the first --report N")
    parser.add_argument("--old", help="git revision of the writer to compare with")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--compare", action="store_true", help="compare_workbooks.py on each old/new pair")
    args = parser.parse_args()
    if not args.rows and not args.report:
        args.rows = [10_000, 100_000]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            for name, code in (("baseline", BASELINE), ("openpyxl", NORMAL), ("openpyxl_write_only", WRITE_ONLY),
                               ("xlsxwriter_constant_memory", XLSXWRITER)):
                s, rss = run(code, rows, Path(tmp) / f"{name}-{rows}.xlsx")
                results[f"{name}_{rows}"] = {"s": round(s, 2), "peak_rss_mb": rss}
                print(f"{rows} rows, {name}: {s:.2f} s, {rss} MB", flush=True)
    if args.report:
        results.update(report(args))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
