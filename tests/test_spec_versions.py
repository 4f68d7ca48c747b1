"""Criteria tables change during a year (README, "Criteria tables change during a year"): every
released version stays known, a form is judged by the table it was filled on, and a year whose
months span two versions gives the same results as one table would."""

from __future__ import annotations

import copy
import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from fourgood.atomic import save_workbook_atomic
from fourgood.cli import main
from fourgood.contract import CONTENT_PREFIX, META_SHEET, REPORT_SHEETS, SHEETS, content_column
from fourgood.pipeline import validate_paths
from fourgood.problems import FourgoodError
from fourgood.report.writer import write_consolidated
from fourgood.rollup import consolidate_paths
from fourgood.spec import CELL_TYPES, Spec, all_versions, default_specs_dir, load_specs, spec_to_yaml, version_key
from fourgood.workbook_templates.builder import build_cell_template
from fourgood.workbook_templates.writer import template_filename
from fourgood.yearview import year_view

from .helpers import make_submission, no_vetoes, scores_totalling

# Every released version of the bundled tables, by cell type and version: its fingerprint and year rule.
# A released table is never edited (forms filled on it are judged by it): this fails when one changes or
# disappears. A new version is added here when it is released.
RELEASED = {
    ("agency", "2026.1"): "sha256:a21685373098d793",
    ("public_service", "2026.1"): "sha256:3c8fb69a4dfc063a",
    ("enterprise", "2026.1"): "sha256:6d9dcf3eb943637e",
    ("residential", "2026.1"): "sha256:d7c93993af468568",
    ("agency", "2026.2"): "sha256:d01e0855be2c0286",
    ("public_service", "2026.2"): "sha256:210e70dff62770bb",
    ("enterprise", "2026.2"): "sha256:69ae0678e8ace28f",
    ("residential", "2026.2"): "sha256:cc2f4feef2e9f1c0",
}
YEAR_RULE = "year_end_else_average"  # every released version's
RELEASED_2026_1 = Path(__file__).parent / "fixtures" / "released-2026.1"  # the forms shipped with 2026.1

SPECS = load_specs()


def earlier(cell_type: str, version: str = "2026.1") -> Spec:
    return next(s for s in SPECS.earlier if s.cell_type == cell_type and s.version == version)


def template(spec: Spec, out: Path) -> Path:
    """The form as it was published for `spec` (built from that version of the table)."""
    return save_workbook_atomic(build_cell_template(spec), out / f"{spec.cell_type}-{spec.version}.xlsx")


def test_every_released_version_is_kept_unchanged():
    known = {(s.cell_type, s.version): s for s in all_versions(SPECS)}
    for key, fingerprint in RELEASED.items():
        assert key in known, f"released table {key} disappeared: keep it under specs/history/"
        assert known[key].fingerprint == fingerprint, f"released table {key} was changed: release a new version"
        assert known[key].year_rule == YEAR_RULE, key
    for cell_type, spec in SPECS.items():  # the one in use is the newest released version
        versions = [v for t, v in RELEASED if t == cell_type]
        assert spec.version == max(versions, key=version_key)
    history = sorted(p.relative_to(default_specs_dir()).as_posix() for p in default_specs_dir().glob("history/*/*"))
    assert history == [f"history/2026.1/{n}" for n in ("co-quan.yaml", "doanh-nghiep.yaml", "khu-dan-cu.yaml",
                                                       "su-nghiep.yaml")]


