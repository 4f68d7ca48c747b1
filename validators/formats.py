"""Open a submitted file as a `WorkbookView`: python-calamine first, a fallback where it misreads.

Real programs write the same formats in ways calamine (0.9) does not always read. Each case is
detected from the file itself, and only then is another reader used:

* ods: calamine stops on a content.xml whose cells are indented (Gnumeric, SheetJS) -> when
  calamine fails on a package that `open_package` identified as ODS, content.xml is read here
  with a streaming ElementTree parse (bounded: part size, cell count; DOCTYPE refused before).
* xlsb: calamine skips the "short" cell records (BrtShort*, no column field) that SheetJS
  writes, and shows column A only -> the sheet part's own cell records are counted here; when
  calamine's grid does not hold the same number of values, the part is read by the BIFF12
  record reader below (pyxlsb 1.0.10 ignores the same records, so it is no fallback).
* encrypted xls (RC4, FILEPASS record): calamine fails without saying why -> xlrd tells.
* xls: calamine decides "date" from built-in format ids, which Gnumeric reuses for its own
  number formats (8 points -> 1900-01-08) -> when calamine returns any date or time on an
  .xls sheet, xlrd (which classifies by the format string the file really stores) reads it.

Encrypted files of every format are `password_protected`; a file no reader can parse stays
`corrupt_file`. Nothing here executes anything; inputs are only read.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

from python_calamine import CalamineWorkbook

from fourgood.problems import Problem

from .package import Package, Refused, address, open_package, read_part, special_cells

MAX_CELLS = 2_000_000  # cells a fallback reader materialises for one workbook
MAX_MERGED = 10_000  # cells one merged range may cover before it is ignored (as in the reader)
# A form's sheets hold a few hundred cells (the largest template's scoring sheet is ~30 KB of XML);
# a sheet of a cell form far beyond that is refused before it is parsed (parsing 60 MB of sheet XML
# costs seconds of CPU in calamine alone). Consolidated workbooks are not bound by it.
MAX_FORM_SHEET_BYTES = 4 * 1024 * 1024
Grid = list[list[Any]]
Flags = dict[tuple[int, int], str]


@dataclass
class WorkbookView:
    """What the reader needs from a workbook, whoever holds it.

    A file on disk is parsed by python-calamine (`_file_view`); a book open in Excel is seen
    through xlwings (`fourgood.addin`). Both then go through the same `read_view`.
    """

    format: str
    sheets: list[str]
    names: dict[str, str]  # workbook-scope defined name -> reference text
    values: Callable[[str], list[list[Any]]]  # a sheet's cells from A1, row by row
    special: Callable[[str], dict[tuple[int, int], str]] = lambda sheet: {}  # formula/error cells
    merged: Callable[[str], dict[tuple[int, int], str]] = lambda sheet: {}  # cell -> merged range
    macros: bool = False
    formulas_known: bool = False  # special() lists every formula cell (else: formulas unknown)
    part_size: Callable[[str], int | None] = lambda sheet: None  # a sheet's unpacked part, when the format has one


def _part_size(pkg: Package, parts: dict[str, str]) -> Callable[[str], int | None]:
    """The declared unpacked size of a sheet's own part (xlsx, xlsm, xlsb), known before parsing it."""
    def size(name: str) -> int | None:
        try:
            return pkg.archive.getinfo(parts[name]).file_size
        except (KeyError, ValueError):
            return None
    return size


def _merged_cells(sheet) -> dict[tuple[int, int], str]:
    """Cells covered by a merge -> the merged range (inputs must never be merged)."""
    try:
        ranges = (sheet.merged_cell_ranges or []) if sheet is not None else []
    except Exception:
        return {}
    covered = {}
    for (r0, c0), (r1, c1) in ranges:
        if (r1 - r0 + 1) * (c1 - c0 + 1) > 10000:
            continue
        label = f"{address(r0, c0)}:{address(r1, c1)}"
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                covered[(r, c)] = label
    return covered


