"""Write the consolidated provincial workbook: one formatted sheet per view, native charts,
and a hidden data sheet that lets a higher level consolidate this workbook again."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import unicodedata
import weakref
from collections.abc import Iterator
from copy import copy
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from . import __version__
from .atomic import atomic_path
from .contract import (
    FONT,
    REPORT_SHEETS,
    ROLLUP_SHEET,
    ROLLUP_STATUSES,
    Kind,
    MetaKey,
    content_of_column,
    meta_rows,
    plain_value,
    status_text,
)
from .document import (
    DOTS,
    UNKNOWN_ISSUER,
    Letterhead,
    Signer,
    issuer_from_text,
    issuer_from_top,
    period_text,
    province_parts,
)
from .problems import NOT_A_FORM_LABEL, not_a_form_files, number_text, severity_label
from .report_text import month_paragraphs, weakest_content, year_paragraphs
from .rollup import CELL_COLUMNS, Consolidation, content_columns
from .sheet_stream import TIME_TYPES, SheetRows, cell_value, cell_xml, row_xml, save_with_rows
from .spec import CELL_TYPES, DEFAULT_THRESHOLD, TOTAL_POINTS
from .structure import GRASSROOTS, PROVINCE, UPPER, chain_from_text, kind_label
from .workbook_templates.meta import write_meta_sheet

DATA_SHEET = ROLLUP_SHEET
HEAD = PatternFill("solid", fgColor="D9E1F2")
RED, GREEN, AMBER = (PatternFill("solid", fgColor=c) for c in ("F8CBAD", "C6EFCE", "FFEB9C"))

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


# Times New Roman 12 pt: a column's wanted width per character of its longest text (generous); a line.
# Words and lines are measured letter by letter (`text_pt`).
CHAR_PT, LINE_PT = 6.0, 14.5


def _lines(text: str, width: float, bold: bool = False) -> int:
    """Lines `text` wraps to in a column `width` characters wide (words broken when too long), as
    LibreOffice draws the column (6 pt a character, no padding): each word measured by the Times New
    Roman widths of its letters (`text_pt`), never narrower than a little over the true width."""
    return _wrapped(str(text), round(width, 2), bold)


@lru_cache(maxsize=65536)  # a table repeats its names and committees on many rows
def _wrapped(text: str, width: float, bold: bool) -> int:
    room = width * 6 - WRAP_PAD_PT
    space = text_pt(" ", bold)
    total = 0
    for para in text.split("\n"):
        lines, used = 1, 0.0
        for word in para.split():
            w = text_pt(word, bold)
            if used and used + space + w > room:
                lines, used = lines + 1, 0.0
            if used:
                used += space
            while w > room:  # a path or a hash longer than the column breaks anywhere
                lines, w = lines + 1, w - room
            used += w
        total += lines
    return total


# Times New Roman (and Liberation Serif, its metric twin) advance widths, thousandths of the size,
# of the letters a Vietnamese text is made of; a letter with diacritics is as wide as its base
# letter. Bold is up to 10% wider. A margin of 4% covers rounding in the renderer; LibreOffice keeps
# about 2 pt inside each side of a cell (Excel draws a column 3.75 pt wider still).
_TIMES = dict(zip(
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
    (250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278, *([500] * 10), 278, 278,
     564, 564, 564, 444, 921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556,
     722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500, 333, 444, 500, 444, 500, 444,
     333, 500, 500, 278, 278, 500, 278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444,
     480, 200, 480, 541)))
_TIMES.update({"đ": 500, "Đ": 722, "“": 444, "”": 444, "‘": 333, "’": 333, "…": 1000, "–": 500, "—": 1000})
TEXT_MARGIN = 1.04
WRAP_PAD_PT = 4.0


@lru_cache(maxsize=65536)
def text_pt(text: str, bold: bool = False) -> float:
    """Printed width of `text` in Times New Roman at BODY_PT points."""
    units = 0
    for ch in text:
        w = _TIMES.get(ch)
        if w is None:
            w = _TIMES.get(unicodedata.normalize("NFD", ch)[:1], 556)
        units += w
    return units * BODY_PT / 1000 * TEXT_MARGIN * (1.1 if bold else 1.0)


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


def fit_columns(cols: list[Col], frame: pd.DataFrame, lang: str, bold: bool = False) -> ColumnLayout:
    """Column widths from the content, for print.

    Each column is at least as wide as its longest word (a longer word than MAX_WORD_PT, a path
    or a hash, breaks) and would like its declared width, or less when its longest text is
    shorter. A table that fits A4 portrait at COMFORT_SCALE prints portrait; else landscape,
    filling the page at 100% when it fits, else at the declared widths when they fit at
    MIN_SCALE, else squeezed towards the longest words to fit at MIN_SCALE."""
    lows, wants, longests, breaks = [], [], [], []
    for key, vi, en, declared, fmt in cols:
        header = en if lang == "en" else vi
        # the column's longest word (characters, and printed width) and text; a line break?
        word, word_pt, longest, longest_pt, broken = 1, 0.0, 0, 0.0, False
        values = [] if frame.empty else _distinct(frame[key]) if key in frame else [None]
        for value in values:
            text = value if value.__class__ is str else _shown_text(plain_value(value), fmt)
            if len(text) > word - 3:  # a wider word can only be in a text about as long
                for w in text.split():
                    if len(w) > word - 3:  # letters differ in width: measure the longest few
                        word, word_pt = max(word, len(w)), max(word_pt, text_pt(w, bold))
            if len(text) > longest - 3:
                longest_pt = max(longest_pt, text_pt(text, bold))
            longest, broken = max(longest, len(text)), broken or "\n" in text
        longests.append(longest_pt)
        breaks.append(broken)
        # the header is bold; body words are measured bold only where rows print in bold (the summary)
        head_pt = max([text_pt(w, True) for w in header.split()] or [0.0])
        low = min(max(head_pt, word_pt) + PAD_PT, MAX_WORD_PT)
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
    one_line = [pt <= w * 6 - WRAP_PAD_PT and not b for pt, w, b in zip(longests, widths, breaks)]
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


def letterhead(c: Consolidation, lang: str, run_at: dt.datetime, *, issuer: str | None = None,
               place: str | None = None, province: str | None = None, period: str | None = None,
               signer: Signer | None = None) -> Letterhead:
    """The heading: --issuer and --place when given, else derived from the top organisation of the
    roster's tree (or of the forms'), else dotted lines to fill by hand."""
    province = (province or c.province or _mode(c.cells, "province") or "").strip()
    tops = c.hierarchy[c.hierarchy["depth"] == 0] if "depth" in c.hierarchy else c.hierarchy.iloc[0:0]
    top_name, top_kind = (str(tops["name"].iloc[0]), str(tops["kind"].iloc[0])) if not tops.empty else ("", "")
    if issuer and issuer.strip():
        who = issuer_from_text(issuer, province)
    elif top_kind:
        above = (_mode(c.cells, "upper_committee") or "") if top_kind == GRASSROOTS else ""
        who = issuer_from_top(top_name, top_kind, province, above)
    elif province:
        who = issuer_from_top(province, PROVINCE, province)
    else:
        who = UNKNOWN_ISSUER
    periods = sorted({str(p) for f in (c.cells, c.missing) if "period" in f for p in f["period"].dropna() if str(p)})
    text = period_text([c.year.year] if c.year is not None else periods or ([period] if period else []), lang)
    name = province_parts(province)[1] if province else ""
    return Letterhead(who, (place or name or DOTS).strip(), run_at.date(), text, lang, signer)


def _mode(frame: pd.DataFrame, col: str) -> str | None:
    if col not in frame:
        return None
    values = frame[col].dropna().astype(str).str.strip()
    values = values[values != ""]
    return str(values.mode().iloc[0]) if not values.empty else None


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
    """Files as the board knows them: inside the folder consolidated, in the file column and in the
    messages that name another file (“trùng với …”), never with the operator's own path prefix."""
    if "file" not in frame or frame.empty:
        return frame
    out = frame.assign(file=frame["file"].map(lambda f: shown.get(f, f) if isinstance(f, str) else f))
    by_path = {os.path.realpath(f): v for f, v in shown.items()} | shown

    def relative(text: Any) -> Any:
        if not isinstance(text, str) or "“" not in text:
            return text
        return QUOTED.sub(lambda m: f"“{by_path.get(m.group(1), by_path.get(os.path.realpath(m.group(1)), m.group(1)))}”"
                          if os.sep in m.group(1) else m.group(0), text)

    for col in ("reason", "message"):
        if col in out:
            out[col] = out[col].map(relative)
    return out


