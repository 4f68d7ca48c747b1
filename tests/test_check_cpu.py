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
