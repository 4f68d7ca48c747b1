"""Read one submitted file into tidy rows, without judging it (the schemas judge).

python-calamine parses the cells; the template's defined names (or, for formats that keep
none readable, the form's own content: criterion ids and labels) say where each input is.
Only problems that stop reading are raised here; every rule lives in `schemas`.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fourgood.layout import (
    INFO_FIELDS,
    META_SHEET,
    TABLE_NAMES,
    TOTAL_NAMES,
    info_name,
    veto_name,
)
from fourgood.problems import Problem
from fourgood.spec import Spec, cell_type_from_text, fold

from . import normalize as N
from .package import Refused, address, parse_reference


@dataclass
class FileRead:
    path: str
    size: int = 0
    sha256: str = ""
    mtime: float = 0.0
    format: str = ""
    kind: str = ""  # cell | roster | consolidated | "" (unreadable)
    problems: list[Problem] = field(default_factory=list)
    meta: dict[str, Any] | None = None
    scores: list[dict[str, Any]] = field(default_factory=list)
    vetoes: list[dict[str, Any]] = field(default_factory=list)
    cells: list[dict[str, Any]] = field(default_factory=list)  # a consolidated workbook's cell rows


class SpecIndex:
    """Known criteria tables, looked up by fingerprint, then by spec id for a clear message."""

    def __init__(self, specs: dict[str, Spec]):
        self.by_fingerprint = {s.fingerprint: s for s in specs.values()}
        self.by_id = {s.spec_id: s for s in specs.values()}
        self.by_type = dict(specs)


def read_file(path: str | Path, index: SpecIndex) -> FileRead:
    """Never raises for a bad file: every failure becomes a located problem."""
    path = Path(path)
    out = FileRead(path=str(path))
    try:
        stat = path.stat()
        out.size, out.mtime = stat.st_size, stat.st_mtime
        data = path.read_bytes()
    except OSError as exc:
        out.problems.append(Problem("corrupt_file", file=str(path), params={"detail": exc.strerror or str(exc)}))
        return out
    out.sha256 = hashlib.sha256(data).hexdigest()
    try:
        _read(data, path, out, index)
    except Refused as r:
        out.problems.append(_at(r.problem, str(path)))
    except Exception as exc:  # calamine and friends: a damaged file must not stop the batch
        out.problems.append(Problem("corrupt_file", file=str(path), params={"detail": _short(exc)}))
    return out


def _at(p: Problem, file: str) -> Problem:
    return Problem(p.code, p.severity, file, p.sheet, p.cell, p.criterion, p.value, p.expected, p.params)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"{type(exc).__name__}: {text[:160]}"


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


def _read(data: bytes, path: Path, out: FileRead, index: SpecIndex) -> None:
    read_view(_file_view(data), str(path), out, index)


def _file_view(data: bytes) -> WorkbookView:
    from .formats import open_view  # python-calamine, with fallbacks where it misreads (formats.py)

    return open_view(data)


def read_view(view: WorkbookView, f: str, out: FileRead, index: SpecIndex) -> None:
    """Fill `out` from the view; raises Refused when the workbook cannot be read as a form."""
    out.format = view.format
    if view.macros:
        out.problems.append(Problem("macros_present", "warning", f))
    sheets = view.sheets
    grids: dict[str, list[list[Any]]] = {}
    missing: set[str] = set()

    def grid(name: str) -> list[list[Any]]:
        if name not in grids:
            if name not in sheets:
                if name not in missing:  # names still point to a sheet renamed or deleted
                    missing.add(name)
                    out.problems.append(Problem("sheet_missing", file=f, sheet=name))
                grids[name] = []
            else:
                grids[name] = view.values(name)
        return grids[name]

    if META_SHEET not in sheets:
        raise Refused(Problem("not_our_template", params={"detail": _why_not_ours(sheets)}))
    meta = read_meta(grid(META_SHEET))
    kind = meta.get("template_kind", "")
    out.kind = kind
    if kind == "roster":
        raise Refused(Problem("roster_not_submission"))
    if kind in ("consolidated", "control") and ROLLUP_SHEET in sheets:
        out.kind = "consolidated"
        out.cells = _read_rollup(grid(ROLLUP_SHEET), f)
        return
    if kind != "cell":
        raise Refused(Problem("not_our_template", params={"detail": f"template_kind={kind or '?'}"}))

    spec = index.by_fingerprint.get(meta.get("fingerprint", ""))
    if spec is None:
        current = index.by_id.get(meta.get("spec_id", "")) or index.by_type.get(meta.get("cell_type", ""))
        if current is None:
            raise Refused(Problem("spec_unknown", value=meta.get("spec_id", ""),
                                  params={"detail": meta.get("fingerprint", "")}))
        if str(meta.get("spec_version")) != current.version:
            raise Refused(Problem("template_outdated", value=meta.get("spec_version"), expected=current.version))
        raise Refused(Problem("fingerprint_mismatch", value=meta.get("fingerprint"), expected=current.fingerprint))

    locate = _NameLocator(view.names) if view.names else None
    if locate is None or not locate.usable():
        out.problems.append(Problem("located_by_content", "warning", f, value=view.format))
        locate = _ContentLocator(spec, sheets, grid, meta.get("lang", "vi"))
    locate = _ExistingSheets(locate, sheets, grid)
    info, vetoes = _read_info(locate, grid, spec, f, out)
    scores, totals = _read_scores(locate, grid, spec, f, out, view)
    template_type = meta.get("cell_type", "")
    out.meta = {
        "file": f, "format": view.format, "spec_id": spec.spec_id, "spec_version": spec.version,
        "fingerprint": spec.fingerprint, "template_type": template_type, "threshold": spec.threshold,
        "step": spec.step, "n_criteria": len(spec.criteria), "n_vetoes": len(spec.vetoes), **info, **totals,
    }
    out.scores = scores
    out.vetoes = vetoes


ROLLUP_SHEET = "_du_lieu"  # written by fourgood.report_workbook for the next level up
ROLLUP_COLUMNS = ["cell_code", "cell_name", "cell_type", "grassroots", "upper_committee", "province", "period",
                  "members", "final_I", "final_II", "final_III", "final_IV", "self_total", "upper_total",
                  "final_total", "final_source", "gap", "status", "file", "fingerprint", "spec_version"]
ROLLUP_NUMBERS = {"members", "final_I", "final_II", "final_III", "final_IV", "self_total", "upper_total",
                  "final_total", "gap"}
ROLLUP_STATUSES = {"meets", "below", "incomplete", "veto", "invalid"}


def _read_rollup(rows: list[list[Any]], f: str) -> list[dict[str, Any]]:
    """A lower level's consolidated cell rows; the provenance ('via') is this workbook."""
    if not rows or [N.clean_text(v) for v in rows[0][:len(ROLLUP_COLUMNS)]] != ROLLUP_COLUMNS:
        raise Refused(Problem("not_our_template", sheet=ROLLUP_SHEET, cell="A1",
                              params={"detail": f"{ROLLUP_SHEET}: unexpected columns"}))
    out = []
    for r, row in enumerate(rows[1:], 2):
        rec: dict[str, Any] = {}
        for key, value in zip(ROLLUP_COLUMNS, list(row) + [None] * len(ROLLUP_COLUMNS)):
            if key in ROLLUP_NUMBERS:
                number, kind = N.parse_number(value)
                rec[key] = number if kind in (N.OK, N.TEXT_NUMBER) else math.nan
            else:
                rec[key] = N.clean_text(value)
        if not rec["cell_code"] or not rec["period"]:
            continue
        if rec["status"] not in ROLLUP_STATUSES:
            raise Refused(Problem("not_our_template", sheet=ROLLUP_SHEET,
                                  cell=address(r - 1, ROLLUP_COLUMNS.index("status")),
                                  params={"detail": f"status '{rec['status']}'"}))
        rec["cell_code"] = N.normalize_code(rec["cell_code"])
        rec["origin"] = rec["file"]
        rec["file"] = f
        rec["row"] = r
        out.append(rec)
    return out