QUOTED = re.compile(r"“([^”]+)”")


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


def _heading(ws: Worksheet, h: Letterhead, widths: list[float], title: str, appendix: int = 0) -> None:
    """An appendix's heading: "Phụ lục N" and, in one line, the number and date of the report it is
    attached to (an appendix has no issuer block or number of its own); then its title and period."""
    n = len(widths)
    label = _t(h.lang, (f"Phụ lục {appendix}", f"Appendix {appendix}")) if appendix else ""
    _merge(ws, 1, 1, n, label, Font(name=FONT, size=13, bold=True))
    _merge(ws, 2, 1, n, h.appendix_line(), Font(name=FONT, size=12, italic=True))
    ws.row_dimensions[1].height = ws.row_dimensions[2].height = 19
    for r in range(3, TITLE_ROW):
        ws.row_dimensions[r].height = 6
    _merge(ws, TITLE_ROW, 1, n, title, Font(name=FONT, size=14, bold=True))
    ws.row_dimensions[TITLE_ROW].height = max(22.0, 20.0 * _lines(title, sum(widths) * 0.8, True))
    period = _t(h.lang, ("Kỳ đánh giá: ", "Period: ")) + (h.period or DOTS)
    _merge(ws, PERIOD_ROW, 1, n, period, Font(name=FONT, size=13, italic=True))
    ws.row_dimensions[PERIOD_ROW].height = 19
    ws.row_dimensions[HEAD_ROW - 1].height = 8


def prepared_by(ws: Worksheet, lang: str, widths: list[float], first_row: int) -> int:
    """Who drew up an appendix table: right, under the table, with room to sign. Returns its last row."""
    (c1, c2), = _split(widths, [0.62, 0.38])[1:] if len(widths) >= 2 else [(1, 1)]
    _merge(ws, first_row, c1, c2, _t(lang, ("NGƯỜI LẬP BIỂU", "PREPARED BY")), Font(name=FONT, size=13, bold=True))
    _merge(ws, first_row + 1, c1, c2, _t(lang, ("(Ký, ghi rõ họ tên)", "(Signature, full name)")),
           Font(name=FONT, size=12, italic=True))
    for k in range(first_row + 2, first_row + 5):
        ws.row_dimensions[k].height = 20
    _merge(ws, first_row + 5, c1, c2, DOTS, Font(name=FONT, size=12))
    return first_row + 5


# --- The report itself (the first sheet) --------------------------------------------------------
# Portrait A4 at 100%: eight columns, 523 pt of the 530 pt printable. The issuer block spans the
# first three, the party's name and the date line the other five.
REPORT_WIDTHS = [5.0, 30.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0]
REPORT_PT = 13
TEXT_CHAR_PT = 5.9  # Times New Roman 13: average character width for wrapping a paragraph


@dataclass
class ReportPage:
    """What the report sheet says, decided from the consolidation (`report_page`)."""

    kind_line: str  # "Kết quả đánh giá “Chi bộ 4 tốt” tháng 11 năm 2026"
    paragraphs: list[str]
    summary_title: str
    summary_header: list[str]
    summary_rows: list[list[Any]]  # [label, numbers…]; the first row is the whole (bold)
    summary_formats: list[str | None]
    criteria_title: str = ""
    criteria_header: list[str] = field(default_factory=list)
    criteria_rows: list[list[Any]] = field(default_factory=list)


