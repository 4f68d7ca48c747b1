"""The year view: every month and the year-end evaluation of one year, per cell and per organisation.

Pure pandas over the consolidation's cells frame (one row per counted cell and period), like
rollup. Period codes: 'YYYY-MM' for a month, 'YYYY' for the year-end evaluation ("Cả năm").

The year's verdict of a cell follows its spec's `year_rule` (spec.YEAR_RULES):
- `year_end_else_average` (the default): the year-end evaluation when it is scored, otherwise
  the average of the twelve months when all twelve are scored, otherwise not decided;
- `year_end`: the year-end evaluation only; `average`: the twelve months only.
The average is rounded half up to two decimals (94.955 -> 94.96) and then compared with the
threshold: 94.96 is below 95, 95.00 meets it. A month excluded by a veto question makes the
average's verdict `veto`. With forms of the previous year in the batch, the same rule gives
last year's verdict, and each cell and organisation shows the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from .spec import DEFAULT_THRESHOLD, DEFAULT_YEAR_RULE, Spec, all_versions
from .structure import CHAIN, all_cells_4good, ancestors, frame_row_chains, node_info, tree, with_chains
from .vocab import SCORED as VOCAB_SCORED
from .vocab import Status

MONTHS = tuple(range(1, 13))
SCORED = VOCAB_SCORED  # a month (or year-end form) with a final score
VALID = (*SCORED, Status.INCOMPLETE)  # a valid counted form: the month was submitted
RULE_YEAR_END, RULE_AVERAGE = "year_end", "average"
UNDECIDED = "undecided"
YEAR_COUNTS = ("cells", "decided", "meets", "below", "veto", "undecided")


def month_column(m: int) -> str:
    return f"m{m:02d}"


@dataclass
class YearView:
    year: str
    cells: pd.DataFrame  # one row per cell: its months, the year-end evaluation, the verdict, last year's
    hierarchy: pd.DataFrame  # one row per organisation of the tree, with the year's figures and the change
    missing: pd.DataFrame  # cells missing months, which months
    has_previous: bool  # the batch held forms of the previous year
    summary: dict[str, Any]


def is_year(period: str | None) -> bool:
    return bool(period) and len(str(period)) == 4 and str(period).isdigit()


def previous_year(year: str) -> str:
    return str(int(year) - 1)


def in_scope(periods: pd.Series, period: str) -> pd.Series:
    """What `--period` keeps: one month; or, for a year, its months, its year-end evaluation and those
    of the previous year (for the comparison; they are left out of the month-level sheets)."""
    text = periods.astype(object).fillna("").astype(str)
    if not is_year(period):
        return text == period
    return text.str[:4].isin([period, previous_year(period)])


def of_year(periods: pd.Series, year: str) -> pd.Series:
    return periods.astype(object).fillna("").astype(str).str[:4] == year


def round_score(value: float) -> float:
    """Half up to two decimals, on the decimal value (not the binary float): 94.955 -> 94.96."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    return float(Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _verdicts(cells: pd.DataFrame, base: pd.DataFrame, year: str, rules: pd.Series,
              thresholds: pd.Series) -> pd.DataFrame:
    """Per cell of `base` (indexed by cell code): months, year-end evaluation and the verdict of `year`."""
    rows = cells[of_year(cells["period"], year)]
    month = rows[rows["period"].astype(str).str.len() == 7]
    month = month.assign(_m=month["period"].astype(str).str[5:7].astype(int))
    score = month.pivot_table(index="cell_code", columns="_m", values="final_total", aggfunc="first")
    status = month.pivot_table(index="cell_code", columns="_m", values="status", aggfunc="first")
    score = score.reindex(index=base.index, columns=list(MONTHS))
    status = status.reindex(index=base.index, columns=list(MONTHS)).astype(object).fillna(Status.MISSING.value)
    scored = status.isin(SCORED)
    score = score.where(scored)
    end = rows[rows["period"].astype(str) == year].drop_duplicates("cell_code").set_index("cell_code")
    end_status = end["status"].reindex(base.index).fillna(Status.MISSING.value)
    end_score = end["final_total"].reindex(base.index).where(end_status.isin(SCORED))
    out = pd.DataFrame(index=base.index)
    for m in MONTHS:
        out[month_column(m)] = score[m]
        out[month_column(m) + "_status"] = status[m]
    out["months_submitted"] = status.isin(VALID).sum(axis=1).astype(int)
    out["months_meeting"] = (status == Status.MEETS).sum(axis=1).astype(int)
    out["missing_months"] = [[m for m in MONTHS if s[m] not in VALID] for _, s in status.iterrows()]
    out["year_end_score"] = end_score
    out["year_end_status"] = end_status
    all_twelve = scored.all(axis=1)
    average = score.mean(axis=1).where(all_twelve).map(round_score)
    out["average"] = average
    has_end = end_status.isin(SCORED)
    by_end = has_end & rules.isin([DEFAULT_YEAR_RULE, RULE_YEAR_END])
    by_avg = ~by_end & all_twelve & rules.isin([DEFAULT_YEAR_RULE, RULE_AVERAGE])
    out["rule"] = np.select([by_end, by_avg], [RULE_YEAR_END, RULE_AVERAGE], default="")
    out["year_score"] = end_score.where(by_end, average.where(by_avg))
    avg_status = np.where((status == Status.VETO).any(axis=1), Status.VETO.value,
                          np.where(average >= thresholds, Status.MEETS.value, Status.BELOW.value))
    out["year_status"] = np.select([by_end, by_avg], [end_status, avg_status], default=UNDECIDED)
    return out


