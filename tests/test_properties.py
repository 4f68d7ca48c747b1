"""Property: whatever happens to a valid submission, the validator returns a verdict, never
raises, and every cell address it reports exists in the file it names."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from fourgood.contract import INFO_FIELDS, SHEETS, TABLE_NAMES, info_name
from fourgood.fill import criterion_cells, name_target, open_template
from fourgood.pipeline import validate_paths

from .helpers import INFO, no_vetoes, scores_totalling

VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=30),
    st.dates(min_value=dt.date(1900, 1, 1)),
    st.sampled_from(["9,5", "=1/0", "=SUM(A1:A2)", "#N/A", "Tháng 13", "Cả năm", "Có", " ", "NaN", "1e309"]),
)
MUTATION = st.one_of(
    st.tuples(st.just("score"), st.sampled_from(["self", "upper", "max"]), st.integers(0, 21), VALUES),
    st.tuples(st.just("info"), st.sampled_from([f.key for f in INFO_FIELDS]), VALUES),
    st.tuples(st.just("delete_row"), st.integers(1, 45)),
    st.tuples(st.just("insert_row"), st.integers(1, 45)),
    st.tuples(st.just("drop_sheet"), st.sampled_from([SHEETS["vi"].info, SHEETS["vi"].scoring, "_meta"])),
    st.tuples(st.just("truncate"), st.floats(0.0, 1.0)),
)
A1 = re.compile(r"^([A-Z]{1,3})([1-9]\d{0,6})$")


def _mutate(template, spec, mutations) -> bytes:
    wb = open_template(template)
    from fourgood.fill import Submission, fill

    fill(wb, Submission(info=dict(INFO), self_scores=scores_totalling(spec, 96), vetoes=no_vetoes(spec)))
    truncate = None
    for m in mutations:
        kind = m[0]
        try:
            if kind == "score":
                column = {"self": "self", "upper": "upper", "max": "max"}[m[1]]
                sheet, coord = name_target(wb, TABLE_NAMES[column])
                col = "".join(ch for ch in coord.split(":")[0] if ch.isalpha())
                row = sorted(criterion_cells(wb).values())[m[2]]
                wb[sheet][f"{col}{row}"] = m[3]
            elif kind == "info":
                sheet, cell = name_target(wb, info_name(m[1]))
                wb[sheet][cell] = m[2]
            elif kind == "delete_row":
                wb[SHEETS["vi"].scoring].delete_rows(m[1])
            elif kind == "insert_row":
                wb[SHEETS["vi"].scoring].insert_rows(m[1])
            elif kind == "drop_sheet" and m[1] in wb.sheetnames and len(wb.sheetnames) > 1:
                del wb[m[1]]
            elif kind == "truncate":
                truncate = m[1]
        except (KeyError, ValueError, IndexError):
            pass  # a mutation that no longer applies (its sheet or name is gone)
    buf = io.BytesIO()
    try:
        wb.save(buf)
    except (ValueError, TypeError):  # openpyxl refuses some values (e.g. NaN in a date cell)
        wb = open_template(template)
        wb.save(buf)
    data = buf.getvalue()
    return data[: int(len(data) * truncate)] if truncate is not None else data


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(mutations=st.lists(MUTATION, min_size=1, max_size=5))
def test_mutated_submissions_always_get_a_verdict_with_real_addresses(tmp_path, specs, agency_template, mutations):
    path = tmp_path / "dot-bien.xlsx"
    path.write_bytes(_mutate(agency_template, specs["agency"], mutations))
    result = validate_paths([path], specs)
    assert len(result.files) == 1
    row = result.files.iloc[0]
    assert row["status"] in {"meets", "below", "incomplete", "veto", "invalid"}
    assert bool(row["valid"]) == (row["errors"] == 0)
    if row["errors"]:
        assert row["status"] == "invalid"
    if row["status"] in ("meets", "below"):  # a verdict on points: the number behind it agrees (threshold 95)
        assert 0 <= row["final_total"] <= 100
        assert (row["final_total"] >= specs["agency"].threshold) == (row["status"] == "meets"), row["final_total"]
    try:
        sheets = set(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception:
        sheets = set()
    for p in result.problems:
        assert p.message("vi") and p.message("en")
        if p.cell:
            assert A1.match(p.cell), p
            if p.code not in ("sheet_missing",):
                assert p.sheet in sheets, (p, sheets)
