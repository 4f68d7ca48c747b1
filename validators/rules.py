"""The rules: each a named pandera check over one declared frame (`frames`), whose failures
map back to file, sheet, cell and criterion through columns the reader carried along.

A rule's name is its stable problem code (plus the column it applies to). Rules are data;
`run` executes them lazily, once per frame for the whole batch, so one pass reports every
problem; its severity and words are the registry's (`fourgood.messages.PROBLEMS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from fourgood.contract import MAX_MEETINGS_PER_MONTH, REGULAR_MEETINGS_PER_YEAR, YEAR_RANGE, Kind
from fourgood.spec import CELL_TYPES
from fourgood.vocab import FORM_STATUSES

from . import normalize as N


class Check(Protocol):
    """A rule's test over the whole frame: True where a row passes. (A Protocol rather than a
    Callable so that lambdas may bind loop values as defaulted parameters, `lambda d, c=col: ...`.)"""

    def __call__(self, frame: pd.DataFrame, /) -> pd.Series: ...


class RowValue(Protocol):
    """A value computed from one failing row (e.g. the expected value of a message)."""

    def __call__(self, row: pd.Series, /) -> Any: ...


@dataclass(frozen=True)
class Rule:
    """A check plus where its failures point: columns of the validated frame."""
    code: str
    check: Check
    sheet: str = "sheet"
    cell: str | None = None
    criterion: str | None = None
    value: str | None = None
    expected: str | RowValue | None = None
    params: dict[str, Any] | None = None
    key: str = ""
    row_params: tuple[str, ...] = ()  # columns whose value becomes a message parameter of that name

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
        where: dict[str, Any] = dict(cell=f"{col}_cell", criterion="criterion_id", params={"column": col})
        ok = f"{col}_kind"
        rules += [
            Rule("score_not_number", lambda d, ok=ok: d[ok] != N.NOT_NUMBER, value=f"{col}_raw", key=f"score_not_number:{col}", **where),
            Rule("score_formula", lambda d, ok=ok: d[ok] != N.FORMULA, key=f"score_formula:{col}", **where),
            Rule("score_negative", lambda d, c=col: ~(d[c] < 0), value=col, key=f"score_negative:{col}", **where),
            Rule("score_above_max", lambda d, c=col: ~(d[c] > d["spec_max"]), value=col, expected="spec_max",
                 key=f"score_above_max:{col}", **where),
            Rule("score_off_step", lambda d, c=col: d[c].isna() | _multiple(d[c], d["step"]), value=col,
                 expected="step", key=f"score_off_step:{col}", **where),
            Rule("score_decimal_comma", lambda d, ok=ok: d[ok] != N.TEXT_NUMBER, value=f"{col}_raw",
                 expected=col, key=f"score_decimal_comma:{col}", **where),
            Rule("merged_input", lambda d, c=col: d[f"{c}_merged"] == "", value=f"{col}_merged",
                 key=f"merged_input:{col}", **{**where, "criterion": "criterion_id"}),
        ]
    rules.append(Rule("score_blank", lambda d: d["self_kind"] != N.BLANK, cell="self_cell",
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
    limit: dict[str, Check] = {k: (lambda d, v=v: np.where(d["month"] == 0, 12 * v, v)) for k, v in MAX_MEETINGS_PER_MONTH.items()}
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
        Rule("legacy_encoding", lambda d: d["legacy_fields"] == "", value="legacy_sample",
             sheet="legacy_sheet", cell="legacy_cell"),
        Rule("meetings_few", lambda d: ~((d["month"] == 0) & d["regular_meetings_given"]
                                         & (d["regular_meetings"] < REGULAR_MEETINGS_PER_YEAR)),
             value="regular_meetings", expected=lambda r: REGULAR_MEETINGS_PER_YEAR,
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
        Rule("veto_unanswered", lambda d: d["answered"], cell="cell", criterion="veto_id"),
        Rule("veto_invalid", lambda d: d["valid"], cell="cell", criterion="veto_id", value="raw"),
        Rule("veto_triggered", lambda d: ~d["yes"], cell="cell", criterion="veto_id"),
    ]


def missing_rules() -> list[Rule]:
    return [Rule("criterion_missing", lambda d: d["present"], sheet="sheet", criterion="criterion_id")]


def integrity_rules(lang: str) -> list[Rule]:
    """Stored totals against the recomputed ones (`{col}_excel_total`: what Excel's SUM shows).

    A total whose formula is intact but whose cached value is out of date was last written by a
    program that does not recalculate (web tools, scripts): a warning, and fourgood's own total
    counts. A total typed over its formula is an error. When the format cannot tell (xls,
    xlsb, ods), a difference is reported as the warning.
    """
    rules = []
    for col in ("self", "upper"):
        cached, excel, formula = f"{col}_total_cached", f"{col}_excel_total", f"{col}_total_formula"

        def differs(d: pd.DataFrame, cached: str = cached, excel: str = excel) -> pd.Series:
            return d[cached].notna() & d[excel].notna() & ((d[cached] - d[excel]).abs() >= 1e-6)

        def typed(d: pd.DataFrame, formula: str = formula) -> pd.Series:
            return d[formula].map(lambda v: v is False).astype(bool)
        where: dict[str, Any] = dict(sheet=f"{col}_total_sheet", cell=f"{col}_total_cell", value=cached,
                                     expected=excel, params={"column": col})
        rules.append(Rule("total_stale", lambda d, differs=differs, typed=typed: ~(differs(d) & ~typed(d)),
                          key=f"total_stale:{col}", **where))
        rules.append(Rule("total_overwritten", lambda d, differs=differs, typed=typed: ~(differs(d) & typed(d)),
                          key=f"total_overwritten:{col}", **where))
    return rules


KNOWN_KINDS = (Kind.CELL, Kind.ROSTER, Kind.CONTROL, Kind.CONSOLIDATED)


def file_rules(lang: str) -> list[Rule]:
    """What each file is: a form of a known criteria table, or something else (FileRows)."""
    read = lambda d: (d["skipped"] == "") & d["readable"]  # noqa: E731
    cell = lambda d: read(d) & (d["kind"] == Kind.CELL)  # noqa: E731
    unknown_spec = lambda d: cell(d) & ~d["spec_known"]  # noqa: E731
    return [
        Rule("not_our_template", lambda d: ~(read(d) & ~d["has_meta"]), sheet="", value="sheets",
             row_params=("detail",), key="not_our_template:meta"),
        Rule("not_our_template", lambda d: ~(read(d) & d["has_meta"] & ~d["kind"].isin(KNOWN_KINDS)), sheet="",
             value="kind", row_params=("detail",), key="not_our_template:kind"),
        Rule("not_our_template", lambda d: ~(read(d) & d["kind"].isin([Kind.CONSOLIDATED, Kind.CONTROL])
                                             & ~d["rollup_readable"]), sheet="", value="kind",
             row_params=("detail",), key="not_our_template:rollup"),
        Rule("roster_not_submission", lambda d: ~(read(d) & (d["kind"] == Kind.ROSTER)), sheet=""),
        Rule("spec_unknown", lambda d: ~(unknown_spec(d) & (d["version_fingerprint"] == "")), sheet="",
             value="template_spec_id", row_params=("detail", "version")),
        Rule("template_outdated", lambda d: ~(cell(d) & d["spec_known"] & d["outdated"]),
             sheet="", value="spec_version", expected="current_version"),
        Rule("fingerprint_mismatch", lambda d: ~(unknown_spec(d) & (d["version_fingerprint"] != "")), sheet="",
             value="template_fingerprint", expected="version_fingerprint", row_params=("version",)),
        Rule("macros_present", lambda d: ~(read(d) & d["macros"]), sheet=""),
        Rule("multiple_forms", lambda d: d["other_forms"] == "", sheet="form_sheet", value="other_forms"),
    ]


def rollup_rules(lang: str) -> list[Rule]:
    """A lower level's roll-up rows (RolledRows) must carry a status fourgood writes."""
    return [Rule("not_our_template", lambda d: d["status"].isin(FORM_STATUSES), sheet="sheet", cell="status_cell",
                 value="status", row_params=("detail",), key="not_our_template:status")]


def file_detail(files: pd.DataFrame) -> pd.Series:
    """The `{detail}` of file-level messages: the sheets found, or the kind, or the fingerprint."""
    return pd.Series(np.where(~files["has_meta"], "sheets: " + files["sheets"],
                              np.where(files["kind"] == Kind.CELL, files["template_fingerprint"],
                                       "template_kind=" + files["kind"].replace("", "?"))), index=files.index)
