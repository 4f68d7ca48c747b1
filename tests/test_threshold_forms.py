"""The threshold, the final score and duplicate settling, end to end through real filled forms.

Each form is built from the real agency template and read back by `fourgood validate --json` or
`fourgood consolidate --summary-json`; the expected figures are literals in this file.
"""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from fourgood.cli import main
from fourgood.report.geometry import HEAD_ROW

from .helpers import make_submission, scores_totalling


def validate_json(capsys, *paths) -> tuple[int, list[dict]]:
    capsys.readouterr()
    code = main(["validate", "--json", *map(str, paths)])
    return code, json.loads(capsys.readouterr().out)


def codes(entry: dict, severity: str | None = None) -> list[str]:
    return [e["code"] for e in entry["errors"] if severity is None or e["severity"] == severity]


@pytest.mark.parametrize("total, status", [(94.5, "below"), (95, "meets"), (95.5, "meets")])
def test_self_score_at_the_threshold(tmp_path, capsys, agency_template, specs, total, status):
    form = make_submission(agency_template, specs["agency"], tmp_path / "phieu.xlsx", total=total)
    code, (entry,) = validate_json(capsys, form)
    assert code == 0
    assert entry["valid"] is True and codes(entry, "error") == []
    assert (entry["status"], entry["self_total"], entry["upper_total"]) == (status, total, None)
    assert (entry["cell_code"], entry["period"]) == ("KCQ-001", "2026-11")


def test_complete_upper_score_below_the_threshold_decides(tmp_path, capsys, agency_template, specs):
    agency = specs["agency"]
    upper = scores_totalling(agency, 94.5)
    assert len(upper) == len(agency.criteria) and all(v is not None for v in upper.values())
    form = make_submission(agency_template, agency, tmp_path / "phieu.xlsx", total=97, upper_scores=upper)
    code, (entry,) = validate_json(capsys, form)
    assert code == 0 and entry["valid"] is True
    assert (entry["self_total"], entry["upper_total"], entry["status"]) == (97, 94.5, "below")


def _pair(tmp_path, agency_template, spec, loser_kw: dict, winner_kw: dict):
    """Two forms for KCQ-001, November 2026. The loser is favoured by every later tie-break (first in
    name order, later evaluation date, newer file), so only the rule under test can make the winner count."""
    inbox = tmp_path / "phieu"
    inbox.mkdir()
    loser = make_submission(agency_template, spec, inbox / "a-nop-sau.xlsx",
                            info={"date": dt.date(2026, 11, 28)}, **loser_kw)
    winner = make_submission(agency_template, spec, inbox / "b-nop-truoc.xlsx",
                             info={"date": dt.date(2026, 11, 20)}, **winner_kw)
    now = dt.datetime(2026, 11, 30).timestamp()
    os.utime(winner, (now - 3600, now - 3600))
    os.utime(loser, (now, now))
    return inbox, loser, winner


def _consolidate(tmp_path, capsys, inbox) -> dict:
    summary = tmp_path / "tong-hop.json"
    assert main(["consolidate", str(inbox), "-o", str(tmp_path / "tong-hop.xlsx"), "--summary-json",
                 str(summary)]) == 0
    capsys.readouterr()
    return json.loads(summary.read_text(encoding="utf-8"))


def _duplicate_warnings(entry: dict) -> list[dict]:
    return [e for e in entry["errors"] if e["code"] == "duplicate_submission"]


def test_valid_form_counts_over_an_invalid_one(tmp_path, capsys, agency_template, specs):
    agency = specs["agency"]
    bad = scores_totalling(agency, 97)
    bad["1.1"] = 9  # above its maximum of 8
    inbox, loser, winner = _pair(tmp_path, agency_template, agency, {"self_scores": bad}, {"total": 94.5})
    code, entries = validate_json(capsys, inbox)
    by_name = {os.path.basename(e["file"]): e for e in entries}
    assert code == 1
    assert by_name[loser.name]["status"] == "invalid" and "score_above_max" in codes(by_name[loser.name], "error")
    assert (by_name[winner.name]["status"], by_name[winner.name]["self_total"]) == ("below", 94.5)
    for entry in entries:
        (warning,) = _duplicate_warnings(entry)
        assert f"“{winner.name}”" in warning["message"] and loser.name not in warning["message"]
    s = _consolidate(tmp_path, capsys, inbox)
    assert (s["files_total"], s["files_valid"], s["files_rejected"], s["duplicates"]) == (2, 1, 1, 0)
    assert (s["cells"], s["cells_meeting_standard"], s["cells_below_threshold"], s["cells_incomplete"]) == (1, 0, 1, 0)


