"""A province's own criteria table works end to end: contents named A–E (five of them, not I–IV),
a threshold of 90 and a step of 1 — templates, LibreOffice recalculation, validation, scoring,
consolidation and roll-up of the consolidated workbook one level up.

Every expected figure is computed in this file from the scores the forms were filled with.
"""

from __future__ import annotations

import json

import pytest
import yaml
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from fourgood.cli import main
from fourgood.contract import ROLLUP_SHEET, TOTAL_NAMES, content_column, status_text
from fourgood.report.geometry import HEAD_ROW, TITLE_ROW
from fourgood.spec import load_specs
from fourgood.workbook_templates.writer import template_filename, write_templates

from .helpers import make_submission

IDS = ("A", "B", "C", "D", "E")


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """The bundled enterprise table regrouped into five contents A–E, threshold 90, step 1."""
    root = tmp_path_factory.mktemp("tinh")
    criteria = [{"id": f"{letter}{i}", "text_vi": f"Tiêu chí {letter}{i} của tỉnh", "max": m}
                for letter, maxima in zip(IDS, ((10, 10), (10, 10), (10, 10), (10, 10), (10, 10)))
                for i, m in enumerate(maxima, 1)]
    data = {
        "spec_id": "tinh-doanh-nghiep", "version": "2026.tinh", "cell_type": "enterprise", "step": 1,
        "threshold": 90,
        "contents": [{"id": letter, "title_vi": f"Nội dung {letter} của tỉnh",
                      "criteria": [c for c in criteria if c["id"].startswith(letter)]} for letter in IDS],
    }
    path = root / "tinh.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    specs = load_specs(path)
    write_templates(root / "mau", specs)
    return path, specs["enterprise"], root / "mau" / template_filename("enterprise")


def _form(province, out, scores: dict[str, float], code: str, upper: dict[str, float] | None = None):
    _, spec, template = province
    return make_submission(template, spec, out, self_scores=scores, upper_scores=upper,
                           info={"cell_code": code, "cell_name": f"Chi bộ {code}", "upper_committee": "Đảng bộ xã Tân Lập",
                                 "grassroots": ""})


def _full(spec, **cuts: float) -> dict[str, float]:
    return {c.id: c.max - cuts.get(c.id, 0) for c in spec.criteria}


def test_the_spec_loads_with_five_contents_named_a_to_e(province):
    _, spec, _ = province
    assert [c.id for c in spec.contents] == list(IDS)
    assert (spec.threshold, spec.step, sum(c.max for c in spec.criteria)) == (90, 1, 100)


