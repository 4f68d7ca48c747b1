"""The declared frames between reading and validating: one row per file, per form, per
criterion, per veto question and per rolled-up cell.

The reader hands over typed records (`reader.FileRead`); this module turns a whole batch of
them into pandas frames whose columns and dtypes are declared as pandera `DataFrameModel`s,
normalising values on the way (decimal commas, periods in words, codes with stray spaces).
Rules (`rules`) then judge these frames; nothing here judges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fourgood.contract import (
    CONTENT_PREFIX,
    ROLLUP_COLUMNS,
    ROLLUP_NUMBERS,
    ROLLUP_REQUIRED,
    ROLLUP_SHEET,
    Kind,
)
from fourgood.spec import cell_type_from_text

from . import normalize as N
from .package import col_letter
from .pandera_pandas import Series, pa
from .reader import FileRead, SpecIndex

Entry = tuple[Path, str | None]  # a discovered path and its skip code (None: read it)


class FileRows(pa.DataFrameModel):
    """One row per discovered input, in discovery order."""

    file: Series[str]
    name: Series[str]
    skipped: Series[str]  # skip code, '' when read
    size: Series[int]
    sha256: Series[str]
    mtime: Series[float]
    format: Series[str]
    kind: Series[str]  # contract.Kind value from `_meta`, '' when none
    readable: Series[bool]  # the package could be opened and its sheets listed
    has_meta: Series[bool]
    macros: Series[bool]
    sheets: Series[str]  # the first sheet names, for messages
    spec_known: Series[bool]  # the `_meta` fingerprint names a loaded spec
    template_spec_id: Series[str]
    template_version: Series[str]
    template_fingerprint: Series[str]
    spec_version: Series[str]  # the version of the known table the form is judged by ('' when none)
    outdated: Series[bool]  # that table is an earlier version than the one in use
    current_version: Series[str]  # the version in use for the form's id/type ('' when none)
    version_fingerprint: Series[str]  # unknown fingerprint: the known table's at the form's version ('' when none)
    form_sheet: Series[str]
    other_forms: Series[str]  # further sheets holding a scoring table, quoted and joined
    rollup_readable: Series[bool]  # consolidated: its roll-up sheet has the contract's columns

    class Config:
        strict = True
        coerce = False


# Information fields whose raw value, sheet and cell are carried for messages.
LOCATED = ("province", "upper_committee", "grassroots", "cell_name", "cell_code", "cell_type", "period", "year",
           "members", "secretary", "date", "regular_meetings", "thematic_meetings", "attendance")


class InfoRows(pa.DataFrameModel):
    """One row per readable form: its information sheet, parsed, with where each value was."""

    file: Series[str]
    template_type: Series[str]
    spec_id: Series[str]
    spec_version: Series[str]
    fingerprint: Series[str]
    threshold: Series[float]
    step: Series[float]
    province: Series[str]
    upper_committee: Series[str]
    grassroots: Series[str]
    cell_name: Series[str]
    secretary: Series[str]
    cell_code: Series[str]
    cell_type_text: Series[str]
    cell_type: Series[str]
    month: Series[float] = pa.Field(nullable=True)  # 0 for the whole year
    year: Series[float] = pa.Field(nullable=True)
    period: Series[str]  # 'YYYY-MM', 'YYYY' or ''
    members: Series[float] = pa.Field(nullable=True)
    date: Series[str]
    regular_meetings: Series[float] = pa.Field(nullable=True)
    thematic_meetings: Series[float] = pa.Field(nullable=True)
    attendance: Series[float] = pa.Field(nullable=True)
    regular_meetings_given: Series[bool]
    thematic_meetings_given: Series[bool]
    attendance_given: Series[bool]
    legacy_fields: Series[str]
    legacy_sample: Series[str]
    legacy_sheet: Series[str]
    legacy_cell: Series[str]
    raw: Series[object] = pa.Field(alias=r".+_raw$", regex=True, nullable=True)
    at_sheet: Series[str] = pa.Field(alias=r".+_sheet$", regex=True)
    at_cell: Series[str] = pa.Field(alias=r".+_cell$", regex=True)
    self_total_cached: Series[float] = pa.Field(nullable=True)
    upper_total_cached: Series[float] = pa.Field(nullable=True)
    self_total_formula: Series[object] = pa.Field(nullable=True)  # True, False or None (format cannot tell)
    upper_total_formula: Series[object] = pa.Field(nullable=True)

    class Config:
        strict = "filter"


class ScoreRows(pa.DataFrameModel):
    """One row per criterion row of each form's scoring table."""

    file: Series[str]
    criterion_id: Series[str]
    content_id: Series[str]  # '' when the spec has no such criterion
    spec_max: Series[float] = pa.Field(nullable=True)
    step: Series[float]
    sheet: Series[str]
    max_found: Series[float] = pa.Field(nullable=True)
    max_cell: Series[str]
    self: Series[float] = pa.Field(nullable=True)
    self_kind: Series[str] = pa.Field(isin=[N.OK, N.BLANK, N.TEXT_NUMBER, N.NOT_NUMBER, N.FORMULA])
    self_raw: Series[str]
    self_cell: Series[str]
    self_merged: Series[str]
    upper: Series[float] = pa.Field(nullable=True)
    upper_kind: Series[str] = pa.Field(isin=[N.OK, N.BLANK, N.TEXT_NUMBER, N.NOT_NUMBER, N.FORMULA])
    upper_raw: Series[str]
    upper_cell: Series[str]
    upper_merged: Series[str]

    class Config:
        strict = True