def year_view(cells: pd.DataFrame, roster: pd.DataFrame | None, specs: dict[str, Spec], year: str,
              lang: str = "vi", by_name: bool = True) -> YearView:
    """The year view of `year` from the cells frame (months and year-end forms of `year`, and of the
    year before when the batch holds them) and the roster (every cell it lists is expected)."""
    cells, roster = with_chains(cells), with_chains(roster) if roster is not None else None  # parsed once
    this = cells[of_year(cells["period"], year)].sort_values("period", kind="stable")
    info_cols = ["cell_code", "cell_name", "cell_type", "upper_committee", "grassroots", "org_chain", CHAIN,
                 "threshold"]
    from_forms = this.drop_duplicates("cell_code", keep="last").reindex(columns=info_cols)
    if roster is not None and not roster.empty:
        listed = roster.reindex(columns=info_cols).drop(columns="threshold")
        listed = listed.merge(from_forms[["cell_code", "threshold"]], on="cell_code", how="left")
        others = from_forms[~from_forms["cell_code"].isin(listed["cell_code"])]
        base = pd.concat([listed.assign(expected=True), others.assign(expected=False)], ignore_index=True)
    else:
        base = from_forms.assign(expected=True)
    base = base.drop_duplicates("cell_code").set_index("cell_code", drop=False)
    # The table of each cell's year-end form, else of its latest month, decides its year rule (a year's
    # forms may be filled on two versions of the table).
    last = this.iloc[np.argsort(this["period"].astype(str).str.len() == 4, kind="stable")] if len(this) else this
    tables = last.drop_duplicates("cell_code", keep="last").set_index("cell_code").reindex(
        index=base.index, columns=["fingerprint", "spec_version"])
    rules = pd.Series([_year_rule(specs, t, fp, v) for t, fp, v in
                       zip(base["cell_type"], tables["fingerprint"], tables["spec_version"])], index=base.index)
    fallback = base["cell_type"].map(lambda t: specs[t].threshold if t in specs else DEFAULT_THRESHOLD)
    thresholds = pd.to_numeric(base["threshold"], errors="coerce").fillna(fallback).astype(float)
    now = _verdicts(cells, base, year, rules, thresholds)
    prev_year = previous_year(year)
    has_previous = bool(of_year(cells["period"], prev_year).any())
    out = pd.concat([base.assign(threshold=thresholds), now], axis=1)
    out["period"] = year
    if has_previous:
        before = _verdicts(cells, base, prev_year, rules, thresholds)
        out["prev_score"] = before["year_score"]
        out["prev_status"] = before["year_status"]
        out["prev_rule"] = before["rule"]
    else:
        out["prev_score"], out["prev_status"], out["prev_rule"] = np.nan, "", ""
    out["change"] = (out["year_score"] - out["prev_score"]).round(2)
    # proposed as outstanding ("tiêu biểu"): meeting the standard with a year's score from the table's mark
    marks = pd.to_numeric(out["cell_type"].map(
        lambda t: specs[t].outstanding_score if t in specs else None), errors="coerce")
    out["outstanding"] = (out["year_status"] == Status.MEETS) & (out["year_score"] >= marks).fillna(False)
    out = out.reset_index(drop=True)
    hierarchy = _hierarchy(out, lang, by_name)
    missing = out[out["expected"] & (out["months_submitted"] < len(MONTHS))].copy()
    summary = _summary(out, year, has_previous)
    return YearView(year, out, hierarchy, missing.reset_index(drop=True), has_previous, summary)


def _year_rule(specs: dict[str, Spec], cell_type: Any, fingerprint: Any, version: Any) -> str:
    """The year rule of the table a form was filled on (any known version), else of the one in use."""
    for spec in all_versions(specs):
        if spec.fingerprint == fingerprint and spec.version == version:
            return spec.year_rule
    return specs[cell_type].year_rule if cell_type in specs else DEFAULT_YEAR_RULE