def report_page(c: Consolidation, h: Letterhead, lang: str, weakest: int = 10) -> ReportPage:
    thresholds = thresholds_of(c)
    if c.year is not None:
        y = c.year
        kind_line = _t(lang, (f"Kết quả đánh giá, đề nghị công nhận “Chi bộ 4 tốt” năm {y.year}",
                              f"Evaluation and proposed recognition of “Chi bộ 4 tốt” cells, {y.year}"))
        hy = y.hierarchy[y.hierarchy["depth"] <= 1]
        rows = [[str(n), int(a), int(b), int(m), (m / a if b else None), int(bl) + int(v), int(u)]  # none decided: blank
                for n, a, b, m, bl, v, u in zip(hy["name"], hy["cells"], hy["decided"], hy["meets"], hy["below"],
                                                 hy["veto"], hy["undecided"])]
        header = [_t(lang, p) for p in (("Tổ chức đảng", "Party organisation"), ("Số chi bộ", "Cells"),
                                        ("Đã đủ căn cứ xét", "Decided"), ("Đề nghị công nhận", "Proposed"),
                                        ("Tỷ lệ", "Share"), ("Không đạt, loại trừ", "Below or excluded"),
                                        ("Chưa đủ dữ liệu", "Not enough data"))]
        return ReportPage(kind_line, year_paragraphs(c, thresholds, lang),
                          _t(lang, ("KẾT QUẢ THEO CẤP ỦY TRỰC THUỘC", "BY ORGANISATION")), header, rows,
                          [None, "0", "0", "0", "0.0%", "0", "0"])
    kind_line = _t(lang, ("Kết quả đánh giá “Chi bộ 4 tốt” ", "Results of the “Chi bộ 4 tốt” evaluation, ")) + (
        h.period or DOTS)  # no form of any period counted: the period is filled in by hand
    periods = [p for p in dict.fromkeys(c.hierarchy["period"]) if p] if "period" in c.hierarchy else []
    many = len(periods) > 1
    paragraphs: list[str] = []
    for p in periods:  # the weakest content is over every form: said once when there are several periods
        paragraphs += month_paragraphs(c, p, period_text([p], lang), thresholds, lang, content=not many)
    overall = weakest_content(c, lang, indent="") if many else ""
    if overall:
        paragraphs.append(_t(lang, ("Qua các kỳ trên, ", "Over these periods, ")) + overall[0].lower() + overall[1:])
    hy = c.hierarchy[c.hierarchy["depth"] <= 1]
    rows = [[(f"{n} ({p})" if many else str(n)), int(e), int(v), int(m), (m / e if e else None), int(b) + int(x),
             int(e) - int(v)]
            for n, p, e, v, m, b, x in zip(hy["name"], hy["period"], hy["expected"], hy["valid"], hy["meets"],
                                           hy["below"], hy["veto"])]
    header = [_t(lang, p) for p in (("Tổ chức đảng", "Party organisation"), ("Số chi bộ", "Cells"),
                                    ("Phiếu hợp lệ", "Valid forms"), ("Đạt “Chi bộ 4 tốt”", "Meet the standard"),
                                    ("Tỷ lệ đạt", "Pass rate"), ("Dưới ngưỡng, loại trừ", "Below or excluded"),
                                    ("Chưa có phiếu hợp lệ", "No valid form"))]
    page = ReportPage(kind_line, paragraphs, _t(lang, ("KẾT QUẢ THEO CẤP ỦY TRỰC THUỘC", "BY ORGANISATION")),
                      header, rows, [None, "0", "0", "0", "0.0%", "0", "0"])
    top = c.by_criterion.head(max(0, weakest))
    top = top.assign(criterion=criterion_text(top, lang))
    if not top.empty:
        page.criteria_title = _t(lang, (f"CÁC TIÊU CHÍ CÓ TỶ LỆ ĐIỂM BÌNH QUÂN THẤP NHẤT ({len(top)} tiêu chí; đủ các "
                                        "tiêu chí ở phụ lục)",
                                        f"THE {len(top)} WEAKEST CRITERIA (all criteria in the appendix)"))
        page.criteria_header = [_t(lang, p) for p in (("Tiêu chí", "Criterion"), ("Loại chi bộ", "Cell type"),
                                                      ("Điểm chuẩn", "Max"), ("Bình quân", "Average"),
                                                      ("Tỷ lệ", "Share"), ("Số phiếu", "Forms"))]
        page.criteria_rows = [[f"{cid}. {text}", _type_name(t, lang), mx, avg, share, int(n)] for cid, text, t, mx, avg,
                              share, n in zip(top["criterion_id"], top["criterion"], top["cell_type"], top["max"],
                                              top["avg_score"], top["avg_share"], top["cells"])]
    return page


def criterion_text(frame: pd.DataFrame, lang: str) -> pd.Series:
    """Each criterion's wording in the language asked for: the table's English text with --lang en
    (the Vietnamese where a table has none)."""
    if lang != "en" or "criterion_en" not in frame:
        return frame["criterion"]
    english = frame["criterion_en"].astype(object).fillna("")
    return english.where(english != "", frame["criterion"])


def _type_name(code: Any, lang: str) -> Any:
    """A cell type's name in the language; anything else as it is."""
    t = CELL_TYPES.get(code) if isinstance(code, str) else None
    return (t.name_en if lang == "en" else t.name_vi) if t else code


def write_report_sheet(ws: Worksheet, c: Consolidation, h: Letterhead, lang: str, weakest: int = 10) -> None:
    """The report (Hướng dẫn 36): issuer block and number, the party's name, place and date; "BÁO CÁO"
    and what it is about; the text; the summary table; the weakest criteria; "Nơi nhận" and the signature."""
    page = report_page(c, h, lang, weakest)
    widths = REPORT_WIDTHS
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = w
    n = len(widths)
    f13, b13 = Font(name=FONT, size=REPORT_PT), Font(name=FONT, size=REPORT_PT, bold=True)
    _merge(ws, 1, 1, 3, h.issuer.above, f13)
    _merge(ws, 2, 1, 3, h.issuer.own, b13)
    _merge(ws, 3, 1, 3, "*", f13)
    _merge(ws, 4, 1, 3, h.number(), f13)
    _merge(ws, 1, 4, n, _t(lang, ("ĐẢNG CỘNG SẢN VIỆT NAM", "COMMUNIST PARTY OF VIET NAM")),
           Font(name=FONT, size=14, bold=True, underline="single"))
    _merge(ws, 4, 4, n, h.date_line(), Font(name=FONT, size=REPORT_PT, italic=True))
    for r in range(1, 5):
        ws.row_dimensions[r].height = max(19.0, 17.0 * _lines(h.lines[min(r, 2) - 1] if r <= 2 else "",
                                                               sum(widths[:3]), True))
    ws.row_dimensions[5].height = 12
    _merge(ws, 6, 1, n, _t(lang, ("BÁO CÁO", "REPORT")), Font(name=FONT, size=15, bold=True))
    _merge(ws, 7, 1, n, page.kind_line, Font(name=FONT, size=14, bold=True))
    ws.row_dimensions[6].height, ws.row_dimensions[7].height = 22, max(20.0, 19.0 * _lines(page.kind_line, 75, True))
    ws.row_dimensions[8].height = 10
    row = 9
    text_width = sum(column_pt(w) for w in widths)
    for para in page.paragraphs:
        _merge(ws, row, 1, n, para, f13, "justify")
        lines = max(1, math.ceil(len(para) * TEXT_CHAR_PT / (text_width - 12)) + (1 if len(para) > 300 else 0))
        ws.row_dimensions[row].height = lines * 17.0 + 3
        row += 1
    row += 1
    row = _report_table(ws, row, page.summary_title, page.summary_header, page.summary_rows,
                        page.summary_formats, spans=[(1, 2)] + [(k, k) for k in range(3, n + 1)], bold_first=True)
    if page.criteria_rows:
        row = _report_table(ws, row + 1, page.criteria_title, page.criteria_header, page.criteria_rows,
                            [None, None, "0.0", "0.00", "0.0%", "0"],
                            spans=[(1, 2), (3, 4), (5, 5), (6, 6), (7, 7), (8, 8)])
    _signature(ws, h, row + 1)
    page_setup(ws, "portrait", lang)
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def _report_table(ws: Worksheet, row: int, title: str, header: list[str], rows: list[list[Any]],
                  fmts: list[str | None], spans: list[tuple[int, int]], bold_first: bool = False) -> int:
    """A small boxed table on the report page, its columns over `spans` of the page's eight. Returns
    the row after it."""
    widths = REPORT_WIDTHS
    _merge(ws, row, 1, len(widths), title, Font(name=FONT, size=12, bold=True), "left")
    ws.row_dimensions[row].height = 18 * _lines(title, sum(widths), True)
    row += 1
    span_w = [sum(widths[a - 1:b]) for a, b in spans]
    for (a, b), text in zip(spans, header):
        for k in range(a, b + 1):
            HEADER_STYLE.apply(ws.cell(row, k))
        HEADER_STYLE.apply(ws.cell(row, a, text))
        if b > a:
            ws.merge_cells(start_row=row, start_column=a, end_row=row, end_column=b)
    ws.row_dimensions[row].height = _height(header, span_w, True)
    row += 1
    for i, values in enumerate(rows):
        bold = bold_first and i == 0
        for (a, b), value, fmt in zip(spans, values, fmts):
            for k in range(a, b + 1):
                body_style(fmt).apply(ws.cell(row, k))
            cell = body_style(fmt).apply(put(ws, row, a, value, fmt))
            if bold:
                BOLD_STYLE.apply(cell)
            if b > a:
                ws.merge_cells(start_row=row, start_column=a, end_row=row, end_column=b)
        ws.row_dimensions[row].height = _height([v if isinstance(v, str) else "" for v in values], span_w)
        row += 1
    return row


