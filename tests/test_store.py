"""The history store (README, "History store"): a run with it is the same computation as one
without, reading only the files whose content it has not seen."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

import fourgood.pipeline as pipeline
import fourgood.store as store_module
import fourgood.store_tables as tables
from fourgood.cli import main
from fourgood.consolidate_cmd import run_consolidate
from fourgood.demo import build_demo
from fourgood.store import beside

RUN_AT = dt.datetime(2026, 11, 30, 9, 0)


@pytest.fixture(scope="module")
def demo_inbox(tmp_path_factory) -> tuple[Path, Path]:
    inbox, roster, _ = build_demo(tmp_path_factory.mktemp("demo"), seed=5)
    return inbox, roster


@pytest.fixture
def inbox(demo_inbox, tmp_path) -> Path:
    """The demo's inbox (valid, invalid, duplicate, lock and non-spreadsheet files) plus a byte copy of a form."""
    folder = tmp_path / "inbox"
    shutil.copytree(demo_inbox[0], folder)
    form = _forms(folder)[0]
    shutil.copy(form, form.with_name("ban-sao-" + form.name))
    (folder / "ghi-chu-2.txt").write_text("không phải phiếu", encoding="utf-8")
    return folder


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """Every path `read_file` parses in this process (consolidate runs with --jobs 1)."""
    seen: list[str] = []
    real = pipeline.read_file

    def counting(path, index):
        seen.append(Path(path).name)
        return real(path, index)

    monkeypatch.setattr(pipeline, "read_file", counting)
    return seen


def _forms(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.xlsx") if not p.name.startswith("~$"))


def _run(inbox: Path, out: Path, roster: Path, store: Path | None) -> tuple[dict, dict]:
    code, c = run_consolidate([str(inbox)], str(out), roster=str(roster), summary_json=str(out.with_suffix(".json")),
                              quiet=True, run_at=RUN_AT, store=str(store) if store else None)
    assert code == 0
    summary = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    return summary, _sheets(out)


def _sheets(path: Path) -> dict:
    book = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets}


def _same_as_without_store(inbox, roster, tmp_path, summary, sheets, name) -> None:
    plain_summary, plain_sheets = _run(inbox, tmp_path / name / "t.xlsx", roster, None)
    assert "files_disappeared" not in plain_summary  # only with a store
    assert {k: v for k, v in summary.items() if k != "files_disappeared"} == plain_summary
    assert sheets.keys() == plain_sheets.keys()
    for title in sheets:
        assert sheets[title] == plain_sheets[title], title


@pytest.mark.slow
def test_a_run_with_the_store_equals_one_without_and_rereads_only_files_it_has_not_seen(inbox, demo_inbox, tmp_path, reads):
    roster = demo_inbox[1]
    store = tmp_path / "kho.sqlite"
    summary, sheets = _run(inbox, tmp_path / "a" / "t.xlsx", roster, store)
    candidates = [p for p in inbox.rglob("*") if p.is_file() and not p.name.startswith("~$")]
    assert len(reads) == len(candidates)  # an empty store: everything read
    assert summary["files_disappeared"] == 0 and summary["duplicates"] >= 1 and summary["files_rejected"] >= 2
    reads.clear()
    _same_as_without_store(inbox, roster, tmp_path, summary, sheets, "plain1")
    reads.clear()

    # The same folder again: nothing is parsed, the results are the same.
    again, again_sheets = _run(inbox, tmp_path / "b" / "t.xlsx", roster, store)
    assert reads == []
    assert again == summary and again_sheets == sheets

    # New files (one new content, one byte copy of a stored form), one changed, one deleted.
    forms = _forms(inbox)
    changed, deleted, copied = forms[1], forms[2], forms[3]
    before = changed.read_bytes()
    book = openpyxl.load_workbook(changed)
    book.save(changed)
    assert changed.read_bytes() != before
    deleted.unlink()
    (inbox / "moi.txt").write_text("một tệp mới, không phải phiếu", encoding="utf-8")
    shutil.copy(copied, inbox / ("moi-" + copied.name))
    summary, sheets = _run(inbox, tmp_path / "c" / "t.xlsx", roster, store)
    # A path the store has not seen is read once by the reader, which hashes it: nothing is hashed
    # before (a byte copy of a stored form is read again, as cheap as a new form, and counts once).
    assert sorted(reads) == sorted([changed.name, "moi.txt", "moi-" + copied.name])
    assert summary["files_disappeared"] == 1
    reads.clear()
    _same_as_without_store(inbox, roster, tmp_path, summary, sheets, "plain2")

    # Reported once: the next run's last run no longer had the deleted file.
    assert _run(inbox, tmp_path / "d" / "t.xlsx", roster, store)[0]["files_disappeared"] == 0


