"""Write the consolidated provincial workbook: one formatted sheet per view, native charts,
and a hidden data sheet that lets a higher level consolidate this workbook again."""

from __future__ import annotations

import datetime as dt
import math
import os
import weakref
from collections.abc import Iterator
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from . import __version__
from .atomic import atomic_path
from .contract import (
    REPORT_SHEETS,
    ROLLUP_SHEET,
    ROLLUP_STATUSES,
    Kind,
    MetaKey,
    content_of_column,
    meta_rows,
    status_text,
)
from .problems import NOT_A_FORM_LABEL, not_a_form_files, number_text, severity_label
from .rollup import CELL_COLUMNS, Consolidation, content_columns
from .sheet_stream import TIME_TYPES, SheetRows, cell_value, cell_xml, row_xml, save_with_rows
from .spec import CELL_TYPES, DEFAULT_THRESHOLD, TOTAL_POINTS
from .structure import DEPARTMENT, GRASSROOTS, chain_from_text, kind_label
from .workbook_templates.meta import write_meta_sheet

DATA_SHEET = ROLLUP_SHEET
HEAD = PatternFill("solid", fgColor="D9E1F2")
RED, GREEN, AMBER = (PatternFill("solid", fgColor=c) for c in ("F8CBAD", "C6EFCE", "FFEB9C"))
FONT = "Times New Roman"

# (key, Vietnamese header, English header, width, number format)
Col = tuple[str, str, str, int, str | None]
COUNT_COLS: list[Col] = [
    ("expected", "Số chi bộ phải báo cáo", "Cells expected", 12, "0"),
    ("submitted", "Đã nộp", "Submitted", 10, "0"),
    ("valid", "Hợp lệ", "Valid", 10, "0"),
    ("meets", "Đạt 4 tốt", "Meet the standard", 10, "0"),
    ("below", "Dưới ngưỡng đạt", "Under the threshold", 10, "0"),
    ("veto", "Loại trừ", "Excluded", 9, "0"),
    ("incomplete", "Chưa chấm đủ", "Incomplete", 10, "0"),
    ("invalid", "Phiếu lỗi", "Invalid", 9, "0"),
    ("pass_rate", "Tỷ lệ đạt", "Pass rate", 10, "0.0%"),
    ("avg_final", "Điểm bình quân", "Average score", 10, "0.00"),
    ("avg_gap", "Chênh lệch tự chấm - cấp trên", "Self minus upper (avg)", 14, "0.00"),
]
SHEET_NAMES = REPORT_SHEETS
INDENT = "\u2003" * 2  # per level of the party tree, in the organisation column (kept by Excel and PDF text)

# --- Print layout ------------------------------------------------------------------------------
# Every table sheet is a party document on A4: the heading (issuing committee and number on the
# left, the party's name and the place and date on the right) in rows 1-4, the title in TITLE_ROW,
# the period in PERIOD_ROW and the table's header row in HEAD_ROW, repeated on every page. Column
# widths are chosen from the content so that "fit to one page wide" never scales below MIN_SCALE:
# BODY_PT text prints at BODY_PT * MIN_SCALE points or more.
TITLE_ROW, PERIOD_ROW, HEAD_ROW = 6, 7, 9
BODY_PT = 12
MIN_SCALE = 0.78  # 12 pt prints at 9.4 pt or more
MARGIN_IN = {"left": 0.5, "right": 0.4, "top": 0.55, "bottom": 0.6, "header": 0.3, "footer": 0.3}
A4_PT = (595.3, 841.9)  # portrait width, height
SIDE = Side(style="thin", color="808080")
BOX = Border(left=SIDE, right=SIDE, top=SIDE, bottom=SIDE)
DOTS = "……………………"


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


def column_pt(width: float) -> float:
    """Printed width at 100% of a column `width` characters wide. The workbook's default font is
    Times New Roman 12 (Liberation Serif where it is missing, same metrics), whose digits are
    8 px wide at 96 px to the inch; Excel adds 5 px of padding, LibreOffice none."""
    return (width * 8 + 5) * 0.75


def width_of(pt: float) -> float:
    return round((pt / 0.75 - 5) / 8, 2)


def printable_pt(orientation: str) -> float:
    page = A4_PT[1] if orientation == "landscape" else A4_PT[0]
    return page - (MARGIN_IN["left"] + MARGIN_IN["right"]) * 72


# Times New Roman 12 pt: a generous average character width, so estimated lines are never too few.
CHAR_PT, BOLD_CHAR_PT, LINE_PT = 6.0, 7.2, 14.5
# the average width for wrapping a whole text (a column's longest word is measured with CHAR_PT)
WRAP_PT, BOLD_WRAP_PT = 5.5, 6.4


def _lines(text: str, width: float, bold: bool = False) -> int:
    """Lines `text` wraps to in a column `width` characters wide (words broken when too long);
    the column as LibreOffice draws it (6 pt a character, no padding), the narrower of the two."""
    per_line = _per_line(width, bold)
    if len(text) <= per_line and "\n" not in text:  # what the loop below finds, without it
        return 1
    total = 0
    for para in str(text).split("\n"):
        lines, used = 1, 0
        for word in para.split():
            n = len(word)
            if used and used + 1 + n > per_line:
                lines, used = lines + 1, 0
            if used:
                used += 1
            while n > per_line:  # a path or a hash longer than the column breaks anywhere
                lines, n = lines + 1, n - per_line
            used += n
        total += lines
    return total


def _per_line(width: float, bold: bool = False) -> int:
    """Characters that fit on one line of a column `width` characters wide, as `_lines` counts."""
    return max(1, int((width * 6 - PAD_PT) / (BOLD_WRAP_PT if bold else WRAP_PT)))


def _height(texts: list[str], widths: list[float], bold: bool = False) -> float:
    return max([_lines(t, w, bold) for t, w in zip(texts, widths) if t] or [1]) * LINE_PT + 3


