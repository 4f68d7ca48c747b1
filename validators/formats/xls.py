"""The .xls (BIFF) backend: calamine, and xlrd where calamine is wrong or silent.

* calamine decides "date" from built-in format ids, which Gnumeric reuses for its own number
  formats (8 points -> 1900-01-08) -> when calamine returns any date or time on a sheet, xlrd
  (which classifies by the format string the file really stores) reads that sheet.
* an encrypted xls (RC4, FILEPASS record): calamine fails without saying why -> xlrd tells.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from python_calamine import CalamineWorkbook

from fourgood.problems import Problem

from ..package import Package, Refused
from .base import MAX_CELLS, Grid, WorkbookView, error_summary, merged_cells
from .calamine import calamine_view


def view(data: bytes, pkg: Package, book: CalamineWorkbook) -> WorkbookView:
    loaded: dict[str, Any] = {}
    xl: list[Any] = []  # the xlrd book, opened once when first needed

    def values(name: str) -> Grid:
        loaded[name] = book.get_sheet_by_name(name)
        grid = loaded[name].to_python(skip_empty_area=False)
        if not any(isinstance(v, (dt.date, dt.time, dt.timedelta)) for row in grid for v in row):
            return grid
        # calamine saw a date: ask xlrd, which reads the number format the file really stores
        if not xl:
            xl.append(_xlrd_book(data))
        return _xlrd_grid(xl[0], name)

    out = calamine_view(pkg, book, values)
    out.merged = lambda name: merged_cells(loaded.get(name))
    return out


def rescue(data: bytes, pkg: Package, error: Exception) -> WorkbookView | None:
    if _xls_encrypted(data):  # calamine says only "Cannot detect file format"
        raise Refused(Problem("password_protected")) from None
    return None


def _xlrd_book(data: bytes):
    import xlrd

    try:
        return xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    except Exception as exc:
        raise Refused(Problem("corrupt_file", params={"detail": error_summary(exc)})) from None


def _xls_encrypted(data: bytes) -> bool:
    """A BIFF workbook saved with a password has a FILEPASS record, which xlrd reports."""
    import xlrd
    from xlrd.biffh import XLRDError

    try:
        xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    except XLRDError as exc:
        return "encrypted" in str(exc).lower()
    except Exception:
        return False
    return False


def _xlrd_grid(xbook, name: str) -> Grid:
    import xlrd

    sheet = xbook.sheet_by_name(name)
    if sheet.nrows * sheet.ncols > MAX_CELLS:
        raise Refused(Problem("oversized_content", value=sheet.nrows * sheet.ncols, expected=MAX_CELLS))
    grid: Grid = []
    for r in range(sheet.nrows):
        row = []
        for cell in sheet.row(r):
            kind, value = cell.ctype, cell.value
            if kind == xlrd.XL_CELL_DATE:
                try:
                    value = xlrd.xldate_as_datetime(value, xbook.datemode)
                    value = value.date() if value.time() == dt.time(0) else value
                except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                    pass  # not a representable date: keep the number
            elif kind == xlrd.XL_CELL_BOOLEAN:
                value = bool(value)
            elif kind == xlrd.XL_CELL_ERROR:
                value = xlrd.error_text_from_code.get(value, "#ERR")
            elif kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                value = ""
            row.append(value)
        grid.append(row)
    return grid
