"""Vietnamese all the way (#10, part 4): every word a user reads is Vietnamese unless English is
asked for (`--lang en`, FOURGOOD_LANG=en) — argparse's own words too; severities in words with the
code kept apart; files that are no scoring form at all said so; one quotation style; numbers with
a decimal comma, and real numbers in the workbooks."""

from __future__ import annotations

import argparse
import ast
import gettext
import json
import re
import string
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fourgood.cli import ARGPARSE_VI, main
from fourgood.contract import status_text
from fourgood.messages import TEXTS
from fourgood.problems import NOT_A_FORM_LABEL, Problem, severity_label
from fourgood.report.geometry import HEAD_ROW
from fourgood.workbook_templates.writer import CONTROL_FILE

from .helpers import make_submission
from .xlwings_book import actions, remote_book

ENGLISH = ("usage", "options", "positional", "arguments", "required", "invalid", "choice", "show", "help",
           "message", "exit", "default", "file", "folder", "error", "warning", "expected", "argument")


def _english_words(text: str) -> list[str]:
    """English words of the list in `text`, option names (--help, -o) aside: they are typed as is."""
    prose = re.sub(r"(?<![\w-])--?[\w-]+", " ", text)
    return sorted({w for w in ENGLISH if re.search(rf"\b{w}\b", prose, flags=re.I)})


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


USAGE_CASES = [
    (("--help",), 0),
    (("validate", "--help"), 0),
    (("consolidate", "--help"), 0),
    (("templates", "--help"), 0),
    (("addin", "--help"), 0),
    (("demo", "--help"), 0),
    (("validate",), 2),  # a missing required argument
    (("consolidate", "x"), 2),  # -o/--out is required
    (("frobnicate",), 2),  # an invalid choice of command
    (("validate", "x", "--lang", "fr"), 2),  # an invalid choice of option value
    (("consolidate", "x", "-o"), 2),  # expected one argument
    (("validate", "x", "--jobs", "many"), 2),  # not a whole number
    (("validate", "x", "--frobnicate"), 2),  # unrecognised argument
    (("addin",), 2),  # the action is required
]


# ----------------------------------------------------------------------------- 2: --help and argparse


@pytest.mark.parametrize("argv, code", USAGE_CASES)
def test_help_and_usage_errors_are_vietnamese(argv, code, capsys, monkeypatch):
    monkeypatch.delenv("FOURGOOD_LANG", raising=False)
    got, text = _run(capsys, *argv)
    assert got == code
    assert text.strip() and _english_words(text) == [], text
    if code == 0:
        assert text.startswith("cách dùng: fourgood") and "tùy chọn:" in text
        assert "hiện hướng dẫn này rồi thoát" in text
    else:
        assert len(text.strip().splitlines()) == 1 and "lỗi cú pháp lệnh" in text and "'" not in text


@pytest.mark.parametrize("how", ["option", "environment"])
@pytest.mark.parametrize("argv, code", USAGE_CASES)
def test_help_and_usage_errors_in_english_on_request(argv, code, how, capsys, monkeypatch):
    if how == "option":
        monkeypatch.delenv("FOURGOOD_LANG", raising=False)
        argv = (*argv, "--lang", "en") if argv[-1] != "-o" else ("--lang", "en", *argv)
    else:
        monkeypatch.setenv("FOURGOOD_LANG", "en")
    got, text = _run(capsys, *argv)
    assert got == code
    if code == 0:
        assert text.startswith("usage: fourgood") and "options:" in text and "show this help message and exit" in text
    elif "fr" not in argv:
        assert "usage error" in text and "lỗi" not in text
    assert not re.search(r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]", text.replace("Chi bộ 4 tốt", "").replace("4 Tốt", ""))  # names, text