def _shown_text(value: Any, fmt: str | None) -> str:
    """What a cell shows, for measuring: numbers as their format prints them."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if fmt and fmt.endswith("%"):
        return f"{value * 100:.1f}%"
    if fmt in ("0.0", "0.00"):
        return f"{value:.{len(fmt) - 2}f}"
    return f"{value:,.0f}" if fmt == "#,##0" else str(value)


@dataclass
class ColumnLayout:
    widths: list[float]
    orientation: str
    scale: float  # the fit-to-width scale a spreadsheet program will print at (1 when it fits)
    # per column: every body cell fits one line (no text longer than a line, no line break), so
    # no row needs it measured for its height
    one_line: list[bool]


def _distinct(column: pd.Series) -> list[Any]:
    """The values of `column` that can print differently, each once: floats by their bits (0.0
    and -0.0 print differently), other typed columns by value; an object column's all (True, 1
    and 1.0 are one key but print differently)."""
    if column.dtype == "float64":
        return np.unique(column.to_numpy().view("i8")).view("f8").tolist()
    if column.dtype == object:
        return column.tolist()
    return column.unique().tolist()


def fit_columns(cols: list[Col], frame: pd.DataFrame, lang: str) -> ColumnLayout:
    """Column widths from the content, for print.

    Each column is at least as wide as its longest word (a longer word than MAX_WORD_PT, a path
    or a hash, breaks) and would like its declared width, or less when its longest text is
    shorter. A table that fits A4 portrait at COMFORT_SCALE prints portrait; else landscape,
    filling the page at 100% when it fits, else at the declared widths when they fit at
    MIN_SCALE, else squeezed towards the longest words to fit at MIN_SCALE."""
    lows, wants, longests, breaks = [], [], [], []
    for key, vi, en, declared, fmt in cols:
        header = en if lang == "en" else vi
        word, longest, broken = 1, 0, False  # the column's longest word and text (characters); a line break?
        values = [] if frame.empty else _distinct(frame[key]) if key in frame else [None]
        for value in values:
            text = value if value.__class__ is str else _shown_text(plain_value(value), fmt)
            if len(text) > word:  # a longer word can only be in a longer text
                word = max(word, *(len(w) for w in text.split()), 1)
            longest, broken = max(longest, len(text)), broken or "\n" in text
        longests.append(longest)
        breaks.append(broken)
        head_word = max([len(w) for w in header.split()] or [1])
        # body words measured bold too: the summary prints its upper levels in bold
        low = min(max(head_word, word) * BOLD_CHAR_PT + PAD_PT, MAX_WORD_PT)
        want = max(low, min(column_pt(declared), longest * CHAR_PT + PAD_PT) if longest else low)
        lows.append(low)
        wants.append(want)
    wanted = sum(wants)
    orientation = "portrait" if wanted <= printable_pt("portrait") / COMFORT_SCALE else "landscape"
    page = printable_pt(orientation)
    if wanted <= page:  # fill the page at 100%
        pts = [w * page / wanted for w in wants]
    else:
        target = page / MIN_SCALE
        if wanted <= target:
            pts = wants
        elif sum(lows) < target:  # share what the longest words leave by what each column still wants
            share = (target - sum(lows)) / (wanted - sum(lows))
            pts = [lo + (w - lo) * share for lo, w in zip(lows, wants)]
        else:
            pts = [lo * target / sum(lows) for lo in lows]
    widths = [width_of(pt) for pt in pts]
    one_line = [n <= _per_line(w) and not b for n, w, b in zip(longests, widths, breaks)]
    return ColumnLayout(widths, orientation, min(1.0, page / sum(column_pt(w) for w in widths)), one_line)


PAD_PT = 9.0  # cell padding and a border each side
MAX_WORD_PT = 100.0  # no column is widened past this for one long word (paths, hashes): they break
COMFORT_SCALE = 0.9  # 12 pt prints at 10.8 pt


def default_font(wb: Workbook) -> None:
    """Times New Roman 12 as the workbook's default font: column widths are counted in its
    digits, so a width means the same printed size in Excel and LibreOffice (which has no
    Calibri on a bare Linux machine and would measure columns in another font)."""
    font = Font(name=FONT, size=BODY_PT, family=1)
    wb._fonts = IndexedList([font])  # type: ignore[attr-defined]  # the font every unstyled cell uses
    wb._named_styles["Normal"].font = font  # type: ignore[attr-defined]


def page_setup(ws: Worksheet, orientation: str, lang: str) -> None:
    """A4, fit to one page wide, any number of pages tall, page X/Y in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if orientation == "landscape" else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    for side, inches in MARGIN_IN.items():
        setattr(ws.page_margins, side, inches)
    ws.print_options.horizontalCentered = True
    footer = ws.oddFooter
    assert footer is not None  # a new sheet has its (empty) header and footer parts
    footer.center.text = _t(lang, ("Trang &P/&N", "Page &P of &N"))
    footer.center.font, footer.center.size = FONT, 10


@dataclass
class Letterhead:
    """The heading of a party document and the signature block that closes it."""

    issuer: list[str]  # the committee above the issuer, then the issuing committee (upper case)
    place: str
    date: dt.date
    period: str
    lang: str = "vi"

    @classmethod
    def placeholder(cls, lang: str) -> Letterhead:
        return cls([DOTS * 2], DOTS, dt.date.today(), "", lang)

    def date_line(self) -> str:
        d = self.date
        if self.lang == "en":
            return f"{self.place}, {d.day} {d.strftime('%B')} {d.year}"
        # a party document writes days under 10 and months under 3 with a leading zero
        day = f"{d.day:02d}"
        month = f"{d.month:02d}" if d.month < 3 else str(d.month)
        return f"{self.place}, ngày {day} tháng {month} năm {d.year}"

    def signer(self) -> list[str]:
        """Who signs: a board (Ban …) signs as its head; a party committee for its standing committee."""
        own = self.issuer[-1] if self.issuer else ""
        if own.startswith("BAN "):
            return [_t(self.lang, ("TRƯỞNG BAN", "HEAD OF THE BOARD"))]
        return [_t(self.lang, ("T/M BAN THƯỜNG VỤ", "FOR THE STANDING COMMITTEE"))]


def period_text(periods: list[str], lang: str) -> str:
    """"tháng 11 năm 2026" for 2026-11, "năm 2026" for 2026; several joined by commas."""
    def one(p: str) -> str:
        year, _, month = str(p).partition("-")
        if lang == "en":
            return dt.date(int(year), int(month), 1).strftime("%B %Y") if month.isdigit() else year
        return f"tháng {int(month)} năm {year}" if month.isdigit() else f"năm {year}"
    shown = [one(p) for p in periods if str(p)[:4].isdigit()]
    return ", ".join(shown)


def letterhead(c: Consolidation, lang: str, run_at: dt.datetime, *, issuer: str | None = None,
               place: str | None = None, province: str | None = None, period: str | None = None) -> Letterhead:
    """The heading: --issuer and --place when given, else derived from the province (the
    roster's, else the forms'), else dotted lines to fill by hand."""
    province = (province or c.province or _mode(c.cells, "province") or "").strip()
    kind, name = _province_parts(province)
    lines = [x.strip().upper() for x in (issuer or "").replace("|", "\n").splitlines() if x.strip()]
    top = f"ĐẢNG BỘ {kind} {name}".upper() if name else ""
    if len(lines) == 1 and top and lines[0] != top:
        lines.insert(0, top)  # the committee above the issuer, as a party document names it
    if not lines:
        board = "BAN TỔ CHỨC " + ("THÀNH ỦY" if kind == "thành phố" else "TỈNH ỦY")
        lines = [top, board] if name else [DOTS * 2]
    periods = sorted({str(p) for f in (c.cells, c.missing) if "period" in f for p in f["period"].dropna() if str(p)})
    text = period_text([c.year.year] if c.year is not None else periods or ([period] if period else []), lang)
    return Letterhead(lines, (place or name or DOTS).strip(), run_at.date(), text, lang)


def _mode(frame: pd.DataFrame, col: str) -> str | None:
    if col not in frame:
        return None
    values = frame[col].dropna().astype(str).str.strip()
    values = values[values != ""]
    return str(values.mode().iloc[0]) if not values.empty else None


