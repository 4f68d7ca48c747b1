"""Fill a template through its defined names, the way a cell's staff would in Excel.

Used by the demo, the benchmark and the tests to make realistic submissions from the real
templates; it never writes by fixed coordinates.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from .contract import TABLE_NAMES, info_name, veto_name


@dataclass
class Submission:
    info: dict[str, Any]
    self_scores: dict[str, Any] = field(default_factory=dict)
    upper_scores: dict[str, Any] = field(default_factory=dict)
    vetoes: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def name_target(wb: Workbook, name: str) -> tuple[str, str]:
    """(sheet title, A1 range) a workbook-level defined name points to."""
    dn = wb.defined_names[name]
    (sheet, coord), = list(dn.destinations)
    return sheet, coord.replace("$", "")


@lru_cache(maxsize=16)
def _template_bytes(path: str) -> bytes:
    return Path(path).read_bytes()


def open_template(path: str | Path) -> Workbook:
    return load_workbook(io.BytesIO(_template_bytes(str(path))))


def criterion_cells(wb: Workbook) -> dict[str, int]:
    """Criterion id -> worksheet row, read from the id column range."""
    sheet, coord = name_target(wb, TABLE_NAMES["id"])
    ws = wb[sheet]
    return {str(c.value).strip(): c.row for (c,) in ws[coord] if c.value is not None}


def fill(wb: Workbook, sub: Submission) -> Workbook:
    for key, value in sub.info.items():
        sheet, coord = name_target(wb, info_name(key))
        cell = wb[sheet][coord]
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # typed as text, as Excel keeps '=... entered with an apostrophe
    for vid, value in sub.vetoes.items():
        sheet, coord = name_target(wb, veto_name(vid))
        wb[sheet][coord] = value
    rows = criterion_cells(wb)
    for column, values in (("self", sub.self_scores), ("upper", sub.upper_scores), ("notes", sub.notes)):
        sheet, coord = name_target(wb, TABLE_NAMES[column])
        col = "".join(ch for ch in coord.split(":")[0] if ch.isalpha())
        for cid, value in values.items():
            wb[sheet][f"{col}{rows[cid]}"] = value
    return wb


def fill_template(template: str | Path, sub: Submission, out: str | Path) -> Path:
    from .atomic import save_workbook_atomic

    return save_workbook_atomic(fill(open_template(template), sub), out)
