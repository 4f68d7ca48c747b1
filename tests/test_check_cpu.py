"""What a check of one form spends its CPU on (benchmarks/bench_server.py, `check_cpu_ms`): pandera
formats no failure report for a column that passes (and still reports one that fails), and does not
look for geopandas on every column."""

from __future__ import annotations

import pandas as pd
import pytest
from pandera.backends.pandas import array

from fourgood.validators.pandera_pandas import Series, pa


class Names(pa.DataFrameModel):
    name: Series[str]


def test_a_passing_string_column_formats_no_failure_report(monkeypatch):
    reports = []
    real = array.reshape_failure_cases
    monkeypatch.setattr(array, "reshape_failure_cases", lambda *a, **k: reports.append(a) or real(*a, **k))
    frame = pd.DataFrame({"name": pd.Series(["Chi bộ Văn phòng", "Chi bộ Khu phố 3"], dtype=object)})
    assert Names.validate(frame) is not None
    assert reports == []


def test_a_failing_string_column_is_still_reported():
    frame = pd.DataFrame({"name": pd.Series(["Chi bộ Văn phòng", 42], dtype=object)})
    with pytest.raises(pa.errors.SchemaError) as caught:
        Names.validate(frame)
    assert "name" in str(caught.value) and "42" in str(caught.value)


def test_pandera_does_not_look_for_geopandas_on_every_column(monkeypatch):
    import builtins
    import importlib.util

    if importlib.util.find_spec("geopandas") is not None:
        pytest.skip("geopandas is installed: pandera's own test stays")
    asked = []
    real = builtins.__import__
    monkeypatch.setattr(builtins, "__import__",
                        lambda name, *a, **k: (asked.append(name) if name.startswith("geopandas") else None)
                        or real(name, *a, **k))
    Names.validate(pd.DataFrame({"name": pd.Series(["Chi bộ Văn phòng"], dtype=object)}))
    assert asked == []


def test_rules_do_not_scan_the_frame_for_empty_rows(monkeypatch):
    """Every row names its file: pandera's search for all-empty rows after each check is not needed."""
    from fourgood.validators.rules import Rule
    from fourgood.validators.run import run_rules

    frame = pd.DataFrame({"file": ["a.xlsx", "b.xlsx"], "score": [9.5, 10.0]})
    scans = []
    real = pd.DataFrame.isna
    monkeypatch.setattr(pd.DataFrame, "isna", lambda self: scans.append(self.shape) or real(self))
    rule = Rule("score_above_max", lambda d: d["score"] <= 10)
    assert run_rules(frame, [rule]) == []
    assert scans == []
    failing = run_rules(frame.assign(score=[9.5, 11.0]), [rule])
    assert [(p.code, p.file) for p in failing] == [("score_above_max", "b.xlsx")]
