"""Click the "4 Tốt" buttons in Excel's Office.js object model without Excel: tests/node/excel_click.mjs
loads the installed xlwings Server client and fourgood's task-pane scripts in node, over a workbook
made of Microsoft's office-addin-mock objects (tests/node/excel_mock.mjs) seeded here from a real
.xlsx: every sheet's values (as Excel holds them: dates as serial numbers with their date format),
fills, number formats, locked cells, protection with its options, visibility, notes and defined names."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

NODE_DIR = Path(__file__).parent / "node"
CLICK = NODE_DIR / "excel_click.mjs"
# what a recent Microsoft 365 Excel reports; a test lowers one to play an older Excel
M365_SETS = {"ExcelApi": "1.20", "SharedRuntime": "1.1", "DialogApi": "1.2", "RibbonApi": "1.1"}
VISIBILITY = {"visible": "Visible", "hidden": "Hidden", "veryHidden": "VeryHidden"}
EPOCH = dt.datetime(1899, 12, 30)


def node_ready() -> bool:
    return bool(shutil.which("node")) and (NODE_DIR / "node_modules" / "office-addin-mock").is_dir()


def node_command() -> list[str]:
    """node, told to read the installed client's .js files (no package.json says "module") as ES modules."""
    out = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout
    major, minor = (int(x) for x in out.strip().lstrip("v").split(".")[:2])
    detects = major > 22 or (major == 22 and minor >= 7)  # on by default from node 22.7
    return ["node"] if detects else ["node", "--experimental-detect-module"]


def _excel_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return (value - EPOCH).total_seconds() / 86400
    if isinstance(value, dt.date):
        return (dt.datetime(value.year, value.month, value.day) - EPOCH).days
    return value


def office_protection(ws: Any) -> dict[str, Any]:
    """openpyxl's sheet protection as Office.js's WorksheetProtection: an attribute set in the file
    means that change is *protected*; Office.js's options say what is *allowed*."""
    p = ws.protection
    allow = {"allowAutoFilter": "autoFilter", "allowDeleteColumns": "deleteColumns", "allowDeleteRows": "deleteRows",
             "allowEditObjects": "objects", "allowEditScenarios": "scenarios", "allowFormatCells": "formatCells",
             "allowFormatColumns": "formatColumns", "allowFormatRows": "formatRows",
             "allowInsertColumns": "insertColumns", "allowInsertHyperlinks": "insertHyperlinks",
             "allowInsertRows": "insertRows", "allowPivotTables": "pivotTables", "allowSort": "sort"}
    options: dict[str, Any] = {key: not bool(getattr(p, attr)) for key, attr in allow.items()}
    options["selectionMode"] = ("None" if p.selectUnlockedCells else "Unlocked") if p.selectLockedCells else "Normal"
    return {"protected": bool(p.sheet), "options": options}


def seed(path: Path) -> dict[str, Any]:
    """The workbook at `path` as excel_mock.mjs's seed. Values come from calamine (what Excel shows,
    as tests/xlwings_book.py reads them); formats and protection from openpyxl."""
    from openpyxl import load_workbook
    from python_calamine import CalamineWorkbook

    wb = load_workbook(path)
    cal = CalamineWorkbook.from_path(str(path))
    sheets = []
    for ws in wb.worksheets:
        cells: dict[tuple[int, int], dict[str, Any]] = {}
        rows = cal.get_sheet_by_name(ws.title).to_python(skip_empty_area=False)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value not in ("", None):
                    cells[(r, c)] = {"v": _excel_value(value)}
        for row in ws.iter_rows():
            for cell in row:
                key = (cell.row - 1, cell.column - 1)
                rgb = cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.fill_type == "solid" else None
                extra: dict[str, Any] = {}
                if isinstance(rgb, str) and len(rgb) >= 6:
                    extra["fill"] = "#" + rgb[-6:].lower()
                if cell.number_format != "General":
                    extra["nf"] = cell.number_format
                if not cell.protection.locked:
                    extra["locked"] = False
                if extra or key in cells:
                    cells.setdefault(key, {}).update(extra)
        notes = {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}
        sheets.append({"name": ws.title, "visibility": VISIBILITY[ws.sheet_state], "protection": office_protection(ws),
                       "cells": [[r, c, v] for (r, c), v in cells.items()], "notes": notes})
    names = [{"name": name, "formula": "=" + d.attr_text} for name, d in wb.defined_names.items()]
    return {"name": path.name, "active": wb.worksheets.index(wb.active), "sheets": sheets, "names": names}


def click(server: str, workbook: dict[str, Any], steps: list[dict[str, Any]], tmp: Path, *, token: str = "",
          sets: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Run the steps (clicks and edits) in node; one result per click: alerts, requests, the workbook after."""
    import importlib.util

    import fourgood.server.app

    # found, not imported: importing xlwings_server in the test process would configure it (and the
    # process environment) for its default project before the in-process server tests configure it
    spec = importlib.util.find_spec("xlwings_server")
    assert spec is not None and spec.origin is not None
    job = {"server": server, "workbook": workbook, "steps": steps, "token": token, "sets": sets or M365_SETS,
           "xlwings_js": str(Path(spec.origin).parent / "static" / "js"),
           "fourgood_js": str(fourgood.server.app.PROJECT / "static" / "js")}
    job_path, out_path = tmp / "job.json", tmp / "result.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    run = subprocess.run([*node_command(), str(CLICK), str(job_path), str(out_path)], capture_output=True, text=True,
                         timeout=300, cwd=NODE_DIR)
    assert run.returncode == 0, run.stderr[-4000:]
    return json.loads(out_path.read_text(encoding="utf-8"))["steps"]


def sheet(state: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in state["sheets"] if s["name"] == name)


def values(state: dict[str, Any], name: str) -> dict[str, Any]:
    return {a: c["v"] for a, c in sheet(state, name)["cells"].items() if c["v"] != ""}


def fills(state: dict[str, Any], name: str) -> dict[str, Any]:
    return {a: c["fill"] for a, c in sheet(state, name)["cells"].items() if c["fill"]}


def seeded_state(workbook: dict[str, Any]) -> dict[str, Any]:
    """The seed in the snapshot's shape, to compare a sheet before and after a click."""
    from openpyxl.utils import get_column_letter

    out = []
    for s in workbook["sheets"]:
        cells = {f"{get_column_letter(c + 1)}{r + 1}": {"v": v.get("v", ""), "fill": v.get("fill"),
                                                        "nf": v.get("nf", "General")} for r, c, v in s["cells"]}
        out.append({"name": s["name"], "visibility": s["visibility"], "protection": s["protection"], "cells": cells,
                    "notes": s["notes"]})
    return {"sheets": out}
