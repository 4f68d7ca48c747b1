"""The .ods backend: calamine, and a streaming read of content.xml when calamine cannot open it.

calamine stops on a content.xml whose cells are indented (Gnumeric, SheetJS) -> when calamine
fails on a package that `open_package` identified as ODS, content.xml is read here with a streaming
ElementTree parse (bounded: part size, cell count; DOCTYPE refused before).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from typing import Any
from xml.etree import ElementTree as ET

from python_calamine import CalamineWorkbook

from fourgood.problems import Problem

from ..package import Package, Refused, address, read_part
from .base import MAX_CELLS, MAX_MERGED, Flags, Grid, WorkbookView, error_summary, filled, to_grid
from .calamine import calamine_view


def view(data: bytes, pkg: Package, book: CalamineWorkbook) -> WorkbookView:
    return calamine_view(pkg, book)  # calamine read it: nothing of its own


OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"


def rescue(data: bytes, pkg: Package, error: Exception) -> WorkbookView | None:
    """content.xml read in one streaming pass (the whole workbook: sheets are listed in it)."""
    try:
        sheets = _OdsContent(read_part(pkg, "content.xml")).sheets
    except ET.ParseError as exc:
        detail = f"content.xml: {exc}; {error_summary(error)}"
        raise Refused(Problem("corrupt_file", params={"detail": detail[:200]})) from None
    return WorkbookView(pkg.format, list(sheets), pkg.names, lambda name: sheets[name].grid,
                        lambda name: sheets[name].special if name in sheets else {},
                        lambda name: sheets[name].merged if name in sheets else {}, pkg.macros)


class _OdsSheet:
    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], Any] = {}
        self.special: Flags = {}
        self.merged: dict[tuple[int, int], str] = {}
        self.grid: Grid = []


class _OdsContent:
    def __init__(self, data: bytes):
        self.sheets: dict[str, _OdsSheet] = {}
        self.count = 0
        sheet: _OdsSheet | None = None
        row = col = 0
        row_cells: list[tuple[int, Any, str | None, int, tuple[int, int]]] = []  # col, value, flag, repeat, span
        depth = 0  # nested tables (subtables) are not part of the grid
        stack: list[ET.Element] = []
        for event, elem in ET.iterparse(io.BytesIO(data), events=("start", "end")):
            if event == "start":
                stack.append(elem)
            else:
                stack.pop()
            tag = elem.tag
            if tag == f"{TABLE}table":
                if event == "start":
                    depth += 1
                    if depth == 1:
                        sheet = self.sheets.setdefault(elem.get(f"{TABLE}name", ""), _OdsSheet())
                        row = 0
                else:
                    depth -= 1
                    if depth == 0 and sheet is not None:
                        sheet.grid = to_grid(sheet.cells)
                        sheet.cells = {}
                        _drop(elem, stack)
                continue
            if sheet is None or depth != 1 or event != "end":
                continue
            if tag in (f"{TABLE}table-cell", f"{TABLE}covered-table-cell"):
                repeat = _count(elem.get(f"{TABLE}number-columns-repeated"))
                value, flag = _ods_value(elem) if tag == f"{TABLE}table-cell" else ("", None)
                span = (_count(elem.get(f"{TABLE}number-rows-spanned")),
                        _count(elem.get(f"{TABLE}number-columns-spanned")))
                row_cells.append((col, value, flag, repeat, span))
                col += repeat
                _drop(elem, stack)
            elif tag == f"{TABLE}table-row":
                repeat = _count(elem.get(f"{TABLE}number-rows-repeated"))
                if any(filled(v) or f or s != (1, 1) for _, v, f, _, s in row_cells):
                    for r in range(row, row + repeat):
                        self._put(sheet, r, row_cells)
                row += repeat
                col = 0
                row_cells = []
                _drop(elem, stack)

    def _put(self, sheet: _OdsSheet, r: int, row_cells) -> None:
        for c0, value, flag, repeat, (rows, cols) in row_cells:
            if not (filled(value) or flag or (rows, cols) != (1, 1)):
                continue
            self.count += repeat
            if self.count > MAX_CELLS:
                raise Refused(Problem("oversized_content", value=self.count, expected=MAX_CELLS))
            for c in range(c0, c0 + repeat):
                if filled(value):
                    sheet.cells[(r, c)] = value
                if flag:
                    sheet.special[(r, c)] = flag
                if (rows, cols) != (1, 1) and rows * cols <= MAX_MERGED:
                    label = f"{address(r, c)}:{address(r + rows - 1, c + cols - 1)}"
                    for rr in range(r, r + rows):
                        for cc in range(c, c + cols):
                            sheet.merged[(rr, cc)] = label


def _drop(elem: ET.Element, stack: list[ET.Element]) -> None:
    """Forget a finished element, so memory holds one row at a time, not the document."""
    elem.clear()
    if stack:
        stack[-1].remove(elem)


def _count(text: str | None) -> int:
    try:
        return max(1, int(text)) if text else 1
    except ValueError:
        return 1


def _ods_value(cell: ET.Element) -> tuple[Any, str | None]:
    kind = cell.get(f"{OFFICE}value-type")
    flag = "formula" if cell.get(f"{TABLE}formula") else None
    if cell.get(f"{CALCEXT}value-type") == "error":
        flag = "error" if flag is None else flag
    text = "\n".join(_paragraph(p) for p in cell if p.tag == f"{TEXT}p")  # not the notes' text:p
    try:
        if kind in ("float", "percentage", "currency"):
            value = float(cell.get(f"{OFFICE}value", "nan"))
            return (value if math.isfinite(value) else text), flag
        if kind == "boolean":
            return cell.get(f"{OFFICE}boolean-value", "").lower() == "true", flag
        if kind == "date":
            moment = dt.datetime.fromisoformat(cell.get(f"{OFFICE}date-value", ""))
            return (moment.date() if moment.time() == dt.time(0) else moment), flag
        if kind == "time":
            m = re.match(r"^-?PT(\d+)H(\d+)M([\d.]+)S$", cell.get(f"{OFFICE}time-value", ""))
            if m:
                return dt.timedelta(hours=int(m[1]), minutes=int(m[2]), seconds=float(m[3])), flag
    except ValueError:
        pass
    if kind == "string" and cell.get(f"{OFFICE}string-value") is not None:
        return cell.get(f"{OFFICE}string-value"), flag
    return text, flag


def _paragraph(p: ET.Element) -> str:
    """A text:p with its spaces (text:s), tabs and line breaks; notes (office:annotation) left out."""
    parts = [p.text or ""]
    for child in p:
        if child.tag == f"{TEXT}s":
            parts.append(" " * _count(child.get(f"{TEXT}c")))
        elif child.tag == f"{TEXT}tab":
            parts.append("\t")
        elif child.tag == f"{TEXT}line-break":
            parts.append("\n")
        elif child.tag != f"{OFFICE}annotation":
            parts.append(_paragraph(child))
        parts.append(child.tail or "")
    return "".join(parts)
