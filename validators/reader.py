"""Read one submitted file into typed records, without judging it (the validators judge).

python-calamine parses the cells; the template's defined names (or, for formats that keep
none readable, the form's own content) say where each input is (`locate`). The reader
records what it finds — the `_meta` template reference, every located input with its raw
value, the totals as stored, other sheets that look like a second form — and raises only
when the file cannot be read at all. Whether any of it is acceptable is decided later.
"""

from __future__ import annotations

import hashlib
import logging
import math
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineError

from fourgood.contract import (
    INFO_FIELDS,
    META_SHEET,
    ROLLUP_SHEET,
    SHEETS,
    TABLE_NAMES,
    TOTAL_NAMES,
    Kind,
    MetaKey,
    info_name,
    veto_name,
)
from fourgood.logfile import log_traceback
from fourgood.problems import Problem
from fourgood.spec import Spec, all_versions

from . import normalize as N
from .formats import MAX_FORM_SHEET_BYTES, WorkbookView, error_summary, open_view
from .locate import ContentLocator, ExistingSheets, Grid, Locator, NameLocator, scoring_tables, value_at
from .package import Refused, address

LOG = logging.getLogger("fourgood")


@dataclass(frozen=True)
class Located:
    """A value as found in the workbook, with where it was found ('' when not found)."""

    raw: Any = None
    sheet: str = ""
    cell: str = ""
    formula: bool | None = None  # True/False when the format tells, None when unknown


@dataclass(frozen=True)
class TemplateRef:
    """What a workbook's `_meta` sheet says it is."""

    kind: str = ""
    cell_type: str = ""
    spec_id: str = ""
    spec_version: str = ""
    fingerprint: str = ""
    lang: str = "vi"


@dataclass(frozen=True)
class ScoreCell:
    """One score cell of the table: the raw value and what it parses to."""

    raw: str
    number: float
    kind: str  # normalize.OK, BLANK, TEXT_NUMBER, NOT_NUMBER, FORMULA
    cell: str
    merged: str = ""


@dataclass(frozen=True)
class CriterionRow:
    """One criterion row of the scoring table as read (the id may be one the spec lacks)."""

    criterion_id: str
    sheet: str
    max_found: float
    max_cell: str
    self: ScoreCell
    upper: ScoreCell


@dataclass(frozen=True)
class VetoAnswer:
    veto_id: str
    located: Located


@dataclass
class FileRead:
    """Everything read from one file. `spec` is the criteria table its `_meta` names, if known."""

    path: str
    size: int = 0
    sha256: str = ""
    mtime: float = 0.0
    format: str = ""
    macros: bool = False
    sheets: list[str] = field(default_factory=list)
    template: TemplateRef | None = None  # None: no `_meta` sheet
    spec: Spec | None = None
    problems: list[Problem] = field(default_factory=list)  # what could not be read, located
    info: dict[str, Located] = field(default_factory=dict)  # InfoField.key -> value
    totals: dict[str, Located] = field(default_factory=dict)  # "self" / "upper" -> stored total
    criteria: list[CriterionRow] = field(default_factory=list)
    vetoes: list[VetoAnswer] = field(default_factory=list)
    other_forms: list[str] = field(default_factory=list)  # further sheets holding a scoring table
    form_sheet: str = ""  # the sheet the names point the scoring table to
    rolled: list[list[Any]] = field(default_factory=list)  # a consolidated workbook's roll-up rows

    @property
    def kind(self) -> str:
        return self.template.kind if self.template else ""

    @property
    def is_form(self) -> bool:
        return self.kind == Kind.CELL and self.spec is not None


class SpecIndex:
    """Known criteria tables, every version (`spec.all_versions`): by fingerprint (the reader's
    lookup), by version (what a form's `_meta` names) and the one in use for each id/type."""

    def __init__(self, specs: dict[str, Spec]):
        known = all_versions(specs)
        self.by_fingerprint: dict[str, Spec] = {}
        for s in known:  # the table in use first, then the newest earlier one: two versions may share a table
            self.by_fingerprint.setdefault(s.fingerprint, s)
        self.by_version = {(s.fingerprint, s.version): s for s in known}
        self.versions = {(key, s.version): s for s in known for key in (s.spec_id, s.cell_type)}
        self.by_id = {s.spec_id: s for s in specs.values()}
        self.by_type = dict(specs)

    def lookup(self, fingerprint: str, version: str) -> Spec | None:
        """The table a form was filled on: its fingerprint at its version, else its fingerprint alone."""
        return self.by_version.get((fingerprint, version)) or self.by_fingerprint.get(fingerprint)

    def in_use(self, spec: Spec) -> Spec:
        """The table in use for the cell type of `spec` (itself when it is the one in use)."""
        return self.by_type.get(spec.cell_type, spec)


