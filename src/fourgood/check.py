"""Check one workbook: validate, score and say the verdict in one sentence; and the one report
per file (`FileReport`) that `fourgood validate`, the add-in and the server all show.

This is the core behind the Excel button. It takes a `WorkbookView` (a file, or a book open
in Excel seen through xlwings) and runs exactly the batch code the command line runs, on a
batch of one, so the add-in and `fourgood validate` can never disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fourgood.validators.formats import WorkbookView
from fourgood.validators.reader import SpecIndex, read_meta, read_workbook

from .contract import META_SHEET, content_column, status_text
from .messages import render
from .pipeline import BatchResult, assemble
from .problems import Problem, not_a_form_files, number_text
from .spec import Spec
from .vocab import FileCategory, Severity, Status


def _plain(value: Any) -> Any:
    """A frame's value as JSON wants it: None for blank or NaN, Python numbers for numpy's, whole
    numbers over 1000 (years) as int."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return int(value) if isinstance(value, float) and value.is_integer() and value > 1000 else value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _float(value: Any) -> float:
    return math.nan if value is None else float(value)


@dataclass
class FileReport:
    """One file's report, the same wherever it is shown: `fourgood validate` (table and JSON), the
    add-in's results sheet and the server's answer to a check. `to_json` is the object of
    `fourgood validate --json` (its keys are a stable interface)."""

    file: str
    name: str = ""
    category: FileCategory = FileCategory.INVALID
    verdict: Status = Status.INVALID  # the file's `status`: a form's verdict, or what else the file is
    cell_code: str | None = None
    cell_type: str | None = None
    period: str | None = None
    year: Any = None
    self_total: float = math.nan
    upper_total: float = math.nan
    threshold: float = math.nan  # the spec's, once the form is read
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.category == FileCategory.VALID

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.WARNING]

    def to_json(self, lang: str = "vi") -> dict[str, Any]:
        return {
            "file": self.file,
            "valid": self.valid,
            "cell_code": self.cell_code,
            "cell_type": self.cell_type,
            "period": self.period,
            "year": _plain(self.year),
            "self_total": _plain(self.self_total),
            "upper_total": _plain(self.upper_total),
            "status": self.verdict.value,
            "errors": [{k: v for k, v in p.to_dict(lang).items() if k in JSON_ERROR_FIELDS} for p in self.problems],
        }


JSON_ERROR_FIELDS = ("code", "severity", "message", "sheet", "cell", "criterion")


REPORT_COLUMNS = ("file", "name", "category", "verdict", "cell_code", "cell_type", "period", "year", "self_total",
                  "upper_total", "threshold", "errors", "warnings")


