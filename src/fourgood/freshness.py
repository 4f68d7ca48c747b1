"""Whether the workbook a consolidation would write is already on disk, as make decides for a
target newer than its sources: the same inputs (by content, through the history store's stat
cache: nothing is read or hashed), the same criteria tables, fourgood and language (the store's
run key), the same options and roster, the same day (the report is dated), the same history the
report compares with (last month, last year), the same files reported gone since the run before,
and the workbook itself as that run left it (its sha256). Then a board's re-run with nothing new
answers at once and leaves the signed-off file as it is; anything else writes it again.

Only with a history store: without one nothing is remembered between runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .rollup import parse_period, previous_month
from .spec import Spec, all_versions
from .store import Store, Written, sources_key
from .yearview import is_year, previous_year


@dataclass(frozen=True)
class Request:
    """What a consolidation is asked for, besides its inputs' content: everything else the
    workbook's bytes depend on. Made before anything is read (`of`), so that the roster's
    content is the one the run reads, not the one on disk when it ends."""

    paths: Sequence[str]
    out: str
    roster: str | None
    period: str | None
    day: dt.date
    options: tuple[Any, ...]  # issuer, place, signer, the weakest criteria shown
    tables: str = ""  # every criteria table known, year rules included (tables_key)
    roster_sha: str = ""  # the roster's content when the run began ("" without one, or unreadable)

    @classmethod
    def of(cls, paths: Sequence[str], out: str, roster: str | None, period: str | None, day: dt.date,
           options: tuple[Any, ...], specs: Mapping[str, Spec]) -> Request:
        try:
            roster_sha = _sha256(roster) if roster else ""
        except OSError:
            roster_sha = ""
        return cls(paths, out, roster, period, day, options, tables_key(specs), roster_sha)


def tables_key(specs: Mapping[str, Spec]) -> str:
    """Every criteria table known, whole: the store's run key has their fingerprints, which leave
    out the rules of the year (`year_rule`, `outstanding_score`) that the year view applies."""
    tables = sorted(json.dumps(s.to_dict(), ensure_ascii=False, sort_keys=True, default=str) for s in all_versions(specs))
    return hashlib.sha256("\n".join(tables).encode("utf-8")).hexdigest()


def inputs_key(store: Store, request: Request, entries: Sequence[tuple[Path, str | None]],
               gone: Sequence[str]) -> str | None:
    """The key of everything the workbook would be made from now (`entries`: what is found under
    the paths, `pipeline.discover`); None when a file's content is not known from the stat cache
    without reading it (a new or changed file: the run must read it), or its judgement is not in
    the store (a full run would judge it again: a failure of ours, say)."""
    seen = store.stat.identify([str(p) for p, skip in entries if skip is None])
    shas = {found.sha256 for p, skip in entries if skip is None and (found := seen.get(str(p))) and found.sha256}
    if shas - store.judgements.known(shas):
        return None
    return _key(store, request, [(str(p), skip, found.sha256 if (found := seen.get(str(p))) else "",
                                  _size(p) if skip else "") for p, skip in entries], gone)


def _size(path: str | Path) -> int | str:
    """A skipped file's size, which the log sheet shows ("" when it cannot be stat-ed)."""
    try:
        return os.stat(path).st_size
    except OSError:
        return ""


def _key(store: Store, request: Request, files: Sequence[tuple[str, str | None, str, int | str]],
         gone: Sequence[str]) -> str | None:
    """The key of a run's inputs (each file's path, skip reason, content's sha256 and, skipped, its
    size), options, tables, day and the history it compares with; None when a file read as a form
    has no known content."""
    h = hashlib.sha256()

    def feed(*parts: Any) -> None:
        h.update(("\t".join("" if x is None else str(x) for x in parts) + "\n").encode("utf-8", "surrogateescape"))

    feed("fourgood-written-2", store.db.key, request.tables, sources_key(request.paths),
         os.path.abspath(request.out), request.period, request.day.isoformat(), *request.options)
    feed("given", request.roster, *request.paths)  # as typed: the workbook's _meta records them so
    for path, skip, sha, size in sorted((os.path.abspath(p), skip or "", sha, size) for p, skip, sha, size in files):
        if not skip and not sha:
            return None
        feed(path, skip, sha, size)
    if request.roster and not request.roster_sha:
        return None
    feed("roster", request.roster_sha)
    feed("gone", *gone)
    wanted = parse_period(request.period)
    if wanted:  # the report compares with last year (year view) or last month, from the store
        before = (store.cells.of_year(previous_year(wanted)) if is_year(wanted)
                  else store.cells.of_period(previous_month(wanted)))
        feed("history", before.sort_values(list(before.columns)).to_csv(index=False))
    return h.hexdigest()


def up_to_date(store: Store, request: Request, entries: Sequence[tuple[Path, str | None]]) -> Written | None:
    """The record of the workbook at `request.out` when it is still the answer, else None
    (`entries`: the inputs as `pipeline.discover` lists them now)."""
    if store.report.unusable or store.report.damaged:
        return None
    written = store.written.last(request.out)
    if written is None:
        return None
    key = inputs_key(store, request, entries, store.gone(request.paths, entries))
    if key != written.inputs:
        return None
    try:
        return written if _sha256(request.out) == written.sha256 else None
    except OSError:
        return None


def remember(store: Store, request: Request, files: pd.DataFrame, gone: Sequence[str],
             summary: dict[str, Any], written_at: dt.datetime) -> None:
    """Record the workbook just written, under the key of the inputs the run found (`files`: its
    files frame, every input once with its skip reason and content); forget it when that cannot
    be known. A file changed while the run read it is not in the stat cache under its new times,
    so the next run reads it and writes the workbook again."""
    skipped = files["skipped"].astype(object).fillna("")
    sizes = pd.to_numeric(files["size"], errors="coerce")
    rows = list(zip(files["file"].astype(str), skipped, files["sha256"].astype(object).fillna(""),
                    [int(n) if skip and n == n else "" for skip, n in zip(skipped, sizes)]))
    key = _key(store, request, rows, gone)
    try:
        digest = _sha256(request.out)
    except OSError:
        key = None
    if key is None:
        store.written.forget(request.out)
        return
    store.written.record(request.out, Written(key, digest, summary, written_at.isoformat(timespec="seconds")))


def _sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