# Exceptions that mean "this file cannot be parsed"; anything else is a bug of ours.
PARSE_ERRORS: tuple[type[BaseException], ...] = (CalamineError, zipfile.BadZipFile, UnicodeDecodeError, EOFError,
                                                 OSError)


def read_file(path: str | Path, index: SpecIndex) -> FileRead:
    """Never raises for a bad file: a file that cannot be read is a located problem, and a
    failure inside fourgood is `internal_error` (traceback in the log), never the user's fault."""
    path = Path(path)
    out = FileRead(path=str(path))
    try:
        stat = path.stat()
        out.size, out.mtime = stat.st_size, stat.st_mtime
        data = path.read_bytes()
    except OSError as exc:
        out.problems.append(Problem("corrupt_file", file=str(path), params={"detail": exc.strerror or str(exc)}))
        return out
    return read_bytes(data, str(path), index, mtime=out.mtime)


def read_bytes(data: bytes, file: str, index: SpecIndex, *, mtime: float = 0.0) -> FileRead:
    """`read_file` of bytes already in memory (an upload), hashed here once: `file` names it in the
    problems; nothing touches the disk; the same guarantees."""
    out = FileRead(path=file, size=len(data), sha256=hashlib.sha256(data).hexdigest(), mtime=mtime)
    return _guarded(lambda: read_view(_file_view(data), file, out, index), out)


def read_workbook(view: WorkbookView, file: str, index: SpecIndex) -> FileRead:
    """Read a workbook already open (a book in Excel), with the same guarantees as `read_file`."""
    out = FileRead(path=file)
    return _guarded(lambda: read_view(view, file, out, index), out)


def _guarded(read: Callable[[], None], out: FileRead) -> FileRead:
    try:
        read()
    except Refused as r:
        out.problems.append(r.problem.at(out.path))
    except PARSE_ERRORS as exc:
        out.problems.append(Problem("corrupt_file", file=out.path, params={"detail": error_summary(exc)}))
    except Exception as exc:  # a bug of ours: say so, log it, and let the batch go on
        _internal(out, exc)
    except BaseException as exc:  # a Rust panic inside calamine (pyo3's PanicException is a BaseException)
        if type(exc).__name__ != "PanicException":
            raise
        _internal(out, exc)
    return out


def _internal(out: FileRead, exc: BaseException) -> None:
    log = log_traceback(f"reading {out.path}")
    LOG.error("internal error reading %s: %s", out.path, exc)
    out.problems.append(Problem("internal_error", file=out.path, params={"detail": error_summary(exc), "log": str(log)}))


def _file_view(data: bytes) -> WorkbookView:
    return open_view(data)  # python-calamine, with fallbacks where it misreads (formats.py)


def read_view(view: WorkbookView, f: str, out: FileRead, index: SpecIndex) -> None:
    """Fill `out` from the view. Raises Refused only when the workbook cannot be read."""
    out.format, out.macros, out.sheets = view.format, view.macros, list(view.sheets)
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
        return
    _refuse_oversized(view, [META_SHEET], out)
    meta = read_meta(grid(META_SHEET))
    if meta.get(MetaKey.KIND) == Kind.CELL:
        _refuse_oversized(view, sheets, out)
    out.template = TemplateRef(
        kind=str(meta.get(MetaKey.KIND, "")), cell_type=str(meta.get(MetaKey.CELL_TYPE, "")),
        spec_id=str(meta.get(MetaKey.SPEC_ID, "")), spec_version=N.clean_text(meta.get(MetaKey.SPEC_VERSION, "")),
        fingerprint=str(meta.get(MetaKey.FINGERPRINT, "")), lang=str(meta.get(MetaKey.LANG, "vi")) or "vi")
    if out.kind in (Kind.CONSOLIDATED, Kind.CONTROL):
        if ROLLUP_SHEET in sheets:
            out.rolled = grid(ROLLUP_SHEET)
        return
    if out.kind != Kind.CELL:
        return
    spec = index.lookup(out.template.fingerprint, out.template.spec_version)
    if spec is None:
        return
    out.spec = spec
    names = NameLocator(view.names) if view.names else None
    locate: Locator
    if names is None or not names.usable():
        out.problems.append(Problem("located_by_content", f, value=view.format))
        locate = ContentLocator(spec, sheets, grid, out.template.lang)
    else:
        locate = names
    locate = ExistingSheets(locate, sheets, grid)
    _read_info(locate, grid, spec, out)
    _read_scores(locate, grid, spec, out, view)
    out.problems += [p.at(f) for p in locate.problems]
    locate.problems.clear()
    _find_other_forms(spec, view, grid, out)


