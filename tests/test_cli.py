"""The command line's edges (issue #9): nothing to read, missing paths, closed pipes, periods
with no form, progress, the same file counts in `validate` and `consolidate`, exit codes and
the summary JSON as the README documents them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fourgood.cli import main
from fourgood.demo import build_demo
from fourgood.validators.roster import read_roster

from .helpers import make_submission, scores_totalling

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture(autouse=True)
def _log_home(tmp_path, monkeypatch):
    monkeypatch.setenv("FOURGOOD_HOME", str(tmp_path / "home"))  # tracebacks go here, never to ~/.fourgood


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, specs, agency_template) -> Path:
    """Valid forms, an invalid one, a byte copy, a second version of a cell, a lock file, Thumbs.db, a PDF."""
    folder = tmp_path_factory.mktemp("mixed") / "phieu"
    folder.mkdir()
    spec = specs["agency"]
    make_submission(agency_template, spec, folder / "a1.xlsx", 97, info={"cell_code": "A-1"})
    make_submission(agency_template, spec, folder / "a2.xlsx", 94, info={"cell_code": "A-2"})
    make_submission(agency_template, spec, folder / "a1 ban sua.xlsx", 98, info={"cell_code": "A-1"},
                    upper_scores=scores_totalling(spec, 96))  # the same cell and period again: this one counts
    bad = scores_totalling(spec, 98)
    bad[spec.criteria[0].id] = spec.criteria[0].max + 1
    make_submission(agency_template, spec, folder / "a3.xlsx", info={"cell_code": "A-3"}, self_scores=bad)
    shutil.copy(folder / "a2.xlsx", folder / "a2 (1).xlsx")  # sent twice, byte for byte
    (folder / "~$a1.xlsx").write_bytes(b"\x00" * 165)  # Excel's lock file while a1.xlsx is open
    (folder / "Thumbs.db").write_bytes(b"\x00" * 64)
    (folder / "bien-ban.pdf").write_bytes(b"%PDF-1.4\n% bien ban hop\n")
    return folder


@pytest.fixture(scope="module")
def demo_like(tmp_path_factory) -> tuple[Path, Path]:
    inbox, roster, _ = build_demo(tmp_path_factory.mktemp("demo"), seed=11)
    return inbox, roster


@pytest.fixture(scope="module")
def many_files(tmp_path_factory) -> Path:
    """Enough files that the JSON list (or the table) is far larger than a pipe's buffer."""
    folder = tmp_path_factory.mktemp("many")
    for i in range(600):
        (folder / f"ghi-chu-{i:03d}.txt").write_text("không phải phiếu", encoding="utf-8")
    return folder