def test_specific_argparse_messages_read_naturally(capsys, monkeypatch):
    monkeypatch.delenv("FOURGOOD_LANG", raising=False)
    assert _run(capsys, "validate")[1].strip() == (
        "fourgood validate: lỗi cú pháp lệnh: thiếu tham số bắt buộc: ĐƯỜNG_DẪN (xem fourgood validate --help)")
    assert "tham số -o/--out: cần một giá trị" in _run(capsys, "consolidate", "x", "-o")[1]
    assert "giá trị “fr” không nằm trong danh sách (chọn một trong: “vi”, “en”)" in _run(
        capsys, "validate", "x", "--lang", "fr")[1]
    assert "giá trị “many” không hợp lệ (cần số nguyên)" in _run(capsys, "validate", "x", "--jobs", "many")[1]
    assert "--jobs phải từ 1 trở lên" in _run(capsys, "validate", "x", "--jobs", "0")[1]
    monkeypatch.setenv("FOURGOOD_LANG", "en")
    assert "the following arguments are required: PATH" in _run(capsys, "validate")[1]


def test_argparse_is_left_as_it_was(capsys):
    main(["--help"])
    main(["validate"])
    capsys.readouterr()
    assert argparse._ is gettext.gettext and argparse.ngettext is gettext.ngettext  # type: ignore[attr-defined]
    assert argparse.ArgumentParser(prog="x").format_usage() == "usage: x [-h]\n"


# Messages argparse raises while a program *defines* its arguments (programming errors, never
# shown to a user of fourgood) need no translation.
DEVELOPER_MESSAGES = re.compile(
    r"callable|required' is an invalid|__call__|with mode|multiple subparser|cannot merge|conflicting|"
    r"dest= is required|conflict_resolution|must start with a character|mutually exclusive|nargs|unknown action")


def _argparse_message_ids() -> set[str]:
    tree = ast.parse(Path(argparse.__file__).read_text(encoding="utf-8"))
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
            ids |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return ids


def test_every_argparse_message_a_user_can_see_is_translated():
    """Checked against the argparse of the Python running the tests (3.11 to 3.14)."""
    ids = _argparse_message_ids()
    assert {"usage: ", "options", "the following arguments are required: %s"} <= ids  # still gettext
    missing = sorted(i for i in ids if i not in ARGPARSE_VI and not DEVELOPER_MESSAGES.search(i))
    assert missing == []


@pytest.mark.parametrize("msgid", sorted(ARGPARSE_VI))
def test_argparse_translations_keep_their_placeholders(msgid):
    def names(text: str) -> set[str]:
        return set(re.findall(r"%\((\w+)\)", text))

    def positional(text: str) -> int:
        return len(re.findall(r"%[sr]", text))

    vi = ARGPARSE_VI[msgid]
    assert names(vi) <= names(msgid) and positional(vi) == positional(msgid)
    assert _english_words(re.sub(r"%\(\w+\)", "", vi)) == [] and "'" not in vi


# ----------------------------------------------------------------------------- 1, 3: severities, not a form


