"""Print geometry of the report's sheets: A4, column widths chosen from the content, text measured
letter by letter in Times New Roman, the lines a text wraps to and the row heights that follow.

Every table sheet is a party document on A4: the heading (issuing committee and number on the
left, the party's name and the place and date on the right) in rows 1-4, the title in TITLE_ROW,
the period in PERIOD_ROW and the table's header row in HEAD_ROW, repeated on every page. Column
widths are chosen from the content so that "fit to one page wide" never scales below MIN_SCALE:
BODY_PT text prints at BODY_PT * MIN_SCALE points or more."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from typing import Any

import numpy as np
import pandas as pd

from ..contract import plain_value
from ..house_style import REPORT_MARGINS_IN
from .columns import Col

TITLE_ROW, PERIOD_ROW, HEAD_ROW = 6, 7, 9
BODY_PT = 12
MIN_SCALE = 0.78  # 12 pt prints at 9.4 pt or more
MARGIN_IN = REPORT_MARGINS_IN
A4_PT = (595.3, 841.9)  # portrait width, height
PAD_PT = 9.0  # cell padding and a border each side
MAX_WORD_PT = 100.0  # no column is widened past this for one long word (paths, hashes): they break
COMFORT_SCALE = 0.9  # 12 pt prints at 10.8 pt
INDENT_CHARS = 3.0  # an indent level takes about three characters of the line


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


def text_lines(text: str, width: float, bold: bool = False) -> int:
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


class _Widths(dict[str, int]):
    """_TIMES, and any other letter as wide as its base letter (556, an average capital, when it
    has none there), each found once."""

    def __missing__(self, ch: str) -> int:
        self[ch] = width = _TIMES.get(unicodedata.normalize("NFD", ch)[:1], 556)
        return width


_WIDTHS = _Widths(_TIMES)


@lru_cache(maxsize=65536)
def text_pt(text: str, bold: bool = False) -> float:
    """Printed width of `text` in Times New Roman at BODY_PT points."""
    return _scaled(sum(map(_WIDTHS.__getitem__, text)), bold)


def widest(texts: list[str], bold: bool = False) -> float:
    """The largest `text_pt` of `texts` (0 for none): the most letter units, summed by NumPy for
    many texts, then scaled as text_pt scales them (a rounding never reverses an order)."""
    if len(texts) < 64:
        return max([text_pt(t, bold) for t in texts], default=0.0)
    texts = [t for t in texts if t]
    if not texts:
        return 0.0
    joined = "".join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    letters = list(set(joined))
    table = np.zeros(int(codes.max()) + 1, dtype=np.int32)  # a letter's units by its code point
    table[np.fromiter(map(ord, letters), dtype=np.int64, count=len(letters))] = [_WIDTHS[ch] for ch in letters]
    starts = np.zeros(len(texts), dtype=np.int64)
    np.cumsum(np.fromiter(map(len, texts[:-1]), dtype=np.int64, count=len(texts) - 1), out=starts[1:])
    return _scaled(int(np.add.reduceat(table[codes], starts, dtype=np.int64).max()), bold)


def _scaled(units: int, bold: bool) -> float:
    return units * BODY_PT / 1000 * TEXT_MARGIN * (1.1 if bold else 1.0)


def row_height(texts: list[str], widths: list[float], bold: bool = False) -> float:
    """A row's height: the most lines any of its `texts` wraps to in its column."""
    return max([text_lines(t, w, bold) for t, w in zip(texts, widths) if t] or [1]) * LINE_PT + 3


def shown_text(value: Any, fmt: str | None) -> str:
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
    and -0.0 print differently), other typed columns by value; an object column's texts by value
    and its other values all (True, 1 and 1.0 are one key but print differently)."""
    if column.dtype == "float64":
        return np.unique(column.to_numpy().view("i8")).view("f8").tolist()
    if column.dtype == object:  # each text once, in order: measuring a text again changes nothing
        values = column.tolist()
        if set(map(type, values)) == {str}:
            return list(dict.fromkeys(values))
        seen: set[str] = set()
        return [v for v in values if v.__class__ is not str or not (v in seen or seen.add(v))]  # type: ignore[func-returns-value]
    return column.unique().tolist()


@dataclass
class _Measure:
    """One column's wanted widths, from its header and its values."""

    low: float  # its longest word (header or body), padded: never narrower
    want: float  # its declared width, or less when its longest text is shorter
    longest_pt: float  # its longest body text
    broken: bool  # a body text holds a line break


def _measure(col: Col, frame: pd.DataFrame, lang: str, bold: bool) -> _Measure:
    key, vi, en, declared, fmt = col
    header = en if lang == "en" else vi
    values = [] if frame.empty else _distinct(frame[key]) if key in frame else [None]
    texts = [value if value.__class__ is str else shown_text(plain_value(value), fmt) for value in values]
    # The column's longest word (characters, and printed width) and text; a line break? Letters differ
    # in width: a word (a text) is measured when it is longer than the longest before it, or nearly
    # (within 3 letters), as a scan of the values in their order does.
    word_pt = widest(_contenders(" ".join(texts).split(), 1), bold)  # every text's words, in order
    longest_pt = widest(_contenders(texts, 0), bold)
    longest, broken = max(map(len, texts), default=0), "\n" in "".join(texts)
    # the header is bold; body words are measured bold only where rows print in bold (the summary)
    head_pt = max([text_pt(w, True) for w in header.split()] or [0.0])
    low = min(max(head_pt, word_pt) + PAD_PT, MAX_WORD_PT)
    want = max(low, min(column_pt(declared), longest * CHAR_PT + PAD_PT) if longest else low)
    return _Measure(low, want, longest_pt, broken)


def _contenders(texts: list[str], start: int) -> list[str]:
    """The `texts` longer than the longest before them (`start` characters before the first), or
    nearly (within 3)."""
    if not texts:
        return []
    sizes = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    before = np.maximum.accumulate(np.concatenate(([start], sizes[:-1])))
    return list(compress(texts, (sizes > before - 3).tolist()))


def fit_columns(cols: list[Col], frame: pd.DataFrame, lang: str, bold: bool = False) -> ColumnLayout:
    """Column widths from the content, for print.

    Each column is at least as wide as its longest word (a longer word than MAX_WORD_PT, a path
    or a hash, breaks) and would like its declared width, or less when its longest text is
    shorter. A table that fits A4 portrait at COMFORT_SCALE prints portrait; else landscape,
    filling the page at 100% when it fits, else at the declared widths when they fit at
    MIN_SCALE, else squeezed towards the longest words to fit at MIN_SCALE."""
    measures = [_measure(col, frame, lang, bold) for col in cols]
    lows, wants = [m.low for m in measures], [m.want for m in measures]
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
    one_line = [m.longest_pt <= w * 6 - WRAP_PAD_PT and not m.broken for m, w in zip(measures, widths)]
    return ColumnLayout(widths, orientation, min(1.0, page / sum(column_pt(w) for w in widths)), one_line)
