"""The history store's parts, one class per thing it keeps, over one SQLite connection
(`Database`): the stat cache (`StatCache`), the judgements of each file content (`Judgements`,
with their score rows), the counted cells of every run (`CellHistory`) and the last run's files
(`LastRun`). `fourgood.store` puts them together and runs a batch through them.

Everything is stored as JSON text or typed columns, never pickled: a store is a file on a shared
drive, and reading it must never run code. A row that cannot be used is a cache miss.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from .problems import Problem
from .records import FORM_STORED, HISTORY

T = TypeVar("T")
# The layout of the tables, and of a stored form's record (its columns, records.FORM): a store of
# another layout is rebuilt silently (adding a column to a record changes it).
SCHEMA = "4:" + hashlib.sha256(repr((FORM_STORED, HISTORY)).encode()).hexdigest()[:16]
# On Windows st_ctime is the creation time, which an overwrite in place keeps: hash every file there.
TRUST_STAT = os.name != "nt"
_DDL = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS forms (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, run_key TEXT NOT NULL, "
    "kind TEXT, cell_code TEXT, period TEXT, status TEXT, final_total REAL, record TEXT NOT NULL, "
    "UNIQUE (sha256, run_key))",
    "CREATE TABLE IF NOT EXISTS scores (form INTEGER NOT NULL, criterion_id TEXT, content_id TEXT, spec_max REAL, "
    "self REAL, upper REAL)",
    "CREATE INDEX IF NOT EXISTS scores_form ON scores (form)",
    "CREATE TABLE IF NOT EXISTS stat (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER, "
    "sha256 TEXT)",
    "CREATE TABLE IF NOT EXISTS files (sources TEXT NOT NULL, path TEXT NOT NULL, size INTEGER, mtime REAL, "
    "sha256 TEXT, category TEXT, verdict TEXT, fingerprint TEXT, spec_version TEXT, PRIMARY KEY (sources, path))",
    f"CREATE TABLE IF NOT EXISTS cells ({', '.join(HISTORY)}, PRIMARY KEY (cell_code, period))",
    "CREATE TABLE IF NOT EXISTS written (out TEXT PRIMARY KEY, inputs TEXT NOT NULL, sha256 TEXT NOT NULL, "
    "summary TEXT NOT NULL, written_at TEXT NOT NULL)",
)


def db_path(path: str | Path) -> str:
    """A path as the store keeps it: absolute, and text SQLite can hold. A name that is not UTF-8
    (unzipped from a Windows archive, say) reaches Python with surrogate escapes, which SQLite
    refuses; its undecodable bytes are kept as \\xNN escapes instead."""
    return os.path.abspath(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@dataclass
class StoreReport:
    """What the store did in one run (shown by `consolidate`; `files_disappeared` in the summary)."""

    path: str
    reused: int = 0  # files whose judgement came from the store
    read: int = 0  # files read from disk
    disappeared: list[str] = field(default_factory=list)  # in the last run for these sources, gone now
    damaged: str = ""  # the store could not be used as it was: rebuilt (the detail)
    unusable: str = ""  # the store could not be opened or written at all: the run went on without it


class Database:
    """One SQLite file and its connection. Each step ends its transaction (no lock is held between
    steps); a store damaged mid-run is rebuilt, one locked by another run or on a failing drive is
    left as it is and the run goes on without it."""

    def __init__(self, path: str | Path, key: str):
        self.path = Path(path)
        self.key = key  # the run's key: judgements made under another are dropped on opening
        self.report = StoreReport(str(self.path))
        self.con: sqlite3.Connection | None = None
        try:
            self.con = self._open()
        except sqlite3.OperationalError as exc:  # locked by another run, or the drive failing: keep it
            self.report.unusable = str(exc)
        except sqlite3.DatabaseError as exc:
            self.report.damaged = str(exc)
            self._rebuild()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path)
        try:
            check = con.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise sqlite3.DatabaseError(str(check[0] if check else "quick_check failed"))
            # The default rollback journal, not WAL: the store often sits beside the workbook on a
            # shared drive, where SQLite's WAL mode is not safe. A crash leaves the last commit.
            con.execute("PRAGMA synchronous = NORMAL")
            old = _schema(con)
            if old is not None and old != SCHEMA:  # an older fourgood's store: start again, silently
                with con:
                    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
                        con.execute(f'DROP TABLE IF EXISTS "{name}"')
            with con:
                for ddl in _DDL:
                    con.execute(ddl)
                con.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA,))
                # Judgements made against other criteria tables, by another fourgood or in another
                # language are never used again.
                con.execute("DELETE FROM scores WHERE form IN (SELECT id FROM forms WHERE run_key != ?)", (self.key,))
                con.execute("DELETE FROM forms WHERE run_key != ?", (self.key,))
        except BaseException:
            con.close()
            raise
        return con

    def _rebuild(self) -> None:
        """Remove a damaged store and start an empty one; without one when even that fails."""
        if self.con is not None:
            self.con.close()
            self.con = None
        try:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            self.con = self._open()
        except (sqlite3.Error, OSError) as exc:
            self.report.unusable = str(exc)

    def step(self, what: Callable[[sqlite3.Connection], T], default: T) -> T:
        """Run one database step and end its transaction; `default` when the store fails us."""
        if self.con is None:
            return default
        try:
            out = what(self.con)
            if self.con.in_transaction:
                self.con.commit()
            return out
        except sqlite3.OperationalError as exc:
            self.report.unusable = self.report.unusable or str(exc)
            self.con.close()
            self.con = None
            return default
        except sqlite3.DatabaseError as exc:
            self.report.damaged = self.report.damaged or str(exc)
            self._rebuild()
            return default

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None


@dataclass(frozen=True)
class Seen:
    """A file on disk as the run found it; `sha256` '' until its content is known."""

    size: int
    mtime: float
    sha256: str
    mtime_ns: int = 0
    ctime_ns: int = 0


class StatCache:
    """Path, size, modification and change times and sha256 of every file read: a file whose size
    and times are unchanged is not read again (as git and rsync do; the change time cannot be set
    back by a user's tools)."""

    def __init__(self, db: Database):
        self.db = db

    def identify(self, paths: list[str]) -> dict[str, Seen | None]:
        """What is on disk at each path (None: cannot be stat-ed; the reader says why), with the
        content's sha256 when the stat table has the path with the same size and times. Nothing
        is read or hashed here: a file of unknown content is read once, by the reader."""
        absolute = [db_path(p) for p in paths]

        def stored(con: sqlite3.Connection) -> dict[str, tuple[int, int, int, str]]:
            temp_table(con, "paths", "path TEXT PRIMARY KEY", ((p,) for p in absolute))
            return {p: (s, m, c, h) for p, s, m, c, h in con.execute(
                "SELECT s.path, s.size, s.mtime_ns, s.ctime_ns, s.sha256 FROM stat s JOIN temp.paths t ON s.path = t.path")}

        known: dict[str, tuple[int, int, int, str]] = self.db.step(stored, {})  # only this run's paths: the table keeps every path ever read
        out: dict[str, Seen | None] = {}
        for p, key in zip(paths, absolute):
            try:
                st = os.stat(p)
            except OSError:
                out[p] = None
                continue
            was = known.get(key)
            same = TRUST_STAT and was is not None and was[:3] == (st.st_size, st.st_mtime_ns, st.st_ctime_ns)
            out[p] = Seen(st.st_size, st.st_mtime, was[3] if same and was else "", st.st_mtime_ns, st.st_ctime_ns)
        return out

    def remember(self, seen: dict[str, Seen | None], files: pd.DataFrame, recognised: dict[str, Seen]) -> None:
        """Keep the content the reader found at each path it read (judged, or `recognised` as a
        content already judged), when the file is as it was stat-ed before the reading (a file
        changed meanwhile is read again next time)."""
        rows = []
        read = [*zip(files["file"], files["size"], files["mtime"], files["sha256"]),
                *((p, r.size, r.mtime, r.sha256) for p, r in recognised.items())]
        for path, size, mtime, sha in read:
            s = seen.get(path)
            if s is not None and sha and size == s.size and mtime == s.mtime:
                rows.append((db_path(path), s.size, s.mtime_ns, s.ctime_ns, sha))

        def run(con: sqlite3.Connection) -> None:
            with con:
                con.executemany("INSERT OR REPLACE INTO stat VALUES (?,?,?,?,?)", rows)

        if rows:
            self.db.step(run, None)


@dataclass
class Stored:
    """The stored judgements of the paths asked for: the form rows (records.FORM_STORED), each
    form's content subtotals, problems (no file) and rolled-up rows, by path."""

    paths: list[str] = field(default_factory=list)
    disk: list[Seen] = field(default_factory=list)  # each path's file as found on disk this run
    rows: list[list[Any]] = field(default_factory=list)
    contents: list[dict[str, float]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rolled: list[pd.DataFrame] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # paths whose record could not be used: read again


class Judgements:
    """Per file content (sha256) and run key: the file judged on its own (`pipeline.assess`) as
    one JSON record (its form row, content subtotals, located problems and rolled-up rows), and
    its normalised score rows (one per criterion) in `scores`, which are summed by a query and
    never come into memory."""

    def __init__(self, db: Database):
        self.db = db

    def all_known(self) -> list[str]:
        """Every content judged under this run's key (what a worker need not judge again)."""
        return self.db.step(lambda con: [s for (s,) in con.execute("SELECT sha256 FROM forms WHERE run_key = ?",
                                                                   (self.db.key,))], [])

    def known(self, shas: Iterable[str]) -> set[str]:
        def run(con: sqlite3.Connection) -> set[str]:
            wanted(con, shas)
            return {s for (s,) in con.execute("SELECT f.sha256 FROM forms f JOIN temp.wanted w ON f.sha256 = w.sha256 "
                                               "WHERE f.run_key = ?", (self.db.key,))}
        return self.db.step(run, set())

    def save(self, files: pd.DataFrame, contents: pd.DataFrame, problems: dict[str, list[Problem]],
             rolled: pd.DataFrame, scores: pd.DataFrame) -> set[str]:
        """Keep these judgements (the files' rows are the forms to keep, one per content); returns
        the paths kept."""
        if files.empty:
            return set()
        rows = _plain_rows(files.reindex(columns=list(FORM_STORED)))
        subtotals = _plain_rows(contents.reindex(index=list(files["file"])))
        by_file = dict(tuple(rolled.groupby("file"))) if not rolled.empty else {}
        forms = []
        for f, row, sub in zip(files["file"], rows, subtotals):
            up = by_file.get(f)
            record = {"form": row, "contents": dict(zip(contents.columns, sub)),
                      "problems": [encode_problem(p) for p in problems.get(f, [])],
                      "rolled": None if up is None else _frame_json(up.drop(columns="file"))}
            head = dict(zip(FORM_STORED, row))
            forms.append((head["sha256"], self.db.key, head.get("kind"), _text(head.get("cell_code")),
                          _text(head.get("period")), head.get("status"), _number(head.get("final_total")),
                          dumps(record)))
        sha_of = dict(zip(files["file"], files["sha256"]))
        sc = scores[scores["file"].isin(sha_of) & (scores["content_id"] != "")] if not scores.empty else scores
        if sc.empty:
            score_rows: list[tuple[Any, ...]] = []
        else:
            numbers = sc[["spec_max", "self", "upper"]].astype(float)
            numbers = numbers.astype(object).where(numbers.notna(), None)
            score_rows = list(zip(sc["file"].map(sha_of), sc["criterion_id"], sc["content_id"], numbers["spec_max"],
                                  numbers["self"], numbers["upper"]))

        def run(con: sqlite3.Connection) -> set[str]:
            with con:
                wanted(con, {r[0] for r in forms})
                con.execute("DELETE FROM scores WHERE form IN (SELECT f.id FROM forms f JOIN temp.wanted w "
                            "ON f.sha256 = w.sha256 WHERE f.run_key = ?)", (self.db.key,))
                con.executemany("INSERT OR REPLACE INTO forms (sha256, run_key, kind, cell_code, period, status, "
                                "final_total, record) VALUES (?,?,?,?,?,?,?,?)", forms)
                ids = dict(con.execute("SELECT f.sha256, f.id FROM forms f JOIN temp.wanted w ON f.sha256 = w.sha256 "
                                       "WHERE f.run_key = ?", (self.db.key,)).fetchall())
                con.executemany("INSERT INTO scores VALUES (?,?,?,?,?,?)", ((ids[r[0]], *r[1:]) for r in score_rows))
            return set(files["file"])

        return self.db.step(run, set())

    def load(self, seen: dict[str, Seen]) -> Stored | None:
        """The stored judgements of these paths (by their content); None when the store cannot be used."""
        by_sha: dict[str, list[str]] = {}
        for p, s in seen.items():
            by_sha.setdefault(s.sha256, []).append(p)

        def run(con: sqlite3.Connection) -> Stored:
            wanted(con, by_sha)
            out = Stored()
            found: set[str] = set()
            for sha, text in con.execute("SELECT f.sha256, f.record FROM forms f JOIN temp.wanted w "
                                         "ON f.sha256 = w.sha256 WHERE f.run_key = ?", (self.db.key,)):
                try:
                    record = _record(text)
                except (ValueError, TypeError, KeyError):  # a damaged or tampered row: a cache miss, read again
                    continue
                found.add(sha)
                form, contents, problems, rolled = record
                for path in by_sha[sha]:
                    out.paths.append(path)
                    out.disk.append(seen[path])
                    out.rows.append(form)
                    out.contents.append(contents)
                    out.problems += [Problem(**{**p, "file": path}) for p in problems]
                    if rolled is not None:
                        out.rolled.append(rolled.assign(file=path))
            out.lost = [p for sha, ps in by_sha.items() if sha not in found for p in ps]
            return out

        return self.db.step(run, None)

    def criterion_sums(self, used: pd.DataFrame) -> pd.DataFrame:
        """Per (cell type, criteria table, content, criterion): maximum, cells scored, sum of scores
        and of shares of the maximum, over the used forms (`used`: sha256, cell_type, fingerprint,
        upper: the final score is the upper level's). An aggregate query: the score rows never come
        into memory."""
        cols = ["cell_type", "fingerprint", "content_id", "criterion_id", "max", "cells", "score_sum", "share_sum"]

        def run(con: sqlite3.Connection) -> pd.DataFrame:
            temp_table(con, "used", "sha256 TEXT PRIMARY KEY, cell_type TEXT, fingerprint TEXT, upper INTEGER",
                       zip(used["sha256"], used["cell_type"], used["fingerprint"], used["upper"].astype(int)))
            rows = con.execute(
                "SELECT cell_type, fingerprint, content_id, criterion_id, MIN(spec_max), COUNT(*), SUM(v), "
                "SUM(v / spec_max), MIN(rowid) AS first FROM (SELECT u.cell_type, u.fingerprint, s.content_id, "
                "s.criterion_id, s.spec_max, s.rowid, "
                "CASE WHEN u.upper THEN s.upper ELSE s.self END AS v FROM temp.used u JOIN forms f "
                "ON f.sha256 = u.sha256 AND f.run_key = ? JOIN scores s ON s.form = f.id) WHERE v IS NOT NULL "
                "GROUP BY cell_type, fingerprint, content_id, criterion_id ORDER BY first", (self.db.key,)).fetchall()
            return pd.DataFrame([r[:8] for r in rows], columns=cols)

        return self.db.step(run, pd.DataFrame(columns=cols))


class CellHistory:
    """The counted result of every cell and period of every run (the latest run's wins): the
    previous year of the year view, and the previous month, when their forms are gone."""

    def __init__(self, db: Database):
        self.db = db

    def remember(self, cells: pd.DataFrame) -> None:
        frame = cells.reindex(columns=list(HISTORY))
        frame = frame[frame["cell_code"].astype(object).fillna("") != ""]
        rows = _plain_rows(frame)

        def run(con: sqlite3.Connection) -> None:
            with con:
                con.executemany(f"INSERT OR REPLACE INTO cells VALUES ({','.join('?' * len(HISTORY))})", rows)

        self.db.step(run, None)

    def of_year(self, year: str) -> pd.DataFrame:
        """Every cell's results for the months and the year-end evaluation of `year`."""
        return self._where("substr(period, 1, 4) = ?", year)

    def of_period(self, period: str) -> pd.DataFrame:
        """Every cell's results for one period (the report's "against last month")."""
        return self._where("period = ?", period)

    def _where(self, condition: str, value: str) -> pd.DataFrame:
        def run(con: sqlite3.Connection) -> pd.DataFrame:
            rows = con.execute(f"SELECT {', '.join(HISTORY)} FROM cells WHERE {condition}", (value,)).fetchall()
            return pd.DataFrame(rows, columns=list(HISTORY))
        return self.db.step(run, pd.DataFrame(columns=list(HISTORY)))


class LastRun:
    """The accepted inputs of the last run for the same sources: what lets the next run report the
    files that disappeared."""

    def __init__(self, db: Database):
        self.db = db

    def files(self, sources: str) -> list[str]:
        return self.db.step(lambda con: [p for (p,) in con.execute("SELECT path FROM files WHERE sources = ?",
                                                                   (sources,))], [])

    def record(self, sources: str, files: pd.DataFrame) -> None:
        """Replace the files of these sources by this run's accepted inputs (skipped files are not kept)."""
        files = files[files["category"] != "skipped"]
        cols = ["file", "size", "mtime", "sha256", "category", "verdict", "fingerprint", "spec_version"]
        rows = [(sources, db_path(str(f)), *rest) for f, *rest in _plain_rows(files.reindex(columns=cols))]

        def run(con: sqlite3.Connection) -> None:
            with con:
                con.execute("DELETE FROM files WHERE sources = ?", (sources,))
                con.executemany("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?,?,?)", rows)

        self.db.step(run, None)


@dataclass(frozen=True)
class Written:
    """A workbook a run wrote: the key of everything it was made from (`fourgood.freshness`), its
    content's sha256, what the run printed and wrote as its summary, and when."""

    inputs: str
    sha256: str
    summary: dict[str, Any]
    written_at: str


class WrittenWorkbooks:
    """The last workbook written at each output path: what lets a run with nothing new leave it as
    it is (`fourgood.freshness`)."""

    def __init__(self, db: Database):
        self.db = db

    def last(self, out: str | Path) -> Written | None:
        def run(con: sqlite3.Connection) -> Written | None:
            row = con.execute("SELECT inputs, sha256, summary, written_at FROM written WHERE out = ?",
                              (db_path(out),)).fetchone()
            if row is None:
                return None
            try:  # a row that is not as this code writes it: as if nothing had been written
                summary = json.loads(row[2])
                dt.datetime.fromisoformat(row[3])
            except (ValueError, TypeError):
                return None
            usable = (isinstance(summary, dict) and isinstance(summary.get("summary"), dict)
                      and isinstance(summary.get("not_forms", 0), int) and isinstance(summary.get("files", 0), int)
                      and isinstance(notices := summary.get("notices", []), list)
                      and all(isinstance(n, str) for n in notices))
            return Written(row[0], row[1], summary, row[3]) if usable else None

        return self.db.step(run, None)

    def record(self, out: str | Path, written: Written) -> None:
        def run(con: sqlite3.Connection) -> None:
            with con:
                con.execute("INSERT OR REPLACE INTO written VALUES (?,?,?,?,?)",
                            (db_path(out), written.inputs, written.sha256,
                             json.dumps(written.summary), written.written_at))  # ASCII: file names may hold surrogates

        self.db.step(run, None)

    def forget(self, out: str | Path) -> None:
        def run(con: sqlite3.Connection) -> None:
            with con:
                con.execute("DELETE FROM written WHERE out = ?", (db_path(out),))

        self.db.step(run, None)


# ---------------------------------------------------------------------- JSON, both ways

_FIELDS = ("code", "sheet", "cell", "criterion", "value", "expected", "params")  # the severity: the registry's


def encode_problem(p: Problem) -> dict[str, Any]:
    return {k: getattr(p, k) for k in _FIELDS}


def dumps(value: Any) -> str:
    return json.dumps(_enc(value), ensure_ascii=False, separators=(",", ":"))


def _enc(v: Any) -> Any:
    """Plain JSON, with the few other values a judgement holds tagged: tuples, dates and times."""
    if v is None or isinstance(v, (str, bool, int)):
        return v
    if isinstance(v, float):
        return v  # NaN too (JSON's NaN literal, as Python's json writes and reads it)
    if isinstance(v, dict):
        return {str(k): _enc(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_enc(x) for x in v]
    if isinstance(v, tuple):
        return {"$t": [_enc(x) for x in v]}  # inside a list: json's hook turns the innermost first
    if isinstance(v, dt.datetime):
        return {"$dt": v.isoformat()}
    if isinstance(v, dt.date):
        return {"$d": v.isoformat()}
    if isinstance(v, dt.time):
        return {"$tm": v.isoformat()}
    if isinstance(v, np.generic):
        return _enc(v.item())
    if v is pd.NA or v is pd.NaT:
        return None
    return str(v)


_TAGS: dict[str, Callable[[Any], Any]] = {"$t": tuple, "$dt": dt.datetime.fromisoformat, "$d": dt.date.fromisoformat,
                                          "$tm": dt.time.fromisoformat}


def _tagged(obj: dict[str, Any]) -> Any:
    """json's object hook: a tagged value back (the parser calls it on every object, innermost first)."""
    if len(obj) == 1:
        (tag, x), = obj.items()
        if tag in _TAGS:
            return _TAGS[tag](x)
    return obj


def loads(text: str | bytes) -> Any:
    return json.loads(text, object_hook=_tagged)


def _record(text: str | bytes) -> tuple[list[Any], dict[str, float], list[dict[str, Any]], pd.DataFrame | None]:
    """A stored record, checked: anything else raises ValueError (a cache miss)."""
    raw = loads(text)
    form, contents, problems, rolled = raw["form"], raw["contents"], raw["problems"], raw["rolled"]
    if not (isinstance(form, list) and len(form) == len(FORM_STORED) and isinstance(contents, dict)
            and isinstance(problems, list) and all(isinstance(p, dict) and set(p) == set(_FIELDS) for p in problems)):
        raise ValueError("not a stored record")
    frame = None
    if rolled is not None:
        columns, rows = rolled
        frame = pd.DataFrame.from_records(rows, columns=columns)
    return form, contents, problems, frame


def _frame_json(frame: pd.DataFrame) -> list[Any]:
    return [list(frame.columns), [[_enc(v) for v in row] for row in _plain_rows(frame)]]


def _plain_rows(frame: pd.DataFrame) -> list[list[Any]]:
    """Rows as lists of plain Python values: a missing value of any kind (NaN, NA, NaT) is None."""
    if not len(frame.columns):
        return [[] for _ in range(len(frame))]
    values = frame.astype(object)
    values = values.where(values.notna(), None)
    return [[v.item() if isinstance(v, np.generic) else v for v in row]
            for row in values.itertuples(index=False, name=None)]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def _schema(con: sqlite3.Connection) -> str | None:
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    except sqlite3.OperationalError:
        return None  # no meta table: a new store
    return row[0] if row else None


def temp_table(con: sqlite3.Connection, name: str, columns: str, rows: Iterable[tuple[Any, ...]]) -> None:
    """Fill the connection's temporary table `name` with `rows` (what a query joins this run's
    paths, contents or forms against)."""
    con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})")
    con.execute(f"DELETE FROM temp.{name}")
    marks = ",".join("?" * (columns.count(",") + 1))
    con.executemany(f"INSERT OR IGNORE INTO temp.{name} VALUES ({marks})", rows)


def wanted(con: sqlite3.Connection, shas: Iterable[str]) -> None:
    temp_table(con, "wanted", "sha256 TEXT PRIMARY KEY", ((s,) for s in shas))

