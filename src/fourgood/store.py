"""The history store: an SQLite file that remembers what each file contributed, so that a
consolidation run again (as forms keep arriving during the month) reads only files whose content
it has not seen.

What it holds (README, "History store"):

- `reads`: per file content (sha256), the reader's output (`validators.reader.FileRead`, pickled,
  without its path, size, mtime and spec object, which belong to the file on disk and the run).
  Keyed by sha256 AND the fingerprints of the criteria tables in use AND the fourgood version:
  a changed criteria table or a new fourgood reads everything again. Never keyed by path.
- `files`: one row per accepted input of the last run for the same sources (path, size, mtime,
  sha256, category, verdict, spec fingerprint and version): what lets the next run report the
  files that disappeared.

A run with the store is the same computation as one without: the reads restored from the store
go through `pipeline.assemble` (validate → score → settle) exactly like fresh ones. Deleting the
file only costs a full re-read; a damaged file is reported and rebuilt.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import io
import os
import pickle
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__
from .pipeline import BatchResult, Progress, assemble, discover, read_all
from .spec import Spec
from .validators.reader import FileRead

SUFFIX = ".fourgood.sqlite"
SCHEMA = "1"
_DDL = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS reads (sha256 TEXT NOT NULL, specs TEXT NOT NULL, version TEXT NOT NULL, "
    "fingerprint TEXT, kind TEXT, size INTEGER, payload BLOB NOT NULL, PRIMARY KEY (sha256, specs, version))",
    "CREATE TABLE IF NOT EXISTS files (sources TEXT NOT NULL, path TEXT NOT NULL, size INTEGER, mtime REAL, "
    "sha256 TEXT, category TEXT, verdict TEXT, fingerprint TEXT, spec_version TEXT, PRIMARY KEY (sources, path))",
)


def beside(out: str | Path) -> Path:
    """The default store of an output workbook: `OUT.xlsx` -> `OUT.fourgood.sqlite`."""
    out = Path(out)
    return out.with_name(out.stem + SUFFIX)


def specs_key(specs: dict[str, Spec]) -> str:
    """One key for the set of criteria tables in use: any change to any of them changes it."""
    return hashlib.sha256("\n".join(sorted(s.fingerprint for s in specs.values())).encode()).hexdigest()


def sources_key(paths: Sequence[str | Path]) -> str:
    return "\n".join(sorted({os.path.abspath(p) for p in paths}))


@dataclass
class StoreReport:
    """What the store did in one run (shown by `consolidate`; `files_disappeared` in the summary)."""

    path: str
    reused: int = 0  # files whose read came from the store
    read: int = 0  # files read from disk
    disappeared: list[str] = field(default_factory=list)  # in the last run for these sources, gone now
    damaged: str = ""  # the store could not be used as it was: rebuilt (the detail)
    unusable: str = ""  # the store could not be opened or written at all: the run went on without it


class Store:
    def __init__(self, path: str | Path, specs: dict[str, Spec]):
        self.path = Path(path)
        self.specs = specs
        self.key = specs_key(specs)
        self.report = StoreReport(str(self.path))
        self.con: sqlite3.Connection | None = None
        try:
            self.con = self._open()
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
            with con:
                for ddl in _DDL:
                    con.execute(ddl)
                row = con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
                if row is None:
                    con.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA,))
                elif row[0] != SCHEMA:
                    raise sqlite3.DatabaseError(f"schema {row[0]}, expected {SCHEMA}")
                # Reads made against other criteria tables or by another fourgood are never used again.
                con.execute("DELETE FROM reads WHERE specs != ? OR version != ?", (self.key, __version__))
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
        """Run a database step; a store damaged mid-run is rebuilt and the step gives `default`."""
        if self.con is None:
            return default
        try:
            return what(self.con)
        except sqlite3.DatabaseError as exc:
            self.report.damaged = self.report.damaged or str(exc)
            self._rebuild()
            return default

    # ------------------------------------------------------------------ reads, by content

    def lookup(self, shas: Iterable[str]) -> dict[str, tuple[str, FileRead]]:
        wanted = sorted(set(shas))

        def run(con: sqlite3.Connection) -> dict[str, tuple[str, FileRead]]:
            found: dict[str, tuple[str, FileRead]] = {}
            for i in range(0, len(wanted), 500):
                part = wanted[i:i + 500]
                rows = con.execute(f"SELECT sha256, payload FROM reads WHERE specs = ? AND version = ? AND sha256 IN "
                                   f"({','.join('?' * len(part))})", (self.key, __version__, *part))
                for sha, payload in rows:
                    try:
                        found[sha] = _loads(payload)
                    except Exception:  # an unreadable row is only a cache miss: the file is read again
                        continue
            return found

        return self._guard(run, {})

    def save(self, reads: Iterable[FileRead]) -> None:
        rows = [(r.sha256, self.key, __version__, r.spec.fingerprint if r.spec else "", r.kind, r.size, _dumps(r))
                for r in reads if cacheable(r)]

        def run(con: sqlite3.Connection) -> None:
            with con:
                con.executemany("INSERT OR REPLACE INTO reads VALUES (?,?,?,?,?,?,?)", rows)

        self._guard(run, None)

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

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None


def cacheable(r: FileRead) -> bool:
    """A read worth keeping: its content is known, and no failure of ours (internal_error) is in it."""
    return bool(r.sha256) and not any(p.code == "internal_error" for p in r.problems)


def validate_paths(paths: Sequence[str | Path], specs: dict[str, Spec], store: Store, *, jobs: int = 1,
                   lang: str = "vi", progress: Progress | None = None, scheduler: str | None = None) -> BatchResult:
    """`pipeline.validate_paths` with the store: only files whose content it has not seen are read."""
    entries = discover(paths)
    candidates = [str(p) for p, skip in entries if skip is None]
    seen = {p: _stat_and_hash(p) for p in candidates}
    cached = store.lookup(s for _, _, s in (v for v in seen.values() if v))
    reads: dict[str, FileRead] = {}
    to_read: list[str] = []
    for p in candidates:
        known = seen[p]
        if known and known[2] in cached:
            reads[p] = _restore(cached[known[2]], p, *known, specs)
        else:
            to_read.append(p)
    fresh = list(read_all(to_read, specs, jobs, progress, scheduler=scheduler))
    store.save(fresh)
    reads.update({r.path: r for r in fresh})
    store.report.reused, store.report.read = len(candidates) - len(to_read), len(to_read)
    previous = store.previous_files(sources_key(paths))
    now = {os.path.abspath(p) for p, _ in entries}
    store.report.disappeared = sorted(p for p in previous if p not in now and not os.path.exists(p))
    return assemble(entries, {p: reads[p] for p in candidates}, specs, lang)


def _stat_and_hash(path: str) -> tuple[int, float, str] | None:
    try:
        stat = os.stat(path)
        with open(path, "rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None  # read_file says why, located
    return stat.st_size, stat.st_mtime, digest


def _restore(stored: tuple[str, FileRead], path: str, size: int, mtime: float, sha256: str,
             specs: dict[str, Spec]) -> FileRead:
    """The stored read as if `read_file(path)` had just made it: this file's path, size and mtime,
    and the criteria table of this run (the store's key guarantees the same fingerprint)."""
    fingerprint, read = stored
    spec = next((s for s in specs.values() if s.fingerprint == fingerprint), None) if fingerprint else None
    return dataclasses.replace(
        read, path=path, size=size, mtime=mtime, sha256=sha256, spec=spec,
        problems=[dataclasses.replace(p, file=path) if p.file == read.path else p for p in read.problems])


def _dumps(r: FileRead) -> bytes:
    """The read without its criteria table (a Spec object; the fingerprint names it) ."""
    return pickle.dumps((r.spec.fingerprint if r.spec else "", dataclasses.replace(r, spec=None)),
                        protocol=pickle.HIGHEST_PROTOCOL)


class _Unpickler(pickle.Unpickler):
    """Only fourgood's own records (dataclasses, enums) and plain values: a store is a file on a
    shared drive, and unpickling must never run code."""

    SAFE = {("builtins", n) for n in ("set", "frozenset", "complex", "slice", "bytearray", "range")} | {
        ("datetime", n) for n in ("datetime", "date", "time", "timedelta", "timezone")} | {("decimal", "Decimal")}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.SAFE:
            return super().find_class(module, name)
        if module.startswith("fourgood.") or module.startswith("numpy"):
            found = super().find_class(module, name)
            if isinstance(found, type) and (dataclasses.is_dataclass(found) or issubclass(found, enum.Enum)):
                return found
            if module.startswith("numpy") and name in ("scalar", "dtype", "_reconstruct", "ndarray"):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the store")


def _loads(payload: bytes) -> tuple[str, FileRead]:
    fingerprint, read = _Unpickler(io.BytesIO(payload)).load()
    if not isinstance(read, FileRead) or not isinstance(fingerprint, str):
        raise pickle.UnpicklingError("not a stored read")
    return fingerprint, read
