"""The "4 Tốt" buttons clicked in Excel's Office.js object model, without Excel: the installed xlwings
Server client and fourgood's task-pane scripts run in node (tests/officejs.py) over Microsoft's
office-addin-mock objects seeded from real filled forms, against `fourgood serve` running on
127.0.0.1. The assertions are on the mocked workbook after the click: the results sheet, the
marks, the notes, the sheets' protection and what staff typed."""

from __future__ import annotations

import importlib.util
import json
import urllib.request
from pathlib import Path

import pytest

if importlib.util.find_spec("xlwings_server") is None:
    pytest.skip("the server extra is not installed", allow_module_level=True)

from fourgood.workbook_templates.writer import CONTROL_FILE  # noqa: E402

from .helpers import scores_totalling  # noqa: E402
from .officejs import M365_SETS, click, fills, node_ready, seed, seeded_state, sheet, values  # noqa: E402
from .server_process import Served  # noqa: E402
from .server_support import form, write_roster  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not node_ready(), reason="node or tests/node's packages are missing; .ci/install installs them")]

RESULTS = "Kết quả kiểm tra"
INFO, SCORING, META = "Thông tin", "Chấm điểm", "_meta"
FORM_SHEETS = ("Hướng dẫn", INFO, SCORING, META)
ERROR_FILL, WARNING_FILL = "#ffc7ce", "#ffeb9c"


@pytest.fixture(scope="module")
def server(tmp_path_factory, template_dir):
    tmp = tmp_path_factory.mktemp("officejs")
    roster = write_roster(template_dir, tmp / "danh-sach.xlsx")
    from fourgood.server.inbox import Inbox
    from fourgood.server.tokens import TokenStore

    tokens = TokenStore(Inbox.open(tmp / "hop-thu").tokens_path)
    board, unit = tokens.add("T", "board")[1], tokens.add("BV", "unit")[1]
    with Served(tmp / "hop-thu", roster, licence=True, log=tmp / "serve.log") as served:
        served.tokens = {"board": board, "unit": unit}  # type: ignore[attr-defined]
        yield served


def _error_form(template_dir, specs, out: Path) -> Path:
    spec = specs["public_service"]
    scores = scores_totalling(spec, 100)
    scores["1.1"] = spec.criteria[0].max + 1
    scores["2.1"] = "nhiều"
    return form(template_dir, specs, out, "BV-01", self_scores=scores)


def _results_rows(state) -> list[list]:
    """The results sheet as rows of values (A..F), from its first row."""
    cells = sheet(state, RESULTS)["cells"]
    last = max(int("".join(ch for ch in a if ch.isdigit())) for a, c in cells.items() if c["v"] != "")
    return [[cells.get(f"{col}{r}", {}).get("v", "") for col in "ABCDEF"] for r in range(1, last + 1)]


def _problems(state) -> list[list]:
    rows = _results_rows(state)
    head = next(i for i, r in enumerate(rows) if r[:2] == ["STT", "Mức"])
    return [r for r in rows[head + 1:] if isinstance(r[0], int | float) and r[0]]


def _assert_staff_entries_unchanged(before, after, edited=()) -> None:
    for name in (INFO, SCORING, META):
        assert {a: v for a, v in values(after, name).items() if (name, a) not in edited} == \
               {a: v for a, v in values(before, name).items() if (name, a) not in edited}, name


def _assert_protection_as_before(before, after) -> None:
    for name in FORM_SHEETS:
        assert sheet(after, name)["protection"] == sheet(before, name)["protection"], name


