"""The default backend: python-calamine's cells, with formula and error cells from the sheet's XML
(xlsx, xlsm) and merged ranges from calamine. Also the base the xls backend builds on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from python_calamine import CalamineWorkbook

from ..package import Package, read_part, special_cells
from .base import Flags, Grid, WorkbookView, merged_cells, part_size


def view(data: bytes, pkg: Package, book: CalamineWorkbook) -> WorkbookView:
    return calamine_view(pkg, book)


def rescue(data: bytes, pkg: Package, error: Exception) -> WorkbookView | None:
    return None  # nothing else reads what calamine cannot: corrupt_file


def calamine_view(pkg: Package, book: CalamineWorkbook, values: Callable[[str], Grid] | None = None) -> WorkbookView:
    """`values`: a backend's own grids in place of calamine's."""
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
                        lambda name: merged_cells(loaded.get(name)), pkg.macros,
                        formulas_known=pkg.format in ("xlsx", "xlsm"), part_size=part_size(pkg, pkg.sheet_parts))
