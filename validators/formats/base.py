"""What every backend shares: the `WorkbookView` the reader consumes, the `Backend` interface each
format's module implements, the bounds on what a fallback reader materialises, and small helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from python_calamine import CalamineWorkbook

from fourgood.problems import Problem

from ..package import Package, Refused, address

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

    A file on disk is parsed by python-calamine (`open_view`, with a format's fallback where calamine
    misreads); a book open in Excel is seen through xlwings (`fourgood.addin`). Both then go through
    the same `read_view`.
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


class Backend(Protocol):
    """One format's reader (a module: `calamine`, `xls`, `xlsb`, `ods`), chosen by the format
    `open_package` found in the content, never by the file name."""

    def view(self, data: bytes, pkg: Package, book: CalamineWorkbook) -> WorkbookView:
        """The workbook calamine opened, with this format's own fallback where calamine misreads it."""
        ...

    def rescue(self, data: bytes, pkg: Package, error: Exception) -> WorkbookView | None:
        """When calamine could not open the file: another reading, or Refused with the reason; None
        leaves it `corrupt_file`."""
        ...


def error_summary(exc: BaseException) -> str:
    """'Type: first line of the message', the detail of a located problem (the traceback goes to the log)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"{type(exc).__name__}: {text[:160]}"


def part_size(pkg: Package, parts: dict[str, str]) -> Callable[[str], int | None]:
    """The declared unpacked size of a sheet's own part (xlsx, xlsm, xlsb), known before parsing it."""
    def size(name: str) -> int | None:
        try:
            return pkg.archive.getinfo(parts[name]).file_size
        except (KeyError, ValueError):
            return None
    return size


def merged_cells(sheet) -> dict[tuple[int, int], str]:
    """Cells covered by a merge (in a calamine sheet) -> the merged range (inputs must never be merged)."""
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


def filled(value: Any) -> bool:
    return value is not None and value != ""


def to_grid(cells: dict[tuple[int, int], Any]) -> Grid:
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