@pytest.mark.slow
def test_complete_form_counts_over_an_incomplete_one(tmp_path, capsys, agency_template, specs):
    agency = specs["agency"]
    partial = scores_totalling(agency, 100)
    partial["4.1"] = None  # one criterion left blank
    inbox, loser, winner = _pair(tmp_path, agency_template, agency, {"self_scores": partial}, {"total": 96})
    code, entries = validate_json(capsys, inbox)
    by_name = {os.path.basename(e["file"]): e for e in entries}
    assert code == 0  # an incomplete form is valid, just not countable as complete
    assert by_name[loser.name]["status"] == "incomplete" and "score_blank" in codes(by_name[loser.name])
    assert (by_name[winner.name]["status"], by_name[winner.name]["self_total"]) == ("meets", 96)
    for entry in entries:
        (warning,) = _duplicate_warnings(entry)
        assert f"“{winner.name}”" in warning["message"] and loser.name not in warning["message"]
    s = _consolidate(tmp_path, capsys, inbox)
    assert (s["files_total"], s["files_valid"], s["files_rejected"], s["duplicates"]) == (2, 2, 0, 1)
    assert (s["cells"], s["cells_meeting_standard"], s["cells_below_threshold"], s["cells_incomplete"]) == (1, 1, 0, 0)


# --- a province's own table: threshold 90 and a fifth content ---------------------------------------------------

@pytest.fixture(scope="module")
def province_table(tmp_path_factory):
    """The agency table with criteria 4.4 and 4.5 (4 points each) moved into a fifth content V, threshold 90."""
    import yaml

    from fourgood.spec import default_specs_dir, load_specs
    from fourgood.workbook_templates.writer import template_filename, write_templates

    root = tmp_path_factory.mktemp("tinh")
    data = yaml.safe_load((default_specs_dir() / "co-quan.yaml").read_text(encoding="utf-8"))
    iv = data["contents"][3]
    assert [c["id"] for c in iv["criteria"][-2:]] == ["4.4", "4.5"]
    data["contents"].append({"id": "V", "title_vi": "Nội dung của tỉnh", "title_en": "Province content",
                             "criteria": iv["criteria"][-2:]})
    iv["criteria"] = iv["criteria"][:-2]
    data.update(threshold=90, version="tinh-2026")
    yaml_path = root / "tinh.yaml"
    yaml_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    spec = load_specs(yaml_path)["agency"]
    assert [c.id for c in spec.contents] == ["I", "II", "III", "IV", "V"] and spec.threshold == 90
    write_templates(root / "mau", load_specs(yaml_path))
    return yaml_path, spec, root / "mau" / template_filename("agency")


def _province_form(province_table, out, cuts: dict[str, float]):
    _, spec, template = province_table
    scores = {c.id: c.max for c in spec.criteria}
    for cid, points in cuts.items():
        scores[cid] -= points
    return make_submission(template, spec, out, self_scores=scores)


@pytest.mark.parametrize("cuts, total, status", [
    ({"1.1": 8, "4.4": 2.5}, 89.5, "below"),
    ({"1.1": 8, "4.4": 2}, 90, "meets"),
    ({"1.1": 8, "4.4": 1.5}, 90.5, "meets"),
])
def test_threshold_comes_from_the_province_table(tmp_path, capsys, province_table, cuts, total, status):
    form = _province_form(province_table, tmp_path / "phieu.xlsx", cuts)
    capsys.readouterr()
    assert main(["validate", "--json", "--criteria", str(province_table[0]), str(form)]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert (entry["status"], entry["self_total"], codes(entry, "error")) == (status, total, [])


def test_a_fifth_content_reaches_the_consolidated_workbook(tmp_path, capsys, province_table):
    from python_calamine import CalamineWorkbook

    inbox = tmp_path / "phieu"
    inbox.mkdir()
    # I: 22/30 (73%), V: 2.5/8 (31%) -> 86.5, below 90, weakest content V
    _province_form(province_table, inbox / "a.xlsx", {"1.1": 8, "4.4": 3, "4.5": 2.5})
    out = tmp_path / "tong-hop.xlsx"
    assert main(["consolidate", str(inbox), "-o", str(out), "--criteria", str(province_table[0])]) == 0
    capsys.readouterr()
    book = CalamineWorkbook.from_path(str(out))
    head, row = book.get_sheet_by_name("Chi tiết").to_python()[HEAD_ROW - 1:HEAD_ROW + 1]  # report.geometry.HEAD_ROW
    detail = dict(zip(head, row))
    assert detail["Điểm cuối cùng"] == 86.5
    subtotals = {k: v for k, v in detail.items() if k.startswith("Nội dung ")}
    assert subtotals == {"Nội dung I": 22, "Nội dung II": 20, "Nội dung III": 25, "Nội dung IV": 17, "Nội dung V": 2.5}
    head, row = book.get_sheet_by_name("Dưới ngưỡng đạt").to_python()[HEAD_ROW - 1:HEAD_ROW + 1]  # report.geometry.HEAD_ROW
    assert dict(zip(head, row))["Nội dung yếu nhất"] == "V"