def test_a_form_that_meets_the_standard_gets_the_results_sheet_and_no_mark(server, tmp_path, template_dir, specs):
    workbook = seed(form(template_dir, specs, tmp_path / "dat.xlsx", "BV-01", 96.5))
    before = seeded_state(workbook)
    [step] = click(server.url, workbook, [{"click": "fourgood-check"}], tmp_path, token=server.tokens["unit"])
    after = step["workbook"]
    assert step["completed"]
    assert step["alerts"] == [{"prompt": "Đạt “Chi bộ 4 tốt”: 96,5 điểm", "title": "fourgood – Chi bộ 4 tốt",
                               "mode": "info"}]
    # what the client sent: the scripts' include list, values only for those sheets, the unit's token
    [request] = step["requests"]
    assert request["url"].endswith("/xlwings/custom-scripts-call/kiem_tra_phieu")
    assert request["headers"]["Authorization"] == "Bearer " + server.tokens["unit"]
    sent = {s["name"]: s["values"] for s in request["body"]["sheets"]}
    assert sent["Hướng dẫn"] == [[]] and len(sent[SCORING]) > 20
    rows = _results_rows(after)
    assert rows[4][:2] == ["Kết luận", "Đạt “Chi bộ 4 tốt”: 96,5 điểm"]
    assert ["", "Tổng cộng", 100, 96.5, "", 96.5] in rows
    assert rows[-1][0] == "Không có lỗi."
    assert after["active"] == RESULTS
    assert [s["name"] for s in after["sheets"]] == [*FORM_SHEETS, RESULTS]
    for name in FORM_SHEETS:
        assert fills(after, name) == fills(before, name) and sheet(after, name)["notes"] == {}
    _assert_protection_as_before(before, after)
    _assert_staff_entries_unchanged(before, after)


def test_the_results_sheet_columns_are_as_wide_in_office_js_as_on_the_desktop(server, tmp_path, template_dir, specs):
    """Office.js takes column widths in points, desktop Excel in characters; xlwings passes the number
    through. 20 characters of Excel's default font are (20 × 7 + 5) px = 108.75 pt."""
    workbook = seed(form(template_dir, specs, tmp_path / "dat.xlsx", "BV-01", 96.5))
    [step] = click(server.url, workbook, [{"click": "fourgood-check"}], tmp_path)
    assert sheet(step["workbook"], RESULTS)["widths"] == {"A": 108.75, "B": 234.75, "C": 77.25, "D": 77.25,
                                                          "E": 77.25, "F": 423.75}


def test_a_form_with_errors_gets_every_problem_marked_noted_and_listed(server, tmp_path, template_dir, specs):
    workbook = seed(_error_form(template_dir, specs, tmp_path / "loi.xlsx"))
    before = seeded_state(workbook)
    assert sheet(before, SCORING)["protection"]["protected"] and not \
        sheet(before, SCORING)["protection"]["options"]["allowFormatCells"]  # fills need the protection lifted
    [step] = click(server.url, workbook, [{"click": "fourgood-check"}], tmp_path)
    after = step["workbook"]
    assert step["alerts"] == [{"prompt": "Còn 2 lỗi cần sửa", "title": "fourgood – Chi bộ 4 tốt", "mode": "critical"}]
    rows = _results_rows(after)
    assert rows[4][:2] == ["Kết luận", "Còn 2 lỗi cần sửa"] and rows[6][:2] == ["Số lỗi / cảnh báo", "2 / 0"]
    assert ["", "Tổng cộng", 100, 87, "", 87] in rows
    problems = _problems(after)
    assert [(p[2], p[3], p[4]) for p in problems] == [(SCORING, "D9", "1.1"), (SCORING, "D16", "2.1")]
    assert any("DANH SÁCH LỖI VÀ CẢNH BÁO (2)" == r[0] for r in rows)
    marked = {a: f for a, f in fills(after, SCORING).items() if fills(before, SCORING).get(a) != f}
    assert marked == {"D9": ERROR_FILL, "D16": ERROR_FILL}
    notes = sheet(after, SCORING)["notes"]
    assert set(notes) == {"D9", "D16"}
    for _, severity, _, cell, _, message in problems:
        assert severity == "Lỗi" and message in notes[cell]
    links = {a: c["link"] for a, c in sheet(after, RESULTS)["cells"].items() if c["link"]}
    assert links == {"D20": {"address": "#'Chấm điểm'!D9", "textToDisplay": "D9", "screenTip": "Đến ô này"},
                     "D21": {"address": "#'Chấm điểm'!D16", "textToDisplay": "D16", "screenTip": "Đến ô này"}}
    _assert_protection_as_before(before, after)
    assert sheet(after, RESULTS)["protection"]["protected"] is False  # protected only where it was
    _assert_staff_entries_unchanged(before, after)


