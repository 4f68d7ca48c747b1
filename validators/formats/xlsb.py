"""The .xlsb (BIFF12) backend: calamine, and the sheet part's own cell records where calamine misses some.

calamine skips the "short" cell records (BrtShort*, no column field) that SheetJS writes, and shows
column A only -> the sheet part's own cell records are counted here; when calamine's grid does not
hold the same number of values, the part is read by the BIFF12 record reader below (pyxlsb 1.0.10
ignores the same records, so it is no fallback).
"""

from __future__ import annotations

import datetime as dt
import re
import struct
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree as ET

from python_calamine import CalamineWorkbook

from fourgood.problems import Problem

from ..package import Package, Refused, address, read_part
from .base import MAX_CELLS, MAX_MERGED, Flags, Grid, WorkbookView, filled, merged_cells, part_size, to_grid


def view(data: bytes, pkg: Package, book: CalamineWorkbook) -> WorkbookView:
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
        if sum(filled(v) for row in grid for v in row) == mine.filled:
            return grid
        # calamine holds fewer (or more) values than the sheet part's cell records: use the records
        loaded.pop(name)
        return mine.grid

    def merged(name: str) -> dict[tuple[int, int], str]:
        if name in loaded:
            return merged_cells(loaded[name])
        return read_own(name).merged if name in own else {}

    return WorkbookView(pkg.format, list(book.sheet_names), pkg.names, values,
                        lambda name: read_own(name).special if name in parts else {}, merged, pkg.macros,
                        part_size=part_size(pkg, parts))


def rescue(data: bytes, pkg: Package, error: Exception) -> WorkbookView | None:
    return None  # the record reader needs calamine's sheet list: corrupt_file


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
            if filled(value):
                cells[(row, col)] = value
                if len(cells) > MAX_CELLS:
                    raise Refused(Problem("oversized_content", value=len(cells), expected=MAX_CELLS))
        self.filled = len(cells)
        self.grid = to_grid(cells)

    def _merge(self, r0: int, r1: int, c0: int, c1: int) -> None:
        if (r1 - r0 + 1) * (c1 - c0 + 1) > MAX_MERGED or r1 < r0 or c1 < c0:
            return
        label = f"{address(r0, c0)}:{address(r1, c1)}"
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                self.merged[(r, c)] = label