def _refuse_oversized(view: WorkbookView, names: list[str], out: FileRead) -> None:
    """A sheet of a form (or any `_meta`) far larger than a form can be: refused before anything in
    it is parsed, so that no form costs more than a fraction of a second to read. The file is then
    unreadable (no sheets), like a zip bomb: only this problem is said."""
    for name in names:
        size = view.part_size(name)
        if size is not None and size > MAX_FORM_SHEET_BYTES:
            out.sheets = []
            raise Refused(Problem("oversized_content", sheet=name, value=round(size / 2**20, 1),
                                  expected=MAX_FORM_SHEET_BYTES // 2**20))


def _find_other_forms(spec: Spec, view: WorkbookView, grid: Grid, out: FileRead) -> None:
    """Sheets beyond the template's own that hold most of the criteria: a second form copied in."""
    own = {name for names in SHEETS.values() for name in (names.instructions, names.info)} | {META_SHEET}
    candidates = [s for s in view.sheets if s not in own and s != out.form_sheet]
    if not candidates:
        return
    tables = scoring_tables(spec, candidates, grid, min_share=0.5)
    out.other_forms = [s for s in candidates if s in tables]


def read_meta(rows: list[list[Any]]) -> dict[str, Any]:
    """The `_meta` sheet's key/value rows (format, template_kind, lang, fingerprint...)."""
    meta: dict[str, Any] = {}
    for row in rows:
        if row and isinstance(row[0], str) and row[0] not in (MetaKey.CRITERION_ROW, MetaKey.VETO_ROW) and len(row) > 1:
            value = row[1]
            meta[row[0]] = N.clean_text(value) if not isinstance(value, float) else value
    return meta


def _located(grid: Grid, where: tuple[str, int, int] | None, special: Callable[[str], dict] | None = None,
             formulas_known: bool = False) -> Located:
    if not where:
        return Located()
    sheet, row, col = where
    formula = None
    if special is not None and formulas_known:
        formula = special(sheet).get((row, col)) == "formula"
    return Located(value_at(grid, sheet, row, col), sheet, address(row, col), formula)


def _read_info(locate: Locator, grid: Grid, spec: Spec, out: FileRead) -> None:
    out.info = {fld.key: _located(grid, locate.cell(info_name(fld.key))) for fld in INFO_FIELDS}
    out.vetoes = [VetoAnswer(v.id, _located(grid, locate.cell(veto_name(v.id)))) for v in spec.vetoes]


def _read_scores(locate: Locator, grid: Grid, spec: Spec, out: FileRead, view: WorkbookView) -> None:
    ranges = {k: locate.range(TABLE_NAMES[k]) for k in ("id", "max", "self", "upper")}
    for key in ("self", "upper"):
        out.totals[key] = _located(grid, locate.cell(TOTAL_NAMES[key]), view.special, view.formulas_known)
    found = [r for r in ranges.values() if r is not None]
    if len(found) < len(ranges):
        return
    id_range = ranges["id"]
    assert id_range is not None
    sheet, first, id_col, last, _ = id_range
    out.form_sheet = sheet
    if not grid(sheet):
        return
    cols = {k: r[2] for k, r in ranges.items() if r is not None}
    merged = view.merged(sheet)
    special = view.special(sheet)
    content_ids = {content.id for content in spec.contents}
    rows = grid(sheet)
    max_col, self_col, upper_col = cols["max"], cols["self"], cols["upper"]
    for r in range(max(first, 0), min(last, len(rows) - 1) + 1):  # rows outside the sheet hold no id
        row = rows[r]
        cid = N.clean_text(row[id_col] if 0 <= id_col < len(row) else None)
        if not cid or cid in content_ids:
            continue
        found_max, _ = N.parse_number(row[max_col] if 0 <= max_col < len(row) else None)
        out.criteria.append(CriterionRow(cid, sheet, found_max, address(r, max_col),
                                         _score(row, r, self_col, special, merged),
                                         _score(row, r, upper_col, special, merged)))


def _score(row: list[Any], r: int, c: int, special: dict[tuple[int, int], str],
           merged: dict[tuple[int, int], str]) -> ScoreCell:
    """One score cell of row `r` (its values `row`), read as the rules expect it."""
    raw = row[c] if 0 <= c < len(row) else None
    number, kind = N.parse_number(raw)
    flag = special.get((r, c))
    if flag == "formula":
        number, kind = math.nan, N.FORMULA
    elif flag == "error" or (isinstance(raw, str) and raw.startswith("#")):
        number, kind = math.nan, N.NOT_NUMBER
    return ScoreCell(N.clean_text(raw), number, kind, address(r, c), merged.get((r, c), "") if merged else "")


def file_is_candidate(path: Path) -> str | None:
    """Reason a file is skipped without being read, or None to read it."""
    name = path.name
    if name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#")):  # Excel, LibreOffice
        return "skipped_lock_file"
    if name.lower() in {"thumbs.db", "desktop.ini", ".ds_store"} or name.startswith("._"):
        return "skipped_system_file"
    return None