def test_a_second_click_replaces_the_results_sheet_and_restores_the_fixed_cells(server, tmp_path, template_dir, specs):
    spec = specs["public_service"]
    workbook = seed(_error_form(template_dir, specs, tmp_path / "loi.xlsx"))
    before = seeded_state(workbook)
    fixed = [{"edit": {"sheet": SCORING, "cell": "D9", "value": spec.criteria[0].max}},
             {"edit": {"sheet": SCORING, "cell": "D16", "value": 5}}]
    first, second = click(server.url, workbook, [{"click": "fourgood-check"}, *fixed, {"click": "fourgood-check"}],
                          tmp_path)
    assert first["alerts"][0]["prompt"] == "Còn 2 lỗi cần sửa"
    after = second["workbook"]
    # the previous results sheet went to the server and came back replaced: one results sheet, this run's
    sent = {s["name"] for s in second["requests"][0]["body"]["sheets"]}
    assert RESULTS in sent
    assert [s["name"] for s in after["sheets"]] == [*FORM_SHEETS, RESULTS]
    assert second["alerts"][0]["prompt"] == _results_rows(after)[4][1] != "Còn 2 lỗi cần sửa"
    assert _problems(after) == []
    # the cells fixed since are back to the template's fill, without the notes
    assert fills(after, SCORING) == fills(before, SCORING)
    assert sheet(after, SCORING)["notes"] == {}
    _assert_protection_as_before(before, after)
    _assert_staff_entries_unchanged(before, after, edited={(SCORING, "D9"), (SCORING, "D16")})


def test_on_an_excel_without_notes_the_click_completes_with_marks_and_the_full_results_sheet(server, tmp_path,
                                                                                           template_dir, specs):
    """Excel 2021 (ExcelApi 1.14) has no notes API (ExcelApi 1.18): xlwings' addNote would throw and stop
    the click before fourgoodProtect. main.js detects the set and skips the notes."""
    workbook = seed(_error_form(template_dir, specs, tmp_path / "loi.xlsx"))
    before = seeded_state(workbook)
    [step] = click(server.url, workbook, [{"click": "fourgood-check"}], tmp_path, sets={**M365_SETS, "ExcelApi": "1.14"})
    after = step["workbook"]
    assert step["alerts"] == [{"prompt": "Còn 2 lỗi cần sửa", "title": "fourgood – Chi bộ 4 tốt", "mode": "critical"}]
    assert step["requests"][0]["body"]["sheets"][2]["notes_supported"] is False
    assert [(p[2], p[3]) for p in _problems(after)] == [(SCORING, "D9"), (SCORING, "D16")]
    assert {a: f for a, f in fills(after, SCORING).items() if fills(before, SCORING).get(a) != f} == \
        {"D9": ERROR_FILL, "D16": ERROR_FILL}
    assert all(s["notes"] == {} for s in after["sheets"])
    _assert_protection_as_before(before, after)
    _assert_staff_entries_unchanged(before, after)


