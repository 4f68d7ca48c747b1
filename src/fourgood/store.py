"""The history store: an SQLite file that remembers what each file contributed, so that a
consolidation run again (as forms keep arriving during the month, and once more for the year)
reads, validates and scores only the files whose content it has not seen, and builds the
report from what it holds.

What it holds (README, "History store"):

- `forms`: per file content (sha256), the file judged on its own (`pipeline.assess`): its row of
  the files table, the form's information and totals, its located problems. Keyed by sha256 AND
  the run's key (the criteria tables' fingerprints, the fourgood version and the language of the
  messages): a changed criteria table or a new fourgood judges everything again. Never keyed by path.
- `scores`: the normalised score rows of those forms, one per criterion (content, maximum, the
  cell's and the upper level's score); the per-criterion table of the report is an aggregate
  query over them, so the rows never come into memory.
- `stat`: path, size, modification and change times and sha256 of every file hashed: a file
  whose size and times are unchanged is not hashed again (as git and rsync do; the change time
  cannot be set back by a user's tools).
- `files`: the accepted inputs of the last run for the same sources (what lets the next run
  report the files that disappeared).
- `cells`: the counted result of every cell and period of every run: the previous year of the
  year view comes from here when its forms are no longer among the inputs.

A run always goes through a store: without `--store` (`--no-store`) through a temporary one, so
the results with and without the store are the same computation. Deleting the file only costs a
full re-read; a damaged file is reported and rebuilt; a store of an older layout is rebuilt silently.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
import sqlite3
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__
from .contract import STORE_SUFFIX
from .pipeline import Assessed, BatchResult, Outputs, Progress, assess, discover, judge_all, settle
from .problems import Problem
from .spec import Spec, all_versions

SUFFIX = STORE_SUFFIX
SCHEMA = "3"
CHUNK = 2000  # files read and judged at a time: memory stays flat whatever the batch
LOAD_BATCH = 20_000  # stored records turned into frames at a time
# On Windows st_ctime is the creation time, which an overwrite in place keeps: hash every file there.
TRUST_STAT = os.name != "nt"
META_KEEP = ("cell_name", "cell_type", "grassroots", "upper_committee", "province", "members", "threshold",
             "fingerprint", "spec_version")  # the form's information the roll-up uses (rollup._cells)
PATH_COLUMNS = ("file", "name", "skipped", "size", "mtime")  # of the file on disk, not of its content
HISTORY_COLUMNS = ("cell_code", "period", "status", "final_total", "threshold", "cell_name", "cell_type",
                "upper_committee", "grassroots", "org_chain")
_DDL = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS layouts (id INTEGER PRIMARY KEY, columns BLOB NOT NULL UNIQUE)",
    "CREATE TABLE IF NOT EXISTS forms (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, run_key TEXT NOT NULL, "
    "kind TEXT, cell_code TEXT, period TEXT, status TEXT, final_total REAL, layout INTEGER NOT NULL, "
    "record BLOB NOT NULL, UNIQUE (sha256, run_key))",
    "CREATE TABLE IF NOT EXISTS scores (form INTEGER NOT NULL, criterion_id TEXT, content_id TEXT, spec_max REAL, "
    "self REAL, upper REAL)",
    "CREATE INDEX IF NOT EXISTS scores_form ON scores (form)",
    "CREATE TABLE IF NOT EXISTS stat (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER, "
    "sha256 TEXT)",
    "CREATE TABLE IF NOT EXISTS files (sources TEXT NOT NULL, path TEXT NOT NULL, size INTEGER, mtime REAL, "
    "sha256 TEXT, category TEXT, verdict TEXT, fingerprint TEXT, spec_version TEXT, PRIMARY KEY (sources, path))",
    f"CREATE TABLE IF NOT EXISTS cells ({', '.join(HISTORY_COLUMNS)}, PRIMARY KEY (cell_code, period))",
)


def beside(out: str | Path) -> Path:
    """The default store of an output workbook: `OUT.xlsx` -> `OUT.fourgood.sqlite`."""
    out = Path(out)
    return out.with_name(out.stem + SUFFIX)


def specs_key(specs: dict[str, Spec]) -> str:
    """One key for the criteria tables known, by fingerprint and version, and which are in use: any
    change to any of them changes it. A form's own judgement depends on its table only, but its
    `template_outdated` warning names the version in use."""
    in_use = {id(s) for s in specs.values()}
    tables = sorted(f"{s.fingerprint} {s.version}{'' if id(s) in in_use else ' earlier'}" for s in all_versions(specs))
    return hashlib.sha256("\n".join(tables).encode()).hexdigest()


def run_key(specs: dict[str, Spec], lang: str) -> str:
    """What a stored judgement depends on besides the file: criteria tables, fourgood, message language."""
    return hashlib.sha256(f"{specs_key(specs)}\n{__version__}\n{lang}".encode()).hexdigest()


def sources_key(paths: Sequence[str | Path]) -> str:
    return "\n".join(sorted({os.path.abspath(p) for p in paths}))


@dataclass
class StoreReport:
    """What the store did in one run (shown by `consolidate`; `files_disappeared` in the summary)."""

    path: str
    reused: int = 0  # files whose judgement came from the store
    read: int = 0  # files read from disk
    disappeared: list[str] = field(default_factory=list)  # in the last run for these sources, gone now
    damaged: str = ""  # the store could not be used as it was: rebuilt (the detail)
    unusable: str = ""  # the store could not be opened or written at all: the run went on without it


@dataclass(frozen=True)
class Seen:
    """A file on disk as the run found it."""

    size: int
    mtime: float
    sha256: str


class Store:
    def __init__(self, path: str | Path | None, specs: dict[str, Spec], lang: str = "vi"):
        """`path` None: a temporary store, removed by `close` (a run with `--no-store`)."""
        self._temp: tempfile.TemporaryDirectory[str] | None = None
        if path is None:
            self._temp = tempfile.TemporaryDirectory(prefix="fourgood-")
            path = Path(self._temp.name) / ("run" + SUFFIX)
        self.path = Path(path)
        self.specs = specs
        self.key = run_key(specs, lang)
        self.report = StoreReport(str(self.path))
        self.con: sqlite3.Connection | None = None
        try:
            self.con = self._open()
        except sqlite3.OperationalError as exc:  # locked by another run, or the drive failing: keep it
            self.report.unusable = str(exc)
        except sqlite3.DatabaseError as exc:
            self.report.damaged = str(exc)
            self._rebuild()

    @property
    def temporary(self) -> bool:
        return self._temp is not None

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

    def _guard(self, what: Any, default: Any) -> Any:
        """Run a database step and end its transaction (no lock is held between steps). A store
        damaged mid-run is rebuilt; one locked by another run or on a failing drive is left as it
        is and the run goes on without it; either way the step gives `default`."""
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

    # ------------------------------------------------------------------ which content a path holds

    def identify(self, paths: list[str]) -> dict[str, Seen | None]:
        """Size, mtime and sha256 of each path (None: cannot be read; `read_file` says why). A path
        whose size and times match the `stat` table is not hashed again."""
        def stored(con: sqlite3.Connection) -> dict[str, tuple[int, int, int, str]]:
            _temp_table(con, "paths", "path TEXT PRIMARY KEY", ((os.path.abspath(p),) for p in paths))
            return {p: (s, m, c, h) for p, s, m, c, h in con.execute(
                "SELECT s.path, s.size, s.mtime_ns, s.ctime_ns, s.sha256 FROM stat s JOIN temp.paths t ON s.path = t.path")}

        known = self._guard(stored, {})  # only this run's paths: the table keeps every path ever hashed
        out: dict[str, Seen | None] = {}
        hashed: list[tuple[str, int, int, int, str]] = []
        for p in paths:
            try:
                st = os.stat(p)
                key = os.path.abspath(p)
                was = known.get(key)
                if TRUST_STAT and was and was[:3] == (st.st_size, st.st_mtime_ns, st.st_ctime_ns):
                    sha = was[3]
                else:
                    with open(p, "rb") as fh:
                        sha = hashlib.file_digest(fh, "sha256").hexdigest()
                    hashed.append((key, st.st_size, st.st_mtime_ns, st.st_ctime_ns, sha))
            except OSError:
                out[p] = None
                continue
            out[p] = Seen(st.st_size, st.st_mtime, sha)

        def run(con: sqlite3.Connection) -> None:
            with con:
                con.executemany("INSERT OR REPLACE INTO stat VALUES (?,?,?,?,?)", hashed)

        if hashed:
            self._guard(run, None)
        return out

    def known(self, shas: Iterable[str]) -> set[str]:
        def run(con: sqlite3.Connection) -> set[str]:
            _wanted(con, shas)
            return {s for (s,) in con.execute("SELECT f.sha256 FROM forms f JOIN temp.wanted w ON f.sha256 = w.sha256 "
                                               "WHERE f.run_key = ?", (self.key,))}
        return self._guard(run, set())

    # ------------------------------------------------------------------ judgements, by content

    def save(self, a: Assessed) -> set[str]:
        """Keep the judgement of every file whose content is known and whose judgement is its own
        (no failure of ours in it). Returns the paths kept."""
        problems: dict[str, list[Problem]] = {}
        for p in a.problems:
            problems.setdefault(p.file, []).append(p)
        files = a.files[(a.files["sha256"] != "") & (a.files["skipped"] == "")]
        keep = [f for f in files["file"] if not any(p.code == "internal_error" for p in problems.get(f, []))]
        if not keep:
            return set()
        files = files.set_index("file", drop=False).loc[keep]
        layout = (tuple(c for c in files.columns if c not in PATH_COLUMNS),
                  tuple(c for c in META_KEEP if c in a.meta.columns), tuple(a.scored.columns))
        meta = a.meta.reindex(index=keep, columns=list(layout[1]))
        scored = a.scored.reindex(index=keep, columns=list(layout[2]))
        rolled = a.rolled.groupby("file") if not a.rolled.empty else None
        rolled_files = set(a.rolled["file"]) if not a.rolled.empty else set()
        forms = []
        for f, frow, mrow, srow in zip(keep, _records(files[list(layout[0])]), _records(meta), _records(scored)):
            mine = [dataclasses.replace(p, file="") for p in problems.get(f, [])]
            up: tuple[Any, ...] = ()
            if rolled is not None and f in rolled_files:
                mine_rolled = rolled.get_group(f).drop(columns="file")
                up = (tuple(mine_rolled.columns), _records(mine_rolled))
            record = pickle.dumps((frow, mrow, srow, mine, up), protocol=pickle.HIGHEST_PROTOCOL)
            head = dict(zip(layout[0], frow))
            forms.append((head["sha256"], self.key, head.get("kind"), _text(head.get("cell_code")),
                          _text(head.get("period")), head.get("status"), _number(head.get("final_total")), record))
        sha_of = dict(zip(files["file"], files["sha256"]))
        firsts = set(files.drop_duplicates("sha256")["file"])  # byte-identical files: their rows once
        sc = a.scores[a.scores["file"].isin(firsts) & (a.scores["content_id"] != "")]
        numbers = sc[["spec_max", "self", "upper"]].astype(float)
        numbers = numbers.astype(object).where(numbers.notna(), None)
        score_rows = list(zip(sc["file"].map(sha_of), sc["criterion_id"], sc["content_id"], numbers["spec_max"],
                              numbers["self"], numbers["upper"]))

        def run(con: sqlite3.Connection) -> set[str]:
            with con:
                blob = pickle.dumps(layout, protocol=pickle.HIGHEST_PROTOCOL)
                con.execute("INSERT OR IGNORE INTO layouts (columns) VALUES (?)", (blob,))
                (lid,) = con.execute("SELECT id FROM layouts WHERE columns = ?", (blob,)).fetchone()
                _wanted(con, {r[0] for r in forms})
                con.execute("DELETE FROM scores WHERE form IN (SELECT f.id FROM forms f JOIN temp.wanted w "
                            "ON f.sha256 = w.sha256 WHERE f.run_key = ?)", (self.key,))
                con.executemany("INSERT OR REPLACE INTO forms (sha256, run_key, kind, cell_code, period, status, "
                                "final_total, layout, record) VALUES (?,?,?,?,?,?,?,?,?)",
                                [(*r[:7], lid, r[7]) for r in forms])
                ids = dict(con.execute("SELECT f.sha256, f.id FROM forms f JOIN temp.wanted w ON f.sha256 = w.sha256 "
                                       "WHERE f.run_key = ?", (self.key,)).fetchall())
                con.executemany("INSERT INTO scores VALUES (?,?,?,?,?,?)", ((ids[r[0]], *r[1:]) for r in score_rows))
            return set(keep)

        return self._guard(run, set())

    def load(self, seen: dict[str, Seen]) -> tuple[Assessed, list[str]] | None:
        """The stored judgements of these paths, as `assess` made them, for this file on disk
        (its path, size and mtime), and the paths whose record could not be used (a damaged or
        tampered row: read again). None when the store cannot be used."""
        by_sha: dict[str, list[str]] = {}
        for p, s in seen.items():
            by_sha.setdefault(s.sha256, []).append(p)

        def run(con: sqlite3.Connection) -> tuple[Assessed, list[str]]:
            _wanted(con, by_sha)
            layouts = {}
            for i, b in con.execute("SELECT id, columns FROM layouts"):
                try:
                    layout = _Unpickler(io.BytesIO(b)).load()
                except Exception:  # an unusable row is a cache miss, never code run
                    continue
                if _is_layout(layout):
                    layouts[i] = layout
            groups: dict[int, list[tuple[str, tuple[Any, ...]]]] = {}
            found: set[str] = set()
            parts: list[Assessed] = []
            for sha, lid, blob in con.execute("SELECT f.sha256, f.layout, f.record FROM forms f JOIN temp.wanted w "
                                              "ON f.sha256 = w.sha256 WHERE f.run_key = ?", (self.key,)):
                try:
                    record = _loads(blob)
                except Exception:  # a damaged or tampered row: a cache miss, read again
                    continue
                if lid in layouts and _fits(layouts[lid], record):
                    rows = groups.setdefault(lid, [])
                    rows.append((sha, record))
                    found.add(sha)
                    if len(rows) == LOAD_BATCH:  # frames a batch at a time: the records are freed as they go
                        parts.append(_assessed(layouts[lid], rows, by_sha, seen))
                        rows.clear()
            parts += [_assessed(layouts[lid], rows, by_sha, seen) for lid, rows in groups.items() if rows]
            lost = [p for sha, ps in by_sha.items() if sha not in found for p in ps]
            return Assessed.concat(parts), lost

        return self._guard(run, None)

    def criterion_sums(self, used: pd.DataFrame) -> pd.DataFrame:
        """Per (cell type, criteria table, content, criterion): maximum, cells scored, sum of scores
        and of shares of the maximum, over the used forms (`used`: sha256, cell_type, fingerprint,
        upper: the final score is the upper level's). An aggregate query: the score rows never come
        into memory."""
        cols = ["cell_type", "fingerprint", "content_id", "criterion_id", "max", "cells", "score_sum", "share_sum"]

        def run(con: sqlite3.Connection) -> pd.DataFrame:
            _temp_table(con, "used", "sha256 TEXT PRIMARY KEY, cell_type TEXT, fingerprint TEXT, upper INTEGER",
                        zip(used["sha256"], used["cell_type"], used["fingerprint"], used["upper"].astype(int)))
            rows = con.execute(
                "SELECT cell_type, fingerprint, content_id, criterion_id, MIN(spec_max), COUNT(*), SUM(v), "
                "SUM(v / spec_max), MIN(rowid) AS first FROM (SELECT u.cell_type, u.fingerprint, s.content_id, "
                "s.criterion_id, s.spec_max, s.rowid, "
                "CASE WHEN u.upper THEN s.upper ELSE s.self END AS v FROM temp.used u JOIN forms f "
                "ON f.sha256 = u.sha256 AND f.run_key = ? JOIN scores s ON s.form = f.id) WHERE v IS NOT NULL "
                "GROUP BY cell_type, fingerprint, content_id, criterion_id ORDER BY first", (self.key,)).fetchall()
            return pd.DataFrame([r[:8] for r in rows], columns=cols)

        return self._guard(run, pd.DataFrame(columns=cols))

    # ------------------------------------------------------------------ files, by the sources of a run

    def previous_files(self, sources: str) -> list[str]:
        return self._guard(lambda con: [p for (p,) in con.execute("SELECT path FROM files WHERE sources = ?",
                                                                  (sources,))], [])

    def record(self, sources: str, files: pd.DataFrame) -> None:
        """Replace the files of these sources by this run's accepted inputs (skipped files are not kept)."""
        files = files[files["category"] != "skipped"]
        cols = ["file", "size", "mtime", "sha256", "category", "verdict", "fingerprint", "spec_version"]
        frame = files.reindex(columns=cols).astype(object).where(files.reindex(columns=cols).notna(), None)
        rows = [(sources, os.path.abspath(str(f)), *rest) for f, *rest in frame.itertuples(index=False)]

        def run(con: sqlite3.Connection) -> None:
            with con:
                con.execute("DELETE FROM files WHERE sources = ?", (sources,))
                con.executemany("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?,?,?)", rows)

        self._guard(run, None)

    # ------------------------------------------------------------------ results per cell and period

    def remember_cells(self, cells: pd.DataFrame) -> None:
        """Keep the counted result of each cell and period (the latest run's wins)."""
        frame = cells.reindex(columns=list(HISTORY_COLUMNS))
        frame = frame[frame["cell_code"].astype(object).fillna("") != ""]
        rows = [tuple(_plain(v) for v in r) for r in frame.itertuples(index=False)]

        def run(con: sqlite3.Connection) -> None:
            with con:
                con.executemany(f"INSERT OR REPLACE INTO cells VALUES ({','.join('?' * len(HISTORY_COLUMNS))})", rows)

        self._guard(run, None)

    def cells_of_year(self, year: str) -> pd.DataFrame:
        """The stored results of every cell for the months and the year-end evaluation of `year`."""
        return self._cells_where("substr(period, 1, 4) = ?", year)

    def cells_of_period(self, period: str) -> pd.DataFrame:
        """The stored results of every cell for one period (the report's "against last month")."""
        return self._cells_where("period = ?", period)

    def _cells_where(self, condition: str, value: str) -> pd.DataFrame:
        def run(con: sqlite3.Connection) -> pd.DataFrame:
            rows = con.execute(f"SELECT {', '.join(HISTORY_COLUMNS)} FROM cells WHERE {condition}", (value,)).fetchall()
            return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
        return self._guard(run, pd.DataFrame(columns=list(HISTORY_COLUMNS)))

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None
        if self._temp is not None:
            self._temp.cleanup()
            self._temp = None


def batch(paths: Sequence[str | Path], specs: dict[str, Spec], store: Store, *, jobs: int = 1, lang: str = "vi",
          progress: Progress | None = None, scheduler: str | None = None,
          former: dict[str, str] | None = None, outputs: Outputs | None = None) -> BatchResult:
    """`pipeline.validate_paths` through the store: files whose content it holds are not read
    again; the others are read and judged `CHUNK` at a time and kept; then every file's judgement
    comes from the store, and the rules across files run over the whole batch."""
    entries = discover(paths, outputs)
    candidates = [str(p) for p, skip in entries if skip is None]
    seen = store.identify(candidates)
    stored = store.known(s.sha256 for s in seen.values() if s)
    to_read = [p for p in candidates if not (seen[p] and seen[p].sha256 in stored)]  # type: ignore[union-attr]
    parts: list[Assessed] = [assess([e for e in entries if e[1] is not None], {}, specs, lang)]
    kept: dict[str, Seen] = {}
    for judged in judge_all(to_read, specs, jobs, lang, progress, scheduler, chunk=CHUNK):
        saved = store.save(judged)
        rows = judged.files[judged.files["file"].isin(saved)]
        kept |= {f: Seen(int(n), float(m), h) for f, n, m, h in zip(rows["file"], rows["size"], rows["mtime"],
                                                                     rows["sha256"])}  # as the reader saw them
        if len(saved) < len(judged.files):  # judgements the store does not keep stay in memory (few)
            parts.append(_only(judged, [p for p in judged.files["file"] if p not in saved]))
    restore = {p: s for p in candidates if (s := kept.get(p) or (seen[p] if p not in to_read else None))}
    if restore:
        loaded = store.load(restore)
        again = list(restore) if loaded is None else loaded[1]  # the store failed us: judge those here
        if loaded is not None:
            parts.append(loaded[0])
        parts += judge_all(again, specs, jobs, lang, None, scheduler, chunk=CHUNK)
    store.report.reused, store.report.read = len(candidates) - len(to_read), len(to_read)
    previous = store.previous_files(sources_key(paths))
    now = {os.path.abspath(p) for p, _ in entries}
    store.report.disappeared = sorted(p for p in previous if p not in now and not os.path.exists(p))
    whole = Assessed.concat(parts)
    result = settle(entries, whole, former)  # former: pipeline.settle
    result.criteria = store
    return result


def _only(a: Assessed, paths: list[str]) -> Assessed:
    keep = set(paths)
    return Assessed(a.files[a.files["file"].isin(keep)], a.meta[a.meta.index.isin(keep)],
                    a.scores[a.scores["file"].isin(keep)] if not a.scores.empty else a.scores,
                    a.scored[a.scored.index.isin(keep)] if not a.scored.empty else a.scored,
                    [p for p in a.problems if p.file in keep],
                    a.rolled[a.rolled["file"].isin(keep)] if not a.rolled.empty else a.rolled)


def _assessed(layout: tuple[tuple[str, ...], ...], rows: list[tuple[str, tuple[Any, ...]]],
              by_sha: dict[str, list[str]], seen: dict[str, Seen]) -> Assessed:
    """Stored records of one layout -> the frames `assess` gives, one row per path of each content."""
    fcols, mcols, scols = layout
    files, meta, scored, problems, index = [], [], [], [], []
    rolled: list[pd.DataFrame] = []
    for sha, (frow, mrow, srow, probs, up) in rows:
        for path in by_sha[sha]:
            s = seen[path]
            files.append((path, Path(path).name, "", s.size, s.mtime, *frow))
            meta.append(mrow)
            scored.append(srow)
            index.append(path)
            problems += [dataclasses.replace(p, file=path) for p in probs]
            if up:
                rolled.append(pd.DataFrame.from_records(up[1], columns=list(up[0])).assign(file=path))
    frame = pd.DataFrame.from_records(files, columns=[*PATH_COLUMNS, *fcols])
    ordered = [c for c in _FILE_ORDER if c in frame.columns] + [c for c in frame.columns if c not in _FILE_ORDER]
    return Assessed(frame[ordered], pd.DataFrame.from_records(meta, columns=list(mcols), index=index),
                    pd.DataFrame(), pd.DataFrame.from_records(scored, columns=list(scols), index=index)
                    if scols else pd.DataFrame(index=index), problems,
                    pd.concat(rolled, ignore_index=True) if rolled else pd.DataFrame())


_FILE_ORDER = ("file", "name", "skipped", "size", "sha256", "mtime")  # pipeline._files_frame's first columns


def _records(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Rows as tuples of plain Python values (what the restricted unpickler accepts): a missing
    value of any kind (NaN, NA, NaT) is None."""
    if not len(frame.columns):
        return [()] * len(frame)
    values = frame.astype(object)
    values = values.where(values.notna(), None)
    return [tuple(_plain(v) for v in row) if any(hasattr(v, "item") for v in row) else tuple(row)
            for row in values.itertuples(index=False, name=None)]


def _plain(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return value
    if value is pd.NA or value is pd.NaT:
        return None
    return value


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


def _temp_table(con: sqlite3.Connection, name: str, columns: str, rows: Iterable[tuple[Any, ...]]) -> None:
    """Fill the connection's temporary table `name` with `rows` (what a query joins this run's
    paths, contents or forms against)."""
    con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})")
    con.execute(f"DELETE FROM temp.{name}")
    marks = ",".join("?" * (columns.count(",") + 1))
    con.executemany(f"INSERT OR IGNORE INTO temp.{name} VALUES ({marks})", rows)


def _wanted(con: sqlite3.Connection, shas: Iterable[str]) -> None:
    _temp_table(con, "wanted", "sha256 TEXT PRIMARY KEY", ((s,) for s in shas))


class _Unpickler(pickle.Unpickler):
    """Plain values, dates and fourgood's `Problem`, nothing else: a store is a file on a shared
    drive, and unpickling must never import a module or call anything that could act."""

    SAFE = {("datetime", n) for n in ("datetime", "date", "time", "timedelta", "timezone")} | {
        ("fourgood.problems", "Problem")}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.SAFE:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the store")


def _loads(payload: bytes) -> tuple[Any, ...]:
    record = _Unpickler(io.BytesIO(payload)).load()
    if not (isinstance(record, tuple) and len(record) == 5 and all(isinstance(x, tuple) for x in record[:3])
            and isinstance(record[3], list) and all(isinstance(p, Problem) for p in record[3])
            and isinstance(record[4], tuple) and len(record[4]) in (0, 2)):
        raise pickle.UnpicklingError("not a stored record")
    return record


def _is_layout(layout: Any) -> bool:
    """Three tuples of column names (files, information, totals)."""
    return (isinstance(layout, tuple) and len(layout) == 3
            and all(isinstance(cols, tuple) and all(isinstance(c, str) for c in cols) for cols in layout))


def _fits(layout: tuple[tuple[str, ...], ...], record: tuple[Any, ...]) -> bool:
    """A record has exactly one value per column of its layout (anything else is a cache miss)."""
    return len(record[0]) == len(layout[0]) and len(record[1]) == len(layout[1]) and len(record[2]) == len(layout[2])