class VetoRows(pa.DataFrameModel):
    """One row per exclusion question of each form."""

    file: Series[str]
    veto_id: Series[str]
    raw: Series[str]
    answered: Series[bool]
    valid: Series[bool]
    yes: Series[bool]
    sheet: Series[str]
    cell: Series[str]

    class Config:
        strict = True


class RolledRows(pa.DataFrameModel):
    """One row per cell result carried by a lower level's consolidated workbook."""

    cell_code: Series[str]
    period: Series[str]
    status: Series[str]
    final_total: Series[float] = pa.Field(nullable=True)
    self_total: Series[float] = pa.Field(nullable=True)
    upper_total: Series[float] = pa.Field(nullable=True)
    file: Series[str]  # the consolidated workbook it came through
    origin: Series[str]  # the form it was consolidated from
    row: Series[int]


SCORE_COLUMNS = list(ScoreRows.to_schema().columns)
VETO_COLUMNS = list(VetoRows.to_schema().columns)
FILE_COLUMNS = list(FileRows.to_schema().columns)


@dataclass
class Frames:
    """A batch as declared frames (every one validated against its model when built)."""

    files: pd.DataFrame  # FileRows
    info: pd.DataFrame  # InfoRows, index: file
    scores: pd.DataFrame  # ScoreRows
    vetoes: pd.DataFrame  # VetoRows
    rolled: pd.DataFrame  # RolledRows (+ cell columns and content subtotals)


def build_frames(entries: list[Entry], reads: dict[str, FileRead], index: SpecIndex) -> Frames:
    files = pd.DataFrame([_file_row(p, skip, reads.get(str(p)), index) for p, skip in entries], columns=FILE_COLUMNS)
    files = _typed(files, {"size": "int64", "mtime": "float64"})
    forms = [r for r in reads.values() if r.is_form]
    info = pd.DataFrame([_info_row(r) for r in forms])
    if info.empty:
        info = pd.DataFrame(columns=["file"])
    else:
        mixed = [c for c in info.columns if c.endswith(("_raw", "_formula"))]  # whatever the cell held
        info = InfoRows.validate(_typed(info, {c: object for c in mixed}))
    info = info.set_index("file", drop=False)
    info.index.name = None
    scores = pd.DataFrame([row for r in forms for row in _score_rows(r)], columns=SCORE_COLUMNS)
    scores = _checked(ScoreRows, _typed(scores, {c: "float64" for c in ("spec_max", "step", "max_found", "self",
                                                                      "upper")}))
    vetoes = pd.DataFrame([row for r in forms for row in _veto_rows(r)], columns=VETO_COLUMNS)
    vetoes = _checked(VetoRows, _typed(vetoes, {c: bool for c in ("answered", "valid", "yes")}))
    rolled = pd.concat([_rolled(r) for r in reads.values() if r.rolled], ignore_index=True) \
        if any(r.rolled for r in reads.values()) else pd.DataFrame()
    files["rollup_readable"] = files["file"].map(lambda f: _rollup_header_ok(reads[f]) if f in reads else True)
    files["rollup_readable"] = files["rollup_readable"].astype(bool)
    files = _checked(FileRows, files)
    return Frames(files=files, info=info, scores=scores, vetoes=vetoes, rolled=rolled)