def test_the_requirement_sets_the_manifest_declares_are_enough_for_the_click_and_one_less_is_not(
        server, tmp_path, template_dir, specs):
    """The manifest's <Requirements> keep Excel that cannot run the click from offering the add-in: with
    exactly those sets the click completes; with ExcelApi 1.8 xlwings Server's client cannot read the
    book (shapes and print areas are ExcelApi 1.9)."""
    from xml.etree import ElementTree as ET

    with urllib.request.urlopen(server.url + "/manifest.xml", timeout=30) as r:
        root = ET.fromstring(r.read())
    ns = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1"}
    declared = {s.get("Name"): s.get("MinVersion") for s in root.findall("o:Requirements/o:Sets/o:Set", ns)}
    workbook = seed(_error_form(template_dir, specs, tmp_path / "loi.xlsx"))
    [enough] = click(server.url, workbook, [{"click": "fourgood-check"}], tmp_path, sets=declared)
    assert [a["prompt"] for a in enough["alerts"]] == ["Còn 2 lỗi cần sửa"]
    assert [(p[2], p[3]) for p in _problems(enough["workbook"])] == [(SCORING, "D9"), (SCORING, "D16")]
    [short] = click(server.url, workbook, [{"click": "fourgood-check"}], tmp_path, sets={**declared, "ExcelApi": "1.8"})
    assert [a["title"] for a in short["alerts"]] == ["Error"] and short["requests"] == []
    assert "getPrintAreaOrNullObject" in short["alerts"][0]["prompt"]


def _submit(server, data: bytes, token: str) -> None:
    boundary = "fourgood-officejs"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.xlsx\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(server.url + "/api/submit", data=body, method="POST",
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                                          "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=60) as r:
        assert r.status == 201, r.read()


def test_consolidate_with_a_board_token_fills_the_control_workbook_from_the_inbox(server, tmp_path, template_dir,
                                                                                    specs):
    for code, total in (("BV-01", 97), ("BV-02", 90)):
        _submit(server, form(template_dir, specs, tmp_path / f"{code}.xlsx", code, total).read_bytes(),
                server.tokens["unit"])
    workbook = seed(template_dir / CONTROL_FILE)
    before = seeded_state(workbook)
    control = workbook["sheets"][0]["name"]
    [refused] = click(server.url, workbook, [{"click": "fourgood-consolidate"}], tmp_path, token=server.tokens["unit"])
    assert [a["prompt"].startswith("Chỉ cán bộ Ban Tổ chức") for a in refused["alerts"]] == [True]
    assert [s["name"] for s in refused["workbook"]["sheets"]] == [s["name"] for s in before["sheets"]]
    done, again = click(server.url, workbook, [{"click": "fourgood-consolidate"}] * 2, tmp_path,
                        token=server.tokens["board"])
    assert [(a["prompt"], a["mode"]) for a in done["alerts"]] == [
        ("Đã tổng hợp 2 tệp: 2 chi bộ, 1 đạt, 1 dưới ngưỡng đạt (95 điểm), 0 tệp bị từ chối.", "info")]
    after = done["workbook"]
    names = [s["name"] for s in after["sheets"]]
    assert {"Tổng hợp theo cấp", "Chi tiết", "Chưa nộp", "_du_lieu"} <= set(names)
    assert sheet(after, "_du_lieu")["visibility"] == "Hidden"
    detail = json.dumps(values(after, "Chi tiết"), ensure_ascii=False)
    assert "BV-01" in detail and "BV-02" in detail
    assert "UB-01" in json.dumps(values(after, "Chưa nộp"), ensure_ascii=False)
    # the folder cell now names the inbox it consolidated; the control sheet stays protected as it was
    assert str(Path(server.inbox).resolve()) in values(after, control).values()
    assert sheet(after, control)["protection"] == sheet(before, control)["protection"]
    # a second click consolidates again into the same sheets (cleared, then written)
    assert [s["name"] for s in again["workbook"]["sheets"]] == names and again["alerts"] == done["alerts"]
    stamped = {"A2"}  # "Lập lúc …": the time of the run
    assert {a: v for a, v in values(again["workbook"], "Chi tiết").items() if a not in stamped} == \
        {a: v for a, v in values(after, "Chi tiết").items() if a not in stamped}
