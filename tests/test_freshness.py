"""A re-run with nothing new (README, "History store"): the workbook already written is left as it
is and its figures shown again; anything it depends on makes the next run write it again."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import fourgood.consolidate_cmd as consolidate_cmd
from fourgood.cli import main
from fourgood.consolidate_cmd import run_consolidate
from fourgood.demo import build_demo
from fourgood.spec import load_specs
from fourgood.store import Store, beside

pytestmark = pytest.mark.slow  # whole consolidations of the demo

RUN_AT = dt.datetime(2026, 11, 30, 9, 0)
SPECS = Path(__file__).resolve().parents[1] / "workbook_templates" / "specs"


@pytest.fixture(scope="module")
def demo_inbox(tmp_path_factory) -> tuple[Path, Path]:
    inbox, roster, _ = build_demo(tmp_path_factory.mktemp("demo"), seed=5)
    return inbox, roster


@pytest.fixture
def board(demo_inbox, tmp_path) -> tuple[Path, Path]:
    inbox, roster = tmp_path / "phieu", tmp_path / "danh-sach.xlsx"
    shutil.copytree(demo_inbox[0], inbox)
    shutil.copy(demo_inbox[1], roster)
    return inbox, roster


@pytest.fixture
def writes(monkeypatch) -> list[str]:
    """The workbooks this process writes (the writer's calls)."""
    seen: list[str] = []
    real = consolidate_cmd.write_consolidated

    def counting(c, out, *args, **kwargs):
        seen.append(str(out))
        return real(c, out, *args, **kwargs)

    monkeypatch.setattr(consolidate_cmd, "write_consolidated", counting)
    return seen


def _forms(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.xlsx") if not p.name.startswith("~$"))


def _run(board: tuple[Path, Path], out: Path, **options) -> tuple[int, object]:
    inbox, roster = board
    paths = options.pop("paths", [str(inbox)])
    kwargs = {"roster": str(roster), "period": "2026-11", "quiet": True, "run_at": RUN_AT,
              "store": str(beside(out)), **options}
    return run_consolidate(paths, str(out), **kwargs)


def test_a_rerun_with_nothing_new_leaves_the_workbook_as_written_and_shows_its_figures(board, tmp_path, writes,
                                                                                       capsys):
    inbox, roster = board
    out, summary = tmp_path / "tong-hop.xlsx", tmp_path / "tom-tat.json"
    args = ["consolidate", str(inbox), "-o", str(out), "--roster", str(roster), "--period", "2026-11",
            "--summary-json", str(summary)]
    assert main(args) == 0
    first = capsys.readouterr().out
    written, stat, figures = out.read_bytes(), out.stat(), summary.read_text(encoding="utf-8")
    summary.unlink()

    assert main(args) == 0
    again = capsys.readouterr().out
    assert len(writes) == 1  # the second run wrote nothing
    assert out.read_bytes() == written and out.stat().st_mtime_ns == stat.st_mtime_ns
    assert summary.read_text(encoding="utf-8") == figures  # the summary asked for is written all the same
    assert "Không có gì mới so với lần tổng hợp lúc" in again and "--rewrite" in again
    assert f"Bảng tổng hợp: {out}" in again
    table = [line for line in first.splitlines() if line.startswith("│")]
    assert table and table == [line for line in again.splitlines() if line.startswith("│")]  # the same figures
    assert f"{len(_forms(inbox)) + 2} tệp đã có sẵn, 0 tệp được đọc" in again  # + the note and the lock file

    assert main([*args, "--rewrite", "--lang", "en"]) == 0  # asked to, it writes; another language writes too
    assert len(writes) == 2
    assert main([*args, "--lang", "en"]) == 0
    assert "Nothing new since the consolidation at" in capsys.readouterr().out
    assert len(writes) == 2


def _add_a_form(board, out):
    inbox, _ = board
    form = _forms(inbox)[0]
    shutil.copy(form, inbox / ("moi-" + form.name))


def _change_a_form(board, out):
    inbox, _ = board
    a, b = _forms(inbox)[:2]
    shutil.copy(b, a)  # another form's content under the first one's name


def _edit_the_workbook(board, out):
    book = openpyxl.load_workbook(out)
    book.worksheets[0]["A1"] = "sửa tay"
    book.save(out)


def _grow_the_lock_file(board, out):
    inbox, _ = board
    lock = next(inbox.rglob("~$*"))
    lock.write_bytes(lock.read_bytes() + b"\0" * 1000)  # its size is in the log sheet


def _change_the_roster(board, out):
    _, roster = board
    book = openpyxl.load_workbook(roster)
    ws = book.worksheets[0]
    ws.cell(ws.max_row, 2).value = "Chi bộ đổi tên"
    book.save(roster)


CHANGES = {
    "a new form": (_add_a_form, {}),
    "a form's content": (_change_a_form, {}),
    "the workbook edited by hand": (_edit_the_workbook, {}),
    "the roster": (_change_the_roster, {}),
    "the weakest criteria shown": (None, {"weakest": 5}),
    "the issuer": (None, {"issuer": "Đảng ủy xã Cẩm Bình"}),
    "another day": (None, {"run_at": RUN_AT + dt.timedelta(days=1)}),
    "the language": (None, {"lang": "en"}),
    "another criteria table": (None, {"criteria": "CHANGED"}),
    "the year's rules of a table": (None, {"criteria": "YEAR_RULES"}),
    "the folder written otherwise": (None, {"paths": "SLASH"}),
    "the roster, same content under another name": (None, {"roster": "COPY"}),
    "the period written otherwise": (None, {"period": "11/2026"}),
    "the place": (None, {"place": "Hà Tĩnh"}),
    "the signer": (None, {"signer": "T/M BAN THƯỜNG VỤ"}),
    "a lock file's size": (_grow_the_lock_file, {}),
}


@pytest.mark.parametrize("change", CHANGES)
def test_anything_the_workbook_depends_on_makes_the_next_run_write_it_again(board, tmp_path, writes, change):
    out = tmp_path / "tong-hop.xlsx"
    alter, options = CHANGES[change]
    base: dict = {}
    if options.get("criteria"):  # a copy of the bundled tables (earlier versions too), then one of them changed
        folder = tmp_path / "bang"
        shutil.copytree(SPECS, folder)
        table = folder / "co-quan.yaml"
        edit = ('version: "2026.3"' if options["criteria"] == "CHANGED"  # the agency's table under a new version
                else 'version: "2026.2"\noutstanding_score: 98')  # the year's rules only: in no fingerprint

        def alter(board, out):
            table.write_text(table.read_text(encoding="utf-8").replace('version: "2026.2"', edit, 1), encoding="utf-8")

        base = options = {"criteria": str(folder)}
    if options.get("roster") == "COPY":  # the same bytes, another file: _meta records the roster's name
        copy = tmp_path / "danh-sach-ban-sao.xlsx"
        shutil.copy(board[1], copy)
        options = {"roster": str(copy)}
    if options.get("paths") == "SLASH":  # the same folder, typed with a trailing slash: _meta records it as typed
        options = {"paths": [str(board[0]) + "/"]}
    assert _run(board, out, **base)[0] == 0
    assert _run(board, out, **base)[1] is None and len(writes) == 1  # nothing new: left as it is
    if alter:
        alter(board, out)
    code, c = _run(board, out, **options)
    assert code == 0 and c is not None and len(writes) == 2, change
    _run(board, out, **options)
    assert len(writes) == 2, f"{change}: the run after it had nothing new"


def test_files_gone_are_reported_once_and_the_workbook_that_said_so_is_not_reused_after(board, tmp_path, writes):
    inbox, _ = board
    out = tmp_path / "tong-hop.xlsx"
    _run(board, out)
    _forms(inbox)[-1].unlink()
    _, gone = _run(board, out)
    assert gone is not None and gone.summary["files_disappeared"] == 1
    _, after = _run(board, out)  # its workbook says a file is gone since the run before: not the answer now
    assert after is not None and after.summary["files_disappeared"] == 0
    assert _run(board, out)[1] is None and len(writes) == 3


def test_last_months_results_changed_in_the_store_make_this_months_workbook_written_again(board, tmp_path, writes):
    out = tmp_path / "tong-hop.xlsx"
    _run(board, out)
    assert _run(board, out)[1] is None
    store = Store(beside(out), load_specs())  # another run, for October, changed what the report compares with
    store.cells.remember(pd.DataFrame([{"cell_code": "BV-01", "period": "2026-10", "status": "meets",
                                        "final_total": 97.0}]))
    store.close()
    assert _run(board, out)[1] is not None and len(writes) == 2


def test_without_a_store_every_run_writes(board, tmp_path, writes):
    out = tmp_path / "tong-hop.xlsx"
    _run(board, out, store=None)
    _run(board, out, store=None)
    assert len(writes) == 2 and not beside(out).exists()


def test_a_rerun_with_nothing_new_says_again_what_the_run_that_wrote_it_warned(board, tmp_path, writes, capsys):
    """The board's own earlier workbook among the inputs is left out with a warning on stderr; the
    re-run that leaves the workbook as it is says it again (the board reads the terminal, not only
    the log sheet)."""
    inbox, _ = board
    out = tmp_path / "tong-hop.xlsx"
    _run(board, out)
    shutil.copy(out, inbox / "tong-hop-thang-truoc.xlsx")
    capsys.readouterr()
    _run(board, out)
    warned = [line for line in capsys.readouterr().err.splitlines() if "tong-hop-thang-truoc.xlsx" in line]
    assert warned and len(writes) == 2
    assert _run(board, out)[1] is None and len(writes) == 2
    assert [line for line in capsys.readouterr().err.splitlines() if "tong-hop-thang-truoc.xlsx" in line] == warned


def test_a_file_our_own_failure_left_unjudged_makes_the_next_run_judge_it_and_write(board, tmp_path, writes,
                                                                                   monkeypatch):
    """A failure of ours while reading one form is logged and that form is not stored: the next run
    must judge it again and write the workbook, not say that nothing is new."""
    import fourgood.validators.reader as reader

    inbox, _ = board
    victim = _forms(inbox)[0]
    real = reader.read_view

    def failing(view, f, out, index):
        if Path(f).name == victim.name:
            raise MemoryError("simulated")
        return real(view, f, out, index)

    out = tmp_path / "tong-hop.xlsx"
    monkeypatch.setattr(reader, "read_view", failing)
    _, first = _run(board, out)
    assert [p.code for p in first.problems if p.file == str(victim)] == ["internal_error"]
    monkeypatch.setattr(reader, "read_view", real)
    _, again = _run(board, out)
    assert again is not None and len(writes) == 2
    assert not [p for p in again.problems if p.code == "internal_error"]


def test_the_roster_is_the_one_the_run_read_even_when_it_changes_while_the_run_goes_on(board, tmp_path, writes,
                                                                                      monkeypatch):
    out = tmp_path / "tong-hop.xlsx"
    real = consolidate_cmd.write_consolidated

    def renaming_meanwhile(c, path, *args, **kwargs):  # the roster was read at the start; a board member edits it
        _change_the_roster(board, out)
        return real(c, path, *args, **kwargs)

    monkeypatch.setattr(consolidate_cmd, "write_consolidated", renaming_meanwhile)
    _run(board, out)
    monkeypatch.undo()
    _, again = _run(board, out)
    assert again is not None, "the edited roster was never read: the workbook must be written again"


def test_a_record_the_store_cannot_use_is_a_full_run_never_a_traceback(board, tmp_path, writes):
    import sqlite3

    out = tmp_path / "tong-hop.xlsx"
    _run(board, out)
    for summary, when in (('{"files": 3}', "2026-11-30T09:00:00"), ('{"summary": {}, "notices": "x"}', "2026-11-30"),
                          ('{"summary": {}}', "hôm qua"), ("[", "2026-11-30")):
        with sqlite3.connect(beside(out)) as con:
            con.execute("UPDATE written SET summary = ?, written_at = ?", (summary, when))
        before = len(writes)
        assert _run(board, out)[1] is not None and len(writes) == before + 1, summary


def test_nothing_to_consolidate_leaves_no_store_behind(tmp_path, capsys):
    out = tmp_path / "moi" / "tong-hop.xlsx"
    assert main(["consolidate", str(tmp_path / "khong-co"), "-o", str(out)]) == 2
    assert "khong-co" in capsys.readouterr().err
    assert not beside(out).exists() and not out.parent.exists()


def test_a_file_name_that_is_not_utf8_is_consolidated_with_the_store_and_rerun(board, tmp_path, writes):
    """A name in a Windows code page, unzipped on Linux, reaches Python with surrogate escapes,
    which SQLite refuses: the store keeps such a path escaped, and both runs go through."""
    import os

    inbox, _ = board
    odd = os.fsencode(str(inbox)) + b"/Chi b\xf4 moi.xlsx"
    shutil.copy(_forms(inbox)[0], odd)
    out = tmp_path / "tong-hop.xlsx"
    _, first = _run(board, out)
    name = os.fsdecode(odd)
    assert first.files.set_index("file").loc[name, "category"] == "valid"
    assert _run(board, out)[1] is None and len(writes) == 1
    os.remove(odd)
    _, gone = _run(board, out)
    assert gone.summary["files_disappeared"] == 1
