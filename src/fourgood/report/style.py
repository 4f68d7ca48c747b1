"""The report's cell styles, each built once and copied cell to cell as openpyxl's StyleArray;
merged text; the report's page set-up (house_style's A4, the report's margins and footer)."""

from __future__ import annotations

import weakref
from copy import copy
from typing import Any

from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

from ..contract import plain_value
from ..house_style import FONT, HEAD_FILL, REPORT_BOX, REPORT_MARGINS_IN, a4_fit_width
from .geometry import BODY_PT
from .labels import tr


class Style:
    """A cell style built once: its font, fill, border, alignment and number format (None: left
    as the cell has it). `apply` gives a cell the style by copying a prepared StyleArray, the
    indexes into the workbook's fonts, fills, borders… that openpyxl would compute, hashing every
    Font/Border object, on each assignment (two thirds of writing a large report)."""

    __slots__ = ("attrs", "__weakref__")

    def __init__(self, **attrs: Any) -> None:
        self.attrs = {k: v for k, v in attrs.items() if v is not None}

    def apply(self, cell: Any) -> Any:
        """Style `cell` exactly as assigning each attribute would: the result depends on the cell's
        style before (a date value has already set a date format), so that is part of the key."""
        cache = _STYLES.setdefault(cell.parent.parent, {})
        key = (id(self), tuple(cell._style or _UNSTYLED))  # None: never styled, all zeros
        done = cache.get(key)
        if done is None:
            for name, value in self.attrs.items():
                setattr(cell, name, value)
            cache[key] = (self, copy(cell._style))  # holding self keeps id(self) from being reused
        else:
            cell._style = copy(done[1])
        return cell


_UNSTYLED = (0,) * 9
# per workbook: (style, a cell's StyleArray before) -> (style, its StyleArray after)
_STYLES: weakref.WeakKeyDictionary[Any, dict[tuple[int, tuple[int, ...]], tuple[Style, Any]]] = weakref.WeakKeyDictionary()

HEADER_STYLE = Style(font=Font(name=FONT, bold=True, size=BODY_PT), fill=HEAD_FILL, border=REPORT_BOX,
                     alignment=Alignment(wrap_text=True, horizontal="center", vertical="center"))
BODY_FONT, BOLD_FONT = Font(name=FONT, size=BODY_PT), Font(name=FONT, size=BODY_PT, bold=True)
BOLD_STYLE = Style(font=BOLD_FONT)  # the upper levels of the summary
_BODY: dict[str | None, Style] = {}
_INDENTS: dict[int, Style] = {}
_MERGED: dict[tuple[Font, str], Style] = {}


def body_style(fmt: str | None) -> Style:
    """A table's body cell: 12 pt, wrapped, top-aligned, boxed, in the column's number format."""
    style = _BODY.get(fmt)
    if style is None:
        style = _BODY[fmt] = Style(font=BODY_FONT, alignment=Alignment(wrap_text=True, vertical="top"),
                                   border=REPORT_BOX, number_format=fmt or None)
    return style


def indented(level: int) -> Style:
    """The party tree's depth as a cell indent, kept on every wrapped line."""
    style = _INDENTS.get(level)
    if style is None:
        style = _INDENTS[level] = Style(alignment=Alignment(horizontal="left", wrap_text=True, vertical="top",
                                                            indent=2 * level))
    return style


def _merged_style(font: Font, horizontal: str) -> Style:
    style = _MERGED.get((font, horizontal))
    if style is None:
        style = _MERGED[(font, horizontal)] = Style(
            font=font, alignment=Alignment(horizontal=horizontal, vertical="center", wrap_text=True))
    return style


def merge(ws: Worksheet, row: int, first: int, last: int, value: Any, font: Font,
          horizontal: str = "center") -> None:
    """`value` in `font` across columns `first`..`last` of `row`, wrapped."""
    _merged_style(font, horizontal).apply(ws.cell(row, first, value))
    if last > first:
        merge_row(ws, row, first, last)


def merge_row(ws: Worksheet, row: int, first: int, last: int) -> None:
    """`ws.merge_cells` over columns `first`..`last` of `row`, its cells' formats found once per
    workbook, top-left cell's and bottom-right cell's format and width: openpyxl gives every cell
    of a merge its borders and protection by assignment, hashing each Border on every merge (most
    of the report page's merges repeat one of a few)."""
    cells: dict[tuple[int, int], Any] = ws._cells  # openpyxl's own, as merge_cells reads it
    start: Any = ws.cell(row, first)
    end = cells.get((row, last))
    cache = _MERGES.setdefault(ws.parent, {})
    key = (tuple(start._style or _UNSTYLED), None if end is None else tuple(end._style or _UNSTYLED), last - first)
    done = cache.get(key)
    if done is None:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        cache[key] = (copy(start._style), [copy(cells[row, c]._style) for c in range(first + 1, last + 1)])
        return
    ws.merged_cells.add(MergedCellRange(ws, f"{get_column_letter(first)}{row}:{get_column_letter(last)}{row}"))
    start._style = copy(done[0])
    for col, style in enumerate(done[1], first + 1):
        cell: Any = MergedCell(ws, row, col)
        cell._style = copy(style)
        cells[row, col] = cell


# per workbook: (top-left format, bottom-right format or None, width) -> the merged cells' formats after
_MERGES: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], tuple[Any, list[Any]]]] = weakref.WeakKeyDictionary()


def put(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None):
    """Write a value; text from submissions is always text, never a formula."""
    value = plain_value(value)
    cell = ws.cell(row, col, value)
    if isinstance(value, str):
        cell.data_type = "s"
    if fmt:
        cell.number_format = fmt
    return cell


def page_setup(ws: Worksheet, orientation: str, lang: str) -> None:
    """A4, fit to one page wide, any number of pages tall, page X/Y in the footer."""
    a4_fit_width(ws, "landscape" if orientation == "landscape" else "portrait", REPORT_MARGINS_IN,
                 tr(lang, ("Trang &P/&N", "Page &P of &N")))