def _signature(ws: Worksheet, h: Letterhead, row: int) -> int:
    """ "Nơi nhận:" bottom left; the signer's capacity and office right, room to sign and seal, the name."""
    lang = h.lang
    plain, bold = Font(name=FONT, size=12), Font(name=FONT, size=REPORT_PT, bold=True)
    _merge(ws, row, 1, 2, _t(lang, ("Nơi nhận:", "To:")), Font(name=FONT, size=12, bold=True, italic=True), "left")
    signer = h.signature()
    for k, line in enumerate(signer):
        _merge(ws, row + k, 4, len(REPORT_WIDTHS), line, bold)
    for k, line in enumerate(h.to_whom(), 1):
        _merge(ws, row + k, 1, 3, line, Font(name=FONT, size=11), "left")
    for k in range(row, row + 4):
        ws.row_dimensions[k].height = 17
    for k in range(row + 4, row + 8):
        ws.row_dimensions[k].height = 20  # room to sign and seal
    _merge(ws, row + 8, 4, len(REPORT_WIDTHS), DOTS, plain)
    return row + 8


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
                heading: Letterhead | None = None, bold: pd.Series | None = None, appendix: int = 0,
                indent: pd.Series | None = None, indent_key: str = "", unprinted: tuple[str, ...] = ()) -> SheetRows:
    """Lay out one table under its print heading; return its body rows, to be written by
    `save_with_rows` (openpyxl would hold every cell of a large table in memory).

    The rows above the table are the party document's heading (rows 1-4), the title (TITLE_ROW)
    and the period (PERIOD_ROW); the header row is HEAD_ROW on every sheet whatever the heading
    holds, and is repeated on every printed page. `bold`: the rows printed in bold (the summary's
    upper levels), one flag per row of `frame`."""
    heading = heading or Letterhead.placeholder(lang)
    head = HEAD_ROW
    printed = len(cols)  # the trailing columns named in `unprinted` are kept after the print area
    while printed and cols[printed - 1][0] in unprinted:
        printed -= 1
    layout = fit_columns(cols[:printed], frame, lang, bold is not None and bool(bold.any()))
    # columns kept in the file, never printed (the source file's path, problem codes): after the print area
    layout.widths += [float(c[3]) for c in cols[printed:]]
    layout.one_line += [True] * (len(cols) - printed)
    widths = layout.widths[:printed]
    unprinted = tuple(c[0] for c in cols[printed:])
    for j, width in enumerate(layout.widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = width
    _heading(ws, heading, widths, title, appendix)
    for j, (_, vi, en, _, _) in enumerate(cols, 1):
        HEADER_STYLE.apply(ws.cell(head, j, en if lang == "en" else vi))
    ws.row_dimensions[head].height = _height([en if lang == "en" else vi for _, vi, en, _, _ in cols[:printed]], widths,
                                             True)
    body = TableBody(ws, frame, [key for key, *_ in cols], [fmt for *_, fmt in cols], layout, head + 1, bold,
                     indent, indent_key)
    rows = body.rows()
    last = head + max(rows.last - head, 1)
    ws.freeze_panes = f"A{head + 1}"
    ws.auto_filter.ref = f"A{head}:{get_column_letter(len(cols))}{last}"
    ws.print_title_rows = f"{head}:{head}"
    if unprinted:
        ws.print_area = f"A1:{get_column_letter(printed)}{last}"
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
                 layout: ColumnLayout | None, first: int, bold: pd.Series | None = None,
                 indent: pd.Series | None = None, indent_key: str = "") -> None:
        self.ws, self.frame, self.keys, self.fmts, self.layout, self.first = ws, frame, keys, fmts, layout, first
        self.bold = bold
        # per row, the indent level of the `indent_key` column (the party tree's depth): a cell
        # indent, kept on every wrapped line, where spaces typed into the text are lost
        self.indent, self.indent_col = indent, (keys.index(indent_key) if indent_key in keys else -1)
        self._ids: dict[tuple[int, bool, type | None, int], int | None] = {}

    def rows(self) -> SheetRows:
        n = 0 if self.frame.empty else len(self.frame)
        return SheetRows(self.ws, self.first, self.first + n - 1, len(self.keys), self._xml())

    def style_id(self, j: int, value: Any, bold: bool, indent: int = 0) -> int | None:
        """The cell format (xf) of column `j`'s cell holding `value`: found by styling a cell that
        is never placed, exactly as a placed one was styled (a date value first sets a date format)."""
        date = type(value) if isinstance(value, TIME_TYPES) else None
        key = (j, bold, date, indent)
        if key not in self._ids:
            cell = Cell(self.ws, self.first, j + 1, value if date else None)
            if self.layout is not None:
                body_style(self.fmts[j]).apply(cell)
                if bold:
                    BOLD_STYLE.apply(cell)
                if indent:
                    _indented(indent).apply(cell)
            self._ids[key] = cell.style_id if cell.has_style else None
        return self._ids[key]

    def _xml(self) -> Iterator[str]:
        letters = [get_column_letter(j) for j in range(1, len(self.keys) + 1)]
        chunks = [_column_chunks(self.frame, key) for key in self.keys]
        bolds = _chunks(self.bold, len(self.bold)) if self.bold is not None else None
        indents = _chunks(self.indent, len(self.indent)) if self.indent is not None else None
        first = self.first
        for raw in zip(*chunks):
            size = len(raw[0])
            numbers = range(first, first + size)
            bold = next(bolds) if bolds is not None else [False] * size
            indent = [int(x) for x in next(indents)] if indents is not None else [0] * size
            cells, lines = [], []
            for j, (letter, values) in enumerate(zip(letters, raw)):
                values = [_stored(v) for v in values]
                if j == self.indent_col:
                    cells.append([cell_xml(f"{letter}{r}", v, self.style_id(j, v, b, k))
                                  for r, v, b, k in zip(numbers, values, bold, indent)])
                else:
                    ids = (self.style_id(j, None, False), self.style_id(j, None, True) if True in bold else None)
                    cells.append([cell_xml(f"{letter}{r}", v, self.style_id(j, v, b) if isinstance(v, TIME_TYPES)
                                           else ids[b]) for r, v, b in zip(numbers, values, bold)])
                if self.layout is not None and (not self.layout.one_line[j] or j == self.indent_col):
                    fmt, width = self.fmts[j], self.layout.widths[j]
                    texts = (v if v.__class__ is str else _shown_text(v, fmt) for v in values)
                    if j == self.indent_col:  # an indent level takes about three characters of the line
                        lines.append([_lines(t, max(width - INDENT_CHARS * k, 4)) if t else 1
                                      for t, k in zip(texts, indent)])
                    else:
                        lines.append([_lines(t, width) if t else 1 for t in texts])
            heights: list[float | None] = [None] * size
            if self.layout is not None:  # as _height: the most lines of any cell of the row
                heights = [max(row) * LINE_PT + 3 for row in zip(*lines)] if lines else [LINE_PT + 3] * size
            yield "".join(row_xml(r, "".join(row), h) for r, row, h in zip(numbers, zip(*cells), heights))
            first += size