@pytest.mark.slow
def test_a_damaged_store_is_reported_and_rebuilt(inbox, demo_inbox, tmp_path, reads, capsys):
    roster = demo_inbox[1]
    store = tmp_path / "kho.sqlite"
    store.write_bytes(b"not a database at all" * 100)
    summary, sheets = _run(inbox, tmp_path / "a" / "t.xlsx", roster, store)
    assert "kho lịch sử" in capsys.readouterr().err
    _same_as_without_store(inbox, roster, tmp_path, summary, sheets, "plain")
    reads.clear()
    assert _run(inbox, tmp_path / "b" / "t.xlsx", roster, store) == (summary, sheets)
    assert reads == []  # rebuilt: the second run finds everything

    # A store cut short (a copy interrupted on a shared drive) is damaged too, never a crash.
    data = store.read_bytes()
    store.write_bytes(data[: len(data) // 3])
    reads.clear()
    assert _run(inbox, tmp_path / "c" / "t.xlsx", roster, store) == (summary, sheets)
    assert "kho lịch sử" in capsys.readouterr().err


@pytest.mark.slow
def test_a_new_fourgood_or_another_criteria_table_reads_everything_again(inbox, demo_inbox, tmp_path, reads,
                                                                          monkeypatch):
    roster = demo_inbox[1]
    store = tmp_path / "kho.sqlite"
    first = _run(inbox, tmp_path / "a" / "t.xlsx", roster, store)
    n = len(reads)
    reads.clear()
    monkeypatch.setattr(store_module, "__version__", "99.0.0")
    assert _run(inbox, tmp_path / "b" / "t.xlsx", roster, store) == first
    assert len(reads) == n
    reads.clear()
    monkeypatch.setattr(store_module, "specs_key", lambda specs: "another table")
    _run(inbox, tmp_path / "c" / "t.xlsx", roster, store)
    assert len(reads) == n


def test_a_stored_record_is_json_and_a_malformed_one_is_a_cache_miss():
    from fourgood.problems import Problem
    from fourgood.records import FORM_STORED

    problem = Problem("score_invalid", "", "Chấm điểm", "E7", "1.1", value=(1, "x"),
                      params={"when": dt.date(2026, 11, 3)})
    form = [None] * len(FORM_STORED)
    text = tables.dumps({"form": form, "contents": {"final:I": 18.5}, "problems": [tables.encode_problem(problem)],
                         "rolled": None})
    assert json.loads(text)["contents"] == {"final:I": 18.5}  # plain JSON text, never a pickle
    back, contents, problems, rolled = tables._record(text)
    assert back == form and contents == {"final:I": 18.5} and rolled is None
    assert Problem(**problems[0], file="") == problem  # tuples and dates come back as they were
    for bad in ['{"form": [1, 2], "contents": {}, "problems": [], "rolled": null}',  # not one value per column
                json.dumps({"form": form, "contents": {}, "problems": [{"code": "x"}], "rolled": None}),
                "[1, 2, 3]", "not json", b"\x80\x04cfourgood.__main__\nX\n."]:  # a pickle, as schema 3 kept
        with pytest.raises((ValueError, TypeError, KeyError)):
            tables._record(bad)  # type: ignore[arg-type]


@pytest.mark.slow
def test_the_cli_keeps_the_store_beside_the_workbook_unless_told_otherwise(inbox, tmp_path, capsys):
    out = tmp_path / "o" / "tong-hop.xlsx"
    js = tmp_path / "s.json"
    assert main(["consolidate", str(inbox), "-o", str(out), "--summary-json", str(js), "--no-progress"]) == 0
    assert beside(out) == out.with_name("tong-hop.fourgood.sqlite") and beside(out).exists()
    assert "Kho lịch sử" in capsys.readouterr().out
    assert json.loads(js.read_text(encoding="utf-8"))["files_disappeared"] == 0
    other = tmp_path / "khac.sqlite"
    out2 = tmp_path / "p" / "t.xlsx"
    assert main(["consolidate", str(inbox), "-o", str(out2), "--store", str(other), "--no-progress"]) == 0
    assert other.exists() and not beside(out2).exists()
    out3 = tmp_path / "q" / "t.xlsx"
    assert main(["consolidate", str(inbox), "-o", str(out3), "--no-store", "--no-progress", "--lang", "en"]) == 0
    assert not beside(out3).exists() and "History store" not in capsys.readouterr().out
    next(p for p in _forms(inbox)).unlink()
    assert main(["consolidate", str(inbox), "-o", str(out), "--summary-json", str(js), "--no-progress",
                 "--lang", "en"]) == 0
    assert json.loads(js.read_text(encoding="utf-8"))["files_disappeared"] == 1
    assert "1 file(s) of the last consolidation are gone" in capsys.readouterr().err


@pytest.mark.slow
def test_a_tampered_row_in_the_store_is_read_again_and_never_run(inbox, demo_inbox, tmp_path, reads, capsys):
    import pickle
    import sqlite3

    class Boom:
        def __reduce__(self):
            return (print, ("pwned",))

    roster = demo_inbox[1]
    store = tmp_path / "kho.sqlite"
    first = _run(inbox, tmp_path / "a" / "t.xlsx", roster, store)
    n = len(reads)
    payloads = [pickle.dumps(("", Boom())),  # what an older store held: never unpickled now
                b"\x80\x04cfourgood.__main__\nX\n.",  # importing it would run the command line
                '{"form": [1, 2, 3], "contents": {}, "problems": [], "rolled": null}',  # wrong shape
                '{"form": null}',  # no value for any column
                "{not json"]
    with sqlite3.connect(store) as con:
        victims = [s for (s,) in con.execute(f"SELECT sha256 FROM forms LIMIT {len(payloads)}")]
        con.executemany("UPDATE forms SET record = ? WHERE sha256 = ?", list(zip(payloads, victims)))
    reads.clear()
    assert _run(inbox, tmp_path / "b" / "t.xlsx", roster, store) == first
    assert "pwned" not in capsys.readouterr().out
    assert len(payloads) <= len(reads) < n  # those contents (and their byte copies) only


@pytest.mark.slow
def test_each_file_is_read_and_hashed_once_and_unchanged_files_not_at_all(inbox, demo_inbox, tmp_path, monkeypatch):
    import hashlib

    import fourgood.validators.reader as reader

    roster = demo_inbox[1]
    store = tmp_path / "kho.sqlite"
    candidates = [p for p in inbox.rglob("*") if p.is_file() and not p.name.startswith("~$")]
    files = {p.read_bytes() for p in candidates}
    hashed: list[int] = []
    real = hashlib.sha256

    def counting(data=b"", **kw):
        if data in files:  # a file's content (other hashes, of keys and names, are not counted)
            hashed.append(len(data))
        return real(data, **kw)

    monkeypatch.setattr(reader.hashlib, "sha256", counting)
    monkeypatch.setattr(hashlib, "file_digest", lambda *a, **k: pytest.fail("a second hashing of a file"))
    first = _run(inbox, tmp_path / "a" / "t.xlsx", roster, store)
    assert len(hashed) == len(candidates)  # the reader's hash, once per file, none before it
    hashed.clear()
    assert _run(inbox, tmp_path / "b" / "t.xlsx", roster, store) == first
    assert hashed == []
    form = _forms(inbox)[0]
    book = openpyxl.load_workbook(form)
    book.save(form)  # new content: new size or times
    files.add(form.read_bytes())
    _run(inbox, tmp_path / "c" / "t.xlsx", roster, store)
    assert hashed == [form.stat().st_size]


@pytest.mark.slow
def test_a_store_of_an_older_layout_is_replaced_without_a_warning(inbox, demo_inbox, tmp_path, reads, capsys):
    import sqlite3

    roster = demo_inbox[1]
    store = tmp_path / "kho.sqlite"
    with sqlite3.connect(store) as con:  # what fourgood's first store looked like
        con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        con.execute("INSERT INTO meta VALUES ('schema', '1')")
        con.execute("CREATE TABLE reads (sha256 TEXT, specs TEXT, version TEXT, fingerprint TEXT, kind TEXT, "
                    "size INTEGER, payload BLOB)")
    summary, sheets = _run(inbox, tmp_path / "a" / "t.xlsx", roster, store)
    assert "kho lịch sử" not in capsys.readouterr().err
    _same_as_without_store(inbox, roster, tmp_path, summary, sheets, "plain")
    reads.clear()
    _run(inbox, tmp_path / "b" / "t.xlsx", roster, store)
    assert reads == []


@pytest.mark.slow
def test_a_store_of_the_pickled_layout_is_rebuilt_without_a_warning(inbox, demo_inbox, tmp_path, reads, capsys):
    """Schema 3 (fourgood before issue 18) kept each judgement pickled: such a store is started
    again, its rows never unpickled, and the run is the one without a store."""
    import pickle
    import sqlite3

    class Boom:
        def __reduce__(self):
            return (print, ("pwned",))

    roster = demo_inbox[1]
    store = tmp_path / "kho.sqlite"
    with sqlite3.connect(store) as con:
        con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        con.execute("INSERT INTO meta VALUES ('schema', '3')")
        con.execute("CREATE TABLE layouts (id INTEGER PRIMARY KEY, columns BLOB NOT NULL UNIQUE)")
        con.execute("CREATE TABLE forms (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, run_key TEXT NOT NULL, "
                    "kind TEXT, cell_code TEXT, period TEXT, status TEXT, final_total REAL, layout INTEGER NOT NULL, "
                    "record BLOB NOT NULL, UNIQUE (sha256, run_key))")
        con.execute("CREATE TABLE stat (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER, "
                    "sha256 TEXT)")
        for i, form in enumerate(_forms(inbox)):
            st = form.stat()
            sha = hashlib_sha(form)
            con.execute("INSERT INTO stat VALUES (?,?,?,?,?)", (str(form.resolve()), st.st_size, st.st_mtime_ns,
                                                                 st.st_ctime_ns, sha))
            con.execute("INSERT OR IGNORE INTO forms VALUES (?,?,?,?,?,?,?,?,?,?)",
                        (i, sha, store_module.run_key(_specs(), "vi"), "cell", "X", "2026-11", "meets", 99.0, 1,
                         pickle.dumps(("", Boom()))))
    summary, sheets = _run(inbox, tmp_path / "a" / "t.xlsx", roster, store)
    captured = capsys.readouterr()
    assert "kho lịch sử" not in captured.err and "pwned" not in captured.out
    assert len(reads) == len([p for p in inbox.rglob("*") if p.is_file() and not p.name.startswith("~$")])
    _same_as_without_store(inbox, roster, tmp_path, summary, sheets, "plain")
    with sqlite3.connect(store) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0] == store_module.SCHEMA
        assert all(isinstance(r, str) for (r,) in con.execute("SELECT record FROM forms"))


def hashlib_sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _specs():
    from fourgood.spec import load_specs

    return load_specs()


def test_no_store_opens_no_database(inbox, tmp_path, monkeypatch):
    """`--no-store`: the judgements stay in memory; no SQLite file is created, not even a temporary one."""
    import sqlite3
    import tempfile

    opened: list[str] = []
    real = sqlite3.connect

    def spy(path, *a, **kw):
        opened.append(str(path))
        return real(path, *a, **kw)

    monkeypatch.setattr(sqlite3, "connect", spy)
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    out = tmp_path / "o" / "t.xlsx"
    assert main(["consolidate", str(inbox), "-o", str(out), "--no-store", "--no-progress", "--jobs", "1"]) == 0
    assert opened == []
    assert not list(tmp_path.rglob("*.sqlite*")) and not list(temp.iterdir())


@pytest.mark.slow
def test_fresh_judgements_are_kept_in_memory_not_loaded_back(inbox, demo_inbox, tmp_path, monkeypatch):
    """The first run writes each judgement once and never reads it back; the next run loads them all."""
    loaded: list[int] = []
    real = tables.Judgements.load

    def spy(self, seen):
        loaded.append(len(seen))
        return real(self, seen)

    monkeypatch.setattr(tables.Judgements, "load", spy)
    store = tmp_path / "kho.sqlite"
    first = _run(inbox, tmp_path / "a" / "t.xlsx", demo_inbox[1], store)
    assert loaded == []
    assert _run(inbox, tmp_path / "b" / "t.xlsx", demo_inbox[1], store) == first
    assert len(loaded) == 1 and loaded[0] >= len(_forms(inbox))


@pytest.mark.slow
def test_the_criterion_table_from_the_store_equals_the_one_from_memory(inbox, demo_inbox, tmp_path):
    """Two implementations of one sum: the store's aggregate query and pandas over the rows."""
    from fourgood.pipeline import validate_paths
    from fourgood.rollup import consolidate, consolidate_paths
    from fourgood.spec import load_specs
    from fourgood.validators.roster import read_roster

    specs = load_specs()
    roster = read_roster(demo_inbox[1])
    from_store = consolidate_paths([str(inbox)], specs, roster=str(demo_inbox[1]), store=tmp_path / "kho.sqlite")
    in_memory = consolidate(validate_paths([str(inbox)], specs), specs, roster)
    assert len(from_store.by_criterion) > 10
    pd_testing = pytest.importorskip("pandas.testing")
    pd_testing.assert_frame_equal(from_store.by_criterion, in_memory.by_criterion, check_dtype=False)


@pytest.mark.slow
def test_last_year_comes_from_the_store_when_its_forms_are_gone(tmp_path, capsys):
    """The board consolidated 2025 last year; in 2026 only this year's forms are in the folders,
    and the year view still compares each cell and committee with 2025."""
    from fourgood.demo import build_year

    inbox, roster, templates = build_demo(tmp_path / "demo", seed=7)
    months = build_year(tmp_path / "demo", templates, seed=7)
    last_year = tmp_path / "nam-2025"
    last_year.mkdir()
    for form in months.glob("*ca nam 2025*"):
        form.rename(last_year / form.name)
    store = tmp_path / "kho.sqlite"
    out = tmp_path / "o"

    def year(paths: list[Path], period: str, name: str, store_path: Path | None) -> dict:
        code, _ = run_consolidate([str(p) for p in paths], str(out / f"{name}.xlsx"), roster=str(roster),
                                  period=period, summary_json=str(out / f"{name}.json"), quiet=True, run_at=RUN_AT,
                                  store=str(store_path) if store_path else None)
        assert code == 0
        return json.loads((out / f"{name}.json").read_text(encoding="utf-8"))["year"]

    assert year([last_year], "2025", "y2025", store)["decided"] == 3
    assert year([inbox, months], "2026", "plain", None)["previous_year"] is None
    with_store = year([inbox, months], "2026", "y2026", store)
    assert with_store["previous_year"] == {"year": "2025", "decided": 3, "meeting": with_store["previous_year"]["meeting"]}
    all_in_one = year([inbox, months, last_year], "2026", "all", None)
    assert with_store == all_in_one  # the same figures as with last year's forms among the inputs
    book = openpyxl.load_workbook(out / "y2026.xlsx", read_only=True)
    plain = openpyxl.load_workbook(out / "all.xlsx", read_only=True)
    for title in ("Cả năm - từng chi bộ", "Cả năm - theo cấp"):
        assert [r for r in book[title].iter_rows(values_only=True)] == [r for r in plain[title].iter_rows(values_only=True)]


@pytest.mark.slow
def test_judgements_the_store_could_not_keep_still_count_in_every_sheet(inbox, demo_inbox, tmp_path, monkeypatch):
    """A store that fails to keep what was judged (a full disk mid-run): the forms stay in memory
    and every sheet, the per-criterion table included, is what a run without the store gives."""
    roster = demo_inbox[1]
    monkeypatch.setattr(tables.Judgements, "save", lambda self, *args: set())
    summary, sheets = _run(inbox, tmp_path / "a" / "t.xlsx", roster, tmp_path / "kho.sqlite")
    assert len(sheets["Theo tiêu chí"]) > 20
    monkeypatch.undo()
    _same_as_without_store(inbox, roster, tmp_path, summary, sheets, "plain")


@pytest.mark.slow
def test_a_store_locked_by_another_run_is_left_intact_and_the_run_goes_on(inbox, demo_inbox, tmp_path, capsys):
    import sqlite3

    roster = demo_inbox[1]
    store = tmp_path / "kho.sqlite"
    summary, sheets = _run(inbox, tmp_path / "a" / "t.xlsx", roster, store)
    before = store.read_bytes()
    other = sqlite3.connect(store, timeout=0)
    other.execute("BEGIN EXCLUSIVE")  # another board member's run, mid-write
    monkey = pytest.MonkeyPatch()
    monkey.setattr(tables.sqlite3, "connect", lambda path, **kw: sqlite3.Connection(path, timeout=0.2))
    try:
        locked, locked_sheets = _run(inbox, tmp_path / "b" / "t.xlsx", roster, store)
    finally:
        monkey.undo()
        other.rollback()
        other.close()
    assert "kho lịch sử" in capsys.readouterr().err
    assert {k: v for k, v in locked.items() if k != "files_disappeared"} == \
        {k: v for k, v in summary.items() if k != "files_disappeared"} and locked_sheets == sheets
    assert store.read_bytes() == before  # not deleted, not rebuilt: its history is kept


@pytest.mark.slow
def test_a_file_that_cannot_be_stat_ed_at_first_is_still_counted(inbox, demo_inbox, tmp_path, monkeypatch):
    """A file busy when the store looks at it (a copy or a sync in progress) but readable a moment later."""
    import os
    import types

    roster = demo_inbox[1]
    plain, plain_sheets = _run(inbox, tmp_path / "a" / "t.xlsx", roster, None)
    busy = _forms(inbox)[0].name

    def once_busy(path):
        if Path(path).name == busy:
            raise PermissionError(13, "being copied")
        return os.stat(path)

    monkeypatch.setattr(tables, "os", types.SimpleNamespace(stat=once_busy, path=os.path, name=os.name))
    summary, sheets = _run(inbox, tmp_path / "b" / "t.xlsx", roster, tmp_path / "kho.sqlite")
    assert summary["files_total"] == plain["files_total"]
    assert {k: v for k, v in summary.items() if k != "files_disappeared"} == plain and sheets == plain_sheets


@pytest.mark.slow
def test_a_file_whose_times_changed_is_read_but_not_judged_again(inbox, demo_inbox, tmp_path, reads, monkeypatch):
    """A folder copied or synced anew (new times, same bytes): each file is read once, recognised
    by its content and its judgement taken from the store; the results are the same."""
    import os

    judged: list[int] = []
    real = pipeline.assess

    def spy(entries, reads_, specs, lang="vi"):
        judged.append(sum(1 for _, skip in entries if skip is None))
        return real(entries, reads_, specs, lang)

    store = tmp_path / "kho.sqlite"
    first = _run(inbox, tmp_path / "a" / "t.xlsx", demo_inbox[1], store)
    for f in _forms(inbox):
        os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 10**9))
    reads.clear()
    monkeypatch.setattr(pipeline, "assess", spy)
    again = _run(inbox, tmp_path / "b" / "t.xlsx", demo_inbox[1], store)
    assert sorted(reads) == sorted(f.name for f in _forms(inbox))  # read, to know their content
    assert sum(judged) == 0  # none judged again
    assert again == first
