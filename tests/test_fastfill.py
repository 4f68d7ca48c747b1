"""The benchmark's fast generator (benchmarks/fastfill.py) makes files that read exactly like
openpyxl-filled ones: same `fourgood validate --json` (status, totals, problems) and the same
cell values in every sheet through python-calamine."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from fourgood.fill import Submission, fill_template
from fourgood.workbook_templates.writer import template_filename

from .helpers import INFO, no_vetoes, scores_totalling

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from fastfill import fast_fill  # noqa: E402


def _cases(specs) -> list[tuple[str, str, Submission]]:
    cases = []
    for i, kind in enumerate(specs):
        spec = specs[kind]
        ids = [c.id for c in spec.criteria]
        cases.append((kind, f"{kind}-full.xlsx", Submission(info=dict(INFO), self_scores=scores_totalling(spec, 100),
                                                             vetoes=no_vetoes(spec))))
        cases.append((kind, f"{kind}-below.xlsx", Submission(
            info={**INFO, "cell_code": f"X-{i}", "date": dt.date(2026, 11, 30), "period": "Cả năm"},
            self_scores=scores_totalling(spec, 63.5), upper_scores=scores_totalling(spec, 61),
            vetoes=no_vetoes(spec), notes={ids[0]: "Ghi chú <có> & “ký tự”", ids[1]: " khoảng trắng "})))
        # problems: text scores, over the maximum, off the step, a missing criterion, a veto answered "Có",
        # a formula typed into a score cell, an information value that looks like a formula
        bad = scores_totalling(spec, 90)
        bad[ids[0]] = "9,5"
        bad[ids[1]] = spec.criteria[1].max + 3
        bad[ids[2]] = 0.3
        del bad[ids[3]]
        bad[ids[4]] = "=1+1"
        vetoes = no_vetoes(spec)
        vetoes[spec.vetoes[0].id] = "Có"
        cases.append((kind, f"{kind}-bad.xlsx", Submission(
            info={**INFO, "cell_code": "=A1", "members": "hai mươi", "year": 2026.0}, self_scores=bad,
            upper_scores={ids[5]: True}, vetoes=vetoes)))
    cases.append(("agency", "blank.xlsx", Submission(info={})))
    return cases


def _values(path: Path) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


def _validate_json(cli, folder: Path) -> list[dict]:
    code, out, _ = cli("validate", "--json", str(folder))
    rows = json.loads(out)
    for row in rows:  # the two folders differ only in their name
        row["file"] = Path(row["file"]).name
        for e in row["errors"]:
            e.pop("file", None)
    return rows


@pytest.fixture
def cli(monkeypatch, capsys):
    from fourgood.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    monkeypatch.setenv("FOURGOOD_LANG", "vi")
    return run


@pytest.mark.slow
def test_generated_files_read_as_openpyxl_filled_ones(tmp_path, specs, template_dir, cli):
    slow, fast = tmp_path / "openpyxl", tmp_path / "fast"
    slow.mkdir()
    fast.mkdir()
    for kind, name, sub in _cases(specs):
        template = template_dir / template_filename(kind)
        fill_template(template, sub, slow / name)
        fast_fill(template, sub, fast / name)
        assert _values(fast / name) == _values(slow / name), name
    expected = _validate_json(cli, slow)
    got = _validate_json(cli, fast)
    assert got == expected
    statuses = {row["status"] for row in expected}
    assert {"meets", "below", "invalid"} <= statuses  # the cases cover the verdicts and their problems
    assert sum(len(row["errors"]) for row in expected) > 20


def test_generated_files_are_valid_packages(tmp_path, specs, template_dir):
    """No cached values are left on formula cells, as in a file openpyxl saved."""
    import zipfile

    kind = list(specs)[0]
    out = fast_fill(template_dir / template_filename(kind), Submission(info=dict(INFO), self_scores=scores_totalling(
        specs[kind], 100)), tmp_path / "a.xlsx")
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                xml = zf.read(name).decode()
                assert "</f><v>" not in xml.replace("</f><v></v>", "")


@pytest.mark.slow
def test_year_view_forms_read_as_openpyxl_filled_ones(tmp_path, cli):
    """The benchmark's year-view set (one cell: the twelve months and the year-end evaluation), written
    by its own generator through both writers, reads the same and carries the periods it claims."""
    import bench_consolidate as bench

    forms = bench.year_forms(1)
    for folder, slow in ((tmp_path / "openpyxl", True), (tmp_path / "fast", False)):
        folder.mkdir()
        for form in forms:
            bench._make((form, str(folder), slow))
    for form in forms:
        assert _values(tmp_path / "fast" / form.name) == _values(tmp_path / "openpyxl" / form.name), form.name
    expected = _validate_json(cli, tmp_path / "openpyxl")
    assert _validate_json(cli, tmp_path / "fast") == expected
    assert all(row["valid"] for row in expected)
    assert sorted(row["period"] for row in expected) == ["2026", *(f"2026-{m:02d}" for m in range(1, 13))]