INDENT_CHARS = 3.0
_INDENTS: dict[int, Style] = {}


def _indented(level: int) -> Style:
    style = _INDENTS.get(level)
    if style is None:
        style = _INDENTS[level] = Style(alignment=Alignment(horizontal="left", wrap_text=True, vertical="top",
                                                            indent=2 * level))
    return style


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
    first = f"{letter}{head + 1}"  # a blank rate is "nothing decided": never coloured (a blank is 0 to CellIsRule)
    ws.conditional_formatting.add(rng, FormulaRule(formula=[f"AND(ISNUMBER({first}),{first}<0.8)"], fill=RED))
    ws.conditional_formatting.add(rng, FormulaRule(formula=[f"AND(ISNUMBER({first}),{first}>=0.95)"], fill=GREEN))


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


# A cell's committees in the cell lists, by the levels of its chain (rollup.with_levels): the level
# directly above the grassroots and the grassroots organisation (“(chi bộ cơ sở)” for a grassroots cell).
LEVEL_COLS: list[Col] = [
    ("upper_committee", kind_label(UPPER, "vi"), kind_label(UPPER, "en"), 34, None),
    ("grassroots_label", kind_label(GRASSROOTS, "vi"), kind_label(GRASSROOTS, "en"), 40, None)]
# Cell types as the cell lists print them (a twenty-column table: one line a row where names allow)
SHORT_TYPES = {"agency": ("Cơ quan", "Agency"), "public_service": ("Sự nghiệp", "Public service"),
               "enterprise": ("Doanh nghiệp", "Enterprise"), "residential": ("Thôn, tổ dân phố", "Residential")}


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

    short_type = lambda t: _t(lang, SHORT_TYPES[t]) if t in SHORT_TYPES else t  # noqa: E731
    type_name = partial(_type_name, lang=lang)
    tables = []
    shown = shown_paths(list(c.files["file"]) if "file" in c.files else [])

    yes_no = lambda v: "—" if v is None or v != v else _t(lang, ("Có", "Yes")) if v else _t(lang, ("Không", "No"))  # noqa: E731
    h = c.hierarchy.assign(
        level_label=[kind_label(k, lang) for k in c.hierarchy["kind"]],
        org_label=[str(n) for n in c.hierarchy["name"]],
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
                               ("parent_name", kind_label(UPPER, "vi"), kind_label(UPPER, "en"), 32, None),
                               ("name", "Tổ chức cơ sở đảng", "Grassroots organisation", 34, None),
                               ("expected", "Số chi bộ trực thuộc", "Cells", 11, "0"),
                               ("meets", "Đạt 4 tốt", "Meet", 10, "0"),
                               ("pass_rate", "Tỷ lệ đạt", "Share meeting", 10, "0.0%"),
                               ("all_label", "100% chi bộ đạt “Chi bộ 4 tốt”", "100% of cells 4-good", 16, None)], g))

    # printed: the organisation a cell belongs to (its grassroots organisation; a grassroots cell's upper
    # level); the two level columns and the period (when it is the report's one) follow the print area
    parent = c.cells["grassroots"].astype(object).fillna("").where(
        c.cells["grassroots"].astype(object).fillna("") != "", c.cells["upper_committee"]) \
        if not c.cells.empty else c.cells.get("grassroots", pd.Series(dtype=object))
    one_period = c.cells["period"].nunique() <= 1 if "period" in c.cells else True
    d = c.cells.assign(status_label=labels(c.cells), cell_type_label=c.cells["cell_type"].map(short_type),
                       parent_label=parent,
                       source_label=c.cells["final_source"].map(
                           lambda v: _t(lang, ("Cấp trên", "Upper level")) if v == "upper" else _t(lang, ("Tự chấm", "Self"))))
    period_col: list[Col] = [("period", "Kỳ", "Period", 9, "@")]
    tables.append(ReportTable("detail", names["detail"], _t(lang, ("CHI TIẾT KẾT QUẢ TỪNG CHI BỘ", "RESULT OF EACH CELL")), [
        *([] if one_period else period_col), ("parent_label", "Trực thuộc", "Under", 40, None),
        ("cell_code", "Mã chi bộ", "Cell code", 12, "@"),
        ("cell_name", "Tên chi bộ", "Cell name", 36, None), ("cell_type_label", "Loại chi bộ", "Cell type", 15, None),
        *[(col, f"Nội dung {content_of_column(col)}", f"Content {content_of_column(col)}", 9, "0.0")
          for col in content_columns({}, c.cells)],
        ("self_total", "Tự chấm", "Self score", 9, "0.0"), ("upper_total", "Cấp trên chấm", "Upper score", 9, "0.0"),
        ("final_total", "Điểm cuối cùng", "Final score", 9, "0.0"), ("status_label", "Kết quả", "Result", 21, None),
        ("source_label", "Nguồn điểm", "Score from", 11, None), ("gap", "Chênh lệch", "Self - upper", 9, "0.0"),
        *(period_col if one_period else []), *LEVEL_COLS,
        ("file", "Tệp nguồn", "Source file", 40, None)], _with_shown_files(d, shown)))

    b = c.below.assign(cell_type_label=c.below["cell_type"].map(type_name)) if not c.below.empty else c.below
    tables.append(ReportTable("below", names["below"],
                              _t(lang, _below_title(thresholds, lang)), [
        ("period", "Kỳ", "Period", 9, "@"), *LEVEL_COLS,
        ("cell_code", "Mã chi bộ", "Cell code", 12, "@"), ("cell_name", "Tên chi bộ", "Cell name", 32, None),
        ("cell_type_label", "Loại chi bộ", "Cell type", 22, None),
        ("final_total", "Điểm cuối cùng", "Final score", 10, "0.0"),
        ("weakest_content", "Nội dung yếu nhất", "Weakest content", 11, None),
        ("weakest_share", "Tỷ lệ điểm nội dung đó", "Its share of maximum", 11, "0.0%"),
        ("file", "Tệp nguồn", "Source file", 40, None)], _with_shown_files(b, shown)))

    bc = c.by_criterion.assign(cell_type=c.by_criterion["cell_type"].map(type_name),
                               criterion=criterion_text(c.by_criterion, lang))
    tables.append(ReportTable("by_criterion", names["by_criterion"],
                              _t(lang, ("ĐIỂM BÌNH QUÂN THEO TỪNG TIÊU CHÍ (tỷ lệ so với điểm chuẩn, thấp nhất trước)",
                                        "AVERAGE SCORE OF EVERY CRITERION (share of the maximum, lowest first)")), [
        ("cell_type", "Loại chi bộ", "Cell type", 22, None), ("content_id", "Nội dung", "Content", 8, None),
        ("criterion_id", "Tiêu chí", "Criterion", 8, "@"), ("criterion", "Nội dung tiêu chí", "Criterion text", 60, None),
        ("version", "Theo bảng phiên bản", "Table version", 10, "@"),  # '' unless the versions word it differently
        ("max", "Điểm chuẩn", "Max", 8, "0.0"), ("cells", "Số phiếu", "Forms", 8, "0"),
        ("avg_score", "Điểm bình quân", "Average", 9, "0.00"),
        ("avg_share", "Tỷ lệ so với điểm chuẩn", "Share of max", 10, "0.0%")], bc))

    m = c.missing.assign(status_label=labels(c.missing), cell_type=c.missing["cell_type"].map(type_name))
    tables.append(ReportTable("missing", names["missing"], _t(lang, ("CHI BỘ CHƯA CÓ PHIẾU HỢP LỆ", "CELLS WITH NO VALID SUBMISSION")), [
        ("period", "Kỳ", "Period", 9, "@"), *LEVEL_COLS, ("cell_code", "Mã chi bộ", "Cell code", 12, "@"),
        ("cell_name", "Tên chi bộ", "Cell name", 32, None), ("cell_type", "Loại chi bộ", "Cell type", 22, None),
        ("status_label", "Tình trạng", "State", 22, None)], m))

    # Severities in words (Lỗi / Cảnh báo); the stable problem code keeps a column of its own.
    rj = c.rejected.assign(severity_label=[severity_label(v, lang) for v in c.rejected["severity"]])
    tables.append(ReportTable("rejected", names["rejected"], _t(lang, ("TỆP BỊ TỪ CHỐI VÀ LÝ DO", "REJECTED FILES AND WHY")), [
        ("file", "Tệp", "File", 44, None),
        ("severity_label", "Mức", "Severity", 9, None), ("message", "Nội dung", "Message", 70, None),
        ("sheet", "Trang", "Sheet", 14, None), ("cell", "Ô", "Cell", 8, None),
        ("criterion", "Tiêu chí", "Criterion", 9, "@"), ("code", "Mã lỗi", "Code", 20, None)], _with_shown_files(rj, shown)))

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
    if c.year is not None:  # --period YYYY: a year report; the month-level sheets are the month views'
        files = [t for t in tables if t.key in ("rejected", "log")]
        return year_tables(c.year, lang, st, type_name) + files
    return tables