def open_view(data: bytes) -> WorkbookView:
    pkg = open_package(data)  # format from content; zip bombs, DOCTYPE/ENTITY, OLE encryption refused here
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise Refused(Problem("password_protected")) from None
        if pkg.format == "ods":
            return _ods_view(pkg, exc)
        if pkg.format == "xls" and _xls_encrypted(data):  # calamine says only "Cannot detect file format"
            raise Refused(Problem("password_protected")) from None
        raise Refused(Problem("corrupt_file", params={"detail": error_summary(exc)})) from None
    if pkg.format == "xlsb":
        return _xlsb_view(pkg, book)
    if pkg.format == "xls":
        return _xls_view(data, pkg, book)
    return _calamine_view(pkg, book)


def error_summary(exc: BaseException) -> str:
    """'Type: first line of the message', the detail of a located problem (the traceback goes to the log)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"{type(exc).__name__}: {text[:160]}"


def _calamine_view(pkg: Package, book: CalamineWorkbook,
                   values: Callable[[str], Grid] | None = None) -> WorkbookView:
    loaded: dict[str, Any] = {}

    def calamine_values(name: str) -> Grid:
        loaded[name] = book.get_sheet_by_name(name)
        return loaded[name].to_python(skip_empty_area=False)

    flags: dict[str, Flags] = {}

    def special(name: str) -> Flags:  # once per sheet: the totals and the table ask for the same sheet
        if name not in flags:
            part = pkg.sheet_parts.get(name)
            flags[name] = special_cells(read_part(pkg, part)) if part else {}
        return flags[name]

    return WorkbookView(pkg.format, list(book.sheet_names), pkg.names, values or calamine_values, special,
                        lambda name: _merged_cells(loaded.get(name)), pkg.macros,
                        formulas_known=pkg.format in ("xlsx", "xlsm"), part_size=_part_size(pkg, pkg.sheet_parts))


def _filled(value: Any) -> bool:
    return value is not None and value != ""


# ----------------------------------------------------------------------------- xls


def _xls_view(data: bytes, pkg: Package, book: CalamineWorkbook) -> WorkbookView:
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

    view = _calamine_view(pkg, book, values)
    view.merged = lambda name: _merged_cells(loaded.get(name))
    return view


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


# ----------------------------------------------------------------------------- xlsb


def _xlsb_view(pkg: Package, book: CalamineWorkbook) -> WorkbookView:
    parts = _xlsb_sheet_parts(pkg)
    strings: list[list[str]] = []
    dates: list[set[int]] = []
    loaded: dict[str, Any] = {}
    own: dict[str, _XlsbSheet] = {}

    def read_own(name: str) -> _XlsbSheet:
        if name not in own:
            if not strings:
                strings.append(_xlsb_strings(pkg))
                dates.append(_xlsb_date_styles(pkg))
            part = parts.get(name)
            if part is None or part not in pkg.archive.namelist():
                raise Refused(Problem("corrupt_file", params={"detail": f"xlsb: no part for sheet '{name}'"}))
            own[name] = _XlsbSheet(read_part(pkg, part), strings[0], dates[0])
        return own[name]

    def values(name: str) -> Grid:
        loaded[name] = book.get_sheet_by_name(name)
        grid = loaded[name].to_python(skip_empty_area=False)
        mine = read_own(name)
        if sum(_filled(v) for row in grid for v in row) == mine.filled:
            return grid
        # calamine holds fewer (or more) values than the sheet part's cell records: use the records
        loaded.pop(name)
        return mine.grid

    def merged(name: str) -> dict[tuple[int, int], str]:
        if name in loaded:
            return _merged_cells(loaded[name])
        return read_own(name).merged if name in own else {}

    return WorkbookView(pkg.format, list(book.sheet_names), pkg.names, values,
                        lambda name: read_own(name).special if name in parts else {}, merged, pkg.macros,
                        part_size=_part_size(pkg, parts))


def _records(data: bytes) -> Iterator[tuple[int, bytes]]:
    """BIFF12 records: a 1-2 byte type and a 1-4 byte size, each 7 bits a byte, low first."""
    pos, end = 0, len(data)
    while pos < end:
        rtype = data[pos]
        pos += 1
        if rtype & 0x80:
            if pos >= end:
                break
            rtype = (rtype & 0x7F) | ((data[pos] & 0x7F) << 7)
            pos += 1
        size = shift = 0
        for _ in range(4):
            if pos >= end:
                raise Refused(Problem("corrupt_file", params={"detail": "xlsb: truncated record"}))
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        if pos + size > end:
            raise Refused(Problem("corrupt_file", params={"detail": "xlsb: truncated record"}))
        yield rtype, data[pos:pos + size]
        pos += size


def _wide(body: bytes, at: int) -> tuple[str, int]:
    """XLWideString at `at` -> (text, offset after it)."""
    (count,) = struct.unpack_from("<I", body, at)
    if count == 0xFFFFFFFF:  # XLNullableWideString
        return "", at + 4
    end = at + 4 + 2 * count
    if end > len(body):
        raise Refused(Problem("corrupt_file", params={"detail": "xlsb: string past its record"}))
    return body[at + 4:end].decode("utf-16-le", "replace"), end


REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _xlsb_sheet_parts(pkg: Package) -> dict[str, str]:
    rels = "xl/_rels/workbook.bin.rels"
    targets = {}
    if rels in pkg.archive.namelist():
        try:
            root = ET.fromstring(read_part(pkg, rels))
        except ET.ParseError as exc:
            raise Refused(Problem("corrupt_file", params={"detail": f"{rels}: {exc}"})) from None
        for rel in root.iter(f"{REL_NS}Relationship"):
            target = rel.get("Target", "")
            targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    out = {}
    for rtype, body in _records(read_part(pkg, "xl/workbook.bin")):
        if rtype == 0x9C:  # BrtBundleSh: hsState, iTabID, strRelID, strName
            rid, at = _wide(body, 8)
            name, _ = _wide(body, at)
            if rid in targets:
                out[name] = targets[rid]
    return out


def _xlsb_strings(pkg: Package) -> list[str]:
    part = "xl/sharedStrings.bin"
    if part not in pkg.archive.namelist():
        return []
    out = []
    for rtype, body in _records(read_part(pkg, part)):
        if rtype == 0x13:  # BrtSSTItem: flags byte, then the text
            out.append(_wide(body, 1)[0])
    return out


DATE_FORMAT_IDS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47}


def is_date_format(code: str) -> bool:
    """A number format that shows a date or time (quoted text, [colours] and escapes ignored)."""
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code.split(";")[0]).lower()
    return bool(re.search(r"[dmyhs]", bare)) and "general" not in bare


def _xlsb_date_styles(pkg: Package) -> set[int]:
    """Indexes of the cell styles (cellXfs) whose number format is a date or time."""
    part = "xl/styles.bin"
    if part not in pkg.archive.namelist():
        return set()
    custom: dict[int, str] = {}
    dates, in_cell_xfs, index = set(), False, 0
    for rtype, body in _records(read_part(pkg, part)):
        if rtype == 0x2C and len(body) >= 6:  # BrtFmt: ifmt, stFmtCode
            custom[struct.unpack_from("<H", body, 0)[0]] = _wide(body, 2)[0]
        elif rtype == 0x269:  # BrtBeginCellXFs
            in_cell_xfs, index = True, 0
        elif rtype == 0x26A:  # BrtEndCellXFs
            in_cell_xfs = False
        elif rtype == 0x2F and in_cell_xfs and len(body) >= 4:  # BrtXF: ixfeParent, iFmt, ...
            fmt = struct.unpack_from("<H", body, 2)[0]
            if fmt in custom and is_date_format(custom[fmt]) or fmt not in custom and fmt in DATE_FORMAT_IDS:
                dates.add(index)
            index += 1
    return dates


XLSB_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
               0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


def _rk(raw: int) -> float:
    """RkNumber: bit 0 divides by 100; bit 1 marks a signed 30-bit integer, else the top of a double."""
    if raw & 2:
        whole = raw >> 2
        value = float(whole - (1 << 30) if whole & (1 << 29) else whole)
    else:
        value = struct.unpack("<d", struct.pack("<Q", (raw & 0xFFFFFFFC) << 32))[0]
    return value / 100 if raw & 1 else value


def _serial_date(value: float) -> Any:
    if not 0 <= value < 2958466:
        return value
    moment = dt.datetime(1899, 12, 30) + dt.timedelta(days=value if value >= 61 else value + 1)
    moment = moment.replace(microsecond=0) + dt.timedelta(seconds=round(moment.microsecond / 1e6))
    return moment.date() if moment.time() == dt.time(0) else moment


class _XlsbSheet:
    """One worksheet part read from its records: every cell record (full and short) counts."""

    def __init__(self, data: bytes, strings: list[str], date_styles: set[int]):
        cells: dict[tuple[int, int], Any] = {}
        self.special: Flags = {}
        self.merged: dict[tuple[int, int], str] = {}
        row, col = 0, -1
        for rtype, body in _records(data):
            if rtype == 0:  # BrtRowHdr
                row, col = struct.unpack_from("<I", body, 0)[0], -1
                continue
            if rtype == 0xB0 and len(body) >= 16:  # BrtMergeCell: rwFirst, rwLast, colFirst, colLast
                self._merge(*struct.unpack_from("<4I", body, 0))
                continue
            if not 1 <= rtype <= 18:
                continue
            if rtype <= 11:  # full cell: column, then style
                col, style = struct.unpack_from("<II", body, 0)
                at = 8
            else:  # short cell: the next column
                col, style = col + 1, struct.unpack_from("<I", body, 0)[0]
                at = 4
            style &= 0xFFFFFF
            kind = rtype - 11 if rtype > 11 else rtype
            value: Any = ""
            if rtype in (2, 13):
                value = _rk(struct.unpack_from("<I", body, at)[0])
            elif rtype in (3, 11, 14):
                value = XLSB_ERRORS.get(body[at], "#ERR")
            elif rtype in (4, 10, 15):
                value = bool(body[at])
            elif rtype in (5, 9, 16):
                value = struct.unpack_from("<d", body, at)[0]
            elif rtype in (6, 8, 17):
                value = _wide(body, at)[0]
            elif rtype in (7, 18):
                index = struct.unpack_from("<I", body, at)[0]
                value = strings[index] if index < len(strings) else ""
            if isinstance(value, float) and style in date_styles:
                value = _serial_date(value)
            if 8 <= rtype <= 11:
                self.special[(row, col)] = "formula"
            elif kind == 3:
                self.special[(row, col)] = "error"
            if _filled(value):
                cells[(row, col)] = value
                if len(cells) > MAX_CELLS:
                    raise Refused(Problem("oversized_content", value=len(cells), expected=MAX_CELLS))
        self.filled = len(cells)
        self.grid = _to_grid(cells)

    def _merge(self, r0: int, r1: int, c0: int, c1: int) -> None:
        if (r1 - r0 + 1) * (c1 - c0 + 1) > MAX_MERGED or r1 < r0 or c1 < c0:
            return
        label = f"{address(r0, c0)}:{address(r1, c1)}"
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                self.merged[(r, c)] = label


def _to_grid(cells: dict[tuple[int, int], Any]) -> Grid:
    """Sparse cells -> rows from A1 to the last filled cell, "" where empty (as calamine gives)."""
    if not cells:
        return []
    height = max(r for r, _ in cells) + 1
    width = max(c for _, c in cells) + 1
    if height * width > MAX_CELLS:
        raise Refused(Problem("oversized_content", value=height * width, expected=MAX_CELLS))
    grid: Grid = [[""] * width for _ in range(height)]
    for (r, c), value in cells.items():
        grid[r][c] = value
    return grid


# ----------------------------------------------------------------------------- ods

OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"


def _ods_view(pkg: Package, calamine_error: Exception) -> WorkbookView:
    """content.xml read in one streaming pass (the whole workbook: sheets are listed in it)."""
    try:
        sheets = _OdsContent(read_part(pkg, "content.xml")).sheets
    except ET.ParseError as exc:
        detail = f"content.xml: {exc}; {error_summary(calamine_error)}"
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
                        sheet.grid = _to_grid(sheet.cells)
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
                if any(_filled(v) or f or s != (1, 1) for _, v, f, _, s in row_cells):
                    for r in range(row, row + repeat):
                        self._put(sheet, r, row_cells)
                row += repeat
                col = 0
                row_cells = []
                _drop(elem, stack)

    def _put(self, sheet: _OdsSheet, r: int, row_cells) -> None:
        for c0, value, flag, repeat, (rows, cols) in row_cells:
            if not (_filled(value) or flag or (rows, cols) != (1, 1)):
                continue
            self.count += repeat
            if self.count > MAX_CELLS:
                raise Refused(Problem("oversized_content", value=self.count, expected=MAX_CELLS))
            for c in range(c0, c0 + repeat):
                if _filled(value):
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