@pytest.mark.slow
@pytest.mark.libreoffice
def test_the_form_recalculated_by_libreoffice_shows_the_five_subtotals_and_the_threshold(province, tmp_path):
    from fourgood.libreoffice import convert

    _, spec, _ = province
    scores = _full(spec, A1=6, E2=5)  # 89 -> under 90
    form = _form(province, tmp_path / "phieu.xlsx", scores, "DN-001")
    recalculated = convert(form, "xlsx", tmp_path / "lo")
    wb = load_workbook(recalculated)
    sheet, coord = next(iter(wb.defined_names[TOTAL_NAMES["self"]].destinations))
    grid = CalamineWorkbook.from_path(str(recalculated)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    subtotals = {row[0]: row[3] for row in grid if row and row[0] in IDS}
    assert subtotals == {letter: sum(v for k, v in scores.items() if k.startswith(letter)) for letter in IDS}
    total_cell = wb[sheet][coord.replace("$", "")]
    assert grid[total_cell.row - 1][total_cell.column - 1] == 89
    sheet, coord = next(iter(wb.defined_names[TOTAL_NAMES["self_status"]].destinations))
    status_cell = wb[sheet][coord.replace("$", "")]
    assert grid[status_cell.row - 1][status_cell.column - 1] == status_text("below", "vi", 90) == \
        "Không đạt (dưới 90 điểm)"


@pytest.mark.slow
def test_validate_consolidate_and_roll_up_carry_every_content(province, tmp_path, capsys):
    yaml_path, spec, _ = province
    commune = tmp_path / "xa"
    commune.mkdir()
    cases = {  # code: (self scores, upper scores)
        "DN-001": (_full(spec), None),  # 100 -> meets
        "DN-002": (_full(spec, B1=4, C2=3, E1=4), None),  # 89 -> below 90
        "DN-003": (_full(spec, D2=10), _full(spec, D2=9, A1=1)),  # self 90, upper 90 complete -> meets
    }
    for code, (self_scores, upper) in cases.items():
        _form(province, commune / f"{code}.xlsx", self_scores, code, upper)

    capsys.readouterr()
    assert main(["validate", "--json", "--criteria", str(yaml_path), str(commune)]) == 0
    verdicts = {e["cell_code"]: (e["status"], e["self_total"], e["upper_total"])
                for e in json.loads(capsys.readouterr().out)}
    assert verdicts == {"DN-001": ("meets", 100, None), "DN-002": ("below", 89, None), "DN-003": ("meets", 90, 90)}

    level1 = tmp_path / "tong-hop-xa.xlsx"
    summary1 = tmp_path / "xa.json"
    assert main(["consolidate", str(commune), "-o", str(level1), "--criteria", str(yaml_path),
                 "--summary-json", str(summary1)]) == 0
    s1 = json.loads(summary1.read_text(encoding="utf-8"))
    assert (s1["cells"], s1["cells_meeting_standard"], s1["cells_below_threshold"], s1["thresholds"]) == \
        (3, 2, 1, [90.0])

    def expected_final(code: str) -> dict[str, float]:
        self_scores, upper = cases[code]
        used = upper if upper is not None else self_scores
        return {letter: sum(v for k, v in used.items() if k.startswith(letter)) for letter in IDS}

    book = CalamineWorkbook.from_path(str(level1))
    rows = book.get_sheet_by_name(ROLLUP_SHEET).to_python()
    data = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert [c for c in rows[0] if c.startswith("final:")] == [content_column(x) for x in IDS]
    for rec in data:
        assert {x: rec[content_column(x)] for x in IDS} == expected_final(rec["cell_code"])
        assert rec["threshold"] == 90
    detail = book.get_sheet_by_name("Chi tiết").to_python()
    head = detail[HEAD_ROW - 1]  # under the print heading (report.geometry.HEAD_ROW)
    assert [h for h in head if h.startswith("Nội dung ")] == [f"Nội dung {x}" for x in IDS]
    labels = {r[head.index("Mã chi bộ")]: r[head.index("Kết quả")] for r in detail[HEAD_ROW:]}
    assert labels == {"DN-001": "Đạt “Chi bộ 4 tốt”", "DN-002": "Không đạt (dưới 90 điểm)",
                      "DN-003": "Đạt “Chi bộ 4 tốt”"}
    below = book.get_sheet_by_name("Dưới ngưỡng đạt").to_python()
    assert "90" in below[TITLE_ROW - 1][0]
    bhead, brow = below[HEAD_ROW - 1], below[HEAD_ROW]
    # DN-002 lost 4 of 20 in B and in E, 3 of 20 in C: B comes first among the weakest (shares 0.8)
    assert (brow[bhead.index("Mã chi bộ")], brow[bhead.index("Nội dung yếu nhất")]) == ("DN-002", "B")

    # One level up: the commune's workbook next to a form it already holds and a new cell's form.
    province_inbox = tmp_path / "tinh"
    province_inbox.mkdir()
    (province_inbox / "tong-hop-xa.xlsx").write_bytes(level1.read_bytes())
    (province_inbox / "DN-001.xlsx").write_bytes((commune / "DN-001.xlsx").read_bytes())
    _form(province, province_inbox / "DN-004.xlsx", _full(spec, E1=10, E2=10), "DN-004")  # 80 -> below
    level2 = tmp_path / "tong-hop-tinh.xlsx"
    summary2 = tmp_path / "tinh.json"
    assert main(["consolidate", str(province_inbox), "-o", str(level2), "--criteria", str(yaml_path),
                 "--summary-json", str(summary2)]) == 0
    s2 = json.loads(summary2.read_text(encoding="utf-8"))
    assert (s2["cells"], s2["cells_meeting_standard"], s2["cells_below_threshold"], s2["conflicts"]) == (4, 2, 2, 0)
    rows = CalamineWorkbook.from_path(str(level2)).get_sheet_by_name(ROLLUP_SHEET).to_python()
    data = {r[rows[0].index("cell_code")]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert sorted(data) == ["DN-001", "DN-002", "DN-003", "DN-004"]
    for code in ("DN-001", "DN-002", "DN-003"):
        assert {x: data[code][content_column(x)] for x in IDS} == expected_final(code)
    assert data["DN-004"][content_column("E")] == 0