@pytest.mark.parametrize("cell_type", list(CELL_TYPES))
def test_a_form_filled_on_an_earlier_version_is_valid_with_the_warning(tmp_path, cell_type):
    """Filled on the template as it was released (tests/fixtures/released-2026.1: the files fourgood
    shipped with the 2026.1 tables, before the form's labels and print layout changed)."""
    old = earlier(cell_type)
    form = make_submission(RELEASED_2026_1 / template_filename(cell_type), old, tmp_path / "phieu.xlsx", 96)
    result = validate_paths([form], SPECS)
    row = result.files.iloc[0]
    assert (row["category"], row["status"], row["final_total"]) == ("valid", "meets", 96)
    assert (row["spec_version"], row["fingerprint"]) == ("2026.1", RELEASED[(cell_type, "2026.1")])
    (warning,) = [p for p in result.problems if p.code == "template_outdated"]
    assert warning.severity == "warning"
    assert warning.message("vi") == ("Phiếu dùng mẫu phiên bản 2026.1; phiên bản hiện hành là 2026.2. "
                                     "Phiếu vẫn được chấm theo bảng 2026.1.")
    assert warning.message("en") == ("The form uses template version 2026.1; the current version is 2026.2. "
                                     "The form is still scored by table 2026.1.")
    assert not [p for p in result.problems if p.severity == "error"]


def test_a_form_on_the_table_in_use_has_no_version_warning(tmp_path, template_dir, specs):
    form = make_submission(template_dir / "chi-bo-co-quan.xlsx", specs["agency"], tmp_path / "phieu.xlsx", 96)
    result = validate_paths([form], SPECS)
    assert result.files.iloc[0]["spec_version"] == "2026.2"
    assert not [p for p in result.problems if p.code == "template_outdated"]


def _set_meta(path: Path, key: str, value: str) -> Path:
    wb = load_workbook(path)
    ws = wb[META_SHEET]
    for row in ws.iter_rows():
        if row[0].value == key:
            row[1].value = value
    wb.save(path)
    return path


def test_an_altered_earlier_template_and_an_unknown_version_still_fail(tmp_path):
    old = earlier("agency")
    altered = make_submission(template(old, tmp_path), old, tmp_path / "sua.xlsx", 96)
    _set_meta(altered, "fingerprint", "sha256:1111111111111111")
    unknown = make_submission(template(old, tmp_path), old, tmp_path / "la.xlsx", 96)
    _set_meta(_set_meta(unknown, "spec_version", "2025.9"), "fingerprint", "sha256:2222222222222222")
    result = validate_paths([altered, unknown], SPECS)
    errors = {Path(p.file).name: p for p in result.problems if p.severity == "error"}
    assert (errors["sua.xlsx"].code, errors["la.xlsx"].code) == ("fingerprint_mismatch", "spec_unknown")
    assert errors["sua.xlsx"].message("vi") == (
        f"Vân tay bảng tiêu chí (sha256:1111111111111111) khác bảng phiên bản 2026.1 "
        f"({RELEASED[('agency', '2026.1')]}): mẫu đã bị sửa.")
    assert errors["la.xlsx"].message("vi") == ("Phiếu lập theo bảng tiêu chí không xác định (“chi-bo-co-quan”, "
                                               "phiên bản 2025.9, vân tay sha256:2222222222222222).")
    assert list(result.files["category"]) == ["invalid", "invalid"]


# ------------------------------------------------------------------ a board's own versions


def _board_versions(folder: Path) -> tuple[Spec, Spec]:
    """A board's agency table 2027.1 and its correction 2027.2: criterion 1.1 worth 6 instead of 8 (1.2
    worth 7), the threshold 90, and 1.1 worded differently."""
    data = yaml.safe_load((default_specs_dir() / "co-quan.yaml").read_text(encoding="utf-8"))
    first = copy.deepcopy(data) | {"version": "2027.1"}
    second = copy.deepcopy(data) | {"version": "2027.2", "threshold": 90}
    c11, c12 = second["contents"][0]["criteria"][:2]
    c11.update(max=6, text_vi="Lãnh đạo cơ quan hoàn thành nhiệm vụ chuyên môn được giao")
    c12.update(max=7)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "co-quan-2027-1.yaml").write_text(yaml.safe_dump(first, allow_unicode=True), encoding="utf-8")
    (folder / "co-quan-2027-2.yaml").write_text(yaml.safe_dump(second, allow_unicode=True), encoding="utf-8")
    specs = load_specs(folder)
    return next(s for s in specs.earlier if s.version == "2027.1"), specs["agency"]


