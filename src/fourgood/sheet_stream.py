"""Write a worksheet's rows as SpreadsheetML text and splice them into a workbook saved without them.

openpyxl's normal mode keeps every cell as an object until it saves (about 1 GB for a
100,000-row sheet) and its write-only mode cannot merge cells, size rows or add conditional
formats, which a printed report needs (benchmarks/RESULTS.md). So the report is saved by openpyxl
with its large tables' body rows left out, and `save_with_rows` copies that file, writing each
body's `<row>` elements into its sheet from an iterator: memory stays flat whatever the rows.

Cells are written as openpyxl writes them in normal mode (`cell_xml`): text inline, never a
formula; numbers with 16 significant digits; booleans as 1/0; dates as serial numbers of the
1900 date system; text cut at 32,767 characters, and refused with openpyxl's
IllegalCharacterError when it holds characters XML 1.0 cannot carry (`cell_value`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO
from math import isfinite as _finite
from pathlib import Path
from typing import IO, Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TIME_TYPES
from openpyxl.compat.numbers import NUMERIC_TYPES
from openpyxl.styles.stylesheet import write_stylesheet
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

MAX_TEXT = 32767  # characters a cell holds (openpyxl cuts longer text there)
STYLES_PART = "xl/styles.xml"


def cell_value(value: Any) -> Any:
    """`value` as an openpyxl cell stores it: text cut at MAX_TEXT characters and refused when XML
    1.0 cannot carry it; numbers, booleans, dates and None as they are; anything else refused."""
    if isinstance(value, str):
        value = value[:MAX_TEXT]
        if ILLEGAL_CHARACTERS_RE.search(value):
            raise IllegalCharacterError(f"{value} cannot be used in worksheets.")
        return value
    if value is None or isinstance(value, (*NUMERIC_TYPES, *TIME_TYPES)):  # bool is an int
        return value
    raise ValueError(f"Cannot convert {value!r} to Excel")


def _number(value: Any) -> str:
    """A number's `<v>` as openpyxl writes it (`safe_string`): 16 significant digits; empty for
    NaN and the infinities."""
    return "<v />" if math.isnan(value) or math.isinf(value) else "<v>%.16g</v>" % value  # noqa: UP031 (as safe_string)


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline(value: str, s: str) -> str:
    """A text cell's `<c>` element from the quote closing its reference, `s` its format attribute."""
    if not value:
        return f'"{s} t="inlineStr" />'
    stripped = value.strip()
    space = ' xml:space="preserve"' if stripped and stripped != value else ""
    return f'"{s} t="inlineStr"><is><t{space}>{_text(value)}</t></is></c>'


def _inlines(texts: list[str], s: str) -> list[str]:
    """`_inline` of each of `texts`, escaped all at once."""
    joined = "\0".join(texts)
    if not texts or joined.count("\0") != len(texts) - 1:  # a text holds the separator
        return [_inline(t, s) for t in texts]
    escaped = _text(joined).split("\0")
    empty, plain, spaced = f'"{s} t="inlineStr" />', f'"{s} t="inlineStr"><is><t>', f'"{s} t="inlineStr"><is><t xml:space="preserve">'
    return [(spaced if (t[0].isspace() or t[-1].isspace()) and not t.isspace() else plain) + e + "</t></is></c>" if t
            else empty for t, e in zip(texts, escaped)]  # as _inline: spaces kept where strip() would lose some


def cell_xml(ref: str, value: Any, style: int | None) -> str:
    """One `<c>` element for a value from `cell_value`, styled with cell format (xf) `style`;
    an empty cell without a style is not written at all, as openpyxl does."""
    s = "" if style is None else f' s="{style}"'
    if value.__class__ is float or value.__class__ is int:  # most cells: no need to ask more
        return f'<c r="{ref}"{s} t="n">{_number(value)}</c>'
    if isinstance(value, str):
        return f'<c r="{ref}{_inline(value, s)}'
    if value is None:
        return "" if style is None else f'<c r="{ref}"{s} t="n" />'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, TIME_TYPES):
        if getattr(value, "tzinfo", None) is not None:
            raise TypeError("Excel does not support timezones in datetimes. "
                            "The tzinfo in the datetime/time object must be set to None.")
        value = to_excel(value)
    return f'<c r="{ref}"{s} t="n">{_number(value)}</c>'


def column_xml(letter: str, rows: Sequence[str], values: Sequence[Any], style: int | None) -> list[str]:
    """`cell_xml` of each of `values` in column `letter`, rows `rows` (row numbers as text), all of
    format `style`, a column at once (`column_tails`). An unwritten cell is ''."""
    head = f'<c r="{letter}'
    return [head + r + t if t else "" for r, t in zip(rows, column_tails(values, style))]


_PLAIN = frozenset({str, type(None), float, int})  # the kinds whose equal values (but zeros) print alike


