"""Where a form's inputs are: through its defined names, or from its content.

Excel and LibreOffice keep defined names when staff insert rows or move the table, so names
are the first choice. Formats that keep no readable names (xls, xlsb) are located from the
form's own content: the column of criterion ids, and the labels of the information fields.
A locator never judges a value; it says where a name points, or that it cannot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from fourgood.contract import INFO_FIELDS, META_SHEET, TABLE_NAMES, TOTAL_NAMES, info_name, veto_name
from fourgood.problems import Problem
from fourgood.spec import Spec, fold

from . import normalize as N
from .package import parse_reference

Grid = Callable[[str], list[list[Any]]]
Cell = tuple[str, int, int]  # sheet, zero-based row, zero-based column
Range = tuple[str, int, int, int, int]  # sheet, row0, col0, row1, col1
_Found = TypeVar("_Found", Cell, Range)

# Columns of the scoring table relative to the criterion-id column, as the template lays them out.
TABLE_OFFSETS = {TABLE_NAMES["id"]: 0, TABLE_NAMES["max"]: 2, TABLE_NAMES["self"]: 3, TABLE_NAMES["upper"]: 4,
                 TABLE_NAMES["notes"]: 5}


class Locator(Protocol):
    @property
    def problems(self) -> list[Problem]: ...

    def cell(self, name: str) -> Cell | None: ...

    def range(self, name: str) -> Range | None: ...


def value_at(grid: Grid, sheet: str, row: int, col: int) -> Any:
    rows = grid(sheet)
    if 0 <= row < len(rows) and 0 <= col < len(rows[row]):
        return rows[row][col]
    return None


class ExistingSheets:
    """Drops locations on sheets that are gone (reported once as sheet_missing by `grid`)."""

    def __init__(self, inner: Locator, sheets: list[str], grid: Grid):
        self.inner, self.sheets, self.grid = inner, set(sheets), grid

    @property
    def problems(self) -> list[Problem]:
        return self.inner.problems

    def _keep(self, found: _Found | None) -> _Found | None:
        if found and found[0] not in self.sheets:
            self.grid(found[0])
            return None
        return found

    def cell(self, name: str) -> Cell | None:
        return self._keep(self.inner.cell(name))

    def range(self, name: str) -> Range | None:
        return self._keep(self.inner.range(name))


class NameLocator:
    """Inputs found through the workbook's defined names (xlsx, xlsm, ods)."""

    def __init__(self, names: dict[str, str]):
        self.names = names
        self.problems: list[Problem] = []

    def usable(self) -> bool:
        return TABLE_NAMES["id"] in self.names

    def cell(self, name: str) -> tuple[str, int, int] | None:
        found = self.range(name)
        return (found[0], found[1], found[2]) if found else None

    def range(self, name: str) -> tuple[str, int, int, int, int] | None:
        text = self.names.get(name)
        if text is None:
            self.problems.append(Problem("name_missing", value=name))
            return None
        ref = parse_reference(text)
        if ref is None:
            self.problems.append(Problem("name_broken", value=name))
        return ref


class ContentLocator:
    """Inputs found from the form's content when no names can be read (xls, xlsb).

    The scoring table is the column holding the criterion ids; the other columns keep their
    place relative to it, as in the template. Information fields are found by their labels.
    """

    def __init__(self, spec: Spec, sheets: list[str], grid, lang: str):
        self.problems: list[Problem] = []
        self.spec, self.grid = spec, grid
        self.table: tuple[str, int, int, int] | None = None  # sheet, first row, last row, id col
        best = 0
        for sheet, (hits, first, last, col) in scoring_tables(spec, sheets, grid).items():
            if hits > best:
                best, self.table = hits, (sheet, first - 1, last, col)
        self.labels: dict[str, tuple[str, int, int]] = {}
        wanted = {fold(label): f.key for f in INFO_FIELDS for label in (f.label_vi, f.label_en, *f.former_labels)}
        for sheet in sheets:
            if sheet == META_SHEET or (self.table and sheet == self.table[0]):
                continue
            for r, row in enumerate(grid(sheet)):
                for c, value in enumerate(row[:4]):
                    key = fold(str(value).replace("(*)", "")) if isinstance(value, str) else ""
                    if key in wanted and info_name(wanted[key]) not in self.labels:
                        self.labels[info_name(wanted[key])] = (sheet, r, c + 1)
                    elif isinstance(value, str):
                        for v in spec.vetoes:
                            if N.clean_text(value).startswith(f"{v.id}. "):
                                self.labels[veto_name(v.id)] = (sheet, r, c + 1)

    def cell(self, name: str) -> tuple[str, int, int] | None:
        found = self.labels.get(name)
        if found is None and self.table and name in TOTAL_NAMES.values():
            found = self._total(name)
        if found is None:
            self.problems.append(Problem("name_missing", value=name))
        return found

    def _total(self, name: str) -> tuple[str, int, int] | None:
        if self.table is None:
            return None
        sheet, _, last, col = self.table
        rows = self.grid(sheet)
        for r in range(last + 1, min(last + 4, len(rows))):
            if fold(rows[r][col + 1] if col + 1 < len(rows[r]) else "") in ("tong cong", "total"):
                offset = {TOTAL_NAMES["max"]: 2, TOTAL_NAMES["self"]: 3, TOTAL_NAMES["upper"]: 4}.get(name)
                return (sheet, r, col + offset) if offset else None
        return None

    def range(self, name: str) -> tuple[str, int, int, int, int] | None:
        if self.table is None:
            self.problems.append(Problem("name_missing", value=name))
            return None
        sheet, first, last, col = self.table
        offset = TABLE_OFFSETS[name]
        return sheet, first, col + offset, last, col + offset


def scoring_tables(spec: Spec, sheets: list[str], grid: Grid, min_share: float = 0.0) -> dict[str, tuple[int, int, int, int]]:
    """Sheets that hold a column of the spec's criterion ids: sheet -> (hits, first row, last row, column).

    With `min_share`, only sheets holding at least that share of the criteria count: a copied
    scoring sheet (a second form in the same workbook) is found this way.
    """
    ids = {c.id for c in spec.criteria}
    found: dict[str, tuple[int, int, int, int]] = {}
    for sheet in sheets:
        if sheet == META_SHEET:
            continue
        rows = grid(sheet)
        width = max((len(r) for r in rows), default=0)
        for col in range(min(width, 10)):
            hits = [r for r, row in enumerate(rows) if col < len(row) and N.clean_text(row[col]) in ids]
            if hits and len(hits) >= min_share * len(ids) and len(hits) > found.get(sheet, (0,))[0]:
                found[sheet] = (len(hits), hits[0], hits[-1], col)
    return found
