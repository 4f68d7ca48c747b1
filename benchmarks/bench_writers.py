"""Which writer for the large report sheets (detail, log)? Times and peak RSS of one detail-like
sheet written three ways, each in its own process:

    python benchmarks/bench_writers.py --rows 10000 100000

- openpyxl normal mode, styled cell by cell as report_workbook.write_table does (font, wrap,
  border, number format, a row height per row);
- openpyxl write-only mode (WriteOnlyCell with the same named styles, rows streamed);
- XlsxWriter constant_memory mode (one format object, rows streamed).

The last line printed is JSON. Needs `pip install xlsxwriter` (not a fourgood dependency).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            for name, code in (("baseline", BASELINE), ("openpyxl", NORMAL), ("openpyxl_write_only", WRITE_ONLY),
                               ("xlsxwriter_constant_memory", XLSXWRITER)):
                s, rss = run(code, rows, Path(tmp) / f"{name}-{rows}.xlsx")
                results[f"{name}_{rows}"] = {"s": round(s, 2), "peak_rss_mb": rss}
                print(f"{rows} rows, {name}: {s:.2f} s, {rss} MB", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
