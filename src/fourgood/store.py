"""The history store: an SQLite file that remembers what each file contributed, so that a
consolidation run again (as forms keep arriving during the month, and once more for the year)
reads, validates and scores only the files whose content it has not seen.

What it holds (README, "History store"), one class each in `fourgood.store_tables`:

- `StatCache`: path, size, modification and change times and sha256 of every file read: a file
  whose size and times are unchanged is not read again.
- `Judgements`: per file content (sha256) AND the run's key (the criteria tables' fingerprints,
  the fourgood version and the language of the messages), the file judged on its own
  (`pipeline.assess`) as JSON: its form row (records.FORM), its content subtotals, its located
  problems, its rolled-up rows; and its normalised score rows, summed by a query for the
  per-criterion table. Never keyed by path.
- `LastRun`: the accepted inputs of the last run for the same sources (the files that disappeared).
- `CellHistory`: the counted result of every cell and period of every run (the previous year of
  the year view, the previous month of the report).
- `WrittenWorkbooks`: the last workbook written at each output path and the key of what it was
  made from, so that a run with nothing new leaves it as it is (`fourgood.freshness`).

A store is a cache: a fresh judgement stays in memory and is written once; a stored one comes
back through the same constructor (`kept`). Without a store (`--no-store`) no database is opened
at all. Deleting the file only costs a full re-read; a damaged file is reported and rebuilt; a
store of an older layout is rebuilt silently.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence, Set
from pathlib import Path

import pandas as pd

from . import __version__
from .contract import CONTENT_PREFIX, STORE_SUFFIX
from .pipeline import Assessed, BatchResult, Outputs, Progress, assess, discover, judge_all, settle
from .problems import Problem
from .records import ASSESSED, FORM_PATH, FORM_STORED
from .spec import Spec, all_versions
from .store_tables import (
    SCHEMA,
    CellHistory,
    Database,
    Judgements,
    LastRun,
    Seen,
    StatCache,
    Stored,
    StoreReport,
    Written,
    WrittenWorkbooks,
    db_path,
)

__all__ = ["SCHEMA", "SUFFIX", "Seen", "Store", "StoreReport", "Written", "batch", "beside", "run_key",
           "sources_key", "specs_key"]

SUFFIX = STORE_SUFFIX
CHUNK = 2000  # files read and judged at a time: memory stays flat whatever the batch


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
    return "\n".join(sorted({db_path(p) for p in paths}))


class Store:
    """The store's parts over one database file."""

    def __init__(self, path: str | Path, specs: dict[str, Spec], lang: str = "vi"):
        self.db = Database(path, run_key(specs, lang))
        self.path = self.db.path
        self.stat = StatCache(self.db)
        self.judgements = Judgements(self.db)
        self.cells = CellHistory(self.db)
        self.last_run = LastRun(self.db)
        self.written = WrittenWorkbooks(self.db)

    @property
    def report(self) -> StoreReport:
        return self.db.report

    def criterion_sums(self, used: pd.DataFrame) -> pd.DataFrame:
        return self.judgements.criterion_sums(used)

    def gone(self, paths: Sequence[str | Path], entries: Sequence[tuple[Path, str | None]]) -> list[str]:
        """The last run's files for these sources that are gone now (`entries`: what is found under
        the paths now, `pipeline.discover`)."""
        now = {db_path(p) for p, _ in entries}
        return sorted(p for p in self.last_run.files(sources_key(paths)) if p not in now and not os.path.exists(p))

    def close(self) -> None:
        self.db.close()