def _province_parts(province: str) -> tuple[str, str]:
    """("tỉnh", "Hà Tĩnh") from "Tỉnh Hà Tĩnh"; ("thành phố", "Hà Nội") from "TP. Hà Nội"."""
    low = province.lower()
    for prefix, kind in (("đảng bộ thành phố ", "thành phố"), ("đảng bộ tỉnh ", "tỉnh"), ("thành phố ", "thành phố"),
                         ("tp. ", "thành phố"), ("tp ", "thành phố"), ("tỉnh ", "tỉnh")):
        if low.startswith(prefix):
            return kind, province[len(prefix):].strip()
    return "tỉnh", province


def shown_paths(files: list[str]) -> dict[str, str]:
    """Each input file as the board knows it: its path inside the folder that holds them all (the
    folder consolidated), whole, never shortened, so two files of the same name stay apart."""
    # strings, and the common folder of the distinct folders: 100,000 resolved Paths and their
    # split parts held at once took about 100 MB
    paths = {f: os.path.realpath(f) for f in files if isinstance(f, str) and f}
    if len(paths) < 2:
        return {f: os.path.basename(p) for f, p in paths.items()}
    try:
        base = os.path.commonpath({os.path.dirname(p) for p in paths.values()})
    except ValueError:  # different drives
        return {}
    return {f: os.path.relpath(p, base).replace(os.sep, "/") for f, p in paths.items()}


def _with_shown_files(frame: pd.DataFrame, shown: dict[str, str]) -> pd.DataFrame:
    if "file" not in frame or frame.empty:
        return frame
    return frame.assign(file=frame["file"].map(lambda f: shown.get(f, f) if isinstance(f, str) else f))


_MERGED: dict[tuple[Font, str], Style] = {}


def _merged_style(font: Font, horizontal: str) -> Style:
    style = _MERGED.get((font, horizontal))
    if style is None:
        style = _MERGED[(font, horizontal)] = Style(
            font=font, alignment=Alignment(horizontal=horizontal, vertical="center", wrap_text=True))
    return style


def _merge(ws: Worksheet, row: int, first: int, last: int, value: Any, font: Font,
           horizontal: str = "center") -> None:
    _merged_style(font, horizontal).apply(ws.cell(row, first, value))
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _split(widths: list[float], shares: list[float]) -> list[tuple[int, int]]:
    """Column spans (first, last) dividing the table's width by `shares` (at least one column each)."""
    total, spans, start, acc = sum(widths), [], 1, 0.0
    bounds = [sum(shares[:k + 1]) * total for k in range(len(shares))]
    for k, bound in enumerate(bounds):
        end = start
        remaining = len(shares) - k - 1
        while end < len(widths) - remaining and acc + widths[end - 1] <= bound + widths[end - 1] / 2:
            acc += widths[end - 1]
            end += 1
        end = max(start, min(end - 1, len(widths) - remaining))
        if k == len(shares) - 1:
            end = len(widths)
        spans.append((start, end))
        start = end + 1
    return spans


def _heading(ws: Worksheet, h: Letterhead, widths: list[float], title: str) -> None:
    n = len(widths)
    (l1, l2), (r1, r2) = _split(widths, [0.42, 0.58]) if n > 1 else [(1, 1), (1, 1)]
    regular, bold = Font(name=FONT, size=13), Font(name=FONT, size=13, bold=True)
    issuer = h.issuer if len(h.issuer) > 1 else ["", *h.issuer]
    _merge(ws, 1, l1, l2, issuer[0], regular)
    _merge(ws, 2, l1, l2, issuer[1], bold)
    _merge(ws, 3, l1, l2, "*", regular)
    _merge(ws, 4, l1, l2, _t(h.lang, ("Số: ……-BC", "No.: ……")), regular)
    if n > 1:
        _merge(ws, 1, r1, r2, _t(h.lang, ("ĐẢNG CỘNG SẢN VIỆT NAM", "COMMUNIST PARTY OF VIET NAM")),
               Font(name=FONT, size=14, bold=True, underline="single"))
        _merge(ws, 4, r1, r2, h.date_line(), Font(name=FONT, size=13, italic=True))
    for r in range(1, 5):
        ws.row_dimensions[r].height = 19
    ws.row_dimensions[5].height = 12
    _merge(ws, TITLE_ROW, 1, n, title, Font(name=FONT, size=15, bold=True))
    ws.row_dimensions[TITLE_ROW].height = max(24.0, 22.0 * _lines(title, sum(widths) * 0.8, True))
    period = _t(h.lang, ("Kỳ đánh giá: ", "Period: ")) + (h.period or DOTS)
    _merge(ws, PERIOD_ROW, 1, n, period, Font(name=FONT, size=13, italic=True))
    ws.row_dimensions[PERIOD_ROW].height = 19
    ws.row_dimensions[HEAD_ROW - 1].height = 8


def signature_block(ws: Worksheet, h: Letterhead, widths: list[float], first_row: int) -> int:
    """Close the sheet as a party report: recipients on the left, who drew up the table in the
    middle, the signer for the issuing committee on the right, with room to sign. Returns its last row."""
    (a1, a2), (b1, b2), (c1, c2) = _split(widths, [0.34, 0.28, 0.38]) if len(widths) >= 3 else [(1, 1)] * 3
    lang = h.lang
    plain, bold, italic = Font(name=FONT, size=12), Font(name=FONT, size=13, bold=True), Font(name=FONT, size=12, italic=True)
    r = first_row
    _merge(ws, r, a1, a2, _t(lang, ("Nơi nhận:", "To:")), Font(name=FONT, size=12, bold=True, underline="single"), "left")
    _merge(ws, r, b1, b2, _t(lang, ("NGƯỜI LẬP BIỂU", "PREPARED BY")), bold)
    _merge(ws, r, c1, c2, h.signer()[0], bold)
    _merge(ws, r + 1, a1, a2, _t(lang, ("- Cấp ủy cấp trên (để báo cáo),", "- The committee above (for report),")),
           plain, "left")
    _merge(ws, r + 1, b1, b2, _t(lang, ("(Ký, ghi rõ họ tên)", "(Signature, full name)")), italic)
    _merge(ws, r + 1, c1, c2, _t(lang, ("(Ký tên, đóng dấu)", "(Signature and seal)")), italic)
    _merge(ws, r + 2, a1, a2, _t(lang, ("- Các cấp ủy trực thuộc,", "- The committees below,")), plain, "left")
    _merge(ws, r + 3, a1, a2, _t(lang, ("- Lưu.", "- File.")), plain, "left")
    for k in range(r, r + 4):
        ws.row_dimensions[k].height = 18
    for k in range(r + 4, r + 7):
        ws.row_dimensions[k].height = 22  # room to sign
    _merge(ws, r + 7, b1, b2, DOTS, plain)
    _merge(ws, r + 7, c1, c2, DOTS, plain)
    return r + 7



def _t(lang: str, pair: tuple[str, str]) -> str:
    return pair[1] if lang == "en" else pair[0]


def put(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None):
    """Write a value; text from submissions is always text, never a formula."""
    value = plain_value(value)
    cell = ws.cell(row, col, value)
    if isinstance(value, str):
        cell.data_type = "s"
    if fmt:
        cell.number_format = fmt
    return cell


HEADER_STYLE = Style(font=Font(name=FONT, bold=True, size=BODY_PT), fill=HEAD, border=BOX,
                     alignment=Alignment(wrap_text=True, horizontal="center", vertical="center"))
