"""Read the roster a board keeps (the roster template): the cells it expects to report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from fourgood.contract import ROSTER_COLUMNS, ROSTER_SHEET
from fourgood.problems import FourgoodError, Problem
from fourgood.spec import cell_type_from_text, fold

from . import normalize as N


def read_roster(path: str | Path) -> pd.DataFrame:
    """One row per expected cell: cell_code, cell_name, cell_type, grassroots, upper_committee, members."""
    path = Path(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise FourgoodError([Problem("corrupt_file", file=str(path), params={"detail": str(exc)[:160]})]) from None
    labels = {fold(vi): key for key, vi, _ in ROSTER_COLUMNS} | {fold(en): key for key, _, en in ROSTER_COLUMNS}
    names = [n for n in book.sheet_names if n in ROSTER_SHEET.values()] or list(book.sheet_names)
    for name in names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for r, row in enumerate(rows[:10]):
            cols = {labels[fold(v)]: c for c, v in enumerate(row) if isinstance(v, str) and fold(v) in labels}
            if "cell_code" in cols and "upper_committee" in cols:
                return _frame(rows[r + 1:], cols, path, name, r + 1)
    raise FourgoodError([Problem("not_our_template", file=str(path),
                                 params={"detail": "không thấy cột 'Mã chi bộ' / 'Cấp ủy cấp trên cơ sở'"})])


def _frame(rows, cols, path: Path, sheet: str, first_row: int) -> pd.DataFrame:
    records = []
    for i, row in enumerate(rows):
        def get(key: str, row=row):
            c = cols.get(key)
            return row[c] if c is not None and c < len(row) else ""
        code = N.normalize_code(get("cell_code"))
        if not code:
            continue
        records.append({
            "cell_code": code,
            "cell_name": N.clean_text(get("cell_name")),
            "cell_type": cell_type_from_text(get("cell_type")) or "",
            "grassroots": N.clean_text(get("grassroots")),
            "upper_committee": N.clean_text(get("upper_committee")),
            "members": N.parse_whole(get("members")),
            "roster_row": first_row + i + 1,
        })
    frame = pd.DataFrame(records, columns=["cell_code", "cell_name", "cell_type", "grassroots", "upper_committee",
                                           "members", "roster_row"])
    dupes = frame[frame.duplicated("cell_code", keep=False)]
    if not dupes.empty:
        first = dupes.iloc[1]
        raise FourgoodError([Problem("roster_duplicate_code", file=str(path), sheet=sheet, cell=f"A{first['roster_row']}",
                                     criterion=first["cell_code"])])
    return frame
