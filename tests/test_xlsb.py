"""Binary workbooks (.xlsb) are read like their .xlsx originals.

The fixtures were written by SheetJS from the .xlsx beside them (tests/fixtures/xlsb/make_xlsb.js):
LibreOffice cannot write .xlsb, so they are committed rather than generated here.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from fourgood.check import check_view
from fourgood.validators.formats import open_view
from fourgood.validators.package import open_package

FIXTURES = Path(__file__).parent / "fixtures" / "xlsb"
PAIRS = sorted(p.stem for p in FIXTURES.glob("*.xlsb"))


def _located(result) -> set[tuple]:
    return {(p.code, p.severity, p.sheet, p.cell, p.criterion) for p in result.problems if p.code != "located_by_content"}


def test_fixtures_are_real_xlsb_files():
    assert PAIRS == ["co-quan-dat", "thon-co-loi"]
    for stem in PAIRS:
        with zipfile.ZipFile(FIXTURES / f"{stem}.xlsb") as z:  # binary parts, no XML workbook
            assert {"xl/workbook.bin", "xl/worksheets/sheet1.bin"} <= set(z.namelist())
            assert "xl/workbook.xml" not in z.namelist()
        assert open_package((FIXTURES / f"{stem}.xlsb").read_bytes()).format == "xlsb"
        assert open_package((FIXTURES / f"{stem}.xlsx").read_bytes()).format == "xlsx"  # the original beside it


@pytest.mark.parametrize("stem", PAIRS)
def test_xlsb_scores_and_problems_match_its_xlsx_original(stem, specs):
    results = {}
    for suffix in ("xlsx", "xlsb"):
        path = FIXTURES / f"{stem}.{suffix}"
        results[suffix] = check_view(open_view(path.read_bytes()), str(path), specs)
    xlsx, xlsb = results["xlsx"], results["xlsb"]
    assert (xlsb.status, xlsb.self_total, xlsb.cell) == (xlsx.status, xlsx.self_total, xlsx.cell)
    assert [(c.id, c.self) for c in xlsb.contents] == [(c.id, c.self) for c in xlsx.contents]
    assert _located(xlsb) == _located(xlsx)
    assert any(p.code == "located_by_content" and p.severity == "warning" for p in xlsb.problems)


def test_xlsb_errors_point_at_the_cells_of_the_form(specs):
    path = FIXTURES / "thon-co-loi.xlsb"
    result = check_view(open_view(path.read_bytes()), str(path), specs)
    errors = {(p.code, p.sheet, p.cell, p.criterion) for p in result.errors}
    assert errors == {("score_above_max", "Chấm điểm", "D9", "1.1"), ("score_not_number", "Chấm điểm", "D12", "1.4")}
    assert result.status == "invalid"