YEAR_SHEETS = {"year_proposed": ("Đề nghị công nhận", "Proposed"),
               "year_cells": ("Cả năm - từng chi bộ", "Year - each cell"),
               "year_not_recognised": ("Không đề nghị", "Not proposed"),
               "year_missing": ("Cả năm - thiếu tháng", "Year - missing months"),
               "year_hierarchy": ("Cả năm - theo cấp", "Year - by level")}
YEAR_RULE_LABELS = {"year_end": ("Đánh giá cuối năm", "Year-end evaluation"),
                    "average": ("Bình quân (tạm tính)", "Average (provisional)"),
                    "": ("Chưa đủ dữ liệu", "Not enough data")}
YEAR_VERDICTS = {"meets": ("Đạt", "Meets"), "below": ("Không đạt", "Below"), "veto": ("Loại trừ", "Excluded"),
                 "incomplete": ("Chưa chấm đủ", "Incomplete"), "invalid": ("Phiếu lỗi", "Invalid")}
MONTH_MARKS = {"veto": ("LT", "Ex"), "incomplete": ("CĐ", "Inc"), "invalid": ("Lỗi", "Err")}


def year_tables(y: Any, lang: str, st: Any, type_name: Any) -> list[ReportTable]:
    """The year view (yearview.YearView) as three sheets: each cell's months and verdict, the tree's
    figures for the year (with last year's and the change when the batch holds them), missing months."""
    names = {k: _t(lang, v) for k, v in YEAR_SHEETS.items()}
    undecided = _t(lang, YEAR_RULE_LABELS[""])

    def verdict(status: Any, threshold: Any) -> Any:  # short: the year table is twenty columns wide
        if not status or not isinstance(status, str):
            return ""
        return undecided if status == "undecided" else _t(lang, YEAR_VERDICTS.get(status, (status, status)))

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
    cols: list[Col] = [("cell_code", "Mã chi bộ", "Cell code", 10, "@"), ("cell_name", "Tên chi bộ", "Cell name", 30, None),
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
                 ("change", "Chênh lệch điểm", "Change", 8, "0.00")]
    cols += [("parent_name", "Trực thuộc", "Under", 26, None)]  # kept after the print area: twenty columns print
    title = _t(lang, (f"KẾT QUẢ CẢ NĂM {y.year} CỦA TỪNG CHI BỘ (điểm cuối cùng từng tháng; LT: loại trừ, "
                      "CĐ: chưa chấm đủ, trống: chưa nộp)",
                      f"THE YEAR {y.year} FOR EACH CELL (final score of each month; Ex: excluded, Inc: incomplete, "
                      "blank: missing)"))
    tables = [_proposed_table(y, d, names, lang, type_name),
              ReportTable("year_cells", names["year_cells"], title, cols, d),
              _not_recognised_table(y, d, names, lang, type_name)]

    h = y.hierarchy.assign(level_label=[kind_label(k, lang) for k in y.hierarchy["kind"]],
                           org_label=[str(n) for n in y.hierarchy["name"]])
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
    order = list(YEAR_SHEETS)
    return sorted(tables, key=lambda t: order.index(t.key))