BODY_FONT, BOLD_FONT = Font(name=FONT, size=BODY_PT), Font(name=FONT, size=BODY_PT, bold=True)
BOLD_STYLE = Style(font=BOLD_FONT)  # the upper levels of the summary
_BODY: dict[str | None, Style] = {}


def body_style(fmt: str | None) -> Style:
    """A table's body cell: 12 pt, wrapped, top-aligned, boxed, in the column's number format."""
    style = _BODY.get(fmt)
    if style is None:
        style = _BODY[fmt] = Style(font=BODY_FONT, alignment=Alignment(wrap_text=True, vertical="top"),
                                   border=BOX, number_format=fmt or None)
    return style


def write_table(ws: Worksheet, frame: pd.DataFrame, cols: list[Col], lang: str, title: str,
                heading: Letterhead | None = None, bold: pd.Series | None = None) -> SheetRows:
    """Lay out one table under its print heading; return its body rows, to be written by
    `save_with_rows` (openpyxl would hold every cell of a large table in memory).

    The rows above the table are the party document's heading (rows 1-4), the title (TITLE_ROW)
    and the period (PERIOD_ROW); the header row is HEAD_ROW on every sheet whatever the heading
    holds, and is repeated on every printed page. `bold`: the rows printed in bold (the summary's
    upper levels), one flag per row of `frame`."""
    heading = heading or Letterhead.placeholder(lang)
    head = HEAD_ROW
    layout = fit_columns(cols, frame, lang)
    widths = layout.widths
    for j, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = width
    _heading(ws, heading, widths, title)
    for j, (_, vi, en, _, _) in enumerate(cols, 1):
        HEADER_STYLE.apply(ws.cell(head, j, en if lang == "en" else vi))
    ws.row_dimensions[head].height = _height([en if lang == "en" else vi for _, vi, en, _, _ in cols], widths, True)
    body = TableBody(ws, frame, [key for key, *_ in cols], [fmt for *_, fmt in cols], layout, head + 1, bold)
    rows = body.rows()
    last = head + max(rows.last - head, 1)
    ws.freeze_panes = f"A{head + 1}"
    ws.auto_filter.ref = f"A{head}:{get_column_letter(len(cols))}{last}"
    ws.print_title_rows = f"{head}:{head}"
    page_setup(ws, layout.orientation, lang)
    return rows


ROW_CHUNK = 1000  # rows turned into XML at a time: memory stays flat, per-call costs are shared


def _chunks(column: pd.Series | None, n: int) -> Iterator[list[Any]]:
    """The first `n` values of `column` (None for each when there is no column), ROW_CHUNK at a
    time, as Python values: what `frame.to_dict("records")` gave, without a dict per row."""
    for a in range(0, n, ROW_CHUNK):
        b = min(n, a + ROW_CHUNK)
        yield column.iloc[a:b].tolist() if column is not None else [None] * (b - a)


def _column_chunks(frame: pd.DataFrame, key: str) -> Iterator[list[Any]]:
    """`frame[key]` in chunks; a table's rows are none when the frame is empty (as records were)."""
    return _chunks(frame[key] if key in frame else None, 0 if frame.empty else len(frame))


class TableBody:
    """A table's body cells, styled as `body_style` (and `BOLD_STYLE` on the `bold` rows) when laid
    out (`layout`), each row as high as `_height` measures it; unstyled, with no heights, when not
    (the hidden roll-up sheet). Made into XML ROW_CHUNK rows at a time while saving."""

    def __init__(self, ws: Worksheet, frame: pd.DataFrame, keys: list[str], fmts: list[str | None],
                 layout: ColumnLayout | None, first: int, bold: pd.Series | None = None) -> None:
        self.ws, self.frame, self.keys, self.fmts, self.layout, self.first = ws, frame, keys, fmts, layout, first
        self.bold = bold
        self._ids: dict[tuple[int, bool, type | None], int | None] = {}

    def rows(self) -> SheetRows:
        n = 0 if self.frame.empty else len(self.frame)
        return SheetRows(self.ws, self.first, self.first + n - 1, len(self.keys), self._xml())

    def style_id(self, j: int, value: Any, bold: bool) -> int | None:
        """The cell format (xf) of column `j`'s cell holding `value`: found by styling a cell that
        is never placed, exactly as a placed one was styled (a date value first sets a date format)."""
        date = type(value) if isinstance(value, TIME_TYPES) else None
        key = (j, bold, date)
        if key not in self._ids:
            cell = Cell(self.ws, self.first, j + 1, value if date else None)
            if self.layout is not None:
                body_style(self.fmts[j]).apply(cell)
                if bold:
                    BOLD_STYLE.apply(cell)
            self._ids[key] = cell.style_id if cell.has_style else None
        return self._ids[key]

    def _xml(self) -> Iterator[str]:
        letters = [get_column_letter(j) for j in range(1, len(self.keys) + 1)]
        chunks = [_column_chunks(self.frame, key) for key in self.keys]
        bolds = _chunks(self.bold, len(self.bold)) if self.bold is not None else None
        first = self.first
        for raw in zip(*chunks):
            size = len(raw[0])
            numbers = range(first, first + size)
            bold = next(bolds) if bolds is not None else [False] * size
            cells, lines = [], []
            for j, (letter, values) in enumerate(zip(letters, raw)):
                values = [_stored(v) for v in values]
                ids = (self.style_id(j, None, False), self.style_id(j, None, True) if True in bold else None)
                cells.append([cell_xml(f"{letter}{r}", v, self.style_id(j, v, b) if isinstance(v, TIME_TYPES) else ids[b])
                              for r, v, b in zip(numbers, values, bold)])
                if self.layout is not None and not self.layout.one_line[j]:
                    fmt, width = self.fmts[j], self.layout.widths[j]
                    texts = (v if v.__class__ is str else _shown_text(v, fmt) for v in values)
                    lines.append([_lines(t, width) if t else 1 for t in texts])
            heights: list[float | None] = [None] * size
            if self.layout is not None:  # as _height: the most lines of any cell of the row
                heights = [max(row) * LINE_PT + 3 for row in zip(*lines)] if lines else [LINE_PT + 3] * size
            yield "".join(row_xml(r, "".join(row), h) for r, row, h in zip(numbers, zip(*cells), heights))
            first += size


def _stored(value: Any) -> Any:
    """What write_table's cell held: plain_value, then as openpyxl stores it (sheet_stream.cell_value)."""
    if value.__class__ is float:  # most cells: a float column's values, NaN for empty
        return None if value != value else value
    return cell_value(value if value.__class__ is str else plain_value(value))


def _status_rules(ws: Worksheet, col: int, head: int, last: int, lang: str, thresholds: list[float]) -> None:
    letter = get_column_letter(col)
    rng = f"{letter}{head + 1}:{letter}{max(last, head + 1)}"
    fills = {"meets": GREEN, "below": RED, "veto": RED, "incomplete": AMBER, "invalid": RED}
    labels = {(status_text(s, lang, t), fill) for s, fill in fills.items() for t in ((*thresholds,) or (None,))}
    for text, fill in sorted(labels, key=lambda x: x[0]):
        quoted = text.replace('"', '""')
        ws.conditional_formatting.add(rng, FormulaRule(formula=[f'{letter}{head + 1}="{quoted}"'], fill=fill))