def _summary(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _below(s: dict) -> int:  # renamed from cells_below_95 (the threshold is a spec setting)
    return s.get("cells_below_threshold", s.get("cells_below_95"))


# ----------------------------------------------------------------------------- 1, 2: nothing to read


def test_an_empty_folder_is_refused_with_its_name_and_nothing_is_written(tmp_path, capsys):
    empty = tmp_path / "trong"
    empty.mkdir()
    out = tmp_path / "tong-hop.xlsx"
    assert main(["validate", str(empty)]) == 2
    err = capsys.readouterr().err
    assert "Không tìm thấy tệp nào" in err and str(empty) in err and "Traceback" not in err
    assert main(["consolidate", str(empty), "-o", str(out), "--summary-json", str(tmp_path / "s.json")]) == 2
    err = capsys.readouterr().err
    assert "Không tìm thấy tệp nào" in err and str(empty) in err
    assert not out.exists() and not (tmp_path / "s.json").exists()
    assert main(["validate", str(empty), "--lang", "en"]) == 2
    assert "No files found in" in capsys.readouterr().err


def test_a_folder_of_skipped_files_only_is_refused_too(tmp_path, capsys):
    folder = tmp_path / "chi-co-tep-khoa"
    folder.mkdir()
    (folder / "~$phieu.xlsx").write_bytes(b"\x00" * 165)
    (folder / "Thumbs.db").write_bytes(b"\x00" * 64)
    assert main(["validate", str(folder), "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Không tìm thấy tệp nào để kiểm tra" in err and "2 tệp bỏ qua" in err
    assert main(["consolidate", str(folder), "-o", str(tmp_path / "x.xlsx")]) == 2
    assert not (tmp_path / "x.xlsx").exists()


def test_a_path_that_does_not_exist_exits_2_naming_it_in_both_commands(tmp_path, mixed, capsys):
    missing = tmp_path / "khong-co"
    out = tmp_path / "tong-hop.xlsx"
    assert main(["consolidate", str(mixed), str(missing), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{missing}: Không tìm thấy tệp hoặc thư mục." in err and not out.exists()
    assert main(["validate", str(mixed), str(missing), "--json"]) == 2
    out_text, err = capsys.readouterr()
    assert out_text == "" and str(missing) in err
    assert main(["consolidate", str(mixed), "-o", str(out), "--roster", str(tmp_path / "ds.xlsx")]) == 2
    assert "ds.xlsx: Không tìm thấy" in capsys.readouterr().err and not out.exists()


# ----------------------------------------------------------------------------- 3: a closed pipe


def _read_a_little_then_close(args: list[str], tmp_path: Path) -> tuple[bytes, int, str]:
    env = {**os.environ, "FOURGOOD_HOME": str(tmp_path / "home"), "COLUMNS": "120"}
    proc = subprocess.Popen([sys.executable, "-m", "fourgood", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    first = proc.stdout.read(16)  # like `| head -c 16`
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    return first, proc.wait(timeout=120), err


@pytest.mark.slow
@pytest.mark.parametrize("mode", [["--json"], []], ids=["json", "table"])
def test_a_closed_stdout_pipe_ends_quietly_with_141(many_files, tmp_path, mode):
    first, code, err = _read_a_little_then_close(["validate", *mode, str(many_files)], tmp_path)
    assert len(first) == 16 and code == 141  # it did write before the pipe closed
    if mode == ["--json"]:
        assert first.startswith(b"[")
    assert err == ""  # no traceback, no "Broken pipe", no "Exception ignored"


# ----------------------------------------------------------------------------- 4: a period with no form


@pytest.mark.slow
def test_a_period_with_no_form_exits_2_listing_the_periods_found_and_writes_nothing(mixed, tmp_path, capsys):
    out = tmp_path / "thang-12.xlsx"
    assert main(["consolidate", str(mixed), "-o", str(out), "--period", "12/2026"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "Không có phiếu nào thuộc kỳ 2026-12; các kỳ có trong các phiếu đã nộp: 2026-11."
    assert not out.exists()
    assert main(["consolidate", str(mixed), "-o", str(out), "--period", "2025", "--lang", "en"]) == 2
    assert "No submitted form is for period 2025; periods found in the forms: 2026-11." in capsys.readouterr().err
    assert not out.exists()
    # a year is the year view: every month of it (November here) and the year-end evaluation
    assert main(["consolidate", str(mixed), "-o", str(out), "--period", "2026", "--lang", "en"]) == 0


def test_a_period_with_forms_keeps_them_and_notes_the_others(tmp_path, specs, agency_template, capsys):
    folder = tmp_path / "phieu"
    folder.mkdir()
    for month, total in ((11, 97), (12, 93)):
        make_submission(agency_template, specs["agency"], folder / f"t{month}.xlsx", total,
                        info={"cell_code": "A-1", "period": f"Tháng {month}"})
    out, js = tmp_path / "t12.xlsx", tmp_path / "t12.json"
    assert main(["consolidate", str(folder), "-o", str(out), "--period", "2026-12", "--summary-json", str(js)]) == 0
    s = _summary(js)
    assert out.exists() and s["cells"] == 1 and _below(s) == 1 and s["cells_meeting_standard"] == 0


# ----------------------------------------------------------------------------- 5: progress and --jobs


@pytest.mark.slow
def test_validate_progress_goes_to_stderr_only_when_asked_or_on_a_terminal(mixed, capsys):
    assert main(["validate", "--json", "--progress", str(mixed)]) == 1
    out, err = capsys.readouterr()
    assert len(json.loads(out)) == 8  # stdout stays one clean JSON document
    assert "Đang đọc phiếu" in err
    assert main(["validate", "--json", str(mixed)]) == 1  # stderr is not a terminal here: no bar
    assert capsys.readouterr().err == ""
    assert main(["consolidate", str(mixed), "-o", str(mixed.parent / "p.xlsx"), "--progress", "--lang", "en"]) == 0
    assert "Reading forms" in capsys.readouterr().err


@pytest.mark.slow
def test_validate_accepts_jobs_and_gives_the_same_verdicts(demo_like, capsys):
    inbox, _ = demo_like
    assert main(["validate", "--json", str(inbox)]) == 1
    one = json.loads(capsys.readouterr().out)
    assert main(["validate", "--json", "--jobs", "2", str(inbox)]) == 1
    assert json.loads(capsys.readouterr().out) == one
    assert main(["validate", "--jobs", "0", str(inbox)]) == 2
    assert "--jobs phải từ 1 trở lên" in capsys.readouterr().err


# ----------------------------------------------------------------------------- 6: the same counts


@pytest.mark.slow
def test_validate_and_consolidate_count_the_same_files(mixed, tmp_path, capsys):
    assert main(["validate", "--json", str(mixed)]) == 1
    data = {Path(d["file"]).name: d for d in json.loads(capsys.readouterr().out)}
    for name in ("~$a1.xlsx", "Thumbs.db"):
        assert data[name]["status"] == "skipped" and data[name]["valid"] is False
    assert data["bien-ban.pdf"]["status"] == "not_a_form" and data["a3.xlsx"]["status"] == "invalid"
    assert sum(d["valid"] for d in data.values()) == 4  # a1, a1 ban sua, a2, a2 (1)

    assert main(["validate", str(mixed)]) == 1
    assert capsys.readouterr().out.rstrip().splitlines()[-1] == "8 tệp: 4 hợp lệ, 2 có lỗi (1 không phải phiếu chấm điểm), 2 bỏ qua."
    assert main(["validate", str(mixed), "--lang", "en"]) == 1
    assert capsys.readouterr().out.rstrip().splitlines()[-1] == "8 files: 4 valid, 2 with errors (1 not a scoring form), 2 skipped."

    js = tmp_path / "s.json"
    assert main(["consolidate", str(mixed), "-o", str(tmp_path / "t.xlsx"), "--summary-json", str(js)]) == 0
    s = _summary(js)
    assert (s["files_total"], s["files_valid"], s["files_rejected"], s["files_skipped"]) == (8, 4, 2, 2)
    assert s["duplicates"] == 2  # a2 (1) (byte copy) and a1.xlsx (a1 ban sua has the upper-level score)


def test_skipped_files_never_make_validate_exit_1(tmp_path, specs, agency_template, capsys):
    make_submission(agency_template, specs["agency"], tmp_path / "a.xlsx", 96)
    (tmp_path / "~$a.xlsx").write_bytes(b"\x00" * 165)
    (tmp_path / "desktop.ini").write_text("[.ShellClassInfo]", encoding="utf-8")
    assert main(["validate", str(tmp_path)]) == 0
    assert capsys.readouterr().out.rstrip().splitlines()[-1] == "3 tệp: 1 hợp lệ, 0 có lỗi, 2 bỏ qua."


# ----------------------------------------------------------------------------- 7: counts add up, README


@pytest.mark.slow
def test_summary_counts_add_up_and_match_validate_on_a_demo_like_folder(demo_like, tmp_path, capsys):
    inbox, roster = demo_like
    js = tmp_path / "s.json"
    assert main(["consolidate", str(inbox), "-o", str(tmp_path / "t.xlsx"), "--roster", str(roster),
                 "--summary-json", str(js)]) == 0
    s = _summary(js)
    capsys.readouterr()
    assert main(["validate", "--json", str(inbox)]) == 1
    files = json.loads(capsys.readouterr().out)

    status = [d["status"] for d in files]
    assert s["files_total"] == len(files) == s["files_valid"] + s["files_rejected"] + s["files_skipped"]
    assert s["files_valid"] == sum(d["valid"] for d in files)
    assert s["files_rejected"] == status.count("invalid") + status.count("not_a_form") and s["files_skipped"] == status.count("skipped")
    forms = [d for d in files if d["status"] != "skipped" and d["cell_code"] and d["period"]]
    valid_cells = {(d["cell_code"], d["period"]) for d in forms if d["valid"]}
    assert s["cells"] == len({(d["cell_code"], d["period"]) for d in forms})
    assert s["duplicates"] == s["files_valid"] - len(valid_cells) >= 1
    assert s["cells_meeting_standard"] == len({(d["cell_code"], d["period"]) for d in forms if d["status"] == "meets"})
    assert _below(s) == len({(d["cell_code"], d["period"]) for d in forms if d["status"] == "below"})
    assert s["cells_incomplete"] == len({(d["cell_code"], d["period"]) for d in forms if d["status"] == "incomplete"})
    on_roster = set(read_roster(roster)["cell_code"])
    assert s["cells_missing"] == len(on_roster) - len({c for c, _ in valid_cells if c in on_roster}) > 0
    for key in ("cells", "cells_meeting_standard", "cells_incomplete", "cells_missing"):
        assert sum(g[key] for g in s["by_upper_committee"].values()) == s[key], key


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


@pytest.mark.slow
def test_readme_documents_every_exit_code_and_summary_field(demo_like, tmp_path):
    codes = set(re.findall(r"^\| `(\d+)` \|", _section("Exit codes"), flags=re.M))
    from fourgood.consolidate_cmd import EXIT_NO_PDF

    assert codes == {"0", "1", "2", "3", str(EXIT_NO_PDF), "130", "141"}
    inbox, roster = demo_like
    js = tmp_path / "s.json"
    assert main(["consolidate", str(inbox), "-o", str(tmp_path / "t.xlsx"), "--summary-json", str(js)]) == 0
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", _section("Summary JSON"), flags=re.M))
    fields = {"cells_below_threshold" if k == "cells_below_95" else k for k in _summary(js)}
    assert fields <= documented
    assert {"files_total", "files_valid", "files_rejected", "files_skipped", "cells", "cells_meeting_standard",
            "cells_below_threshold", "cells_incomplete", "cells_missing", "duplicates"} <= documented


# ----------------------------------------------------------------------------- 8: usage errors, the last resort


@pytest.mark.parametrize("argv, prog", [
    (["validate"], "fourgood validate"),
    (["consolidate", "x"], "fourgood consolidate"),
    (["validate", "x", "--jobs", "many"], "fourgood validate"),
    (["frobnicate"], "fourgood"),
])
def test_a_usage_error_is_one_readable_line(argv, prog, capsys):
    assert main(argv) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{prog}: lỗi cú pháp lệnh: ") and f"{prog} --help" in lines[0]


def test_an_unexpected_error_is_one_line_and_the_traceback_goes_to_the_log(mixed, monkeypatch, tmp_path, capsys):
    import fourgood.validate_cmd

    def boom(*args, **kwargs):
        raise RuntimeError("hỏng")

    monkeypatch.setattr(fourgood.validate_cmd, "run_validate", boom)
    assert main(["validate", str(mixed)]) == 3
    err = capsys.readouterr().err.strip()
    log = tmp_path / "home" / "fourgood.log"
    assert err == f"Lỗi không mong muốn: hỏng. Chi tiết: {log}"
    assert "RuntimeError: hỏng" in log.read_text(encoding="utf-8")


def test_an_interrupt_exits_130_quietly(mixed, monkeypatch, capsys):
    import fourgood.validate_cmd

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(fourgood.validate_cmd, "run_validate", interrupted)
    assert main(["validate", str(mixed)]) == 130
    assert "Traceback" not in capsys.readouterr().err


# ----------------------------------------------------------------------------- 9: issue 17 §6, its own outputs


def _inbox_copy(demo_like, tmp_path: Path) -> tuple[Path, Path]:
    inbox, roster = demo_like
    copy = tmp_path / "phieu-nop"
    shutil.copytree(inbox, copy)
    return copy, roster


def _a_counted_form(inbox: Path, capsys) -> tuple[Path, str]:
    """A valid form that is the only one of its cell: deleting it leaves the cell without a form."""
    capsys.readouterr()
    main(["validate", "--json", str(inbox)])
    files = json.loads(capsys.readouterr().out)
    codes = [d["cell_code"] for d in files if d["cell_code"]]
    form = next(d for d in files if d["valid"] and d["status"] in ("meets", "below") and codes.count(d["cell_code"]) == 1)
    return Path(form["file"]), form["cell_code"]


def _log_sheet(workbook: Path) -> dict[str, list]:
    """The workbook's log sheet (“Nhật ký”): file name -> its row."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name("Nhật ký").to_python()
    return {str(r[0]): r for r in rows if r and r[0]}


def _missing_codes(workbook: Path) -> set[str]:
    """The cell codes of the sheet “Chưa nộp” (cells with no valid form)."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name("Chưa nộp").to_python()
    head = next(r for r in rows if "Mã chi bộ" in r)
    at = head.index("Mã chi bộ")
    return {str(r[at]) for r in rows[rows.index(head) + 1:] if len(r) > at and r[at]}


def test_the_outputs_saved_inside_the_folder_are_never_inputs_of_the_next_run(demo_like, tmp_path, capsys):
    inbox, roster = _inbox_copy(demo_like, tmp_path)
    out, js = inbox / "tong-hop.xlsx", inbox / "tong-hop.json"
    args = ["consolidate", str(inbox), "-o", str(out), "--roster", str(roster), "--summary-json", str(js)]
    assert main(args) == 0
    first = _summary(js)
    shutil.copy(out, tmp_path / "tong-hop-lan-1.xlsx")
    (inbox / "tong-hop.pdf").write_bytes(b"%PDF-1.4\n")  # as an earlier run with --pdf left it
    (inbox / "lan-truoc.fourgood.sqlite").write_bytes(b"SQLite format 3\x00")  # another run's history store
    form, code = _a_counted_form(inbox, capsys)
    form.unlink()
    assert main(args) == 0
    s = _summary(js)
    assert s["cells"] == first["cells"] - 1 and s["cells_missing"] == first["cells_missing"] + 1
    # the workbook, its PDF, the summary and the history store are listed as skipped, counted nowhere
    own = ["tong-hop.xlsx", "tong-hop.pdf", "tong-hop.json", "tong-hop.fourgood.sqlite", "lan-truoc.fourgood.sqlite"]
    assert s["files_skipped"] == first["files_skipped"] + len(own) - 1  # the first run found its new store only
    assert s["files_total"] == s["files_valid"] + s["files_rejected"] + s["files_skipped"]
    assert s["files_rejected"] == first["files_rejected"]  # the store is no longer a rejected file
    log = _log_sheet(out)
    for name in own:
        assert "Bỏ qua" in log[name], log[name]
    assert _missing_codes(out) == _missing_codes(tmp_path / "tong-hop-lan-1.xlsx") | {code}


def test_a_copy_of_its_own_workbook_is_not_rolled_up_into_itself(demo_like, tmp_path, capsys):
    inbox, roster = _inbox_copy(demo_like, tmp_path)
    first_out = tmp_path / "tong-hop-thang-11.xlsx"
    assert main(["consolidate", str(inbox), "-o", str(first_out), "--roster", str(roster)]) == 0
    copy = inbox / "tong-hop cu.xlsx"
    shutil.copy(first_out, copy)  # last run's result saved among the forms, under another name
    form, code = _a_counted_form(inbox, capsys)
    form.unlink()
    js = tmp_path / "s.json"
    assert main(["consolidate", str(inbox), "-o", str(tmp_path / "lan-2.xlsx"), "--roster", str(roster),
                 "--summary-json", str(js)]) == 0
    err = capsys.readouterr().err
    assert f"Cảnh báo: {copy}: Bỏ qua: bảng tổng hợp này báo cáo đúng tổ chức đang được tổng hợp" in err
    assert "2026-11" in err
    assert code in _missing_codes(tmp_path / "lan-2.xlsx") and code not in _missing_codes(first_out)
    assert "Bỏ qua" in _log_sheet(tmp_path / "lan-2.xlsx")[copy.name]


@pytest.mark.parametrize("what", ["folder", "form", "consolidated", "pdf"])
def test_a_roster_that_is_not_a_roster_is_refused_saying_what_it_is(what, demo_like, tmp_path, capsys):
    inbox, roster = demo_like
    if what == "consolidated":
        given = tmp_path / "tong-hop.xlsx"
        assert main(["consolidate", str(inbox), "-o", str(given), "--roster", str(roster)]) == 0
    else:
        given = {"folder": inbox, "form": _a_counted_form(inbox, capsys)[0], "pdf": next(inbox.rglob("*.pdf"))}[what]
    capsys.readouterr()
    out = tmp_path / "ket-qua.xlsx"
    assert main(["consolidate", str(inbox), "-o", str(out), "--roster", str(given)]) == 2
    err = capsys.readouterr().err.strip()
    said = {"folder": "Đây là một thư mục, không phải tệp danh sách chi bộ",
            "form": "Đây là một phiếu chấm điểm, không phải danh sách chi bộ",
            "consolidated": "Đây là một bảng tổng hợp, không phải danh sách chi bộ",
            "pdf": "Tệp này không phải bảng tính (PDF) nên không phải danh sách chi bộ"}[what]
    assert err.startswith(f"{given}: {said}") and "danh-sach-chi-bo.xlsx" in err, err
    assert "Cannot detect" not in err and "không phải phiếu chấm điểm" not in err and not out.exists()
    assert main(["consolidate", str(inbox), "-o", str(out), "--roster", str(given), "--lang", "en"]) == 2
    english = {"folder": "This is a folder, not a roster", "form": "This is a scoring form, not a roster",
               "consolidated": "This is a consolidated workbook, not a roster",
               "pdf": "This file is not a spreadsheet (PDF), so not a roster"}[what]
    assert english in capsys.readouterr().err


@pytest.mark.parametrize("where", ["folder", "file"])
def test_an_output_that_cannot_be_written_is_refused_before_anything_is_read(where, mixed, tmp_path, monkeypatch,
                                                                            capsys):
    import fourgood.consolidate_cmd

    def never(*args, **kwargs):
        raise AssertionError("the inputs were read before the output was checked")

    monkeypatch.setattr(fourgood.consolidate_cmd, "consolidate_paths", never)
    folder = tmp_path / "chi-doc"
    folder.mkdir()
    out = folder / "tong-hop.xlsx"
    if where == "file":
        out.write_bytes(b"")
        out.chmod(0o444)
    else:
        folder.chmod(0o555)
    try:
        assert main(["consolidate", str(mixed), "-o", str(out)]) == 2
        err = capsys.readouterr().err.strip()
    finally:
        folder.chmod(0o755)
        out.chmod(0o644) if out.exists() else None
    said = ("tệp này chỉ cho đọc" if where == "file" else f"không có quyền ghi vào thư mục “{folder}”")
    assert err == f"{out}: Không ghi được bảng tổng hợp (-o): {said}." + err.split(said + ".", 1)[1], err
    assert "Errno" not in err and ".tmp" not in err


def test_a_refused_period_says_what_the_option_accepts(mixed, tmp_path, capsys):
    out = tmp_path / "x.xlsx"
    assert main(["consolidate", str(mixed), "-o", str(out), "--period", "13/2026"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("Kỳ tổng hợp (--period) “13/2026” không hợp lệ; cần một trong các dạng: 2026 (một năm), 2026-11, "
                   "11/2026 hoặc T11/2026 (một tháng).")
    assert "Cả năm" not in err and not out.exists()
    assert main(["consolidate", str(mixed), "-o", str(out), "--period", "Cả năm", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "use one of: 2026 (a year), 2026-11, 11/2026 or T11/2026 (a month)" in err and "Tháng" not in err


def test_piped_output_never_breaks_a_line_inside_a_message(mixed, tmp_path):
    deep = tmp_path / ("mot-thu-muc-co-ten-rat-dai-de-dong-vuot-qua-tam-muoi-cot" * 2)
    shutil.copytree(mixed, deep)
    env = {**os.environ, "FOURGOOD_HOME": str(tmp_path / "home"), "COLUMNS": "80"}

    def piped(*args: str) -> list[str]:
        proc = subprocess.run([sys.executable, "-m", "fourgood", *args], capture_output=True, env=env, timeout=300)
        return proc.stdout.decode("utf-8").splitlines()

    lines = piped("consolidate", str(deep), "-o", str(tmp_path / "tong-hop.xlsx"))
    store = [line for line in lines if line.startswith("Kho lịch sử")]
    assert len(store) == 1 and store[0].endswith("tệp được đọc.") and len(store[0]) > 80, lines
    assert any(line == f"Đã ghi: {tmp_path / 'tong-hop.xlsx'}" for line in lines)
    lines = piped("validate", str(deep))
    lock = [line for line in lines if "(skipped_lock_file)" in line]
    assert len(lock) == 1 and lock[0].startswith(f"! Cảnh báo {deep}") and "Bỏ qua: tệp khóa tạm" in lock[0]
    assert len([line for line in lines if line.startswith("│ ")]) == 8, lines  # one line per file, none wrapped
    assert lines[-1].startswith("8 tệp: ") and lines[-1].endswith("bỏ qua.")


def test_history_stores_and_their_sqlite_files_are_skipped_never_rejected(mixed, tmp_path, capsys):
    folder = tmp_path / "phieu"
    shutil.copytree(mixed, folder)
    names = ["tong-hop.fourgood.sqlite", "tong-hop.fourgood.sqlite-journal", "cu.fourgood.sqlite-wal"]
    for name in names:
        (folder / name).write_bytes(b"SQLite format 3\x00")
    main(["validate", "--json", str(folder)])
    found = {Path(d["file"]).name: d for d in json.loads(capsys.readouterr().out)}
    for name in names:
        assert found[name]["status"] == "skipped", found[name]
        assert [e["code"] for e in found[name]["errors"]] == ["skipped_history_store"]
        assert found[name]["errors"][0]["message"] == f"Bỏ qua: kho lịch sử tổng hợp của fourgood ({name}), không phải phiếu."
