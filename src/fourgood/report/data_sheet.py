"""What lets a higher level consolidate this workbook again: the hidden roll-up sheet (the cells'
results, machine-readable) and the `_meta` rows (what the workbook is, its sources and settings)."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook

from .. import __version__
from ..contract import ROLLUP_SHEET, Kind, MetaKey, meta_rows
from ..rollup import CELL_COLUMNS, Consolidation, content_columns
from ..sheet_stream import SheetRows
from .table_sheet import TableBody

DATA_SHEET = ROLLUP_SHEET
# What a consolidated workbook records to be consolidated again as it was: its sources, roster and
# period, and how its report is headed and signed.
DOCUMENT_SETTINGS = (MetaKey.SOURCES, MetaKey.ROSTER, MetaKey.PERIOD, MetaKey.ISSUER, MetaKey.PLACE, MetaKey.SIGNER)


def data_sheet(wb: Workbook, c: Consolidation) -> SheetRows:
    """Machine-readable cell results for roll-up by a higher level (hidden); returns its rows."""
    ws = wb.create_sheet(DATA_SHEET)
    columns = data_columns(c)
    ws.append(columns)
    ws.sheet_state = "hidden"
    return TableBody(ws, c.cells[columns], columns, [None] * len(columns), None, 2).rows()


def data_columns(c: Consolidation) -> list[str]:
    """Columns of the hidden roll-up sheet: the contract's, then one per content subtotal."""
    return CELL_COLUMNS + content_columns({}, c.cells)


def consolidated_meta(lang: str, settings: dict[str, str] | None = None) -> list[tuple[Any, ...]]:
    """The `_meta` rows of a consolidated workbook: what it is and how to consolidate it again."""
    settings = settings or {}
    return meta_rows(Kind.CONSOLIDATED, lang, f"fourgood {__version__}", **{
        key: settings.get(key, "") for key in DOCUMENT_SETTINGS})