def test_a_board_gives_several_versions_in_a_folder_or_by_repeating_the_option(tmp_path):
    v1, v2 = _board_versions(tmp_path / "bang")
    by_folder = load_specs(tmp_path / "bang")
    assert by_folder["agency"].version == "2027.2" and by_folder["public_service"].version == "2026.2"
    # The agency versions are the board's own only; the other types keep the bundled versions.
    assert sorted(s.version for s in all_versions(by_folder) if s.cell_type == "agency") == ["2027.1", "2027.2"]
    assert sorted(s.version for s in all_versions(by_folder) if s.cell_type == "residential") == ["2026.1", "2026.2"]
    repeated = load_specs([tmp_path / "bang" / "co-quan-2027-2.yaml", tmp_path / "bang" / "co-quan-2027-1.yaml"])
    assert repeated["agency"] == v2 and [s for s in repeated.earlier if s.cell_type == "agency"] == [v1]
    (tmp_path / "hai").mkdir()
    for n in (1, 2):
        (tmp_path / "hai" / f"{n}.yaml").write_text(spec_to_yaml(v1), encoding="utf-8")
    with pytest.raises(FourgoodError) as info:
        load_specs(tmp_path / "hai")
    assert [(p.code, p.value, p.expected) for p in info.value.problems] == [
        ("spec_cell_type_duplicate", "agency", "2027.1")]