def file_report_frame(files: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """The batch's FileReports as columns (REPORT_COLUMNS: each field but the problems, and their
    counts by severity), one row per file in the batch's order: what `file_reports` builds its
    objects from, and what consolidate's log sheet and closing table read for 100,000 files
    without an object per file.

    The verdict: `skipped` for skipped files only; `not_a_form` for an invalid file that is no
    scoring form at all (a PDF, the roster, ...: the problem registry says which problems mean
    that); any other unreadable or missing file `invalid`; a valid file has its form's status."""
    not_forms = not_a_form_files(problems)
    category = files["category"].astype(object)
    verdict = np.select(
        [category == FileCategory.SKIPPED, (category == FileCategory.INVALID) & files["file"].isin(not_forms),
         category == FileCategory.INVALID],
        [Status.SKIPPED.value, Status.NOT_A_FORM.value, Status.INVALID.value],
        default=files["status"].astype(object).fillna(Status.INVALID.value) if "status" in files else Status.INVALID.value)
    severity = pd.Series([p.severity for p in problems], dtype=object)
    where = pd.Series([p.file for p in problems], dtype=object)
    errors = where[(severity == Severity.ERROR).to_numpy(bool)].value_counts()
    warnings = where[(severity == Severity.WARNING).to_numpy(bool)].value_counts()
    name = files["name"].astype(object).where(files["name"].astype(bool), files["file"]) if "name" in files else files["file"]
    return pd.DataFrame({
        "file": files["file"], "name": name.astype(str), "category": category, "verdict": verdict,
        **{c: files[c] if c in files else None for c in REPORT_COLUMNS[4:11]},
        "errors": files["file"].map(errors).fillna(0).astype(int),
        "warnings": files["file"].map(warnings).fillna(0).astype(int),
    }, index=files.index)


def file_reports(result: BatchResult) -> list[FileReport]:
    """One report per input file, in the batch's order."""
    by_file: dict[str, list[Problem]] = {}
    for p in result.problems:
        by_file.setdefault(p.file, []).append(p)
    return [FileReport(
        file=row["file"], name=row["name"], category=FileCategory(row["category"]), verdict=Status(row["verdict"]),
        cell_code=_text(row["cell_code"]), cell_type=_text(row["cell_type"]), period=_text(row["period"]),
        year=row["year"], self_total=_float(_plain(row["self_total"])), upper_total=_float(_plain(row["upper_total"])),
        threshold=_float(_plain(row["threshold"])), problems=by_file.get(row["file"], []),
    ) for row in file_report_frame(result.files, result.problems).to_dict("records")]


@dataclass
class ContentLine:
    id: str
    title: str
    max: float
    self: float
    upper: float
    final: float


@dataclass
class CheckResult:
    """The add-in's view of one checked workbook: its FileReport, plus what the results sheet
    shows beyond it (the subtotals per content, the final score and where it comes from)."""

    report: FileReport
    lang: str
    final_source: str = "self"
    final_total: float = math.nan
    gap: float = math.nan
    unscored: int = 0  # criteria with no usable score in the column that decides
    veto_unanswered: bool = False
    spec: Spec | None = None
    cell: dict[str, str] = field(default_factory=dict)
    contents: list[ContentLine] = field(default_factory=list)

    @property
    def file(self) -> str:
        return self.report.file

    @property
    def status(self) -> Status:
        return self.report.verdict

    @property
    def problems(self) -> list[Problem]:
        return self.report.problems

    @property
    def errors(self) -> list[Problem]:
        return self.report.errors

    @property
    def warnings(self) -> list[Problem]:
        return self.report.warnings

    @property
    def self_total(self) -> float:
        return self.report.self_total

    @property
    def upper_total(self) -> float:
        return self.report.upper_total

    @property
    def threshold(self) -> float:
        return self.report.threshold

    @property
    def status_label(self) -> str:
        return status_text(self.status, self.lang, None if math.isnan(self.threshold) else self.threshold)

    def headline(self, focus: str = "score") -> str:
        """The verdict in one sentence, e.g. “Đạt “Chi bộ 4 tốt”: 96,5 điểm” or "Còn 3 lỗi cần sửa".

        focus="validate" speaks about errors only (the validate button), "score" about points.
        """
        if self.errors:
            return render("verdict_errors", self.lang, {"value": len(self.errors)})
        if focus == "validate":
            return render("verdict_valid", self.lang, {})
        points = number_text(self.final_total, self.lang)
        if self.status == Status.MEETS:
            return render("verdict_meets", self.lang, {"value": points})
        if self.status == Status.BELOW:
            return render("verdict_below", self.lang, {"value": points,
                                                       "expected": number_text(self.threshold, self.lang)})
        if self.status == Status.VETO:
            return render("verdict_veto", self.lang, {"value": points})
        if self.unscored == 0 and self.veto_unanswered:
            return render("verdict_incomplete_veto", self.lang, {})
        return render("verdict_incomplete", self.lang, {"value": self.unscored})


def check_view(view: WorkbookView, file: str, specs: dict[str, Spec], lang: str = "vi") -> CheckResult:
    """Validate and score one workbook through the batch pipeline (a batch of one)."""
    read = read_workbook(view, file, SpecIndex(specs))
    batch = assemble([(Path(file), None)], {file: read}, specs, lang)
    (report,) = file_reports(batch)
    result = CheckResult(report=report, lang=lang)
    if read.spec is None or batch.scored.empty:
        report.threshold = math.nan  # no spec: the verdict names no threshold
        return result
    meta, row = batch.meta.loc[file], batch.scored.loc[file]
    assert isinstance(row, pd.Series)  # one row: the batch is indexed by file
    spec = read.spec
    result.spec = spec
    report.threshold = float(spec.threshold)
    result.final_source = str(row["final_source"])
    result.final_total, result.gap = float(row["final_total"]), float(row["gap"])
    decider = "upper" if result.final_source == "upper" else "self"
    result.unscored = int(row["criteria"] - row[f"{decider}_scored"]) if not math.isnan(row["criteria"]) else 0
    result.veto_unanswered = bool(isinstance(row["veto"], float) and math.isnan(row["veto"]))
    result.cell = {k: str(meta.get(k, "")) for k in ("cell_name", "cell_code", "period", "grassroots",
                                                      "upper_committee")}
    given = {col: row[f"{col}_scored"] > 0 for col in ("self", "upper")}  # an empty column has no subtotals
    given["final"] = given["upper"] if result.final_source == "upper" else given["self"]
    for content in spec.contents:
        result.contents.append(ContentLine(
            content.id, content.title_en if lang == "en" else content.title_vi, content.max,
            *(float(row.get(content_column(content.id, col), math.nan)) if given[col] else math.nan
              for col in ("self", "upper", "final"))))
    return result


def peek_meta(view: WorkbookView) -> dict[str, Any]:
    """The `_meta` sheet's key/value rows (template_kind: cell, roster, consolidated, control); {} if none."""
    return read_meta(view.values(META_SHEET)) if META_SHEET in view.sheets else {}