def thresholds_of(c: Consolidation) -> list[float]:
    """The pass thresholds of the cells' specs (one for a province on one table)."""
    if "threshold" not in c.cells:
        return []
    return sorted({float(v) for v in pd.to_numeric(c.cells["threshold"], errors="coerce").dropna()})


def _below_title(thresholds: list[float], lang: str) -> tuple[str, str]:
    if len(thresholds) == 1:
        vi = f"{thresholds[0]:g}".replace(".", ",")
        return (f"CHI BỘ DƯỚI NGƯỠNG ĐẠT {vi} ĐIỂM (thấp nhất trước)",
                f"CELLS UNDER THE THRESHOLD OF {thresholds[0]:g} POINTS (lowest first)")
    return ("CHI BỘ DƯỚI NGƯỠNG ĐẠT (thấp nhất trước)", "CELLS UNDER THE THRESHOLD (lowest first)")


def _rate_rules(ws: Worksheet, col: int, head: int, last: int) -> None:
    letter = get_column_letter(col)
    rng = f"{letter}{head + 1}:{letter}{max(last, head + 1)}"
    ws.conditional_formatting.add(rng, CellIsRule(operator="lessThan", formula=["0.8"], fill=RED))
    ws.conditional_formatting.add(rng, CellIsRule(operator="greaterThanOrEqual", formula=["0.95"], fill=GREEN))


@dataclass
class ReportTable:
    """One sheet of the consolidated workbook as data: the openpyxl writer and the Excel add-in
    both lay these out, so a file written by the command line and a workbook consolidated from
    Excel hold the same figures."""

    key: str
    sheet: str
    title: str
    cols: list[Col]
    frame: pd.DataFrame

    def rows(self) -> list[list[Any]]:
        records = self.frame.to_dict("records") if not self.frame.empty else []
        return [[plain_value(rec.get(key)) for key, *_ in self.cols] for rec in records]

    def header(self, lang: str) -> list[str]:
        return [en if lang == "en" else vi for _, vi, en, _, _ in self.cols]


