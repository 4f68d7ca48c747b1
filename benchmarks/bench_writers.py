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
   alternated; `--compare` checks each pair of workbooks with `compare_workbooks.py --xml`. Each run
   also reports its CPU seconds (`median_cpu_s`): steadier than wall time on shared cores.

3. `python benchmarks/bench_writers.py --detail 10000 100000 [--repeat 3]`: the largest sheet, the
   cell list ("Chi tiết", report.tables' detail table of a Consolidation of 1,000 benchmark forms
   replicated to N rows), written alone into a workbook two ways, alternated, each run in its own
   process (time of the write; RSS before it and its peak during it, VmHWM reset):

   - `openpyxl`: what write_consolidated does for it (report.table_sheet.write_table, the status
     colours, sheet_stream.save_with_rows);
   - `xlsxwriter`: XlsxWriter `constant_memory` writing the same sheet (`detail_xlsxwriter`): the
     same heading merged over the table, header, widths, per-row heights measured by the same
     geometry, number formats, borders, status colours, freeze panes, filter, print titles and
     area, A4 landscape fitted to one page wide, margins, footer; the default font set to Times
     New Roman 12 as house_style.default_font does.

   Needs `pip install xlsxwriter` (not a fourgood dependency).

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
t, cpu = time.perf_counter(), time.process_time()
write_consolidated(c, sys.argv[2], "vi", run_at=dt.datetime(2026, 11, 30, 9, 15))
print(time.perf_counter() - t, before, status("VmHWM"), time.process_time() - cpu)
"""


DETAIL = """
import gc, pickle, re, sys, time
sys.path.insert(0, sys.argv[4])
from bench_writers import detail_openpyxl, detail_table, detail_xlsxwriter
def status(key):
    return int(re.search(key + r":\\s+(\\d+)", open("/proc/self/status").read()).group(1)) // 1024
