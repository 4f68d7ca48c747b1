"""Build an xlwings remote-interpreter book (`xw.Book(json=...)`) from a real workbook file.

The payload is the one xlwings' Office.js client sends: every sheet's values from A1 (empty
cells as ""), the defined names with their addresses, and the sheets' notes. The book is a
real xlwings object model; every change the add-in makes is recorded as an action in
`book.json()["actions"]`, which the tests assert on.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from fourgood.validators.package import address, open_package, parse_reference


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat() + ".000Z"
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).isoformat() + ".000Z"
    if isinstance(value, float) and value.is_integer():
        return int(value)  # Office.js sends whole numbers as JSON integers
    return value


def book_json(path: str | Path, name: str | None = None) -> dict[str, Any]:
    import xlwings as xw

    data = Path(path).read_bytes()
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = []
    for sheet in wb.sheet_names:
        rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False) or [[]]
        width = max(len(r) for r in rows)
        values = [[_cell(v) for v in r] + [""] * (width - len(r)) for r in rows]
        sheets.append({"name": sheet, "values": values, "pictures": [], "tables": [], "charts": [],
                       "shapes": [], "notes": [], "notes_supported": True,
                       "visibility": "Hidden" if sheet.startswith("_") else "Visible"})
    order = list(wb.sheet_names)
    notes = _notes(data)
    for sheet in sheets:
        sheet["notes"] = [{"address": a} for a in notes.get(sheet["name"], [])]
    names = []
    for key, text in open_package(data).names.items():
        ref = parse_reference(text)
        if ref is None:
            continue
        sheet, r0, c0, r1, c1 = ref
        addr = address(r0, c0) + (f":{address(r1, c1)}" if (r0, c0) != (r1, c1) else "")
        names.append({"name": key, "sheet_index": order.index(sheet) if sheet in order else None,
                      "address": addr, "refers_to": "=" + text, "book_scope": True,
                      "scope_sheet_name": None, "scope_sheet_index": None})
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": name or Path(path).name, "active_sheet_index": 0, "selection": "A1"},
            "names": names, "sheets": sheets}


def _notes(data: bytes) -> dict[str, list[str]]:
    """Addresses of the cells that carry a note, per sheet (Office.js sends these, not the texts)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [c.coordinate for row in ws.iter_rows() for c in row if c.comment] for ws in wb.worksheets}


def remote_book(path: str | Path, name: str | None = None):
    import xlwings as xw

    return xw.Book(json=book_json(path, name))


def actions(book) -> list[dict[str, Any]]:
    return [{k: v for k, v in a.items() if v is not None} for a in book.json()["actions"]]