def plain_value(value: Any) -> Any:
    """What a spreadsheet cell takes: NaN becomes empty, NumPy scalars plain Python."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


def report_tables(c: Consolidation, lang: str = "vi") -> list[ReportTable]:
    names = {k: _t(lang, v) for k, v in SHEET_NAMES.items()}
    thresholds = thresholds_of(c)
    single = thresholds[0] if len(thresholds) == 1 else None

    def st(s: Any, threshold: Any = single) -> Any:
        if isinstance(s, str) and s in ROLLUP_STATUSES:
            t = float(threshold) if isinstance(threshold, (int, float)) and not math.isnan(threshold) else single
            return status_text(s, lang, t)
        return _t(lang, ("Chưa nộp", "Missing")) if s == "missing" else s

    def labels(frame: pd.DataFrame) -> list[Any]:
        ts = frame["threshold"] if "threshold" in frame else [single] * len(frame)
        return [st(s, t) for s, t in zip(frame["status"], ts)]

    type_name = lambda t: (CELL_TYPES[t].name_en if lang == "en" else CELL_TYPES[t].name_vi) if t in CELL_TYPES else t  # noqa: E731
    tables = []
    shown = shown_paths(list(c.files["file"]) if "file" in c.files else [])

    yes_no = lambda v: _t(lang, ("Có", "Yes")) if v else _t(lang, ("Không", "No"))  # noqa: E731
    h = c.hierarchy.assign(
        level_label=[kind_label(k, lang) for k in c.hierarchy["kind"]],
        org_label=[INDENT * int(d) + str(n) for d, n in zip(c.hierarchy["depth"], c.hierarchy["name"])],
        all_label=c.hierarchy["all_cells_4good"].map(yes_no))
    tables.append(ReportTable("hierarchy", names["hierarchy"],
                              _t(lang, ("TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ “CHI BỘ 4 TỐT”", "“CHI BỘ 4 TỐT” CONSOLIDATED RESULTS")),
                              [("period", "Kỳ", "Period", 9, "@"),
                               ("org_label", "Tổ chức đảng", "Party organisation", 46, None),
                               ("level_label", "Cấp", "Level", 16, None), *COUNT_COLS,
                               ("all_label", "100% chi bộ đạt", "100% of cells 4-good", 10, None)], h))

    bt = c.by_type.assign(cell_type=c.by_type["cell_type"].map(type_name))
    tables.append(ReportTable("by_type", names["by_type"], _t(lang, ("TỔNG HỢP THEO LOẠI CHI BỘ", "BY CELL TYPE")),
                              [("period", "Kỳ", "Period", 9, "@"), ("cell_type", "Loại chi bộ", "Cell type", 36, None),
                               *COUNT_COLS], bt))

    parents = dict(zip(c.hierarchy["node"], c.hierarchy["name"]))
    g = c.grassroots.assign(all_label=c.grassroots["all_cells_4good"].map(yes_no),
                            parent_name=c.grassroots["parent"].map(parents).fillna(""))
    tables.append(ReportTable("grassroots", names["grassroots"],
                              _t(lang, ("TỔ CHỨC CƠ SỞ ĐẢNG: TỶ LỆ CHI BỘ ĐẠT “CHI BỘ 4 TỐT”",
                                        "GRASSROOTS ORGANISATIONS: SHARE OF 4-GOOD CELLS")),
                              [("period", "Kỳ", "Period", 9, "@"),
                               ("parent_name", "Cấp ủy cấp trên", "Committee above", 32, None),
                               ("name", "Tổ chức cơ sở đảng", "Grassroots organisation", 34, None),
                               ("expected", "Số chi bộ trực thuộc", "Cells", 11, "0"),
                               ("meets", "Đạt 4 tốt", "Meet", 10, "0"),
                               ("pass_rate", "Tỷ lệ đạt", "Share meeting", 10, "0.0%"),
                               ("all_label", "100% chi bộ đạt “Chi bộ 4 tốt”", "100% of cells 4-good", 16, None)], g))

    d = c.cells.assign(status_label=labels(c.cells), cell_type_label=c.cells["cell_type"].map(type_name),
                       source_label=c.cells["final_source"].map(
                           lambda v: _t(lang, ("Cấp trên", "Upper level")) if v == "upper" else _t(lang, ("Tự chấm", "Self"))))
    tables.append(ReportTable("detail", names["detail"], _t(lang, ("CHI TIẾT KẾT QUẢ TỪNG CHI BỘ", "RESULT OF EACH CELL")), [
        ("period", "Kỳ", "Period", 9, "@"), ("upper_committee", "Cấp ủy cấp trên cơ sở", "Upper-level committee", 28, None),
        ("grassroots", "Đảng bộ cơ sở", "Grassroots committee", 28, None), ("cell_code", "Mã chi bộ", "Cell code", 12, "@"),
        ("cell_name", "Tên chi bộ", "Cell name", 32, None), ("cell_type_label", "Loại chi bộ", "Cell type", 22, None),
        *[(col, f"Nội dung {content_of_column(col)}", f"Content {content_of_column(col)}", 9, "0.0")
          for col in content_columns({}, c.cells)],
        ("self_total", "Tự chấm", "Self score", 9, "0.0"), ("upper_total", "Cấp trên chấm", "Upper score", 9, "0.0"),
        ("final_total", "Điểm cuối cùng", "Final score", 9, "0.0"), ("source_label", "Nguồn điểm", "Score from", 11, None),
        ("gap", "Chênh lệch", "Self - upper", 9, "0.0"), ("status_label", "Kết quả", "Result", 26, None),
        ("file", "Tệp nguồn", "Source file", 40, None)], _with_shown_files(d, shown)))

    b = c.below.assign(cell_type_label=c.below["cell_type"].map(type_name)) if not c.below.empty else c.below
    tables.append(ReportTable("below", names["below"],
                              _t(lang, _below_title(thresholds, lang)), [
        ("period", "Kỳ", "Period", 9, "@"), ("upper_committee", "Cấp ủy cấp trên cơ sở", "Upper-level committee", 28, None),
        ("grassroots", "Đảng bộ cơ sở", "Grassroots committee", 28, None),
        ("cell_code", "Mã chi bộ", "Cell code", 12, "@"), ("cell_name", "Tên chi bộ", "Cell name", 32, None),
        ("cell_type_label", "Loại chi bộ", "Cell type", 22, None),
        ("final_total", "Điểm cuối cùng", "Final score", 10, "0.0"),
        ("weakest_content", "Nội dung yếu nhất", "Weakest content", 11, None),
        ("weakest_share", "Tỷ lệ điểm nội dung đó", "Its share of maximum", 11, "0.0%"),
        ("file", "Tệp nguồn", "Source file", 40, None)], _with_shown_files(b, shown)))

    bc = c.by_criterion.assign(cell_type=c.by_criterion["cell_type"].map(type_name))
    tables.append(ReportTable("by_criterion", names["by_criterion"],
                              _t(lang, ("TIÊU CHÍ YẾU NHẤT CỦA TỈNH (tỷ lệ điểm bình quân so với điểm chuẩn)",
                                        "THE PROVINCE'S WEAKEST CRITERIA (average share of the maximum)")), [
        ("cell_type", "Loại chi bộ", "Cell type", 22, None), ("content_id", "Nội dung", "Content", 8, None),
        ("criterion_id", "Tiêu chí", "Criterion", 8, "@"), ("criterion", "Nội dung tiêu chí", "Criterion text", 60, None),
        ("version", "Theo bảng phiên bản", "Table version", 10, "@"),  # '' unless the versions word it differently
        ("max", "Điểm chuẩn", "Max", 8, "0.0"), ("cells", "Số phiếu", "Forms", 8, "0"),
        ("avg_score", "Điểm bình quân", "Average", 9, "0.00"),
        ("avg_share", "Tỷ lệ so với điểm chuẩn", "Share of max", 10, "0.0%")], bc))

    m = c.missing.assign(status_label=labels(c.missing), cell_type=c.missing["cell_type"].map(type_name))
    tables.append(ReportTable("missing", names["missing"], _t(lang, ("CHI BỘ CHƯA CÓ PHIẾU HỢP LỆ", "CELLS WITH NO VALID SUBMISSION")), [
        ("period", "Kỳ", "Period", 9, "@"), ("upper_committee", "Cấp ủy cấp trên cơ sở", "Upper-level committee", 30, None),
        ("grassroots", "Đảng bộ cơ sở", "Grassroots committee", 30, None), ("cell_code", "Mã chi bộ", "Cell code", 12, "@"),
        ("cell_name", "Tên chi bộ", "Cell name", 32, None), ("cell_type", "Loại chi bộ", "Cell type", 22, None),
        ("status_label", "Tình trạng", "State", 22, None)], m))

    # Severities in words (Lỗi / Cảnh báo); the stable problem code keeps a column of its own.
    rj = c.rejected.assign(severity_label=[severity_label(v, lang) for v in c.rejected["severity"]])
    tables.append(ReportTable("rejected", names["rejected"], _t(lang, ("TỆP BỊ TỪ CHỐI VÀ LÝ DO", "REJECTED FILES AND WHY")), [
        ("file", "Tệp", "File", 44, None), ("code", "Mã lỗi", "Code", 20, None),
        ("severity_label", "Mức", "Severity", 9, None), ("message", "Nội dung", "Message", 70, None),
        ("sheet", "Trang", "Sheet", 14, None), ("cell", "Ô", "Cell", 8, None),
        ("criterion", "Tiêu chí", "Criterion", 9, "@")], _with_shown_files(rj, shown)))

    verdicts = {"counted": ("Được tính", "Counted"), "superseded": ("Trùng, không tính", "Duplicate, not counted"),
                "rejected": ("Bị từ chối", "Rejected"), "skipped": ("Bỏ qua", "Skipped"),
                "not_a_form": NOT_A_FORM_LABEL}
    not_forms = not_a_form_files(c.problems)  # rejected, and not a scoring form at all (a PDF, the roster…)
    verdict = [("not_a_form" if v == "rejected" and f in not_forms else v) for v, f in zip(c.files["verdict"], c.files["file"])]
    lg = c.files.assign(verdict_label=[_t(lang, verdicts[v]) for v in verdict])
    tables.append(ReportTable("log", names["log"], _t(lang, ("NHẬT KÝ: MỖI TỆP ĐẦU VÀO MỘT DÒNG", "LOG: ONE ROW PER INPUT FILE")), [
        ("file", "Tệp", "File", 50, None), ("size", "Dung lượng (byte)", "Size (bytes)", 12, "#,##0"),
        ("sha256", "SHA-256", "SHA-256", 20, None), ("verdict_label", "Kết luận", "Verdict", 18, None),
        ("reason", "Lý do", "Reason", 60, None), ("spec_version", "Phiên bản tiêu chí", "Criteria version", 10, "@"),
        ("fingerprint", "Vân tay tiêu chí", "Criteria fingerprint", 24, None)], _with_shown_files(lg, shown)))
    if c.year is not None:  # --period YYYY: the year view's sheets after the month-level ones
        tables += year_tables(c.year, lang, st, type_name)
    return tables


YEAR_SHEETS = {"year_cells": ("Cả năm - từng chi bộ", "Year - each cell"),
               "year_hierarchy": ("Cả năm - theo cấp", "Year - by level"),
               "year_missing": ("Cả năm - thiếu tháng", "Year - missing months")}
YEAR_RULE_LABELS = {"year_end": ("Đánh giá cuối năm", "Year-end evaluation"),
                    "average": ("Bình quân 12 tháng", "Average of 12 months"),
                    "": ("Chưa đủ dữ liệu", "Not enough data")}
MONTH_MARKS = {"veto": ("LT", "Ex"), "incomplete": ("CĐ", "Inc"), "invalid": ("Lỗi", "Err")}


def year_tables(y: Any, lang: str, st: Any, type_name: Any) -> list[ReportTable]:
    """The year view (yearview.YearView) as three sheets: each cell's months and verdict, the tree's
    figures for the year (with last year's and the change when the batch holds them), missing months."""
    names = {k: _t(lang, v) for k, v in YEAR_SHEETS.items()}
    undecided = _t(lang, YEAR_RULE_LABELS[""])

    def verdict(status: Any, threshold: Any) -> Any:
        return "" if not status else undecided if status == "undecided" else st(status, threshold)

    def month(score: Any, status: Any) -> Any:  # the final score; a short mark when there is none
        if status in MONTH_MARKS:
            return _t(lang, MONTH_MARKS[status])
        return None if status == "missing" else score

    cells = y.cells
    parent = [(chain_from_text(ch)[-1].name if chain_from_text(ch) else "") for ch in cells["org_chain"]]
    months = {f"T{m}": [month(v, s) for v, s in zip(cells[f"m{m:02d}"], cells[f"m{m:02d}_status"])]
              for m in range(1, 13)}
    d = cells.assign(parent_name=parent, **months,
                     verdict_label=[verdict(s, t) for s, t in zip(cells["year_status"], cells["threshold"])],
                     rule_label=[_t(lang, YEAR_RULE_LABELS.get(r, ("", ""))) for r in cells["rule"]],
                     prev_label=[verdict(s, t) for s, t in zip(cells["prev_status"], cells["threshold"])])
    cols: list[Col] = [("parent_name", "Trực thuộc", "Under", 26, None), ("cell_code", "Mã chi bộ", "Cell code", 10, "@"),
                       ("cell_name", "Tên chi bộ", "Cell name", 26, None),
                       *[(f"T{m}", f"T{m}", f"M{m}", 6, "0.0") for m in range(1, 13)],
                       ("months_submitted", "Số tháng đã nộp", "Months sent", 8, "0"),
                       ("months_meeting", "Số tháng đạt", "Months meeting", 8, "0"),
                       ("year_end_score", "Điểm đánh giá cuối năm", "Year-end score", 9, "0.0"),
                       ("average", "Bình quân 12 tháng", "Average of 12 months", 9, "0.00"),
                       ("verdict_label", "Kết quả cả năm", "Year's result", 18, None),
                       ("rule_label", "Căn cứ xét", "Decided by", 14, None)]
    if y.has_previous:
        cols += [("prev_score", "Điểm năm trước", "Last year's score", 9, "0.00"),
                 ("prev_label", "Kết quả năm trước", "Last year's result", 18, None),
                 ("change", "Tăng/giảm điểm", "Change", 8, "0.00")]
    title = _t(lang, (f"KẾT QUẢ CẢ NĂM {y.year} CỦA TỪNG CHI BỘ (điểm cuối cùng từng tháng; LT: loại trừ, "
                      "CĐ: chưa chấm đủ, trống: chưa nộp)",
                      f"THE YEAR {y.year} FOR EACH CELL (final score of each month; Ex: excluded, Inc: incomplete, "
                      "blank: missing)"))
    tables = [ReportTable("year_cells", names["year_cells"], title, cols, d)]

    h = y.hierarchy.assign(level_label=[kind_label(k, lang) for k in y.hierarchy["kind"]],
                           org_label=[INDENT * int(dp) + str(n) for dp, n in zip(y.hierarchy["depth"], y.hierarchy["name"])])
    hcols: list[Col] = [("org_label", "Tổ chức đảng", "Party organisation", 40, None),
                        ("level_label", "Cấp", "Level", 14, None),
                        ("cells", "Số chi bộ", "Cells", 9, "0"), ("decided", "Đã xét được", "Decided", 9, "0"),
                        ("meets", "Đạt 4 tốt cả năm", "Meet the standard", 10, "0"),
                        ("below", "Không đạt", "Below", 9, "0"), ("veto", "Loại trừ", "Excluded", 9, "0"),
                        ("undecided", "Chưa đủ dữ liệu", "Not enough data", 10, "0"),
                        ("pass_rate", "Tỷ lệ đạt", "Pass rate", 9, "0.0%"),
                        ("avg_score", "Điểm bình quân", "Average score", 9, "0.00")]
    if y.has_previous:
        hcols += [("prev_meets", "Đạt năm trước", "Met last year", 9, "0"),
                  ("change_meets", "Tăng/giảm số đạt", "Change in cells meeting", 9, "0"),
                  ("prev_pass_rate", "Tỷ lệ đạt năm trước", "Last year's pass rate", 9, "0.0%"),
                  ("change_avg_score", "Tăng/giảm điểm bình quân", "Change in average", 9, "0.00")]
    tables.append(ReportTable("year_hierarchy", names["year_hierarchy"],
                              _t(lang, (f"TỔNG HỢP KẾT QUẢ CẢ NĂM {y.year} THEO CẤP",
                                        f"THE YEAR {y.year} AT EVERY LEVEL")), hcols, h))

    mm = y.missing.assign(parent_name=[(chain_from_text(ch)[-1].name if chain_from_text(ch) else "")
                                       for ch in y.missing["org_chain"]],
                          months_text=[", ".join(f"T{m}" if lang != "en" else f"M{m}" for m in ms)
                                       for ms in y.missing["missing_months"]],
                          year_end_label=[verdict(s, t) if s in ("meets", "below", "veto") else
                                          _t(lang, ("Chưa có", "None")) for s, t in
                                          zip(y.missing["year_end_status"], y.missing["threshold"])],
                          cell_type_label=y.missing["cell_type"].map(type_name))
    tables.append(ReportTable("year_missing", names["year_missing"],
                              _t(lang, (f"CHI BỘ CÒN THIẾU THÁNG TRONG NĂM {y.year}", f"CELLS MISSING MONTHS OF {y.year}")), [
        ("parent_name", "Trực thuộc", "Under", 30, None), ("cell_code", "Mã chi bộ", "Cell code", 12, "@"),
        ("cell_name", "Tên chi bộ", "Cell name", 32, None), ("cell_type_label", "Loại chi bộ", "Cell type", 22, None),
        ("months_submitted", "Số tháng đã nộp", "Months sent", 9, "0"),
        ("months_text", "Các tháng còn thiếu", "Months missing", 30, None),
        ("year_end_label", "Đánh giá cuối năm", "Year-end evaluation", 18, None)], mm))
    return tables


def run_at_text(run_at: dt.datetime, lang: str) -> str:
    return _t(lang, ("Lập lúc ", "Run at ")) + run_at.strftime("%d/%m/%Y %H:%M")


def consolidated_meta(lang: str, settings: dict[str, str] | None = None) -> list[tuple[Any, ...]]:
    """The `_meta` rows of a consolidated workbook: what it is and how to consolidate it again."""
    settings = settings or {}
    return meta_rows(Kind.CONSOLIDATED, lang, f"fourgood {__version__}", **{
        MetaKey.SOURCES: settings.get("sources", ""), MetaKey.ROSTER: settings.get("roster", ""),
        MetaKey.PERIOD: settings.get("period", "")})


def write_consolidated(c: Consolidation, out: str | Path, lang: str = "vi", run_at: dt.datetime | None = None,
                       sources: list[str] | None = None, roster: str | None = None, period: str | None = None,
                       issuer: str | None = None, place: str | None = None) -> Path:
    """Write the workbook; every visible sheet prints on A4 as a party document (see HEAD_ROW)."""
    wb = Workbook()
    default_font(wb)
    wb.properties.creator = "fourgood"
    run_at = run_at or dt.datetime.now().replace(microsecond=0)
    wb.properties.created = wb.properties.modified = run_at
    names = {k: _t(lang, v) for k, v in SHEET_NAMES.items()}
    wb.remove(wb.worksheets[0])  # the empty sheet a new workbook starts with
    heading = letterhead(c, lang, run_at, issuer=issuer, place=place, period=period)
    bodies = []
    for table in report_tables(c, lang):
        ws = wb.create_sheet(table.sheet)
        # the top and the upper levels of the summary in bold
        bold = ~table.frame["kind"].isin([GRASSROOTS, DEPARTMENT]) if table.key == "hierarchy" else None
        rows = write_table(ws, table.frame, table.cols, lang, table.title, heading, bold)
        bodies.append(rows)
        head, last = HEAD_ROW, rows.last
        if table.key == "hierarchy":
            widths = [ws.column_dimensions[get_column_letter(j)].width for j in range(1, len(table.cols) + 1)]
            signature_block(ws, heading, widths, max(last, head + 1) + 2)
        keys = [col[0] for col in table.cols]
        for rate in ("pass_rate", "avg_share"):
            if rate in keys:
                _rate_rules(ws, keys.index(rate) + 1, head, last)
        if "status_label" in keys and table.key == "detail":
            _status_rules(ws, keys.index("status_label") + 1, head, last, lang, thresholds_of(c))

    _charts(wb, c, names, lang, heading)
    bodies.append(_data_sheet(wb, c))
    settings = {"sources": "; ".join(sources or []), "roster": roster or "", "period": period or ""}
    write_meta_sheet(wb, consolidated_meta(lang, settings))
    with atomic_path(out) as tmp:
        save_with_rows(wb, tmp, bodies)
    return Path(out)


def _charts(wb: Workbook, c: Consolidation, names: dict[str, str], lang: str, heading: Letterhead | None = None) -> None:
    """Two charts, each whole on its own landscape A4 page beside the figures it draws."""
    ws = wb.create_sheet(names["charts"])
    widths = [40.0, 11.0, 2.0, CHART_COLUMN]
    for j, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = width
    _heading(ws, heading or Letterhead.placeholder(lang), widths, _t(lang, ("BIỂU ĐỒ", "CHARTS")))
    page_setup(ws, "landscape", lang)
    page_pt = A4_PT[0] - (MARGIN_IN["top"] + MARGIN_IN["bottom"]) * 72 - 6

    def table(top: int, header: tuple[str, str], rows: list[tuple[str, Any, str]]) -> float:
        """Write a two-column table of the figures; return its height in points."""
        height = 0.0
        for j, text in enumerate(header, 1):
            HEADER_STYLE.apply(ws.cell(top, j, text))
        ws.row_dimensions[top].height = _height(list(header), widths[:2], True)
        height += ws.row_dimensions[top].height
        for i, (label, value, fmt) in enumerate(rows, top + 1):
            for j, (v, f) in enumerate(((label, None), (value, fmt)), 1):
                body_style(f).apply(put(ws, i, j, v, f))
            ws.row_dimensions[i].height = _height([label], widths[:1])
            height += ws.row_dimensions[i].height
        return height

    tops = set(c.hierarchy.loc[c.hierarchy["depth"] == 0, "node"])
    upper = c.hierarchy[c.hierarchy["parent"].isin(tops)]  # the organisations right under the top
    n = max(len(upper), 1)
    first = HEAD_ROW
    used = table(first, (_t(lang, ("Cấp ủy cấp trên cơ sở", "Upper-level committee")), _t(lang, ("Tỷ lệ đạt", "Pass rate"))),
                 [(f"{name} ({period})", rate, "0.0%") for name, period, rate in
                  zip(upper["name"], upper["period"], upper["pass_rate"])])
    top_pt = sum(float(ws.row_dimensions[r].height or 15) for r in range(1, first))
    chart = BarChart()
    chart.type = "bar"
    chart.title = _t(lang, ("Tỷ lệ chi bộ đạt theo cấp ủy cấp trên", "Pass rate by upper-level committee"))
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    chart.add_data(Reference(ws, min_col=2, min_row=first, max_row=first + n), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=first + n))
    room_cm = (page_pt - top_pt) / 72 * 2.54 - 0.5
    chart.height = min(7 + 0.6 * n, room_cm)  # centimetres
    chart.width, chart.legend = CHART_CM, None  # type: ignore[assignment]
    ws.add_chart(chart, f"D{first}")
    # the second chart starts a new page: after the first chart and after its figures
    below = max(used, chart.height / 2.54 * 72) + 4
    row, acc = first + n + 1, used
    while acc < below:
        ws.row_dimensions[row].height = 15
        acc, row = acc + 15, row + 1
    ws.row_breaks.append(Break(id=row - 1))

    bins, labels = score_bins(thresholds_of(c), lang)
    scores = c.cells.loc[c.cells["status"].isin(["meets", "below", "veto"]), "final_total"]
    top = row
    table(top, (_t(lang, ("Khoảng điểm", "Score range")), _t(lang, ("Số chi bộ", "Cells"))),
          [(label, int(((scores >= lo) & (scores < hi)).sum()), "0") for (lo, hi), label in zip(bins, labels)])
    hist = BarChart()
    hist.title = _t(lang, ("Phân bố điểm cuối cùng", "Distribution of final scores"))
    hist.add_data(Reference(ws, min_col=2, min_row=top, max_row=top + len(bins)), titles_from_data=True)
    hist.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=top + len(bins)))
    hist.height = min(12.0, page_pt / 72 * 2.54 - 1)
    hist.width, hist.legend = CHART_CM, None  # type: ignore[assignment]
    ws.add_chart(hist, f"D{top}")


