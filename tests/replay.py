"""Apply the actions an xlwings remote book recorded to the workbook file it came from.

This plays Excel's part for the tests and the README picture: the result is what the staff
member would see (and what Excel would send with the next click). It covers the actions the
add-in uses and fails loudly on any other, so a new action cannot pass unnoticed.
"""

from __future__ import annotations

from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter


def _cells(ws, a: dict[str, Any]):
    for r in range(a["start_row"] + 1, a["start_row"] + a["row_count"] + 1):
        for c in range(a["start_column"] + 1, a["start_column"] + a["column_count"] + 1):
            yield ws.cell(r, c)


def replay(source: str | Path, actions: list[dict[str, Any]], target: str | Path) -> Path:
    wb = load_workbook(source)
    sheets = list(wb.worksheets)  # positions as the book saw them
    for a in actions:
        func = a["func"]
        ws = sheets[a["sheet_position"]] if a.get("sheet_position") is not None else None
        if func == "addSheet":
            position, name = a["args"]
            new = wb.create_sheet(name)
            sheets.insert(position, new)
        elif func == "sheetDelete":
            wb.remove(ws)
            sheets.remove(ws)
        elif func == "sheetClear":
            for row in ws.iter_rows():
                for cell in row:
                    cell.value = None
        elif func == "setValues":
            for i, row in enumerate(a["values"]):
                for j, value in enumerate(row):
                    cell = ws.cell(a["start_row"] + 1 + i, a["start_column"] + 1 + j)
                    cell.value = None if value == "" else value
                    if isinstance(value, str):
                        cell.data_type = "s"
        elif func == "setRangeColor":
            color = a["args"][0]
            for cell in _cells(ws, a):
                cell.fill = PatternFill("solid", fgColor=color[1:].upper()) if color else PatternFill(None)
        elif func == "setFontProperty":
            prop, value = a["args"]
            for cell in _cells(ws, a):
                font = copy(cell.font)
                setattr(font, {"bold": "b", "italic": "i", "size": "sz", "name": "name"}.get(prop, prop), value)
                cell.font = font
        elif func == "setNumberFormat":
            if a["row_count"] <= 10000:
                for cell in _cells(ws, a):
                    cell.number_format = a["args"][0]
        elif func == "setColumnWidth":  # Office.js takes points; a file counts characters (7 px + 5, 0.75 pt a px)
            for c in range(a["start_column"] + 1, a["start_column"] + a["column_count"] + 1):
                ws.column_dimensions[get_column_letter(c)].width = round((a["args"][0] / 0.75 - 5) / 7, 2)
        elif func == "setWrapText":
            for cell in _cells(ws, a):
                cell.alignment = Alignment(wrap_text=bool(a["args"][0]))
        elif func == "addNote":
            for cell in _cells(ws, a):
                cell.comment = Comment(a["args"][1], "fourgood", width=300, height=120)
        elif func == "deleteNote":
            for cell in _cells(ws, a):
                cell.comment = None
        elif func == "addHyperlink":
            for cell in _cells(ws, a):
                cell.hyperlink = a["args"][0]
                cell.font = Font(color="0563C1", underline="single")
        elif func == "setSheetVisibility":
            ws.sheet_state = "hidden" if a["args"][0] != "Visible" else "visible"
        elif func == "activateSheet":
            wb.active = wb.worksheets.index(ws)
        elif func == "alert":
            continue
        else:
            raise AssertionError(f"replay does not know the action {func!r}")
    wb._sheets = [s for s in sheets]
    wb.save(target)
    return Path(target)
