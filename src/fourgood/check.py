"""Check one workbook: validate, score and say the verdict in one sentence.

This is the core behind the Excel button. It takes a `WorkbookView` (a file, or a book open
in Excel seen through xlwings) and runs exactly the batch code the command line runs, on a
batch of one, so the add-in and `fourgood validate` can never disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from fourgood.validators.formats import WorkbookView
from fourgood.validators.reader import SpecIndex, read_meta, read_workbook

from .contract import META_SHEET, content_column, status_text
from .messages import render
from .pipeline import assemble
from .problems import Problem, number_text
from .spec import Spec


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
    file: str
    lang: str
    status: str = "invalid"  # meets | below | incomplete | veto | invalid
    threshold: float = math.nan  # the spec's, once the form is read
    final_source: str = "self"
    self_total: float = math.nan
    upper_total: float = math.nan
    final_total: float = math.nan
    gap: float = math.nan
    unscored: int = 0  # criteria with no usable score in the column that decides
    veto_unanswered: bool = False
    spec: Spec | None = None
    cell: dict[str, str] = field(default_factory=dict)
    contents: list[ContentLine] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

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
        if self.status == "meets":
            return render("verdict_meets", self.lang, {"value": points})
        if self.status == "below":
            return render("verdict_below", self.lang, {"value": points,
                                                       "expected": number_text(self.threshold, self.lang)})
        if self.status == "veto":
            return render("verdict_veto", self.lang, {"value": points})
        if self.unscored == 0 and self.veto_unanswered:
            return render("verdict_incomplete_veto", self.lang, {})
        return render("verdict_incomplete", self.lang, {"value": self.unscored})


def check_view(view: WorkbookView, file: str, specs: dict[str, Spec], lang: str = "vi") -> CheckResult:
    """Validate and score one workbook through the batch pipeline (a batch of one)."""
    read = read_workbook(view, file, SpecIndex(specs))
    batch = assemble([(Path(file), None)], {file: read}, specs, lang)
    result = CheckResult(file=file, lang=lang, problems=batch.problems_of(file))
    if read.spec is None or batch.scored.empty:
        return result
    meta, row = batch.meta.loc[file], batch.scored.loc[file]
    assert isinstance(row, pd.Series)  # one row: the batch is indexed by file
    spec = read.spec
    result.spec = spec
    result.threshold = float(spec.threshold)
    result.status = str(row["status"])
    result.final_source = str(row["final_source"])
    for key in ("self_total", "upper_total", "final_total", "gap"):
        setattr(result, key, float(row[key]))
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
