"""The Excel add-in's entry points against a real xlwings object model: the remote-interpreter
book (`xw.Book(json=...)`) built from real filled templates. What the add-in does to the book
is read back from the actions xlwings records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

import fourgood.addin as fg
import fourgood.addin.entry as entry
from fourgood.addin.results_sheet import RESULTS_SHEET
from fourgood.check import check_view
from fourgood.contract import ROLLUP_COLUMNS, content_column
from fourgood.validators.formats import open_view
from fourgood.workbook_templates.writer import CONTROL_FILE, template_filename

from .helpers import fresh_process, make_submission, scores_totalling
from .replay import replay
from .xlwings_book import actions, book_json, remote_book


@pytest.fixture(autouse=True)
def xlwings_test_licence(monkeypatch, tmp_path):
    # The remote interpreter needs a key; the noncommercial one is set for the tests only.
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    monkeypatch.setenv("FOURGOOD_HOME", str(tmp_path / "home"))


def _alerts(book) -> list[str]:
    return [a["args"][0] for a in actions(book) if a["func"] == "alert"]


def _sheet_index(book, name: str) -> int:
    return [s.name for s in book.sheets].index(name)


def _values_on(book, position: int) -> list[list]:
    return [row for a in actions(book) if a["func"] == "setValues" and a["sheet_position"] == position
            for row in a["values"]]


def _colored(book, position: int) -> dict[str, str]:
    from fourgood.validators.package import address

    return {address(a["start_row"], a["start_column"]): a["args"][0] for a in actions(book)
            if a["func"] == "setRangeColor" and a["sheet_position"] == position}


@pytest.fixture
def form(tmp_path, agency_template, specs):
    def make(name: str, **kwargs) -> Path:
        return make_submission(agency_template, specs["agency"], tmp_path / f"{name}.xlsx", **kwargs)
    return make


def test_one_click_on_a_passing_form_writes_verdict_totals_and_an_alert(form):
    path = form("pass", total=96.5)
    book = remote_book(path)
    result = fg.check(book)
    assert _alerts(book) == ["Đạt “Chi bộ 4 tốt”: 96,5 điểm"]
    assert [a["args"] for a in actions(book) if a["func"] == "addSheet"] == [[4, RESULTS_SHEET["vi"]]]
    rows = _values_on(book, _sheet_index(book, RESULTS_SHEET["vi"]))
    assert ["Kết luận", "Đạt “Chi bộ 4 tốt”: 96,5 điểm"] in rows
    assert ["Kết quả", "Đạt “Chi bộ 4 tốt”"] in rows
    total = next(r for r in rows if len(r) == 6 and r[1] == "Tổng cộng")
    assert total[2:] == [100, 96.5, "", 96.5]
    contents = [r for r in rows if len(r) == 6 and r[0] in ("I", "II", "III", "IV")]
    assert sum(r[3] for r in contents) == pytest.approx(96.5) and len(contents) == 4
    scoring = _sheet_index(book, "Chấm điểm")
    assert _colored(book, scoring) == {} and not any(a["func"] == "addNote" for a in actions(book))
    assert result.status == "meets"


def test_a_click_loads_neither_the_report_writer_nor_libraries_the_check_does_not_use(form, tmp_path):
    """The add-in checks one form in a fresh Python: the results sheet needs the report's font and
    cell values, not openpyxl and the roll-up behind the report writer (0.3 s); pandera needs
    neither dask nor hypothesis (over a second). The book is built here: the harness reads notes
    with openpyxl."""
    payload = tmp_path / "book.json"
    payload.write_text(json.dumps(book_json(form("pass", total=96.5))), encoding="utf-8")
    words = fresh_process(["import json, sys",
                           "import xlwings as xw",
                           "book = xw.Book(json=json.loads(open(sys.argv[1], encoding='utf-8').read()))",
                           "import fourgood.addin as fg",
                           "status = fg.check(book).status",
                           "print(status, sorted(m for m in ('openpyxl', 'fourgood.report', 'fourgood.rollup',"
                           " 'dask', 'hypothesis') if m in sys.modules))"], payload)
    assert words == ["meets", "[]"]


def test_one_click_under_95_is_flagged(form):
    book = remote_book(form("below", total=94.5))
    fg.check(book)
    assert _alerts(book) == ["Chưa đạt: 94,5 điểm, dưới 95 điểm"]
    rows = _values_on(book, _sheet_index(book, RESULTS_SHEET["vi"]))
    assert ["Kết quả", "Không đạt (dưới 95 điểm)"] in rows


def test_one_click_on_an_incomplete_form_says_how_many_criteria_are_blank(form, specs):
    scores = scores_totalling(specs["agency"], 100)
    scores.pop("1.1"), scores.pop("4.2")
    book = remote_book(form("incomplete", self_scores=scores))
    fg.check(book)
    assert _alerts(book) == ["Chưa chấm đủ: còn 2 tiêu chí chưa chấm"]


def test_one_click_on_an_invalid_form_marks_exactly_the_problem_cells(form, specs):
    spec = specs["agency"]
    scores = scores_totalling(spec, 100)
    scores["1.1"] = spec.criteria[0].max + 1  # over the maximum
    scores["2.1"] = "nhiều"  # not a number
    path = form("invalid", self_scores=scores)
    book = remote_book(path)
    fg.check(book)
    expected = check_view(open_view(path.read_bytes()), str(path), specs)  # what `fourgood validate` finds
    errors = [p for p in expected.problems if p.severity == "error"]
    assert len(errors) == 2
    assert _alerts(book) == ["Còn 2 lỗi cần sửa"]
    scoring = _sheet_index(book, "Chấm điểm")
    problem_cells = {p.cell for p in expected.problems if p.sheet == "Chấm điểm"}
    assert set(_colored(book, scoring)) == problem_cells
    assert all(color == "#ffc7ce" for color in _colored(book, scoring).values())
    notes = {a["args"][0].replace("$", ""): a["args"][1] for a in actions(book) if a["func"] == "addNote"}
    assert set(notes) == problem_cells
    assert all(p.message("vi") in notes[p.cell] for p in errors)
    links = [a["args"][0] for a in actions(book) if a["func"] == "addHyperlink"]
    assert sorted(links) == sorted(f"#'Chấm điểm'!{p.cell}" for p in expected.problems if p.cell)


@pytest.mark.slow
def test_running_again_replaces_results_and_marks_and_never_writes_staff_cells(form, specs, tmp_path):
    spec = specs["agency"]
    scores = scores_totalling(spec, 100)
    scores["1.1"] = spec.criteria[0].max + 1
    path = form("again", self_scores=scores)
    before = path.read_bytes()
    first = remote_book(path)
    fg.check(first)
    seen = replay(path, actions(first), tmp_path / "after-first.xlsx")  # what Excel shows after the click
    # staff fix the score; Excel sends the book again
    fixed = book_json(seen, name=path.name)
    scoring = [s["name"] for s in fixed["sheets"]].index("Chấm điểm")
    cell = next(p.cell for p in check_view(open_view(path.read_bytes()), str(path), specs).problems if p.cell)
    from fourgood.validators.package import col_index

    letters = "".join(ch for ch in cell if ch.isalpha())
    fixed["sheets"][scoring]["values"][int(cell[len(letters):]) - 1][col_index(letters)] = spec.criteria[0].max
    import xlwings as xw

    second = xw.Book(json=fixed)
    fg.check(second)
    acts = actions(second)
    assert [a["func"] for a in acts if a["func"] in ("sheetDelete", "addSheet")] == ["sheetDelete", "addSheet"]
    # the old mark is undone: the template's input fill comes back and the note goes
    assert {"func": "setRangeColor", "args": ["#fffbea"], "sheet_position": scoring} .items() <= \
        next(a for a in acts if a["func"] == "setRangeColor").items()
    assert any(a["func"] == "deleteNote" and a["args"][0].replace("$", "") == cell for a in acts)
    assert not any(a["func"] == "addNote" for a in acts)
    assert _alerts(second) == ["Đạt “Chi bộ 4 tốt”: 100 điểm"]
    results = [s.name for s in second.sheets].index(RESULTS_SHEET["vi"])
    for book in (first, second):  # values are only ever written on the results sheet
        assert {a["sheet_position"] for a in actions(book) if a["func"] == "setValues"} <= {results, 4}
    assert path.read_bytes() == before


def test_validate_and_score_are_separate_entry_points(form):
    book = remote_book(form("v", total=97))
    fg.validate(book)
    assert _alerts(book) == ["Phiếu hợp lệ, không có lỗi"]
    rows = _values_on(book, _sheet_index(book, RESULTS_SHEET["vi"]))
    assert not any(len(r) == 6 and r[1] == "Tổng cộng" for r in rows)  # no score table
    book = remote_book(form("s", total=97))
    fg.score(book)
    assert _alerts(book) == ["Đạt “Chi bộ 4 tốt”: 97 điểm"]
    rows = _values_on(book, _sheet_index(book, RESULTS_SHEET["vi"]))
    assert not any(r[:1] == ["STT"] for r in rows)  # no problem list


@pytest.mark.slow
def test_english_form_gets_english_results(tmp_path, specs):
    from fourgood.workbook_templates.writer import write_templates

    write_templates(tmp_path / "en", specs, "en")
    path = make_submission(tmp_path / "en" / template_filename("agency"), specs["agency"], tmp_path / "en.xlsx",
                           total=95)
    book = remote_book(path)
    fg.check(book)
    assert _alerts(book) == ["Meets 'Chi bộ 4 tốt': 95 points"]
    assert RESULTS_SHEET["en"] in [s.name for s in book.sheets]


def test_any_failure_becomes_a_readable_alert_and_a_log_entry(form, monkeypatch, tmp_path):
    book = remote_book(form("boom", total=100))

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(entry, "check_view", broken)
    assert fg.check(book) is None
    log = tmp_path / "home" / "fourgood.log"
    assert _alerts(book) == [f"Không thực hiện được (chi tiết kỹ thuật: disk on fire). Nhật ký đầy đủ đã ghi vào {log}."]
    assert "Traceback" in log.read_text() and "disk on fire" in log.read_text()
    assert [a for a in actions(book) if a["func"] == "alert"][0]["args"][3] == "critical"


def test_a_workbook_that_is_not_a_form_is_refused_politely(template_dir):
    book = remote_book(template_dir / "danh-sach-chi-bo.xlsx")
    fg.check(book)
    assert _alerts(book) == ["Sổ tính đang mở không phải phiếu chấm điểm hay bảng tổng hợp của fourgood "
                             "(danh sách chi bộ)."]
    assert [a["func"] for a in actions(book)] == ["alert"]


def _control_book(template_dir, folder: Path, tmp_path: Path, period: str = ""):
    payload = book_json(template_dir / CONTROL_FILE, name=str(tmp_path / CONTROL_FILE))
    values = payload["sheets"][0]["values"]
    values[2][1] = str(folder)  # B3: the folder of submissions
    values[4][1] = period
    import xlwings as xw

    return xw.Book(json=payload)


@pytest.mark.slow
def test_one_click_on_the_control_workbook_consolidates_the_folder_into_it(template_dir, tmp_path, specs, form):
    folder = tmp_path / "nop"
    folder.mkdir()
    for name, total in (("a", 100), ("b", 94.5), ("c", 96)):
        p = form(name, total=total, info={"cell_code": f"KCQ-{name}", "cell_name": f"Chi bộ {name}"})
        p.rename(folder / p.name)
    (folder / "ghi-chu.txt").write_text("không phải phiếu")
    book = _control_book(template_dir, folder, tmp_path)
    fg.one_click(book)
    assert _alerts(book) == ["Đã tổng hợp 4 tệp: 3 chi bộ, 2 đạt, 1 dưới ngưỡng đạt (95 điểm), 1 tệp bị từ chối."]
    names = [s.name for s in book.sheets]
    assert {"Tổng hợp theo cấp", "Chi tiết", "Dưới ngưỡng đạt", "Nhật ký", "_du_lieu"} <= set(names)
    # the detail rows equal those of the file `fourgood consolidate` writes for the same folder
    from fourgood.consolidate_cmd import run_consolidate
    from fourgood.report.geometry import HEAD_ROW

    out = tmp_path / "cli.xlsx"
    run_consolidate([str(folder)], str(out), quiet=True)
    cli_rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Chi tiết").to_python()[HEAD_ROW:]
    excel_rows = _values_on(book, names.index("Chi tiết"))[4:]
    norm = lambda rows: [[None if v in ("", None) else v for v in r] for r in rows]  # noqa: E731
    assert norm(excel_rows) == norm(cli_rows)
    # the hidden data sheet: one row per form built above (codes upper-cased, as staff codes are normalised), with the
    # totals it was filled with; the txt is not a cell
    head, *data = _values_on(book, names.index("_du_lieu"))
    contents = [content.id for content in specs["agency"].contents]
    assert head == [*ROLLUP_COLUMNS, *(content_column(c) for c in contents)]
    rows = [dict(zip(head, r)) for r in data]
    assert [(r["cell_code"], r["final_total"], r["final_source"], r["status"], Path(r["file"]).name) for r in rows] == [
        ("KCQ-A", 100, "self", "meets", "a.xlsx"), ("KCQ-B", 94.5, "self", "below", "b.xlsx"),
        ("KCQ-C", 96, "self", "meets", "c.xlsx")]
    maxima = {c.id: sum(k.max for k in c.criteria) for c in specs["agency"].contents}
    for r, total in zip(rows, (100, 94.5, 96)):  # scores_totalling takes the missing points off content I
        assert [r[content_column(c)] for c in contents] == [maxima[c] - (100 - total if c == "I" else 0)
                                                            for c in contents]
        assert (r["self_total"], r["upper_total"], r["threshold"], r["period"]) == (total, "", 95, "2026-11")
    rejected = _values_on(book, names.index("Tệp bị từ chối"))
    assert [(Path(r[0]).name, r[-1]) for r in rejected[4:]] == [("ghi-chu.txt", "not_spreadsheet")]  # the code: last


def test_control_workbook_without_a_folder_says_which_cell_to_fill(template_dir, tmp_path):
    payload_book = remote_book(template_dir / CONTROL_FILE, name=str(tmp_path / CONTROL_FILE))
    fg.consolidate(payload_book)
    assert _alerts(payload_book) == ["'Tổng hợp'!B3: Chưa có thư mục chứa phiếu nộp: nhập đường dẫn vào ô B3 "
                                     "của trang “Tổng hợp”."]


def _rerun_after_a_late_form(tmp_path, form, **document):
    """A workbook consolidated from one form, clicked again in Excel after a second form arrived."""
    from fourgood.consolidate_cmd import run_consolidate

    folder = tmp_path / "nop"
    folder.mkdir()
    form("x", total=98).rename(folder / "x.xlsx")
    out = tmp_path / "tong-hop.xlsx"
    run_consolidate([str(folder)], str(out), quiet=True, **document)
    form("y", total=90, info={"cell_code": "KCQ-Y"}).rename(folder / "y.xlsx")  # a late submission
    book = remote_book(out, name=str(out))
    fg.one_click(book)
    return folder, book


def test_a_consolidated_workbook_reruns_its_recorded_sources(tmp_path, form):
    folder, book = _rerun_after_a_late_form(tmp_path, form)
    assert _alerts(book) == ["Đã tổng hợp 2 tệp: 2 chi bộ, 1 đạt, 1 dưới ngưỡng đạt (95 điểm), 0 tệp bị từ chối."]
    meta = _values_on(book, [s.name for s in book.sheets].index("_meta"))
    assert ["sources", str(folder)] in meta


def test_payload_is_json_like_the_office_js_client_sends(form):
    import zipfile
    from xml.etree import ElementTree as ET

    import xlwings as xw

    path = form("j", total=100)
    payload = json.loads(json.dumps(book_json(path)))  # as sent over the wire
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(path) as z:  # the form's own defined names, read from its workbook part
        defined = {d.get("name"): d.text for d in ET.fromstring(z.read("xl/workbook.xml")).iter(f"{ns}definedName")}
    fg_names = {k: f"={v}" for k, v in defined.items() if k.startswith("fg_")}
    assert {"fg_ids", "fg_self", "fg_self_total"} <= set(fg_names)
    assert {n["name"]: n["refers_to"] for n in payload["names"] if n["name"].startswith("fg_")} == fg_names
    # and the deserialised payload drives the product like the file itself
    book = xw.Book(json=payload)
    fg.check(book)
    assert _alerts(book) == ["Đạt “Chi bộ 4 tốt”: 100 điểm"]


def test_a_consolidated_workbook_run_again_from_excel_rewrites_its_report_with_the_new_figures(tmp_path, form):
    """The report (first sheet) says what the appendices say: consolidated again from Excel after a
    late submission, its text and summary count the new form, not the previous run's."""
    _, book = _rerun_after_a_late_form(tmp_path, form)
    report = _values_on(book, _sheet_index(book, "Báo cáo"))
    text = [r[0] for r in report if isinstance(r[0], str)]
    assert "BÁO CÁO" in text
    assert any(t.startswith("1. Tình hình nộp phiếu: tháng 11 năm 2026 có 2/2 chi bộ") for t in text)
    assert any(t.startswith("3. Chi bộ dưới ngưỡng đạt: ") for t in text)
    summary = next(r for r in report if r[0] and r[1] == 2)  # the whole: 2 cells, 2 valid forms, 1 meeting
    assert summary[2:4] == [2, 1]


def test_a_workbook_consolidated_again_from_excel_keeps_its_issuer_place_and_signer(tmp_path, form):
    """--issuer, --place and --signer are recorded in `_meta`: clicked again in Excel, the report is
    headed and signed as the board first wrote it, not by the defaults."""
    _, book = _rerun_after_a_late_form(tmp_path, form, issuer="Đảng ủy xã Cẩm Bình", place="Cẩm Bình",
                                       signer="T/M BAN THƯỜNG VỤ|PHÓ BÍ THƯ")
    report = [v for r in _values_on(book, _sheet_index(book, "Báo cáo")) for v in r if isinstance(v, str)]
    assert "ĐẢNG ỦY XÃ CẨM BÌNH" in report and "Số ……-BC/ĐU" in report
    assert any(v.startswith("Cẩm Bình, ngày ") for v in report)
    assert "T/M BAN THƯỜNG VỤ" in report and "PHÓ BÍ THƯ" in report and "TRƯỞNG BAN" not in report
    meta = _values_on(book, [s.name for s in book.sheets].index("_meta"))
    assert ["signer", "T/M BAN THƯỜNG VỤ|PHÓ BÍ THƯ"] in meta and ["issuer", "Đảng ủy xã Cẩm Bình"] in meta