def _proposed_table(y: Any, d: pd.DataFrame, names: dict[str, str], lang: str, type_name: Any) -> ReportTable:
    """ "Danh sách chi bộ đề nghị công nhận “Chi bộ 4 tốt” năm N": the cells whose year's result meets the
    standard, a proposal to the upper level's standing committee, with the rule that decided it."""
    p = d[d["year_status"] == "meets"].sort_values(["year_score", "cell_code"], ascending=[False, True])
    outstanding = p["outstanding"].astype(bool) if "outstanding" in p else pd.Series(False, index=p.index)
    p = p.assign(cell_type_label=p["cell_type"].map(type_name), stt=range(1, len(p) + 1),
                 outstanding_label=outstanding.map(lambda v: _t(lang, ("Tiêu biểu", "Outstanding")) if v else ""))
    cols: list[Col] = [
        ("stt", "STT", "No.", 5, "0"), ("parent_name", "Trực thuộc", "Under", 30, None),
        ("cell_code", "Mã chi bộ", "Cell code", 11, "@"), ("cell_name", "Tên chi bộ", "Cell name", 32, None),
        ("cell_type_label", "Loại chi bộ", "Cell type", 20, None),
        ("year_score", "Điểm xét", "Score", 9, "0.00"), ("rule_label", "Căn cứ xét", "Decided by", 18, None)]
    if outstanding.any():  # the table's outstanding_score proposed some cells as outstanding
        cols.append(("outstanding_label", "Đề nghị tiêu biểu", "Proposed as outstanding", 11, None))
    return ReportTable("year_proposed", names["year_proposed"],
                       _t(lang, (f"DANH SÁCH CHI BỘ ĐỀ NGHỊ CÔNG NHẬN “CHI BỘ 4 TỐT” NĂM {y.year}",
                                 f"CELLS PROPOSED FOR RECOGNITION AS “CHI BỘ 4 TỐT”, {y.year}")), cols, p)


def _not_recognised_table(y: Any, d: pd.DataFrame, names: dict[str, str], lang: str, type_name: Any) -> ReportTable:
    """The cells not proposed, each with its reason: excluded, below the threshold (and by how much),
    or not enough data (which months are missing, whether the year-end evaluation is in)."""
    n = d[d["year_status"] != "meets"]
    reasons = []
    weakest = zip(n["weakest_content"], n["weakest_share"]) if "weakest_content" in n else [("", None)] * len(n)
    questions = n["veto_questions"] if "veto_questions" in n else pd.Series("", index=n.index)
    for status, score, threshold, months, rule, ye, (content, share), asked in zip(
            n["year_status"], n["year_score"], n["threshold"], n["missing_months"], n["rule"], n["year_end_status"],
            weakest, questions):
        gone = ", ".join((f"T{m}" if lang != "en" else f"M{m}") for m in (months or []))
        if status == "veto":
            reasons.append(_t(lang, (f"Thuộc trường hợp loại trừ, trả lời “Có” câu hỏi {asked}",
                                     f"Excluded: answered “yes” to {asked}")) if asked else
                           _t(lang, ("Thuộc trường hợp loại trừ (câu hỏi loại trừ trả lời “Có”)",
                                     "Excluded (an exclusion question answered “yes”)")))
        elif status == "below":
            how = _t(lang, YEAR_RULE_LABELS.get(rule, ("", ""))).lower()
            weak = (_t(lang, (f"; nội dung yếu nhất: {content} ({number_text(round(share * 100, 1), lang)}% điểm chuẩn)",
                              f"; weakest content: {content} ({number_text(round(share * 100, 1), lang)}% of its "
                              "maximum)")) if content and share == share and share is not None else "")
            reasons.append(_t(lang, (f"Điểm xét {number_text(score, lang)} ({how}) dưới ngưỡng "
                                     f"{number_text(threshold, lang)} điểm",
                                     f"Score {number_text(score, lang)} ({how}) under the threshold of "
                                     f"{number_text(threshold, lang)}")) + weak)
        else:
            end = (("đánh giá cuối năm chưa chấm đủ", "the year-end evaluation is not fully scored") if ye == "incomplete"
                   else ("chưa có đánh giá cuối năm", "no year-end evaluation"))
            reasons.append(_t(lang, (f"Chưa đủ dữ liệu: {end[0]}" + (f"; thiếu {gone}" if gone else ""),
                                     f"Not enough data: {end[1]}" + (f"; missing {gone}" if gone else ""))))
    n = n.assign(reason=reasons, cell_type_label=n["cell_type"].map(type_name))
    return ReportTable("year_not_recognised", names["year_not_recognised"],
                       _t(lang, (f"CHI BỘ CHƯA ĐỀ NGHỊ CÔNG NHẬN NĂM {y.year} VÀ LÝ DO",
                                 f"CELLS NOT PROPOSED FOR {y.year} AND WHY")), [
        ("parent_name", "Trực thuộc", "Under", 28, None), ("cell_code", "Mã chi bộ", "Cell code", 11, "@"),
        ("cell_name", "Tên chi bộ", "Cell name", 30, None), ("cell_type_label", "Loại chi bộ", "Cell type", 18, None),
        ("months_submitted", "Số tháng đã nộp", "Months sent", 8, "0"),
        ("reason", "Lý do", "Reason", 50, None)], n)