c, table = detail_table(sys.argv[1], int(sys.argv[3]))
write = detail_xlsxwriter if sys.argv[5] == "xlsxwriter" else detail_openpyxl
gc.collect()
open("/proc/self/clear_refs", "w").write("5")  # the peak RSS from here on: the write's own
before = status("VmRSS")
t = time.perf_counter()
write(c, table, sys.argv[2])
print(time.perf_counter() - t, before, status("VmHWM"))
"""


def detail_table(pickle_path: str, rows: int) -> tuple[Any, Any]:
    """The consolidation of `pickle_path` replicated to about `rows` cells, and its "Chi tiết" table."""
    import pickle

    from fourgood.report.tables import report_tables

    with open(pickle_path, "rb") as f:
        c = replicate(pickle.load(f), rows)
    return c, next(t for t in report_tables(c, "vi") if t.key == "detail")


def detail_openpyxl(c: Any, table: Any, out: str) -> None:
    """The cell list as write_consolidated writes it: openpyxl for the sheet, its body streamed."""
    from openpyxl import Workbook

    from fourgood.document import Letterhead
    from fourgood.house_style import default_font
    from fourgood.report.columns import UNPRINTED
    from fourgood.report.geometry import BODY_PT, HEAD_ROW
    from fourgood.report.labels import thresholds_of
    from fourgood.report.table_sheet import status_rules, write_table
    from fourgood.sheet_stream import save_with_rows

    wb = Workbook()
    default_font(wb, BODY_PT)
    ws = wb.active
    ws.title = table.sheet
    rows = write_table(ws, table.frame, table.cols, "vi", table.title, Letterhead.placeholder("vi"), appendix=4,
                       unprinted=UNPRINTED["detail"])
    keys = [col[0] for col in table.cols]
    status_rules(ws, keys.index("status_label") + 1, HEAD_ROW, rows.last, "vi", thresholds_of(c))
    save_with_rows(wb, out, [rows])


def detail_xlsxwriter(c: Any, table: Any, out: str) -> None:
    """The same sheet written by XlsxWriter in constant_memory mode (rows in order, never held)."""
    import xlsxwriter

    from fourgood.contract import plain_value, status_text
    from fourgood.document import Letterhead
    from fourgood.report.columns import UNPRINTED
    from fourgood.report.geometry import (
        HEAD_ROW,
        LINE_PT,
        MARGIN_IN,
        PERIOD_ROW,
        TITLE_ROW,
        fit_columns,
        row_height,
        shown_text,
        text_lines,
    )
    from fourgood.report.labels import thresholds_of

    h, lang, cols, frame = Letterhead.placeholder("vi"), "vi", table.cols, table.frame
    wb = xlsxwriter.Workbook(out, {"constant_memory": True})
    wb.formats[0].set_font_name("Times New Roman")  # the default font, as house_style.default_font
    wb.formats[0].set_font_size(12)
    ws = wb.add_worksheet(table.sheet)
    printed = len(cols)
    while printed and cols[printed - 1][0] in UNPRINTED["detail"]:
        printed -= 1
    layout = fit_columns(cols[:printed], frame, lang)
    widths = layout.widths + [float(col[3]) for col in cols[printed:]]
    one_line = layout.one_line + [True] * (len(cols) - printed)
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    font = {"font_name": "Times New Roman"}
    box = {"border": 1, "border_color": "#808080"}
    n = printed
    for row, text, extra in ((0, "Phụ lục 4", {"font_size": 13, "bold": True}),
                             (1, h.appendix_line(), {"font_size": 12, "italic": True}),
                             (TITLE_ROW - 1, table.title, {"font_size": 14, "bold": True}),
                             (PERIOD_ROW - 1, "Kỳ đánh giá: " + (h.period or "…"), {"font_size": 13, "italic": True})):
        ws.set_row(row, 19)
        ws.merge_range(row, 0, row, n - 1, text, wb.add_format({**font, **extra, "align": "center",
                                                                 "valign": "vcenter", "text_wrap": True}))
    head = wb.add_format({**font, **box, "font_size": 12, "bold": True, "bg_color": "#D9E1F2", "text_wrap": True,
                          "align": "center", "valign": "vcenter"})
    labels = [vi for _, vi, _, _, _ in cols]
    ws.set_row(HEAD_ROW - 1, row_height(labels[:printed], widths[:printed], True))
    for j, text in enumerate(labels):
        ws.write_string(HEAD_ROW - 1, j, text, head)
    body = [wb.add_format({**font, **box, "font_size": 12, "text_wrap": True, "valign": "top",
                           **({"num_format": fmt} if fmt else {})}) for *_, fmt in cols]
    keys, fmts = [col[0] for col in cols], [col[4] for col in cols]
    measured = [j for j in range(len(cols)) if not one_line[j]]
    r = HEAD_ROW
    for values in zip(*[frame[k].tolist() if k in frame else [None] * len(frame) for k in keys]):
        values = [None if v is None or (v.__class__ is float and v != v) else plain_value(v) for v in values]
        lines = [text_lines(t, widths[j]) if (t := (values[j] if values[j].__class__ is str else
                                                    shown_text(values[j], fmts[j]))) else 1 for j in measured]
        ws.set_row(r, max(lines or [1]) * LINE_PT + 3)
        for j, v in enumerate(values):
            if v is None:
                ws.write_blank(r, j, None, body[j])
            elif isinstance(v, str):
                ws.write_string(r, j, v, body[j])
            elif isinstance(v, bool):
                ws.write_boolean(r, j, v, body[j])
            else:
                ws.write_number(r, j, v, body[j])
        r += 1
    last = max(r - 1, HEAD_ROW)
    status_col = keys.index("status_label")
    fills = {"meets": "#C6EFCE", "below": "#F8CBAD", "veto": "#F8CBAD", "incomplete": "#FFEB9C", "invalid": "#F8CBAD"}
    letter = xlsxwriter.utility.xl_col_to_name(status_col)
    for s, fill in fills.items():
        for t in thresholds_of(c) or [None]:
            quoted = status_text(s, lang, t).replace('"', '""')
            ws.conditional_format(HEAD_ROW, status_col, last, status_col, {
                "type": "formula", "criteria": f'={letter}{HEAD_ROW + 1}="{quoted}"',
                "format": wb.add_format({"bg_color": fill})})
    ws.freeze_panes(HEAD_ROW, 0)
    ws.autofilter(HEAD_ROW - 1, 0, last, len(cols) - 1)
    ws.repeat_rows(HEAD_ROW - 1)
    ws.print_area(0, 0, last, printed - 1)
    ws.set_paper(9)
    if layout.orientation == "landscape":
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_margins(MARGIN_IN["left"], MARGIN_IN["right"], MARGIN_IN["top"], MARGIN_IN["bottom"])
    ws.set_footer('&C&"Times New Roman"&10Trang &P/&N', {"margin": MARGIN_IN["footer"]})
    wb.close()


def detail(args: argparse.Namespace) -> dict[str, Any]:
    """The cell list alone, openpyxl + sheet_stream against XlsxWriter, alternated, medians."""
    results: dict[str, Any] = {}
    pickle_path = consolidation(1000)
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.detail:
            runs: dict[str, list[tuple[float, int, int]]] = {"openpyxl": [], "xlsxwriter": []}
            for _ in range(args.repeat):
                for name in runs:
                    proc = subprocess.run([sys.executable, "-c", DETAIL, str(pickle_path), str(Path(tmp) / f"{name}.xlsx"),
                                           str(rows), str(HERE), name], capture_output=True, text=True, check=True)
                    s, before, peak = proc.stdout.split()[-3:]
                    runs[name].append((float(s), int(before), int(peak)))
                    print(f"{rows} rows, {name}: {float(s):.2f} s, RSS {before} MB before, peak {peak} MB, "
                          f"file {(Path(tmp) / f'{name}.xlsx').stat().st_size / 1e6:.1f} MB", flush=True)
            for name, got in runs.items():
                results[f"detail_{name}_{rows}"] = {
                    "s": [round(r[0], 3) for r in got], "median_s": round(statistics.median(r[0] for r in got), 3),
                    "rss_before_mb": statistics.median(r[1] for r in got),
                    "median_peak_rss_mb": statistics.median(r[2] for r in got),
                    "median_growth_mb": statistics.median(r[2] - r[1] for r in got)}
    return results


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


def write_report(pickle_path: Path, out: Path, forms: int, pythonpath: Path | None) -> tuple[float, int, int, float]:
    """One write in a process of its own: seconds (wall), RSS before it and its peak (MB), and the
    process's CPU seconds during it (steadier than the wall time where other work shares the cores)."""
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    proc = subprocess.run([sys.executable, "-c", WRITE, str(pickle_path), str(out), str(forms), str(HERE)],
                          capture_output=True, text=True, check=True, env=env)
    s, before, peak, cpu = proc.stdout.split()[-4:]
    return float(s), int(before), int(peak), float(cpu)


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
            runs: dict[str, list[tuple[float, int, int, float]]] = {name: [] for name, _ in writers}
            for _ in range(args.repeat):
                for name, path in writers:
                    runs[name].append(write_report(pickle_path, Path(tmp) / f"{name}-{forms}.xlsx", replicated, path))
                    s, before, peak, cpu = runs[name][-1]
                    print(f"{label} forms, {name} writer: {s:.2f} s ({cpu:.2f} s CPU), RSS {before} MB before, "
                          f"peak {peak} MB", flush=True)
            for name, _ in writers:
                results[f"{name}_{forms}"] = {
                    "s": [round(r[0], 3) for r in runs[name]],
                    "median_s": round(statistics.median(r[0] for r in runs[name]), 3),
                    "cpu_s": [round(r[3], 3) for r in runs[name]],
                    "median_cpu_s": round(statistics.median(r[3] for r in runs[name]), 3),
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
    parser.add_argument("--detail", type=int, nargs="+", default=[],
                        help="the cell list alone: openpyxl + sheet_stream against XlsxWriter, at N rows")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--compare", action="store_true", help="compare_workbooks.py on each old/new pair")
    args = parser.parse_args()
    if not args.rows and not args.report and not args.detail:
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
    if args.detail:
        results.update(detail(args))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