def _typed(frame: pd.DataFrame, dtypes: dict[str, Any]) -> pd.DataFrame:
    """`frame.astype(dtypes)`, column by column: the same frame, at half the CPU on a form's few
    rows (`astype` with a mapping copies every column and concatenates them again)."""
    out = frame.copy(deep=False)  # copy on write: the columns are shared until one is replaced
    for column, dtype in dtypes.items():
        out[column] = frame[column].astype(dtype)
    return out


def _checked(model: type[pa.DataFrameModel], frame: pd.DataFrame) -> pd.DataFrame:
    """Validate a frame against its model (an empty batch has nothing to type). In place: the
    frame was built here, and the model neither coerces nor filters it (a copy costs CPU per check)."""
    return model.validate(frame, inplace=True) if len(frame) else frame


def _file_row(path: Path, skip: str | None, r: FileRead | None, index: SpecIndex) -> dict[str, Any]:
    t = r.template if r else None
    spec = r.spec if r else None
    current, at_version = None, None
    if t is not None and t.kind == Kind.CELL and r is not None:
        current = index.in_use(spec) if spec else index.by_id.get(t.spec_id) or index.by_type.get(t.cell_type)
        if spec is None:
            at_version = index.versions.get((t.spec_id, t.spec_version)) or index.versions.get(
                (t.cell_type, t.spec_version))
    return {
        "file": str(path), "name": path.name, "skipped": skip or "", "size": r.size if r else _size(path),
        "sha256": r.sha256 if r else "", "mtime": r.mtime if r else 0.0, "format": r.format if r else "",
        "kind": _kind(r), "readable": bool(r and r.sheets), "has_meta": t is not None,
        "macros": bool(r and r.macros),
        "sheets": ", ".join(r.sheets[:5]) + ("…" if r and len(r.sheets) > 5 else "") if r else "",
        "spec_known": bool(r and r.spec is not None),
        "template_spec_id": t.spec_id if t else "", "template_version": t.spec_version if t else "",
        "template_fingerprint": t.fingerprint if t else "",
        "spec_version": spec.version if spec else "",
        "outdated": bool(spec and current and (spec.fingerprint, spec.version) != (current.fingerprint,
                                                                                 current.version)),
        "current_version": current.version if current else "",
        "version_fingerprint": at_version.fingerprint if at_version else "",
        "form_sheet": r.form_sheet if r else "",
        "other_forms": ", ".join(f"'{s}'" for s in r.other_forms) if r else "",
        "rollup_readable": True,
    }


def _kind(r: FileRead | None) -> str:
    """The `_meta` kind; a control workbook that holds results reads as the consolidation it is."""
    if r is None:
        return ""
    if r.kind == Kind.CONTROL and r.rolled:
        return Kind.CONSOLIDATED
    return r.kind


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _info_row(r: FileRead) -> dict[str, Any]:
    spec, t = r.spec, r.template
    assert spec is not None and t is not None
    row: dict[str, Any] = {"file": r.path, "template_type": t.cell_type, "spec_id": spec.spec_id,
                           "spec_version": spec.version, "fingerprint": spec.fingerprint,
                           "threshold": float(spec.threshold), "step": float(spec.step)}
    raw = {key: r.info[key].raw if key in r.info else None for key in LOCATED}
    for key in LOCATED:
        loc = r.info.get(key)
        row[f"{key}_raw"] = raw[key]
        row[f"{key}_sheet"] = loc.sheet if loc else ""
        row[f"{key}_cell"] = loc.cell if loc else ""
    for key in ("province", "upper_committee", "grassroots", "cell_name", "secretary"):
        row[key] = N.clean_text(raw[key])
    row["cell_code"] = N.normalize_code(raw["cell_code"])
    row["cell_type_text"] = N.clean_text(raw["cell_type"])
    row["cell_type"] = _cell_type(row["cell_type_text"])
    month = N.parse_period(raw["period"])
    row["month"] = math.nan if month is None else float(month)
    row["year"] = N.parse_year(raw["year"])
    row["period"] = N.period_code(row["year"], month)
    row["members"] = N.parse_whole(raw["members"])
    date = N.parse_date(raw["date"])
    row["date"] = date.isoformat() if date else ""
    for key in ("regular_meetings", "thematic_meetings"):
        given = raw[key] not in (None, "")
        row[key] = N.parse_whole(raw[key]) if given else math.nan
        row[f"{key}_given"] = given
    row["attendance"] = N.parse_percent(raw["attendance"])
    row["attendance_given"] = raw["attendance"] not in (None, "")
    legacy = [k for k in ("upper_committee", "grassroots", "cell_name", "secretary", "province")
              if N.looks_legacy_encoded(row[k])]
    row["legacy_fields"] = ",".join(legacy)
    row["legacy_sample"] = row[legacy[0]][:60] if legacy else ""
    row["legacy_sheet"] = row[f"{legacy[0]}_sheet"] if legacy else ""
    row["legacy_cell"] = row[f"{legacy[0]}_cell"] if legacy else ""
    for col in ("self", "upper"):
        total = r.totals.get(col)
        number, kind = N.parse_number(total.raw if total else None)
        row[f"{col}_total_cached"] = number if kind == N.OK else math.nan
        row[f"{col}_total_formula"] = total.formula if total else None
        row[f"{col}_total_sheet"] = total.sheet if total else ""
        row[f"{col}_total_cell"] = total.cell if total else ""
    return row


