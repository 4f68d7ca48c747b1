"""The one writer of the `_meta` sheet, for every kind of workbook fourgood writes.

Forms, the roster, the control workbook and consolidated reports all carry the same very
hidden key/value sheet (rows from `fourgood.contract.meta_rows`) and the `fg_meta` name over it,
so any reader tells what a workbook is before reading anything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import quote_sheetname
from openpyxl.workbook.defined_name import DefinedName

from fourgood.contract import META_NAME, META_SHEET


def write_meta_sheet(wb: Workbook, rows: Sequence[Sequence[Any]]) -> None:
    """Append the `_meta` sheet (very hidden, protected) and name its used range `fg_meta`."""
    ws = wb.create_sheet(META_SHEET)
    for row in rows:
        ws.append(list(row))
    width = max((len(r) for r in rows), default=2)
    last_col = chr(ord("A") + width - 1)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True
    wb.defined_names[META_NAME] = DefinedName(
        META_NAME, attr_text=f"{quote_sheetname(META_SHEET)}!$A$1:${last_col}${max(len(rows), 1)}")
