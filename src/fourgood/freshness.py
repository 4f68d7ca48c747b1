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
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .pipeline import Outputs, discover
from .rollup import parse_period, previous_month
from .store import Store, Written, sources_key
from .yearview import is_year, previous_year


@dataclass(frozen=True)
class Request:
    """What a consolidation is asked for, besides its inputs' content: everything else the
    workbook's bytes depend on."""

    paths: Sequence[str]
    out: str
    roster: str | None
    period: str | None
    day: dt.date
    options: tuple[Any, ...]  # issuer, place, signer, the weakest criteria shown

    def gone_now(self, store: Store) -> list[str]:
        """The last run's files for these sources that are gone now (what this run would report)."""
        now = {os.path.abspath(p) for p, _ in discover(self.paths)}
        return sorted(p for p in store.last_run.files(sources_key(self.paths)) if p not in now and not os.path.exists(p))


def inputs_key(store: Store, request: Request, outputs: Outputs | None, gone: Sequence[str]) -> str | None:
    """The key of everything the workbook would be made from now; None when a file's content is not
    known from the stat cache without reading it (a new or changed file: the run must read it)."""
    entries = discover(request.paths, outputs)
    seen = store.stat.identify([str(p) for p, skip in entries if skip is None])
    return _key(store, request, [(str(p), skip, found.sha256 if (found := seen.get(str(p))) else "")
                                 for p, skip in entries], gone)


def _key(store: Store, request: Request, files: Sequence[tuple[str, str | None, str]],
         gone: Sequence[str]) -> str | None:
    """The key of a run's inputs (each file's path, skip reason and content's sha256), options,
    day and the history it compares with; None when a file read as a form has no known content."""
    h = hashlib.sha256()

    def feed(*parts: Any) -> None:
        h.update(("\t".join("" if x is None else str(x) for x in parts) + "\n").encode("utf-8", "surrogateescape"))

    feed("fourgood-written-1", store.db.key, sources_key(request.paths), os.path.abspath(request.out),
         request.period, request.day.isoformat(), *request.options)
    feed("given", request.roster, *request.paths)  # as typed: the workbook's _meta records them so
    for path, skip, sha in sorted((os.path.abspath(p), skip or "", sha) for p, skip, sha in files):
        if not skip and not sha:
            return None
        feed(path, skip, sha)
    if request.roster:
        try:
            feed("roster", _sha256(request.roster))
        except OSError:
            return None
    feed("gone", *gone)
    wanted = parse_period(request.period)
    if wanted:  # the report compares with last year (year view) or last month, from the store
        before = (store.cells.of_year(previous_year(wanted)) if is_year(wanted)
                  else store.cells.of_period(previous_month(wanted)))
        feed("history", before.sort_values(list(before.columns)).to_csv(index=False))
    return h.hexdigest()


def up_to_date(store: Store, request: Request, outputs: Outputs | None) -> Written | None:
    """The record of the workbook at `request.out` when it is still the answer, else None."""
    if store.report.unusable or store.report.damaged:
        return None
    written = store.written.last(request.out)
    if written is None:
        return None
    key = inputs_key(store, request, outputs, request.gone_now(store))
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
    rows = list(zip(files["file"].astype(str), files["skipped"].astype(object).fillna(""),
                    files["sha256"].astype(object).fillna("")))
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