@lru_cache(maxsize=256)  # a batch types the same few names thousands of times
def _cell_type(text: str) -> str:
    return cell_type_from_text(text) or ""


def _score_rows(r: FileRead) -> list[dict[str, Any]]:
    spec = r.spec
    assert spec is not None
    content_of = {c.id: content.id for content in spec.contents for c in content.criteria}
    max_of = {c.id: c.max for c in spec.criteria}
    rows = []
    for c in r.criteria:
        row: dict[str, Any] = {"file": r.path, "criterion_id": c.criterion_id,
                               "content_id": content_of.get(c.criterion_id, ""),
                               "spec_max": max_of.get(c.criterion_id, math.nan), "step": spec.step, "sheet": c.sheet,
                               "max_found": c.max_found, "max_cell": c.max_cell}
        for col, cell in (("self", c.self), ("upper", c.upper)):
            row.update({col: cell.number, f"{col}_kind": cell.kind, f"{col}_raw": cell.raw,
                        f"{col}_cell": cell.cell, f"{col}_merged": cell.merged})
        rows.append(row)
    return rows


def _veto_rows(r: FileRead) -> list[dict[str, Any]]:
    rows = []
    for v in r.vetoes:
        answer = N.parse_yes_no(v.located.raw)
        rows.append({"file": r.path, "veto_id": v.veto_id, "raw": N.clean_text(v.located.raw),
                     "answered": answer is not None, "valid": answer is None or isinstance(answer, bool),
                     "yes": answer is True, "sheet": v.located.sheet, "cell": v.located.cell})
    return rows


def _rollup_header(r: FileRead) -> list[str]:
    return [N.clean_text(v) for v in r.rolled[0]] if r.rolled else []


def _rollup_header_ok(r: FileRead) -> bool:
    """True for anything but a consolidation; for one, whether its roll-up sheet is readable."""
    if r.kind not in (Kind.CONSOLIDATED, Kind.CONTROL):
        return True
    return set(ROLLUP_REQUIRED) <= set(_rollup_header(r))




def _rolled(r: FileRead) -> pd.DataFrame:
    """A lower level's cell rows; `file` becomes this workbook, `origin` the form behind it."""
    if not _rollup_header_ok(r):
        return pd.DataFrame()
    # Workbooks from fourgood 0.1 named content subtotals 'final_I'; today's name is 'final:I'.
    header = [CONTENT_PREFIX + h[len("final_"):] if h.startswith("final_") and h not in ROLLUP_COLUMNS else h
              for h in _rollup_header(r)]
    body = [list(row) + [None] * (len(header) - len(row)) for row in r.rolled[1:]]
    frame = pd.DataFrame([row[:len(header)] for row in body], columns=header, dtype=object)
    keep = [c for c in header if c in ROLLUP_COLUMNS or c.startswith(CONTENT_PREFIX)]
    frame = frame[keep].copy()
    for col in ROLLUP_COLUMNS:
        if col not in frame:
            frame[col] = None
    for col in keep:
        if col in ROLLUP_NUMBERS or col.startswith(CONTENT_PREFIX):
            parsed = frame[col].map(N.parse_number)
            frame[col] = [n if k in (N.OK, N.TEXT_NUMBER) else np.nan for n, k in parsed]
            frame[col] = frame[col].astype(float)
        else:
            frame[col] = frame[col].map(N.clean_text)
    frame["row"] = range(2, len(frame) + 2)
    frame["status_cell"] = [f"{col_letter(header.index('status'))}{r}" for r in frame["row"]]
    frame = frame[(frame["cell_code"] != "") & (frame["period"] != "")]
    frame["cell_code"] = frame["cell_code"].map(N.normalize_code)
    frame["origin"] = frame["file"]
    frame["file"] = r.path
    frame["sheet"] = ROLLUP_SHEET
    return frame