def test_the_command_line_takes_criteria_more_than_once(tmp_path, capsys):
    v1, _ = _board_versions(tmp_path / "bang")
    form = make_submission(template(v1, tmp_path), v1, tmp_path / "phieu.xlsx", 96)
    args = ["validate", str(form), "--json", "--criteria", str(tmp_path / "bang" / "co-quan-2027-1.yaml"),
            "--criteria", str(tmp_path / "bang" / "co-quan-2027-2.yaml")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "template_outdated" in out and "2027.2" in out


def test_a_form_is_scored_by_its_own_tables_maxima_and_threshold(tmp_path):
    v1, v2 = _board_versions(tmp_path / "bang")
    specs = load_specs(tmp_path / "bang")
    scores = {**scores_totalling(v1, 100), "1.1": 8, "1.2": 0}  # 95 on 2027.1, whose 1.1 is worth 8 (2027.2: 6)
    old = make_submission(template(v1, tmp_path), v1, tmp_path / "cu.xlsx", self_scores=scores)
    new = make_submission(template(v2, tmp_path), v2, tmp_path / "moi.xlsx", 92, info={"cell_code": "KCQ-002"})
    result = validate_paths([old, new], specs)
    files = result.files.set_index("name")
    assert (files.loc["cu.xlsx", "status"], files.loc["cu.xlsx", "final_total"]) == ("meets", 95)
    assert files.loc["cu.xlsx", "threshold"] == 95  # 2027.1's threshold, not 2027.2's 90
    assert (files.loc["moi.xlsx", "status"], files.loc["moi.xlsx", "threshold"]) == ("meets", 90)
    assert not [p for p in result.problems if p.code == "score_above_max"]
    assert [p.code for p in result.problems if Path(p.file).name == "cu.xlsx"] == ["template_outdated"]


# ------------------------------------------------------------------ a year on two versions


def _year_inbox(folder: Path, tmp_path: Path, split: bool) -> Path:
    """Two agency cells, twelve months each; with `split`, January to June on 2026.1."""
    old, new = earlier("agency"), SPECS["agency"]
    tpl = {s.version: template(s, tmp_path) for s in (old, new)}
    totals = {"A": [96.0, 97.5, 95.0, 99.0, 94.5, 96.0, 98.0, 95.5, 96.0, 97.0, 95.0, 100.0],
              "B": [90.0, *[95.0] * 10, 99.5]}  # 1139.5 / 12 = 94.958…, 94.96: below 95
    folder.mkdir(parents=True, exist_ok=True)
    for cell, months in totals.items():
        for m, total in enumerate(months, 1):
            spec = old if split and m <= 6 else new
            make_submission(tpl[spec.version], spec, folder / f"{cell}-{m:02d}.xlsx", total,
                            info={"cell_code": f"KCQ-00{'1' if cell == 'A' else '2'}", "period": f"Tháng {m}",
                                  "cell_name": f"Chi bộ {cell}"})
    return folder


@pytest.mark.slow
def test_a_year_on_two_versions_has_the_results_of_one(tmp_path):
    one = consolidate_paths([str(_year_inbox(tmp_path / "mot", tmp_path, split=False))], SPECS, period="2026")
    two = consolidate_paths([str(_year_inbox(tmp_path / "hai", tmp_path, split=True))], SPECS, period="2026")
    assert one.year is not None and two.year is not None
    cols = ["cell_code", "months_submitted", "months_meeting", "average", "rule", "year_score", "year_status"]
    pd.testing.assert_frame_equal(one.year.cells[cols], two.year.cells[cols])
    assert one.year.summary == two.year.summary
    assert list(two.year.cells["year_status"]) == ["meets", "below"]
    assert list(two.year.cells["average"]) == [96.63, 94.96]
    pd.testing.assert_frame_equal(one.hierarchy, two.hierarchy)
    pd.testing.assert_frame_equal(one.year.hierarchy, two.year.hierarchy)
    versions = two.files.groupby("spec_version")["file"].count().to_dict()
    assert versions == {"2026.1": 12, "2026.2": 12}
    out = write_consolidated(two, tmp_path / "tong-hop.xlsx")  # the year report: the log lists every form
    assert sorted(_column(out, REPORT_SHEETS["log"][0], "Phiên bản tiêu chí")) == ["2026.1"] * 12 + ["2026.2"] * 12
    # the month view (every period) keeps the per-criterion appendix, split by version where the wording differs
    months = consolidate_paths([str(tmp_path / "hai")], SPECS)
    out = write_consolidated(months, tmp_path / "tong-hop-thang.xlsx")
    assert sorted(_column(out, REPORT_SHEETS["by_criterion"][0], "Theo bảng phiên bản")) == ["2026.1", "2026.2"]
    outdated = [p for p in two.problems if p.code == "template_outdated"]
    assert len(outdated) == 12 and {p.severity for p in outdated} == {"warning"}
    # The per-criterion sheet: 4.1 is worded differently by the two versions, so each wording has its
    # row, named by its version; every other criterion is one row over both.
    bc = two.by_criterion.set_index(["criterion_id", "version"])
    assert sorted(v for c, v in bc.index if c == "4.1") == ["2026.1", "2026.2"]
    assert bc.loc[("4.1", "2026.1"), "cells"] == bc.loc[("4.1", "2026.2"), "cells"] == 12
    assert "xuất sắc" in bc.loc[("4.1", "2026.1"), "criterion"]
    assert bc.loc[("4.1", "2026.2"), "criterion"] == next(c for c in SPECS["agency"].criteria if c.id == "4.1").text_vi
    assert bc.loc[("1.1", ""), "cells"] == 24
    assert len(two.by_criterion) == len(SPECS["agency"].criteria) + 1
    merged = one.by_criterion.set_index("criterion_id")
    assert (merged["version"] == "").all()
    for cid in ("1.1", "2.3", "3.1"):
        assert bc.loc[(cid, ""), "avg_score"] == pytest.approx(merged.loc[cid, "avg_score"])


def _column(path: Path, sheet: str, label: str) -> list[str]:
    """The values under a column's label in a report sheet (wherever the heading puts the table)."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    at = next((r, row.index(label)) for r, row in enumerate(rows) if label in row)
    values = [str(row[at[1]]) for row in rows[at[0] + 1:] if len(row) > at[1]]
    return [v for v in values if v]


def test_the_year_rule_is_the_one_of_the_table_the_forms_were_filled_on():
    """A cell whose forms were filled on a table whose rule is `average` is decided by the average
    even when the table in use decides by the year-end form only."""
    by_average = dataclasses.replace(earlier("residential"), year_rule="average")
    in_use = dataclasses.replace(SPECS["residential"], year_rule="year_end")
    specs = load_specs()
    specs["residential"] = in_use
    specs.earlier = (by_average,)
    rows = [{"cell_code": code, "cell_name": code, "cell_type": "residential", "period": f"2026-{m:02d}",
             "upper_committee": "Đảng bộ xã A", "grassroots": "", "threshold": 95.0, "org_chain": "",
             "final_total": 96.0, "status": "meets", "fingerprint": spec.fingerprint, "spec_version": spec.version}
            for code, spec in (("A", by_average), ("B", in_use)) for m in range(1, 13)]
    cells = year_view(pd.DataFrame(rows), None, specs, "2026").cells.set_index("cell_code")
    assert (cells.loc["A", "rule"], cells.loc["A", "year_status"]) == ("average", "meets")
    assert (cells.loc["B", "rule"], cells.loc["B", "year_status"]) == ("", "undecided")


def test_a_new_version_never_judges_the_old_versions_forms_differently_in_the_store(tmp_path):
    """The store's judgements are keyed by the tables known (fingerprints and versions): adding a
    version judges every form once more, and a form of the old version keeps its verdict and scores."""
    v1, _ = _board_versions(tmp_path / "bang")
    inbox = tmp_path / "phieu"
    inbox.mkdir()
    make_submission(template(v1, tmp_path), v1, inbox / "cu.xlsx",
                    self_scores={**scores_totalling(v1, 100), "1.1": 8, "1.2": 0})
    store = tmp_path / "kho.sqlite"
    before = consolidate_paths([str(inbox)], load_specs(tmp_path / "bang" / "co-quan-2027-1.yaml"), store=store)
    after = consolidate_paths([str(inbox)], load_specs(tmp_path / "bang"), store=store)
    again = consolidate_paths([str(inbox)], load_specs(tmp_path / "bang"), store=store)
    assert before.history is not None and after.history is not None and again.history is not None
    assert (before.history.read, after.history.read, again.history.read) == (1, 1, 0)
    cols = ["cell_code", "period", "status", "final_total", "threshold", "fingerprint", "spec_version"]
    pd.testing.assert_frame_equal(before.cells[cols], after.cells[cols])
    assert list(after.cells["status"]) == ["meets"] and list(after.cells["final_total"]) == [95]
    assert not [p for p in before.problems if p.code == "template_outdated"]
    for run in (after, again):
        assert [p.message("vi") for p in run.problems if p.code == "template_outdated"] == [
            "Phiếu dùng mẫu phiên bản 2027.1; phiên bản hiện hành là 2027.2. Phiếu vẫn được chấm theo bảng 2027.1."]
    bc = again.by_criterion.set_index(["criterion_id", "version"])  # from the store's aggregate query
    assert bc.loc[("1.1", ""), "max"] == 8 and bc.loc[("1.1", ""), "avg_score"] == 8


def test_the_contents_order_is_the_tables_everywhere(tmp_path):
    """Contents listed in Nghị quyết 21-NQ/TW's order (quality of activities second): the form, the
    scores and the consolidation's columns follow the table's order, not the ids' (I, III, II, IV)."""
    data = yaml.safe_load((default_specs_dir() / "co-quan.yaml").read_text(encoding="utf-8"))
    data["contents"] = [data["contents"][i] for i in (0, 2, 1, 3)]
    data["version"] = "2026.nq21"
    (tmp_path / "bang.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    specs = load_specs(tmp_path / "bang.yaml")
    spec = specs["agency"]
    order = ["I", "III", "II", "IV"]
    tpl = template(spec, tmp_path)
    ws = load_workbook(tpl)[SHEETS["vi"].scoring]
    assert [r[0] for r in ws.iter_rows(values_only=True) if r[0] in order] == order
    (tmp_path / "phieu").mkdir()
    make_submission(tpl, spec, tmp_path / "phieu" / "a.xlsx", 94)
    c = consolidate_paths([str(tmp_path / "phieu")], specs)
    assert [col for col in c.cells.columns if str(col).startswith(CONTENT_PREFIX)] == [content_column(i) for i in order]
    assert list(c.below["weakest_content"]) == ["I"]  # the 6 points are taken off 1.1 (8) and 1.2


@pytest.mark.slow
def test_a_dask_cluster_knows_the_earlier_versions_too(tmp_path):
    """The specs travel to the workers pickled: the earlier versions go with the tables in use."""
    distributed = pytest.importorskip("dask.distributed")
    form = make_submission(RELEASED_2026_1 / template_filename("agency"), earlier("agency"), tmp_path / "phieu.xlsx", 96)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, memory_limit="1GiB") as cluster:
        result = validate_paths([form], SPECS, scheduler=cluster.scheduler_address)
    row = result.files.iloc[0]
    assert (row["category"], row["spec_version"], row["final_total"]) == ("valid", "2026.1", 96)
    assert [p.code for p in result.problems] == ["template_outdated"]


@pytest.mark.slow
def test_a_cell_below_the_threshold_for_the_year_is_listed_with_its_weakest_content(tmp_path):
    """The year report's list of cells not proposed gives each its reason: for a cell below the
    threshold, the score, the rule that decided it and its weakest content over the year."""
    two = consolidate_paths([str(_year_inbox(tmp_path / "hai", tmp_path, split=True))], SPECS, period="2026")
    out = write_consolidated(two, tmp_path / "nam.xlsx")
    reasons = _column(out, "Không đề nghị", "Lý do")
    assert len(reasons) == 1 and reasons[0].startswith("Điểm xét 94,96 (bình quân (tạm tính)) dưới ngưỡng 95 điểm")
    assert re.search(r"; nội dung yếu nhất: (I|II|III|IV) \(\d+(,\d)?% điểm chuẩn\)$", reasons[0])
    weakest = two.year.cells.set_index("cell_code").loc["KCQ-002", "weakest_content"]
    assert f"nội dung yếu nhất: {weakest} (" in reasons[0]


@pytest.mark.slow
def test_an_excluded_cell_is_listed_with_the_exclusion_question_it_answered_yes(tmp_path):
    """The year report's reason for an excluded cell names the question answered “Có”, its text and
    the month, not only “an exclusion question”."""
    spec = SPECS["agency"]
    tpl = template(spec, tmp_path)
    folder = tmp_path / "phieu"
    folder.mkdir()
    for m in range(1, 13):
        vetoes = {**no_vetoes(spec), **({spec.vetoes[0].id: "Có"} if m == 3 else {})}
        make_submission(tpl, spec, folder / f"{m:02d}.xlsx", 98,
                        info={"cell_code": "KCQ-001", "period": f"Tháng {m}", "cell_name": "Chi bộ A"}, vetoes=vetoes)
    year = consolidate_paths([str(folder)], SPECS, period="2026")
    assert year.year is not None and list(year.year.cells["year_status"]) == ["veto"]
    out = write_consolidated(year, tmp_path / "nam.xlsx")
    first = spec.vetoes[0]
    assert _column(out, "Không đề nghị", "Lý do") == [
        f"Thuộc trường hợp loại trừ, trả lời “Có” câu hỏi {first.id} “{first.text_vi}” (tháng 3)"]
