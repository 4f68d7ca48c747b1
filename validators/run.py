"""Run rules over a declared frame: once, lazily, for the whole batch; each failure becomes a
located `Problem` (file, sheet, cell, criterion, value, expected)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from fourgood.problems import Problem

from .pandera_pandas import pa
from .rules import Rule


def run_rules(frame: pd.DataFrame, rules: list[Rule], lang: str = "vi") -> list[Problem]:
    """Validate `frame` once with every rule (lazy) and turn failures into located problems."""
    if frame.empty:
        return []
    frame = frame.reset_index(drop=True)
    # ignore_na=False: pandera would otherwise compute `frame.isna()` over every column for each
    # rule, to pass rows whose every value is missing; no row is, every row names its file.
    schema = pa.DataFrameSchema(checks=[pa.Check(r.check, name=r.name, error=r.name, ignore_na=False)
                                        for r in rules])
    try:
        schema.validate(frame, lazy=True, inplace=True)  # the frame is this call's own (reset above)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    by_name = {r.name: r for r in rules}
    if "index" not in cases:
        raise RuntimeError(f"rules failed without row positions: {cases.head(3).to_dict('records')}")
    cases = cases[cases["index"].notna()].drop_duplicates(["check", "index"])
    problems = []
    for name, idx in zip(cases["check"], cases["index"]):
        rule = by_name[str(name)]
        row = frame.iloc[int(idx)]  # positions: the index was reset above
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
        file=str(row["file"]),
        sheet=str(_get(row, rule.sheet) or ""),
        cell=str(_get(row, rule.cell) or ""),
        criterion=str(_get(row, rule.criterion) or ""),
        value=_get(row, rule.value),
        expected=_get(row, rule.expected),
        params={**(rule.params or {}), **{p: _get(row, p) for p in rule.row_params}},
    )