def batch(paths: Sequence[str | Path], specs: dict[str, Spec], store: Store | None, *, jobs: int = 1,
          lang: str = "vi", progress: Progress | None = None, scheduler: str | None = None,
          former: dict[str, str] | None = None, outputs: Outputs | None = None,
          entries: Sequence[tuple[Path, str | None]] | None = None) -> BatchResult:
    """`pipeline.validate_paths` through the store: files whose content it holds are not read
    again; the others are read and judged `CHUNK` at a time, kept in memory and written to the
    store once; then the rules across files run over the whole batch. `store` None: no store.
    `entries`: what `pipeline.discover` found under the paths, when the caller has listed them."""
    entries = list(entries) if entries is not None else discover(paths, outputs)
    candidates = [str(p) for p, skip in entries if skip is None]
    parts: list[Assessed] = [assess([e for e in entries if e[1] is not None], {}, specs, lang)]
    if store is None:
        parts += (_lean(j) for j in judge_all(candidates, specs, jobs, lang, progress, scheduler, chunk=CHUNK))
        return settle(entries, Assessed.concat(parts), former)
    seen = store.stat.identify(candidates)
    stored = store.judgements.known(s.sha256 for s in seen.values() if s and s.sha256)
    restore = {p: s for p in candidates if (s := seen[p]) and s.sha256 in stored}
    to_read = [p for p in candidates if p not in restore]
    known = frozenset(store.judgements.all_known()) if to_read else frozenset()
    recognised = 0
    for judged in judge_all(to_read, specs, jobs, lang, progress, scheduler, chunk=CHUNK, known=known):
        # a file read again whose content the store holds (its times changed, or a copy): from the store
        known_now = {p: Seen(size, mtime, sha) for p, (size, mtime, sha) in judged.recognised.items()}
        store.stat.remember(seen, judged.files, known_now)
        restore |= known_now
        recognised += len(known_now)
        parts.append(_keep(store, judged))
    if restore:
        loaded = store.judgements.load(restore)
        again = list(restore) if loaded is None else loaded.lost  # the store failed us: judge those here
        if loaded is not None:
            parts.append(kept(loaded))
        parts += judge_all(again, specs, jobs, lang, None, scheduler, chunk=CHUNK)
    store.report.reused, store.report.read = len(restore) - recognised, len(to_read)
    store.report.disappeared = store.gone(paths, entries)
    result = settle(entries, Assessed.concat(parts), former)  # former: pipeline.settle
    result.criteria = store
    return result


def _keep(store: Store, a: Assessed) -> Assessed:
    """Write a chunk's judgements to the store once, and keep them in memory as a stored one comes
    back (`kept`): the score rows of those written stay in the store, summed there. A judgement
    with a failure of ours in it, or of a file whose content is unknown, is not written."""
    problems: dict[str, list[Problem]] = {}
    for p in a.problems:
        problems.setdefault(p.file, []).append(p)
    files = a.files[(a.files["sha256"] != "") & (a.files["skipped"] == "")]
    files = files[[not any(p.code == "internal_error" for p in problems.get(f, [])) for f in files["file"]]]
    firsts = files.drop_duplicates("sha256")  # byte-identical files: their judgement once
    saved = (store.judgements.save(firsts, _contents(a.scored), problems, a.rolled, a.scores) if not firsts.empty
             else set())
    if saved:
        saved |= set(files.loc[files["sha256"].isin(set(firsts.loc[firsts["file"].isin(saved), "sha256"])), "file"])
    return _lean(a, saved)


SCORE_COLUMNS = ["file", "criterion_id", "content_id", "spec_max", "self", "upper"]  # what the roll-up sums


def _lean(a: Assessed, stored: Set[str] = frozenset()) -> Assessed:
    """A chunk's judgements as the rest of the run uses them, whether they came from the reader or
    the store (`kept`): the form rows, content subtotals, problems and rolled-up rows, and the score
    rows the store does not hold (`stored`: the files whose rows it sums), only what is summed."""
    scores = a.scores
    if not scores.empty:
        scores = scores.loc[~scores["file"].isin(stored) & (scores["content_id"] != ""), SCORE_COLUMNS]
    return Assessed(a.files, pd.DataFrame(), scores, _contents(a.scored), a.problems, a.rolled)


def _contents(scored: pd.DataFrame) -> pd.DataFrame:
    """A form's content subtotals (the only scores the roll-up takes that are not in its form row)."""
    return scored[[c for c in scored.columns if isinstance(c, str) and c.startswith(CONTENT_PREFIX)]]


def kept(s: Stored) -> Assessed:
    """Stored judgements as a batch of judged files, for the files on disk now (path, size, mtime)."""
    disk = [(p, Path(p).name, "", seen.size, seen.mtime) for p, seen in zip(s.paths, s.disk)]
    files = pd.concat([pd.DataFrame.from_records(disk, columns=list(FORM_PATH)),
                       pd.DataFrame.from_records(s.rows, columns=list(FORM_STORED))], axis=1)[list(ASSESSED)]
    contents = pd.DataFrame.from_records(s.contents, index=s.paths).astype(float) if s.paths else pd.DataFrame()
    rolled = pd.concat(s.rolled, ignore_index=True) if s.rolled else pd.DataFrame()
    return Assessed(files, pd.DataFrame(), pd.DataFrame(), contents, s.problems, rolled)