CHART_CM = 16.0  # with columns A-C the sheet is 26 cm wide: landscape A4 at 100%
CHART_COLUMN = width_of(CHART_CM / 2.54 * 72)  # column D holds the charts' width


def _data_sheet(wb: Workbook, c: Consolidation) -> SheetRows:
    """Machine-readable cell results for roll-up by a higher level (hidden); returns its rows."""
    ws = wb.create_sheet(DATA_SHEET)
    columns = data_columns(c)
    ws.append(columns)
    ws.sheet_state = "hidden"
    return TableBody(ws, c.cells[columns], columns, [None] * len(columns), None, 2).rows()


def data_columns(c: Consolidation) -> list[str]:
    """Columns of the hidden roll-up sheet: the contract's, then one per content subtotal."""
    return CELL_COLUMNS + content_columns({}, c.cells)


def score_bins(thresholds: list[float], lang: str) -> tuple[list[tuple[float, float]], list[str]]:
    """Score ranges for the distribution chart, around the pass threshold (95 unless the spec says)."""
    t = thresholds[0] if len(thresholds) == 1 else DEFAULT_THRESHOLD
    edges = [0.0, t - 15, t - 10, t - 5, t, t + (TOTAL_POINTS - t) / 2, TOTAL_POINTS]
    edges = sorted({e for e in edges if 0 <= e <= TOTAL_POINTS})
    bins = [(lo, hi if hi < TOTAL_POINTS else TOTAL_POINTS + 0.01) for lo, hi in zip(edges, edges[1:])]

    def num(x: float) -> str:
        return number_text(x, lang)

    labels = [f"< {num(hi)}" if lo == 0 else f"{num(lo)}–{num(min(hi, TOTAL_POINTS))}" for lo, hi in bins]
    return bins, labels