def _why_not_ours(sheets: list[str]) -> str:
    return "sheets: " + ", ".join(sheets[:5]) + ("…" if len(sheets) > 5 else "")


def read_meta(rows: list[list[Any]]) -> dict[str, Any]:
    """The `_meta` sheet's key/value rows (format, template_kind, lang, fingerprint...)."""
    meta: dict[str, Any] = {}
    for row in rows:
        if row and isinstance(row[0], str) and row[0] not in ("criterion", "veto") and len(row) > 1:
            value = row[1]
            meta[row[0]] = N.clean_text(value) if not isinstance(value, float) else value
    return meta


# ------------------------------------------------------------------------- locators


class _ExistingSheets:
    """Drops locations on sheets that are gone (reported once as sheet_missing by `grid`)."""

    def __init__(self, inner, sheets: list[str], grid):
        self.inner, self.sheets, self.grid = inner, set(sheets), grid

    @property
    def problems(self) -> list[Problem]:
        return self.inner.problems

    def _keep(self, found):
        if found and found[0] not in self.sheets:
            self.grid(found[0])
            return None
        return found

    def cell(self, name: str):
        return self._keep(self.inner.cell(name))

    def range(self, name: str):
        return self._keep(self.inner.range(name))


class _NameLocator:
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


class _ContentLocator:
    """Inputs found from the form's content when no names can be read (xls, xlsb).

    The scoring table is the column holding the criterion ids; the other columns keep their
    place relative to it, as in the template. Information fields are found by their labels.
    """

    def __init__(self, spec: Spec, sheets: list[str], grid, lang: str):
        self.problems: list[Problem] = []
        self.spec, self.grid = spec, grid
        ids = {c.id for c in spec.criteria}
        self.table: tuple[str, int, int, int] | None = None  # sheet, first row, last row, id col
        best = 0
        for sheet in sheets:
            if sheet == META_SHEET:
                continue
            rows = grid(sheet)
            width = max((len(r) for r in rows), default=0)
            for col in range(min(width, 10)):
                hits = [r for r, row in enumerate(rows) if col < len(row) and N.clean_text(row[col]) in ids]
                if len(hits) > best:
                    best, self.table = len(hits), (sheet, hits[0] - 1, hits[-1], col)
        self.labels: dict[str, tuple[str, int, int]] = {}
        wanted = {fold(f.label_vi): f.key for f in INFO_FIELDS} | {fold(f.label_en): f.key for f in INFO_FIELDS}
        for sheet in sheets:
            if sheet == META_SHEET or (self.table and sheet == self.table[0]):
                continue
            for r, row in enumerate(grid(sheet)):
                for c, value in enumerate(row[:4]):
                    key = fold(str(value).replace("(*)", "")) if isinstance(value, str) else ""
                    if key in wanted and wanted[key] not in self.labels:
                        self.labels[wanted[key]] = (sheet, r, c + 1)
                    elif isinstance(value, str):
                        for v in spec.vetoes:
                            if N.clean_text(value).startswith(f"{v.id}. "):
                                self.labels[veto_name(v.id)] = (sheet, r, c + 1)

    def cell(self, name: str) -> tuple[str, int, int] | None:
        key = name[3:] if name.startswith("fg_") else name
        found = self.labels.get(key) or self.labels.get(name)
        if found is None and self.table and name in TOTAL_NAMES.values():
            found = self._total(name)
        if found is None:
            self.problems.append(Problem("name_missing", value=name))
        return found

    def _total(self, name: str) -> tuple[str, int, int] | None:
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
        offset = {"fg_ids": 0, "fg_max": 2, "fg_self": 3, "fg_upper": 4, "fg_notes": 5}[name]
        return sheet, first, col + offset, last, col + offset


