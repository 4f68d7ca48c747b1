"""The house style every workbook fourgood writes shares (the forms, the roster, the control
workbook and the consolidated report): Times New Roman, the fills of headers and verdicts, the
boxes, A4 page set-up fitted to one page wide, and Times New Roman as the default font."""

from __future__ import annotations

from typing import Literal

from openpyxl import Workbook
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from .contract import FONT

__all__ = ["FONT", "HEAD_FILL", "RED_FILL", "GREEN_FILL", "AMBER_FILL", "FORM_BOX", "REPORT_BOX", "FOOTER_PT",
           "FORM_MARGINS_IN", "REPORT_MARGINS_IN", "default_font", "a4_paper", "a4_fit_width"]

HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")  # header rows
RED_FILL = PatternFill("solid", fgColor="F8CBAD")  # below, excluded, invalid
GREEN_FILL = PatternFill("solid", fgColor="C6EFCE")  # meets the standard
AMBER_FILL = PatternFill("solid", fgColor="FFEB9C")  # incomplete, unanswered

# the forms box their cells in black; the report's tables in grey, lighter on a long printed list
def _box(color: str) -> Border:
    side = Side(style="thin", color=color)
    return Border(left=side, right=side, top=side, bottom=side)


FORM_BOX, REPORT_BOX = _box("000000"), _box("808080")

FOOTER_PT = 10  # "page X/Y" in the footer
# The footer sits `footer` inches from the paper's edge, inside the bottom margin: LibreOffice gives
# it only the space between the two (openpyxl's default 0.5 left 0.1", and "4/4" printed cut in half).
FORM_MARGINS_IN = {"left": 0.5, "right": 0.5, "top": 0.6, "bottom": 0.8, "header": 0.3, "footer": 0.3}
REPORT_MARGINS_IN = {"left": 0.5, "right": 0.4, "top": 0.55, "bottom": 0.6, "header": 0.3, "footer": 0.3}


def default_font(wb: Workbook, size: int) -> None:
    """Times New Roman `size` as the workbook's default (Normal style) font: column widths are
    counted in its digits, so a width means the same printed size in Excel and LibreOffice (which
    has no Calibri on a bare Linux machine and measures it as DejaVu Sans, a third wider)."""
    normal = Font(name=FONT, size=size, family=1)
    state = vars(wb)  # openpyxl keeps both in private attributes (no public setter, no stubs)
    state["_fonts"] = IndexedList([normal])  # font 0: the default cell format's, every unstyled cell's
    state["_named_styles"]["Normal"].font = normal


def a4_paper(ws: Worksheet, orientation: Literal["portrait", "landscape"]) -> None:
    """A4 paper in `orientation`."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = orientation


def a4_fit_width(ws: Worksheet, orientation: Literal["portrait", "landscape"], margins: dict[str, float],
                 footer: str, title_rows: str | None = None) -> None:
    """A4, fit to one page wide and any number of pages tall, centred, `footer` (the page number)
    in the footer's centre; `title_rows` repeated on every page."""
    a4_paper(ws, orientation)
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    for side, inches in margins.items():
        setattr(ws.page_margins, side, inches)
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    part = ws.oddFooter
    assert part is not None  # a new sheet has its (empty) header and footer parts
    part.center.text = footer
    part.center.font, part.center.size = FONT, FOOTER_PT
