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


# --- issue 18's last pass on one form's check (benchmarks/RESULTS.md, branch check7) ---------------

def test_an_empty_batch_is_judged_once_per_process(specs, monkeypatch):
    """Every run judges its skipped files, most often none: that empty batch is built once, and is
    the very result the full path gives (its dtypes make the files frame the same whatever the batch)."""
    from fourgood import pipeline

    pipeline.assess([], {}, specs)  # judged now, or already
    built = []
    real = pipeline.build_frames
    monkeypatch.setattr(pipeline, "build_frames", lambda *a, **k: built.append(a) or real(*a, **k))
    cached = pipeline.assess([], {}, specs, "en")
    assert built == []
    fresh = pipeline._assess([], {}, specs, "en")
    for name in ("files", "meta", "scores", "scored", "rolled"):
        pd.testing.assert_frame_equal(getattr(cached, name), getattr(fresh, name))
    assert cached.problems == fresh.problems == []


def test_the_empty_batch_each_caller_gets_is_its_own(specs):
    from fourgood import pipeline

    first = pipeline.assess([], {}, specs)
    first.files["extra"] = 1
    first.problems.append("x")
    second = pipeline.assess([], {}, specs)
    assert "extra" not in second.files.columns and second.problems == []


def test_one_file_is_searched_for_no_duplicate(monkeypatch):
    """A batch of one (a check, the add-in) has nothing to be a duplicate of: the file counts if
    it is a cell's or a consolidated form that was read, as the full rule says."""
    from fourgood.validators.duplicates import settle_duplicates

    def row(kind: str, skipped: str = "") -> pd.DataFrame:
        return pd.DataFrame({"file": ["a.xlsx"], "kind": [kind], "skipped": [skipped], "sha256": ["ab"],
                             "cell_code": ["CB-01"], "period": ["2026-11"], "valid": [True], "status": ["meets"],
                             "upper_complete": [True], "date": [""], "mtime": [0.0]})

    monkeypatch.setattr(pd.DataFrame, "duplicated", lambda *a, **k: pytest.fail("searched for duplicates"))
    assert settle_duplicates(row("cell")) == ([], {"a.xlsx"})
    assert settle_duplicates(row("consolidated")) == ([], {"a.xlsx"})
    assert settle_duplicates(row("roster")) == ([], set())
    assert settle_duplicates(row("cell", "skipped_lock_file")) == ([], set())


def test_two_copies_of_a_file_are_still_duplicates():
    from fourgood.validators.duplicates import settle_duplicates

    two = pd.DataFrame({"file": ["a.xlsx", "b.xlsx"], "kind": ["cell", "cell"], "skipped": ["", ""],
                        "sha256": ["ab", "ab"], "cell_code": ["CB-01", "CB-01"], "period": ["2026-11", "2026-11"],
                        "valid": [True, True], "status": ["meets", "meets"], "upper_complete": [True, True],
                        "date": ["", ""], "mtime": [0.0, 1.0]})
    problems, counted = settle_duplicates(two)
    assert [p.code for p in problems] == ["duplicate_file"] and counted == {"a.xlsx"}


def test_typing_columns_one_by_one_is_astype():
    from fourgood.validators.frames import _typed

    frame = pd.DataFrame({"file": ["a", "b"], "self": [1, None], "upper": ["9,5", 3], "yes": [1, 0]})
    dtypes = {"self": "float64", "upper": object, "yes": bool}
    pd.testing.assert_frame_equal(_typed(frame, dtypes), frame.astype(dtypes))
    assert list(frame.dtypes) == list(pd.DataFrame({"file": ["a", "b"], "self": [1, None], "upper": ["9,5", 3],
                                                    "yes": [1, 0]}).dtypes)  # the input is left as it was


def test_pandera_looks_a_dtype_up_once_per_process(monkeypatch):
    from pandera.engines import pandas_engine

    frame = pd.DataFrame({"name": pd.Series(["Chi bộ Văn phòng"])})
    Names.validate(frame)
    asked = []
    real = pandas_engine.Engine.dtype
    monkeypatch.setattr(pandas_engine.Engine, "dtype", lambda d: asked.append(d) or real(d))
    Names.validate(frame)
    assert frame["name"].dtype not in asked


class Kinds(pa.DataFrameModel):
    kind: Series[str] = pa.Field(isin=["ok", "blank"])


def test_pandera_copies_no_configuration_per_column_check(monkeypatch):
    from pandera import config

    copies = []
    real = config._copy_config
    monkeypatch.setattr(config, "_copy_config", lambda c: copies.append(c) or real(c))
    Kinds.validate(pd.DataFrame({"kind": ["ok", "blank"]}))
    assert len(copies) <= 2  # the container's own reads; the decorator of each column check made 5 more


def test_a_validation_depth_still_decides_which_checks_run():
    from pandera.config import ValidationDepth, config_context

    wrong = pd.DataFrame({"kind": ["ok", "typed over"]})
    with pytest.raises(pa.errors.SchemaError):
        Kinds.validate(wrong)
    with config_context(validation_depth=ValidationDepth.SCHEMA_ONLY):
        assert Kinds.validate(wrong) is not None  # the values are data: not checked at this depth
    with config_context(validation_depth=ValidationDepth.DATA_ONLY):
        with pytest.raises(pa.errors.SchemaError):
            Kinds.validate(wrong)
    with pytest.raises(pa.errors.SchemaError):
        Kinds.validate(wrong)


# What another command needs and a one-form check does not: the report writer, the history store,
# the consolidation, the server, a process pool.
OTHER_COMMANDS = ("fourgood.report", "fourgood.store", "fourgood.consolidate_cmd", "fourgood.rollup",
                  "fourgood.server", "openpyxl", "xlsxwriter", "sqlite3", "fastapi", "xlwings", "multiprocessing")


def test_one_form_check_imports_nothing_only_other_commands_need(tmp_path, agency_template, specs):
    """`fourgood validate FORM` in a fresh process waits for its imports (benchmarks/RESULTS.md):
    what the consolidation, the report and the server load stays unloaded."""
    from .helpers import fresh_process, make_submission

    form = make_submission(agency_template, specs["agency"], tmp_path / "CB Văn phòng - tháng 11.xlsx", total=96)
    words = fresh_process(["import contextlib, io, sys",
                           "from fourgood.cli import main",
                           "with contextlib.redirect_stdout(io.StringIO()):",
                           "    code = main(['validate', sys.argv[1]])",
                           f"other = {OTHER_COMMANDS!r}",
                           "print(code, sorted(m for m in sys.modules if m.startswith(other)))"], form)
    assert words == ["0", "[]"]