def column_tails(values: Sequence[Any], style: int | None) -> list[str]:
    """Each of `values`' `cell_xml` in format `style` from the quote after its row number (`<c r="A7`
    + tail), '' for an unwritten cell: a column at once, not one call per cell. A text's or a
    number's element is made once however often the column repeats it (names, labels, scores);
    anything else (booleans, dates) goes through `cell_xml`."""
    s = "" if style is None else f' s="{style}"'
    number, infinite = f'"{s} t="n"><v>', f'"{s} t="n"><v /></c>'
    keys = distinct(values)
    texts = [v for v in keys if isinstance(v, str)]  # a subclass's key serves an equal text: its element is the same
    known: dict[Any, str] = dict(zip(texts, _inlines(texts, s)))
    if None in keys:
        known[None] = _tail(None, style)
    known.update({v: number + "%.16g</v></c>" % v if _finite(v) else infinite  # noqa: UP031 (as _number)
                  for v in keys if (v.__class__ is float or v.__class__ is int) and v})  # but 0.0 and -0.0
    if _PLAIN.issuperset(map(type, values)):  # found by value in C; only the zeros are left to write
        tails: list[Any] = list(map(known.get, values))
        at = -1
        try:
            while True:
                at = tails.index(None, at + 1)
                tails[at] = number + "%.16g</v></c>" % values[at]  # noqa: UP031 (a zero, as _number)
        except ValueError:
            return tails  # no None left
    return [known[v] if v.__class__ is str
            else known.get(v) or (number + "%.16g</v></c>" % v if _finite(v) else infinite)  # noqa: UP031
            if v.__class__ is float or v.__class__ is int
            else known[None] if v is None
            else _tail(v, style)
            for v in values]


def distinct(values: Sequence[Any]) -> Iterable[Any]:
    """`values` each once, in order (a dict's keys). Values equal but printed differently are one
    key (True, 1 and 1.0; 0.0 and -0.0; a text and its subclass): take each key for what its own
    type says, and look up only values of that type."""
    try:
        return dict.fromkeys(values)
    except TypeError:  # an unhashable value, for cell_xml to refuse
        return [v for v in values if v.__class__ is str or v is None]


def _tail(value: Any, style: int | None) -> str:
    """`cell_xml` of `value` after its reference's row number ('' for an unwritten cell)."""
    return cell_xml("", value, style)[len('<c r="'):]


def row_xml(row: int, cells: str, height: float | None = None) -> str:
    """One `<row>` element around its cells' XML, with a custom height in points if given."""
    if height is None:
        return f'<row r="{row}">{cells}</row>'
    return f'<row r="{row}" ht="{height:.16g}" customHeight="1">{cells}</row>'


@dataclass
class SheetRows:
    """The body of one worksheet, rows `first`..`last` (none when last < first) in columns
    1..`width`, as `<row>` elements in ascending order, in pieces of any size."""

    ws: Worksheet
    first: int
    last: int
    width: int
    xml: Iterable[str]


def save_with_rows(wb: Workbook, target: str | Path | IO[bytes], bodies: list[SheetRows]) -> None:
    """Save `wb` with each body's rows written into its sheet, after the sheet's rows above the
    body and before those below it (a signature block under a table).

    The row producers may give cells formats that the workbook did not hold yet (openpyxl, too,
    adds a cell's format to the style table only while saving), so the style table is written
    again after every body."""
    skeleton = BytesIO()
    wb.save(skeleton)
    parts = {body.ws.path.lstrip("/"): body for body in bodies}  # known once openpyxl has saved
    splice(skeleton, target, parts, {STYLES_PART: lambda: tostring(write_stylesheet(wb))})


def splice(source: str | Path | IO[bytes], target: str | Path | IO[bytes], bodies: dict[str, SheetRows],
           late: dict[str, Callable[[], bytes]]) -> None:
    """Copy the package `source` to `target`, writing each body into the part named by its key
    and the `late` parts, made by their functions, after everything else."""
    with ZipFile(source) as src, ZipFile(target, "w", ZIP_DEFLATED, allowZip64=True) as dst:
        for info in src.infolist():
            if info.filename in late:
                continue
            body = bodies.get(info.filename)
            if body is None:
                dst.writestr(info, src.read(info))
                continue
            above, below = _around_body(src.read(info).decode("utf-8"), body)
            part = ZipInfo(info.filename, date_time=info.date_time)
            part.compress_type = info.compress_type
            with dst.open(part, "w") as out:
                out.write(above.encode("utf-8"))
                for piece in body.xml:
                    out.write(piece.encode("utf-8", "xmlcharrefreplace"))  # lone surrogates as openpyxl writes them
                out.write(below.encode("utf-8"))
        for name, make in late.items():
            info = src.getinfo(name)
            dst.writestr(info, make())


_ROW = re.compile(r'<row r="(\d+)"')
_DIMENSION = re.compile(r'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"\s*/>')
_EMPTY_DATA = re.compile(r"<sheetData\s*/>")


def _around_body(sheet: str, body: SheetRows) -> tuple[str, str]:
    """A sheet's XML split where the body's rows go, its dimension grown to hold them."""
    sheet = _EMPTY_DATA.sub("<sheetData></sheetData>", sheet, count=1)
    if body.last >= body.first:
        sheet = _DIMENSION.sub(lambda m: _grown(m, body), sheet, count=1)
    start, at = sheet.index("<sheetData>"), sheet.index("</sheetData>")
    for match in _ROW.finditer(sheet, start, at):
        row = int(match.group(1))
        if body.first <= row <= body.last:
            raise ValueError(f"row {row} of {body.ws.title!r} is both in the workbook and in the rows to splice")
        if row > body.last:
            at = match.start()
            break
    return sheet[:at], sheet[at:]


def _grown(m: re.Match[str], body: SheetRows) -> str:
    """The dimension openpyxl wrote, grown by the body (which starts in column A)."""
    right = max(column_index_from_string(m.group(3) or m.group(1)), body.width)
    top, bottom = int(m.group(2)), int(m.group(4) or m.group(2))
    return f'<dimension ref="A{min(top, body.first)}:{get_column_letter(right)}{max(bottom, body.last)}" />'