def _value(grid, sheet: str, row: int, col: int) -> Any:
    rows = grid(sheet)
    if 0 <= row < len(rows) and 0 <= col < len(rows[row]):
        return rows[row][col]
    return None


# ------------------------------------------------------------------------- sections


def _read_info(locate, grid, spec: Spec, f: str, out: FileRead) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    info: dict[str, Any] = {}
    for fld in INFO_FIELDS:
        where = locate.cell(info_name(fld.key))
        raw = _value(grid, *where) if where else None
        info[f"{fld.key}_raw"] = raw
        info[f"{fld.key}_sheet"] = where[0] if where else ""
        info[f"{fld.key}_cell"] = address(where[1], where[2]) if where else ""
    for key in ("province", "upper_committee", "grassroots", "cell_name", "secretary"):
        info[key] = N.clean_text(info[f"{key}_raw"])
    info["cell_code"] = N.normalize_code(info["cell_code_raw"])
    info["cell_type_text"] = N.clean_text(info["cell_type_raw"])
    info["cell_type"] = cell_type_from_text(info["cell_type_text"]) or ""
    month = N.parse_period(info["period_raw"])
    info["month"] = float("nan") if month is None else float(month)
    info["year"] = N.parse_year(info["year_raw"])
    info["period"] = N.period_code(info["year"], month)
    info["members"] = N.parse_whole(info["members_raw"])
    date = N.parse_date(info["date_raw"])
    info["date"] = date.isoformat() if date else ""
    for key in ("regular_meetings", "thematic_meetings"):
        info[key] = N.parse_whole(info[f"{key}_raw"]) if info[f"{key}_raw"] not in (None, "") else float("nan")
        info[f"{key}_given"] = info[f"{key}_raw"] not in (None, "")
    info["attendance"] = N.parse_percent(info["attendance_raw"])
    info["attendance_given"] = info["attendance_raw"] not in (None, "")
    legacy = [k for k in ("upper_committee", "grassroots", "cell_name", "secretary", "province")
              if N.looks_legacy_encoded(info[k])]
    info["legacy_fields"] = ",".join(legacy)
    info["legacy_sample"] = info[legacy[0]][:60] if legacy else ""
    info["legacy_sheet"] = info[f"{legacy[0]}_sheet"] if legacy else ""
    info["legacy_cell"] = info[f"{legacy[0]}_cell"] if legacy else ""

    vetoes = []
    for v in spec.vetoes:
        where = locate.cell(veto_name(v.id))
        raw = _value(grid, *where) if where else None
        answer = N.parse_yes_no(raw)
        vetoes.append({"file": f, "veto_id": v.id, "raw": N.clean_text(raw),
                       "answered": answer is not None, "valid": answer is None or isinstance(answer, bool),
                       "yes": answer is True, "sheet": where[0] if where else "",
                       "cell": address(where[1], where[2]) if where else ""})
    for p in locate.problems:
        out.problems.append(_at(p, f))
    locate.problems.clear()
    return info, vetoes