def _indicators(frame: pd.DataFrame, previous: bool = False) -> pd.DataFrame:
    status = frame["prev_status" if previous else "year_status"].astype(object).fillna("")
    score = frame["prev_score" if previous else "year_score"]
    decided = status.isin(SCORED)
    return pd.DataFrame({
        "cells": frame["expected"].astype(bool).astype(int),
        "decided": decided.astype(int), "meets": (status == Status.MEETS).astype(int),
        "below": (status == Status.BELOW).astype(int), "veto": (status == Status.VETO).astype(int),
        "undecided": (~decided).astype(int),
        "_score_sum": score.where(decided, 0.0).fillna(0.0), "_scored": (decided & score.notna()).astype(int),
    }, index=frame.index)


def _hierarchy(cells: pd.DataFrame, lang: str, by_name: bool) -> pd.DataFrame:
    """Every organisation of the tree (rollup's machinery: the cells' org_chain), with the year's
    figures of all cells under it and, with last year's forms, last year's figures and the change."""
    cols = ["period", "node", "name", "kind", "depth", "parent", "order", *YEAR_COUNTS, "pass_rate", "avg_score",
            "prev_decided", "prev_meets", "prev_pass_rate", "prev_avg_score", "change_meets", "change_pass_rate",
            "change_avg_score", "all_cells_4good"]
    cells = cells[cells["expected"].astype(bool)]
    if cells.empty:
        return pd.DataFrame(columns=cols)
    chains = frame_row_chains(cells, lang)
    nodes = tree(dict.fromkeys(chains), lang, by_name=by_name)
    under = chains.map(lambda chain: ancestors(chain, nodes))
    rows = cells.assign(_node=under).explode("_node")
    rows = rows[rows["_node"].notna()]
    now = _indicators(rows).groupby(rows["_node"]).sum()
    before = _indicators(rows, previous=True).groupby(rows["_node"]).sum()
    agg = now.astype(float)
    agg["pass_rate"] = (agg["meets"] / agg["cells"]).where(agg["decided"] > 0)  # nothing decided: blank, not 0%
    agg["avg_score"] = (agg["_score_sum"] / agg["_scored"]).where(agg["_scored"] > 0)
    agg["prev_decided"] = before["decided"]
    agg["prev_meets"] = before["meets"]
    agg["prev_pass_rate"] = (before["meets"] / agg["cells"]).where((agg["cells"] > 0) & (before["decided"] > 0))
    agg["prev_avg_score"] = (before["_score_sum"] / before["_scored"]).where(before["_scored"] > 0)
    has_prev = before["decided"] > 0
    agg["change_meets"] = (agg["meets"] - agg["prev_meets"]).where(has_prev)
    agg["avg_score"], agg["prev_avg_score"] = agg["avg_score"].round(2), agg["prev_avg_score"].round(2)
    agg["change_pass_rate"] = agg["pass_rate"] - agg["prev_pass_rate"]
    agg["change_avg_score"] = (agg["avg_score"] - agg["prev_avg_score"]).round(2)
    for c in YEAR_COUNTS:
        agg[c] = agg[c].astype(int)
    agg = agg.drop(columns=["_score_sum", "_scored"])
    agg.index.name = "node"
    out = agg.reset_index().merge(node_info(nodes), on="node", how="left")
    out["period"] = cells["period"].iloc[0]
    out["all_cells_4good"] = all_cells_4good(out["meets"], out["cells"], out["kind"])
    return out.sort_values("order", kind="stable").reset_index(drop=True)[cols]


def _summary(cells: pd.DataFrame, year: str, has_previous: bool) -> dict[str, Any]:
    expected = cells[cells["expected"].astype(bool)]
    status = expected["year_status"]
    out: dict[str, Any] = {
        "year": year,
        "cells": int(len(expected)),
        "decided": int(status.isin(SCORED).sum()),
        "meeting": int((status == Status.MEETS).sum()),
        "outstanding": int(expected["outstanding"].sum()) if "outstanding" in expected else 0,
        "below": int(status.isin([Status.BELOW, Status.VETO]).sum()),
        "undecided": int((status == UNDECIDED).sum()),
        "by_rule": {rule: int((expected["rule"] == rule).sum()) for rule in (RULE_YEAR_END, RULE_AVERAGE)},
        "cells_missing_months": int((expected["months_submitted"] < len(MONTHS)).sum()),
        "previous_year": None,
    }
    if has_previous:
        prev = expected["prev_status"]
        out["previous_year"] = {"year": previous_year(year), "decided": int(prev.isin(SCORED).sum()),
                                "meeting": int((prev == Status.MEETS).sum())}
    return out