def run_at_text(run_at: dt.datetime, lang: str) -> str:
    return _t(lang, ("Lập lúc ", "Run at ")) + run_at.strftime("%d/%m/%Y %H:%M")


def consolidated_meta(lang: str, settings: dict[str, str] | None = None) -> list[tuple[Any, ...]]:
    """The `_meta` rows of a consolidated workbook: what it is and how to consolidate it again."""
    settings = settings or {}
    return meta_rows(Kind.CONSOLIDATED, lang, f"fourgood {__version__}", **{
        key: settings.get(key, "") for key in DOCUMENT_SETTINGS})


# What a consolidated workbook records to be consolidated again as it was: its sources, roster and
# period, and how its report is headed and signed.
DOCUMENT_SETTINGS = (MetaKey.SOURCES, MetaKey.ROSTER, MetaKey.PERIOD, MetaKey.ISSUER, MetaKey.PLACE, MetaKey.SIGNER)


def write_consolidated(c: Consolidation, out: str | Path, lang: str = "vi", run_at: dt.datetime | None = None,
                       sources: list[str] | None = None, roster: str | None = None, period: str | None = None,
                       issuer: str | None = None, place: str | None = None, signer: Signer | None = None,
                       weakest: int = 10) -> Path:
    """Write the workbook: the report (signed) on the first sheet, then its numbered appendices; every
    visible sheet prints on A4 (see HEAD_ROW)."""
    wb = Workbook()
    default_font(wb)
    wb.properties.creator = "fourgood"
    run_at = run_at or dt.datetime.now().replace(microsecond=0)
    wb.properties.created = wb.properties.modified = run_at
    names = {k: _t(lang, v) for k, v in SHEET_NAMES.items()}
    heading = letterhead(c, lang, run_at, issuer=issuer, place=place, period=period, signer=signer)
    report = wb.worksheets[0]
    report.title = names["report"]
    write_report_sheet(report, c, heading, lang, weakest)
    bodies = []
    tables = report_tables(c, lang)
    for number, table in enumerate(tables, 1):
        ws = wb.create_sheet(table.sheet)
        # the top and the upper levels of the summary in bold
        bold = table.frame["kind"].isin([PROVINCE, UPPER, ""]) if table.key == "hierarchy" else None
        depth = table.frame["depth"] if table.key in ("hierarchy", "year_hierarchy") else None
        rows = write_table(ws, table.frame, table.cols, lang, table.title, heading, bold, appendix=number,
                           indent=depth, indent_key="org_label", unprinted=UNPRINTED.get(table.key, ()))
        bodies.append(rows)
        head, last = HEAD_ROW, rows.last
        keys = [col[0] for col in table.cols]
        if table.key in ("hierarchy", "year_proposed"):
            widths = [ws.column_dimensions[get_column_letter(j)].width for j in range(1, len(table.cols) + 1)]
            prepared_by(ws, lang, widths, max(last, head + 1) + 2)
        for rate in ("pass_rate", "avg_share"):
            if rate in keys:
                _rate_rules(ws, keys.index(rate) + 1, head, last)
        if "status_label" in keys and table.key == "detail":
            _status_rules(ws, keys.index("status_label") + 1, head, last, lang, thresholds_of(c))

    _charts(wb, c, names, lang, heading, appendix=len(tables) + 1)
    bodies.append(_data_sheet(wb, c))
    settings = {"sources": "; ".join(sources or []), "roster": roster or "", "period": period or "",
                "issuer": issuer or "", "place": place or "", "signer": signer.text() if signer else ""}
    write_meta_sheet(wb, consolidated_meta(lang, settings))
    with atomic_path(out) as tmp:
        save_with_rows(wb, tmp, bodies)
    return Path(out)


# Columns kept in the workbook, after the print area: problem codes (they stay in the JSON too), the
# source files' paths (the log appendix lists every file once) and, in the cell list, what the printed
# columns already say (the score's source: the upper level's column is filled; the gap: self - upper).
UNPRINTED: dict[str, tuple[str, ...]] = {"detail": ("source_label", "gap", "period", "upper_committee",
                                                    "grassroots_label", "file"), "year_cells": ("parent_name",), "below": ("file",), "rejected": ("code",)}


def _charts(wb: Workbook, c: Consolidation, names: dict[str, str], lang: str, heading: Letterhead | None = None,
            appendix: int = 0) -> None:
    """Two charts, each whole on its own landscape A4 page beside the figures it draws."""
    ws = wb.create_sheet(names["charts"])
    widths = [40.0, 11.0, 2.0, CHART_COLUMN]
    for j, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = width
    _heading(ws, heading or Letterhead.placeholder(lang), widths, _t(lang, ("BIỂU ĐỒ", "CHARTS")), appendix)
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

    # one bar per organisation right under the top (for the year: its share of cells proposed; none
    # decided is a blank, not 0%)
    tree = c.year.hierarchy if c.year is not None else c.hierarchy
    tops = set(tree.loc[tree["depth"] == 0, "node"])
    upper = tree[tree["parent"].isin(tops)]
    if c.year is not None:
        rates = upper["pass_rate"].where(upper["decided"] > 0)
        labels = [str(name) for name in upper["name"]]
    else:
        rates = upper["pass_rate"]
        many = upper["period"].nunique() > 1
        labels = [f"{name} ({period})" if many else str(name) for name, period in zip(upper["name"], upper["period"])]
    n = max(len(upper), 1)
    first = HEAD_ROW
    levels = list(dict.fromkeys(upper["kind"]))  # the level the roster gives them, when they share one
    level = kind_label(levels[0], lang) if len(levels) == 1 else _t(lang, ("Tổ chức đảng", "Party organisation"))
    used = table(first, (level, _t(lang, ("Tỷ lệ đạt", "Pass rate"))),
                 [(label, rate, "0.0%") for label, rate in zip(labels, rates)])
    top_pt = sum(float(ws.row_dimensions[r].height or 15) for r in range(1, first))
    chart = BarChart()
    chart.type = "bar"
    chart.title = _t(lang, (f"Tỷ lệ chi bộ đạt theo {level[0].lower() + level[1:]}", f"Pass rate by {level.lower()}"))
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
