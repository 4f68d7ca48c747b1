"""One report per file (check.FileReport): `fourgood validate`, the add-in and the server show the
same verdict, totals and problems, and its JSON keeps the keys scripts read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fourgood.check import FileReport, check_view, file_reports
from fourgood.cli import main
from fourgood.pipeline import validate_paths
from fourgood.problems import Problem
from fourgood.server.checking import check_file
from fourgood.validators.formats import open_view
from fourgood.vocab import FileCategory, Status

from .helpers import make_submission, scores_totalling

JSON_KEYS = ["file", "valid", "cell_code", "cell_type", "period", "year", "self_total", "upper_total", "status",
             "errors"]
PROBLEM_KEYS = ["code", "severity", "sheet", "cell", "criterion", "message"]


@pytest.fixture(scope="module")
def inbox(tmp_path_factory, specs, agency_template) -> Path:
    """A form that meets the standard, one with a score over its maximum, a PDF and a lock file."""
    folder = tmp_path_factory.mktemp("reports")
    make_submission(agency_template, specs["agency"], folder / "dat.xlsx", total=96.5)
    scores = scores_totalling(specs["agency"], 100)
    scores["1.1"] = specs["agency"].criteria[0].max + 1
    make_submission(agency_template, specs["agency"], folder / "loi.xlsx", self_scores=scores)
    (folder / "bien-ban.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    (folder / "~$dat.xlsx").write_bytes(b"lock")
    return folder


def _by_name(reports: list[FileReport]) -> dict[str, FileReport]:
    return {Path(r.file).name: r for r in reports}


def test_each_file_gets_one_report_with_its_verdict_totals_and_problems(inbox, specs):
    reports = _by_name(file_reports(validate_paths([inbox], specs)))
    assert (reports["dat.xlsx"].verdict, reports["dat.xlsx"].category, reports["dat.xlsx"].self_total) == (
        Status.MEETS, FileCategory.VALID, 96.5)
    assert reports["dat.xlsx"].valid and reports["dat.xlsx"].errors == []
    assert reports["loi.xlsx"].verdict == "invalid" and [p.code for p in reports["loi.xlsx"].errors] == ["score_above_max"]
    assert reports["bien-ban.pdf"].verdict == Status.NOT_A_FORM and reports["bien-ban.pdf"].category == "invalid"
    assert reports["~$dat.xlsx"].verdict == Status.SKIPPED and not reports["~$dat.xlsx"].valid
    assert [p.code for p in reports["~$dat.xlsx"].warnings] == ["skipped_lock_file"]


def test_validate_json_is_the_reports_json_with_its_stable_keys(inbox, specs, capsys):
    assert main(["validate", str(inbox), "--json", "--no-progress"]) == 1
    printed = json.loads(capsys.readouterr().out)
    assert printed == [r.to_json("vi") for r in file_reports(validate_paths([inbox], specs))]
    assert all(list(obj) == JSON_KEYS for obj in printed)
    assert all(list(e) == PROBLEM_KEYS for obj in printed for e in obj["errors"])
    meets = next(obj for obj in printed if obj["file"].endswith("dat.xlsx") and obj["valid"])
    assert (meets["status"], meets["self_total"], meets["upper_total"], meets["year"]) == ("meets", 96.5, None, 2026)


def test_the_add_in_shows_the_report_validate_gives(inbox, specs):
    path = inbox / "loi.xlsx"
    checked = check_view(open_view(path.read_bytes()), str(path), specs)
    (validated,) = file_reports(validate_paths([path], specs))
    assert checked.report.to_json("en") == validated.to_json("en")
    assert checked.status == checked.report.verdict == Status.INVALID
    assert checked.errors == checked.report.errors and checked.headline() == "Còn 1 lỗi cần sửa"


def test_the_server_answers_a_check_with_the_report(inbox, specs):
    path = inbox / "dat.xlsx"
    answer = check_file(path, "C:\\Users\\bi thu\\dat.xlsx", specs)
    (report,) = file_reports(validate_paths([path], specs))
    assert answer == {**report.to_json("vi"), "file": "dat.xlsx"}


def test_a_report_counts_errors_and_warnings_by_the_registry():
    report = FileReport(file="a.xlsx", problems=[Problem("score_blank", "a.xlsx"), Problem("score_formula", "a.xlsx")])
    assert [p.code for p in report.errors] == ["score_formula"] and [p.code for p in report.warnings] == ["score_blank"]
    assert report.to_json()["errors"][0]["severity"] == "warning"


def test_consolidate_s_log_sheet_reads_each_file_s_verdict_from_the_same_reports(inbox, specs, tmp_path):
    """The column-wise reports (check.file_report_frame) are the reports' own fields, and the log
    sheet of a consolidation takes "not a scoring form" from them, not from a decision of its own."""
    import openpyxl

    from fourgood.check import REPORT_COLUMNS, file_report_frame
    from fourgood.consolidate_cmd import run_consolidate

    result = validate_paths([inbox], specs)
    frame, reports = file_report_frame(result.files, result.problems), file_reports(result)
    assert list(frame.columns) == list(REPORT_COLUMNS)
    assert list(frame["verdict"]) == [r.verdict for r in reports]
    assert list(frame["errors"]) == [len(r.errors) for r in reports]
    assert list(frame["warnings"]) == [len(r.warnings) for r in reports]
    _, c = run_consolidate([str(inbox)], str(tmp_path / "t.xlsx"), quiet=True)
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["Nhật ký"]
    rows = [[cell.value for cell in row] for row in ws.iter_rows()]
    head = next(i for i, r in enumerate(rows) if "Kết luận" in r)
    col, file_col = rows[head].index("Kết luận"), rows[head].index("Tệp")
    said = {Path(r[file_col]).name: r[col] for r in rows[head + 1:] if r[file_col]}
    assert said["bien-ban.pdf"] == "Không phải phiếu chấm điểm" and said["loi.xlsx"] == "Bị từ chối"
    assert said["dat.xlsx"] == "Được tính"
