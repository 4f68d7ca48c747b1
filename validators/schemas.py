"""pandera schemas over the whole batch: each rule is a named check whose failures map back
to file, sheet, cell and criterion through columns the reader carried along.

A rule's name is its stable problem code (plus the score column it applies to). Schemas run
lazily, once per frame for the whole batch, so one pass reports every problem.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from fourgood.layout import MAX_MEETINGS_PER_MONTH, REGULAR_MEETINGS_PER_YEAR, YEAR_RANGE
from fourgood.problems import Problem
from fourgood.spec import CELL_TYPES

from . import normalize as N


@dataclass(frozen=True)
class Rule:
    """A check plus where its failures point: columns of the validated frame."""
    code: str
    check: Callable[[pd.DataFrame], pd.Series]
    severity: str = "error"
    sheet: str = "sheet"
    cell: str | None = None
    criterion: str | None = None
    value: str | None = None
    expected: str | Callable[[pd.Series], Any] | None = None
    params: dict[str, Any] | None = None
    key: str = ""

    @property
    def name(self) -> str:
        return self.key or self.code


def _multiple(values: pd.Series, step: pd.Series) -> pd.Series:
    ratio = values / step
    return (ratio - ratio.round()).abs() < 1e-6


def score_rules(lang: str) -> list[Rule]:
    rules = [
        Rule("criterion_extra", lambda d: d["content_id"] != "", cell="self_cell", criterion="criterion_id"),
        Rule("criterion_duplicate", lambda d: ~d.duplicated(["file", "criterion_id"], keep="first"),
             cell="self_cell", criterion="criterion_id"),
        Rule("max_tampered", lambda d: d["spec_max"].isna() | (d["max_found"] == d["spec_max"]), cell="max_cell",
             criterion="criterion_id", value="max_found", expected="spec_max"),
    ]
    for col in ("self", "upper"):
        where = dict(cell=f"{col}_cell", criterion="criterion_id", params={"column": col})
        ok = f"{col}_kind"
        rules += [
            Rule("score_not_number", lambda d, ok=ok: d[ok] != N.NOT_NUMBER, value=f"{col}_raw", key=f"score_not_number:{col}", **where),
            Rule("score_formula", lambda d, ok=ok: d[ok] != N.FORMULA, key=f"score_formula:{col}", **where),
            Rule("score_negative", lambda d, c=col: ~(d[c] < 0), value=col, key=f"score_negative:{col}", **where),
            Rule("score_above_max", lambda d, c=col: ~(d[c] > d["spec_max"]), value=col, expected="spec_max",
                 key=f"score_above_max:{col}", **where),
            Rule("score_off_step", lambda d, c=col: d[c].isna() | _multiple(d[c], d["step"]), value=col,
                 expected="step", key=f"score_off_step:{col}", **where),
            Rule("score_decimal_comma", lambda d, ok=ok: d[ok] != N.TEXT_NUMBER, severity="warning", value=f"{col}_raw",
                 expected=col, key=f"score_decimal_comma:{col}", **where),
            Rule("merged_input", lambda d, c=col: d[f"{c}_merged"] == "", value=f"{col}_merged",
                 key=f"merged_input:{col}", **{**where, "criterion": "criterion_id"}),
        ]
    rules.append(Rule("score_blank", lambda d: d["self_kind"] != N.BLANK, severity="warning", cell="self_cell",
                      criterion="criterion_id", params={"column": "self"}))
    return rules


def _field(key: str, lang: str) -> dict[str, Any]:
    return {"sheet": f"{key}_sheet", "cell": f"{key}_cell", "params": {"field": key}}


def _blank(series: pd.Series) -> pd.Series:
    return series.isna() | (series.astype(str).str.strip() == "")


def meta_rules(lang: str) -> list[Rule]:
    rules = [
        Rule("meta_required", lambda d, k=k: ~_blank(d[f"{k}_raw"]), key=f"meta_required:{k}", **_field(k, lang))
        for k in ("upper_committee", "cell_name", "cell_code", "period", "year", "members")
    ]
    lo, hi = YEAR_RANGE
    limit = {k: (lambda d, v=v: np.where(d["month"] == 0, 12 * v, v)) for k, v in MAX_MEETINGS_PER_MONTH.items()}
    rules += [
        Rule("cell_code_invalid", lambda d: (d["cell_code"] == "") | d["cell_code"].str.match(N.CODE_PATTERN),
             value="cell_code_raw", **_field("cell_code", lang)),
        Rule("cell_type_mismatch", lambda d: (d["cell_type_text"] == "") | (d["cell_type"] == d["template_type"]),
             value="cell_type_text", expected=lambda r: CELL_TYPES[r["template_type"]].name_vi
             if r["template_type"] in CELL_TYPES else r["template_type"], **_field("cell_type", lang)),
        Rule("period_invalid", lambda d: _blank(d["period_raw"]) | d["month"].notna(), value="period_raw",
             **_field("period", lang)),
        Rule("year_invalid", lambda d: _blank(d["year_raw"]) | d["year"].between(lo, hi), value="year_raw",
             expected=lambda r: f"{lo}–{hi}", **_field("year", lang)),
        Rule("members_invalid", lambda d: _blank(d["members_raw"]) | (d["members"] >= 1), value="members_raw",
             **_field("members", lang)),
        Rule("attendance_invalid", lambda d: ~d["attendance_given"] | d["attendance"].between(0, 100),
             value="attendance_raw", **_field("attendance", lang)),
        Rule("legacy_encoding", lambda d: d["legacy_fields"] == "", severity="warning", value="legacy_sample",
             sheet="legacy_sheet", cell="legacy_cell"),
        Rule("meetings_few", lambda d: ~((d["month"] == 0) & d["regular_meetings_given"]
                                         & (d["regular_meetings"] < REGULAR_MEETINGS_PER_YEAR)),
             severity="warning", value="regular_meetings", expected=lambda r: REGULAR_MEETINGS_PER_YEAR,
             **_field("regular_meetings", lang)),
    ]
    for key, lim in limit.items():
        rules.append(Rule(
            "meetings_invalid",
            lambda d, key=key, lim=lim: ~d[f"{key}_given"] | (d[key].notna() & (d[key] >= 0) & (d[key] <= lim(d))),
            value=f"{key}_raw", expected=lambda r, key=key: MAX_MEETINGS_PER_MONTH[key] * (12 if r["month"] == 0 else 1),
            key=f"meetings_invalid:{key}", **_field(key, lang)))
    return rules


def veto_rules(lang: str) -> list[Rule]:
    return [
        Rule("veto_unanswered", lambda d: d["answered"], severity="warning", cell="cell", criterion="veto_id"),
        Rule("veto_invalid", lambda d: d["valid"], cell="cell", criterion="veto_id", value="raw"),
        Rule("veto_triggered", lambda d: ~d["yes"], severity="warning", cell="cell", criterion="veto_id"),
    ]


def missing_rules() -> list[Rule]:
    return [Rule("criterion_missing", lambda d: d["present"], sheet="sheet", criterion="criterion_id")]


def integrity_rules(lang: str) -> list[Rule]:
    rules = []
    for col in ("self", "upper"):
        cached, excel = f"{col}_total_cached", f"{col}_excel_total"
        rules.append(Rule(
            "total_stale",
            lambda d, cached=cached, excel=excel: d[cached].isna() | d[excel].isna() | ((d[cached] - d[excel]).abs() < 1e-6),
            sheet=f"{col}_total_sheet", cell=f"{col}_total_cell", value=cached, expected=excel,
            params={"column": col}, key=f"total_stale:{col}"))
    return rules


def run_rules(frame: pd.DataFrame, rules: list[Rule], lang: str = "vi") -> list[Problem]:
    """Validate `frame` once with every rule (lazy) and turn failures into located problems."""
    if frame.empty:
        return []
    frame = frame.reset_index(drop=True)
    schema = pa.DataFrameSchema(checks=[pa.Check(r.check, name=r.name, error=r.name) for r in rules])
    try:
        schema.validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    by_name = {r.name: r for r in rules}
    cases = cases[cases["index"].notna()].drop_duplicates(["check", "index"])
    problems = []
    for name, idx in zip(cases["check"], cases["index"]):
        rule = by_name[str(name)]
        row = frame.loc[int(idx)]
        problems.append(_problem(rule, row))
    return problems


def _get(row: pd.Series, spec: Any) -> Any:
    if spec is None:
        return None
    if callable(spec):
        return spec(row)
    value = row.get(spec)
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _problem(rule: Rule, row: pd.Series) -> Problem:
    return Problem(
        code=rule.code,
        severity=rule.severity,  # type: ignore[arg-type]
        file=str(row["file"]),
        sheet=str(_get(row, rule.sheet) or ""),
        cell=str(_get(row, rule.cell) or ""),
        criterion=str(_get(row, rule.criterion) or ""),
        value=_get(row, rule.value),
        expected=_get(row, rule.expected),
        params=dict(rule.params or {}),
    )