def _read_scores(locate, grid, spec: Spec, f: str, out: FileRead, view: WorkbookView):
    ranges = {k: locate.range(TABLE_NAMES[k]) for k in ("id", "max", "self", "upper")}
    totals: dict[str, Any] = {}
    for key in ("self", "upper"):
        where = locate.cell(TOTAL_NAMES[key])
        value = _value(grid, *where) if where else None
        number, kind = N.parse_number(value)
        totals[f"{key}_total_cached"] = number if kind == N.OK else math.nan
        totals[f"{key}_total_sheet"] = where[0] if where else ""
        totals[f"{key}_total_cell"] = address(where[1], where[2]) if where else ""
    for p in locate.problems:
        out.problems.append(_at(p, f))
    locate.problems.clear()
    if any(r is None for r in ranges.values()):
        return [], totals
    sheet, first, id_col, last, _ = ranges["id"]
    if not grid(sheet):
        return [], totals
    cols = {k: ranges[k][2] for k in ("max", "self", "upper")}
    merged = view.merged(sheet)
    special = view.special(sheet)
    content_of = {c.id: content.id for content in spec.contents for c in content.criteria}
    max_of = {c.id: c.max for c in spec.criteria}
    content_ids = {content.id for content in spec.contents}
    rows = []
    for r in range(first, last + 1):
        cid = N.clean_text(_value(grid, sheet, r, id_col))
        if not cid or cid in content_ids:
            continue
        row = {"file": f, "criterion_id": cid, "content_id": content_of.get(cid, ""),
               "spec_max": max_of.get(cid, math.nan), "step": spec.step, "sheet": sheet}
        found_max, _ = N.parse_number(_value(grid, sheet, r, cols["max"]))
        row["max_found"] = found_max
        row["max_cell"] = address(r, cols["max"])
        for key in ("self", "upper"):
            c = cols[key]
            raw = _value(grid, sheet, r, c)
            number, kind = N.parse_number(raw)
            flag = special.get((r, c))
            if flag == "formula":
                number, kind = math.nan, N.FORMULA
            elif flag == "error" or (isinstance(raw, str) and raw.startswith("#")):
                number, kind = math.nan, N.NOT_NUMBER
            row[key] = number
            row[f"{key}_kind"] = kind
            row[f"{key}_raw"] = N.clean_text(raw)
            row[f"{key}_cell"] = address(r, c)
            row[f"{key}_merged"] = merged.get((r, c), "")
        rows.append(row)
    return rows, totals


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


def file_is_candidate(path: Path) -> str | None:
    """Reason a file is skipped without being read, or None to read it."""
    name = path.name
    if name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#")):  # Excel, LibreOffice
        return "skipped_lock_file"
    if name.lower() in {"thumbs.db", "desktop.ini", ".ds_store"} or name.startswith("._"):
        return "skipped_system_file"
    return None