@pytest.fixture
def inbox(tmp_path, agency_template, specs, template_dir) -> Path:
    folder = tmp_path / "phieu"
    folder.mkdir()
    spec = specs["agency"]
    make_submission(agency_template, spec, folder / "dat.xlsx", total=96.5)
    bad = {c.id: c.max for c in spec.criteria}
    bad[spec.criteria[0].id] = spec.criteria[0].max + 1
    make_submission(agency_template, spec, folder / "sai.xlsx", self_scores=bad, info={"cell_code": "KCQ-002"})
    (folder / "bien-ban.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    (folder / "anh.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (folder / "ghi-chu.txt").write_text("Chi bộ xin gửi phiếu bổ sung sau.", encoding="utf-8")
    (folder / "danh-sach-chi-bo.xlsx").write_bytes((template_dir / "danh-sach-chi-bo.xlsx").read_bytes())
    (folder / CONTROL_FILE).write_bytes((template_dir / CONTROL_FILE).read_bytes())
    return folder


NOT_FORMS = {"bien-ban.pdf", "anh.png", "ghi-chu.txt", "danh-sach-chi-bo.xlsx", CONTROL_FILE}


def test_validate_json_keeps_stable_severities_and_says_not_a_form(inbox, capsys):
    assert main(["validate", "--json", str(inbox)]) == 1
    data = {Path(d["file"]).name: d for d in json.loads(capsys.readouterr().out)}
    assert {n for n, d in data.items() if d["status"] == "not_a_form"} == NOT_FORMS
    assert all(data[n]["valid"] is False for n in NOT_FORMS)
    assert data["sai.xlsx"]["status"] == "invalid" and data["dat.xlsx"]["status"] == "meets"
    assert {e["severity"] for d in data.values() for e in d["errors"]} <= {"error", "warning"}
    assert [e["code"] for e in data["bien-ban.pdf"]["errors"]] == ["not_spreadsheet"]
    assert [e["code"] for e in data["danh-sach-chi-bo.xlsx"]["errors"]] == ["roster_not_submission"]


def test_validate_table_words_severities_and_keeps_codes_last(inbox, capsys):
    assert main(["validate", str(inbox)]) == 1
    out = capsys.readouterr().out
    lines = out.rstrip().splitlines()
    problems: list[str] = []  # one per problem, its lines wrapped by the console joined again
    for ln in lines[next(i for i, ln in enumerate(lines) if ln.startswith("└")) + 1:-1]:
        if ln.startswith(("✗", "!")):
            problems.append(ln)
        else:
            problems[-1] += " " + ln
    assert problems and all(re.match(r"^(✗ Lỗi|! Cảnh báo) ", ln) for ln in problems)
    assert all(re.search(r" \([a-z_]+\)$", ln) for ln in problems)  # the code last, in parentheses
    assert any("Tiêu chí 1.1: điểm" in ln and ln.endswith("(score_above_max)") for ln in problems)
    prose = "\n".join(re.sub(r" \([a-z_]+\)$", "", ln) for ln in lines)
    assert _english_words(prose) == [] and "not_spreadsheet" not in prose
    assert out.count(NOT_A_FORM_LABEL[0]) == len(NOT_FORMS)  # the verdict of each, in the table
    assert lines[-1] == "7 tệp: 1 hợp lệ, 6 có lỗi (5 không phải phiếu chấm điểm), 0 bỏ qua."
    assert main(["validate", str(inbox), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "Not a scoring form" in out and "✗ Error " in out
    assert out.rstrip().splitlines()[-1] == "7 files: 1 valid, 6 with errors (5 not a scoring form), 0 skipped."


def _sheet_rows(path: Path, sheet: str, head_row: int = HEAD_ROW) -> list[dict]:
    ws = load_workbook(path)[sheet]
    rows = list(ws.iter_rows(min_row=head_row, values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


@pytest.mark.slow
def test_consolidated_workbook_words_severities_and_lists_not_a_form(inbox, tmp_path, capsys):
    out, js = tmp_path / "tong-hop.xlsx", tmp_path / "s.json"
    assert main(["consolidate", str(inbox), "-o", str(out), "--summary-json", str(js)]) == 0
    printed = capsys.readouterr().out
    assert _english_words(printed) == [] and re.search(r"trong đó không phải phiếu chấm điểm\s*│\s*5 │", printed)
    rejected = _sheet_rows(out, "Tệp bị từ chối")
    assert {r["Mức"] for r in rejected} == {"Lỗi"} and "score_above_max" in {r["Mã lỗi"] for r in rejected}
    log = {Path(r["Tệp"]).name: r["Kết luận"] for r in _sheet_rows(out, "Nhật ký")}
    assert {n for n, v in log.items() if v == "Không phải phiếu chấm điểm"} == NOT_FORMS
    assert log["sai.xlsx"] == "Bị từ chối" and log["dat.xlsx"] == "Được tính"
    s = json.loads(js.read_text(encoding="utf-8"))  # listed, and counted among the rejected files
    assert (s["files_total"], s["files_valid"], s["files_rejected"], s["files_skipped"]) == (7, 1, 6, 0)
    assert main(["consolidate", str(inbox), "-o", str(out), "--lang", "en"]) == 0
    capsys.readouterr()
    assert {r["Severity"] for r in _sheet_rows(out, "Rejected files")} == {"Error"}
    assert "Not a scoring form" in {r["Verdict"] for r in _sheet_rows(out, "Log")}


def test_severity_labels():
    assert [severity_label(s, "vi") for s in ("error", "warning")] == ["Lỗi", "Cảnh báo"]
    assert [severity_label(s, "en") for s in ("error", "warning")] == ["Error", "Warning"]


# ----------------------------------------------------------------------------- 4, 5: the add-in's results sheet


@pytest.fixture
def xlwings_env(monkeypatch, tmp_path):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    monkeypatch.setenv("FOURGOOD_HOME", str(tmp_path / "home"))


def test_results_sheet_words_severities_one_font_and_real_numbers(xlwings_env, tmp_path, agency_template, specs):
    import fourgood.addin as fg
    from fourgood.addin.results_sheet import RESULTS_SHEET, SCORE_FORMAT

    spec = specs["agency"]
    full = {c.id: c.max for c in spec.criteria}
    bad = {**full, spec.criteria[0].id: spec.criteria[0].max + 1}
    book = remote_book(make_submission(agency_template, spec, tmp_path / "sai.xlsx", self_scores=bad))
    fg.check(book)
    done = actions(book)
    position = [s.name for s in book.sheets].index(RESULTS_SHEET["vi"])
    mine = [a for a in done if a.get("sheet_position") == position]
    rows = [row for a in mine if a["func"] == "setValues" for row in a["values"]]
    head = rows.index(["STT", "Mức", "Trang", "Ô", "Tiêu chí", "Nội dung"])
    listed = [r for r in rows[head + 1:] if len(r) == 6 and isinstance(r[0], int)]
    assert listed and {r[1] for r in listed} <= {"Lỗi", "Cảnh báo"}
    assert all(_english_words(str(r[5])) == [] and "'" not in str(r[5]) for r in listed)
    fonts = [a for a in mine if a["func"] == "setFontProperty" and a["args"][0] == "name"]
    assert [a["args"][1] for a in fonts] == ["Times New Roman"]
    assert fonts[0]["start_row"] == 0 and fonts[0]["row_count"] >= len(rows)  # the whole written block

    book = remote_book(make_submission(agency_template, spec, tmp_path / "dat.xlsx", total=97, upper_scores=full))
    fg.check(book)
    mine = [a for a in actions(book) if a.get("sheet_position") == position]
    rows = [row for a in mine if a["func"] == "setValues" for row in a["values"]]
    gap = next(r for r in rows if len(r) == 6 and r[1] == "Chênh lệch tự chấm - cấp trên")
    assert gap[3] == -3  # a number with a number format, never "-3,0" as text
    formats = {a["args"][0] for a in mine if a["func"] == "setNumberFormat"}
    assert SCORE_FORMAT in formats and SCORE_FORMAT == "0.0"


# ----------------------------------------------------------------------------- 4: one quotation style


def test_vietnamese_catalogue_quotes_only_with_curly_quotes():
    """The rule: Vietnamese texts quote terms, values, sheet and file names with “…”; a straight
    quote appears only in an Excel address such as 'Chấm điểm'!D9 (Problem.location), never in a
    catalogue text."""
    for code, (vi, _) in TEXTS.items():
        assert "'" not in vi and '"' not in vi, code
        assert vi.count("“") == vi.count("”"), code
        assert all(o < c for o, c in zip(_positions(vi, "“"), _positions(vi, "”"))), code


def _positions(text: str, char: str) -> list[int]:
    return [i for i, c in enumerate(text) if c == char]


def test_rendered_messages_keep_the_quotation_rule():
    fields = {name for _, (vi, _) in TEXTS.items() for _, name, _, _ in string.Formatter().parse(vi) if name}
    for code in TEXTS:
        p = Problem(code, sheet="Chấm điểm", cell="D9", criterion="1.1", value="'Chi bộ 2'" if code == "multiple_forms"
                    else 9.5, expected=8, params={f: "x" for f in fields - {"value", "expected", "sheet", "cell"}})
        text = p.message("vi")
        assert "'" not in text and '"' not in text, (code, text)
    assert Problem("not_our_template", params={"detail": "sheets: Sheet1"}).message("vi").endswith("(các trang: Sheet1).")
    assert "bảng điều khiển tổng hợp" in Problem("not_our_template", params={"detail": "template_kind=control"}).message()
    assert Problem("score_above_max", criterion="1.1", value=9.5, expected=8,
                   params={"column": "self"}).message("vi") == "Tiêu chí 1.1: điểm 9,5 vượt điểm chuẩn 8 (Chi bộ tự chấm)."


def test_verdict_texts_quote_with_curly_quotes():
    assert status_text("meets", "vi", 95) == "Đạt “Chi bộ 4 tốt”"
