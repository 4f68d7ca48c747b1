"""The batch flow, one way: discover → read → declared frames → validate → score → settle
duplicates. The command line, the Excel add-in and the benchmark all run this; nothing here
parses arguments or presents results.

Every input path is accounted for in the result: read, skipped (with the reason) or
rejected (with every problem).
"""

from __future__ import annotations

# the process pool as concurrent.futures.ProcessPoolExecutor: the package loads it (and multiprocessing)
# on first use, and checking one form needs none
import concurrent.futures
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from .contract import STORE_SUFFIX
from .problems import FourgoodError, Problem
from .records import ASSESSED, CONTENT, FILE, FORM, FORM_INFO, FORM_NUMBERS, FORM_TOTALS, names
from .scoring import score_batch
from .spec import Spec
from .validators import validate_frames
from .validators.duplicates import settle_duplicates
from .validators.frames import Entry, Frames, build_frames
from .validators.normalize import BLANK, OK
from .validators.package import col_index
from .validators.reader import FileRead, SpecIndex, file_is_candidate, read_bytes, read_file

Progress = Callable[[int, int], None]
OWN_OUTPUT_CODES = ("skipped_output_workbook", "skipped_output_pdf", "skipped_output_summary", "skipped_history_store")
# skip codes of files that are listed, never judged
SKIPPED = ("skipped_lock_file", "skipped_system_file", *OWN_OUTPUT_CODES)
# Judging a chunk has a fixed cost (pandera's schema set-up, about 0.3-0.5 s) whatever its size:
# chunks smaller than this would spend more on it than they gain from a second process.
MIN_CHUNK = 256


class CriterionSums(Protocol):
    """Per-criterion sums computed where the score rows are (the history store's aggregate query)."""

    def criterion_sums(self, used: pd.DataFrame) -> pd.DataFrame: ...


@dataclass
class BatchResult:
    files: pd.DataFrame  # one row per input file, in discovery order (FileRows + verdict columns)
    meta: pd.DataFrame  # one row per readable form (InfoRows), index: file
    scores: pd.DataFrame  # one row per (form, criterion) (ScoreRows)
    scored: pd.DataFrame  # one row per readable form, index: file (scoring.score_batch)
    problems: list[Problem] = field(default_factory=list)
    rolled: pd.DataFrame = field(default_factory=pd.DataFrame)  # cell rows from lower-level consolidations
    criteria: CriterionSums | None = None  # where the per-criterion sums come from when `scores` is not held


    def problems_of(self, file: str) -> list[Problem]:
        return [p for p in self.problems if p.file == file]


def output_key(path: str | Path) -> str:
    """One spelling of a path for comparing an input with an output (links resolved, case on Windows)."""
    return os.path.normcase(os.path.realpath(path))


# A history store and the files SQLite keeps beside it while it writes.
STORE_FILES = tuple(STORE_SUFFIX + tail for tail in ("", "-journal", "-wal", "-shm"))


@dataclass(frozen=True)
class Outputs:
    """The files this very run writes (`consolidate -o` inside a folder it reads), each with the
    skip code that says what it is."""

    codes: dict[str, str]  # output_key(path) -> skip code
    names: frozenset[str]  # their file names: most files are told apart without resolving a path

    @classmethod
    def of(cls, paths: Mapping[str, str]) -> Outputs:
        codes = {output_key(p): code for p, code in paths.items()}
        return cls(codes, frozenset(os.path.basename(k) for k in codes))

    def code(self, path: Path) -> str | None:
        if os.path.normcase(path.name) not in self.names:
            return None
        return self.codes.get(output_key(path))


def skip_reason(path: Path, outputs: Outputs | None = None) -> str | None:
    """Why a discovered file is listed but not read, or None to read it: a lock or system file,
    a history store, or one of the files this run writes."""
    if path.name.lower().endswith(STORE_FILES):
        return "skipped_history_store"
    return (outputs.code(path) if outputs else None) or file_is_candidate(path)


def files_under(folder: Path) -> list[Path]:
    """Every file under `folder`, sorted by its path's text: what `folder.rglob("*")` filtered by
    `is_file()` finds (links to files kept, linked folders not entered), from the directory
    entries' own types instead of a stat and a Path per entry (a board's folder of 100,000 forms
    is listed on every run, and again to tell whether anything is new)."""
    found: list[str] = []
    folders = [str(folder)]
    while folders:
        here = folders.pop()
        try:
            with os.scandir(here) as listing:
                entries = list(listing)
        except OSError:  # unreadable: as rglob, what cannot be listed is not there
            continue
        for entry in entries:
            try:
                if entry.is_dir() and not entry.is_symlink():
                    folders.append(entry.path)
                elif entry.is_file():
                    found.append(entry.path)
            except OSError:
                continue
    return [Path(p) for p in sorted(found)]


def discover(paths: Iterable[str | Path], outputs: Outputs | None = None) -> list[tuple[Path, str | None]]:
    """(path, skip code or None) for every file under the given files and folders, sorted.

    `outputs`: the files this run writes, never read as inputs (see `skip_reason`)."""
    found: list[tuple[Path, str | None]] = []
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        listed = path.is_dir()
        files = files_under(path) if listed else [path]
        for p in files:
            key = os.path.abspath(p)
            if key in seen:
                continue
            seen.add(key)
            if not listed and not p.exists():  # a file named on the command line (one listed was just seen)
                found.append((p, "file_not_found"))
            else:
                found.append((p, skip_reason(p, outputs)))
    return found


_INDEX: SpecIndex | None = None
_CLUSTER_INDEX: tuple[dict[str, Spec], SpecIndex] | None = None


_SPECS: dict[str, Spec] = {}


_KNOWN: frozenset[str] = frozenset()  # contents whose judgement the history store holds (sha256)


def _init_worker(specs: dict[str, Spec], known: frozenset[str] = frozenset()) -> None:
    global _INDEX, _SPECS, _KNOWN
    _INDEX, _SPECS, _KNOWN = SpecIndex(specs), specs, known


def _read_one(path: str) -> FileRead:
    assert _INDEX is not None
    return read_file(path, _INDEX)


def _judge_chunk(paths: list[str], lang: str) -> Assessed:
    """Read and judge a chunk of files in a worker: the validation runs where the reading ran."""
    return _judge_reads([_read_one(p) for p in paths], _SPECS, lang, _KNOWN)


def _judge_reads(reads: list[FileRead], specs: dict[str, Spec], lang: str, known: frozenset[str]) -> Assessed:
    """Judge what was read, except a content the history store already judged (`known`: a file
    whose times changed, a copy): that one is only recognised, and its judgement comes from the store."""
    recognised = {r.path: (r.size, r.mtime, r.sha256) for r in reads if r.sha256 and r.sha256 in known}
    fresh = [r for r in reads if r.path not in recognised]
    judged = assess([(Path(r.path), None) for r in fresh], {r.path: r for r in fresh}, specs, lang)
    judged.recognised = recognised
    return judged


def _read_with(specs: dict[str, Spec], paths: list[str]) -> list[FileRead]:
    """A batch of reads on a Dask worker: the specs travel with the task, as the pool's initializer
    passes them to each local process (a worker keeps the last index it built)."""
    global _CLUSTER_INDEX
    if _CLUSTER_INDEX is None or _CLUSTER_INDEX[0] is not specs:
        _CLUSTER_INDEX = (specs, SpecIndex(specs))
    index = _CLUSTER_INDEX[1]
    return [read_file(p, index) for p in paths]


def _read_on_cluster(paths: list[str], specs: dict[str, Spec], scheduler: str,
                     progress: Progress | None) -> Iterator[FileRead]:
    """Read and validate on a dask.distributed cluster (`--scheduler ADDRESS`), results in input order.

    Every worker must see the paths (a shared folder). Batches of up to 64 files keep the
    scheduler's per-task overhead small; the specs are scattered once and shared by every batch.
    """
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise FourgoodError([Problem("dask_missing")]) from exc
    try:
        client = Client(scheduler, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise FourgoodError([Problem("scheduler_unreachable", value=scheduler, params={"reason": str(exc)})]) from exc
    total = len(paths)
    with client:
        workers = max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})))
        size = max(1, min(64, total // (workers * 8) or 1))
        batches = [paths[i:i + size] for i in range(0, total, size)]
        (shared,) = client.scatter([specs], broadcast=True)  # a list: one object, not one per key
        futures = [client.submit(_read_with, shared, b, pure=False) for b in batches]
        done = 0
        for future in futures:  # in order: the pipeline's results do not depend on the backend
            for result in future.result():
                done += 1
                yield result
            if progress:
                progress(done, total)


def read_all(paths: list[str], specs: dict[str, Spec], jobs: int = 1, progress: Progress | None = None,
             scheduler: str | None = None) -> Iterator[FileRead]:
    total = len(paths)
    if scheduler:
        yield from _read_on_cluster(paths, specs, scheduler, progress)
        return
    if jobs <= 1 or total < 8:
        _init_worker(specs)
        for i, p in enumerate(paths, 1):
            yield _read_one(p)
            if progress:
                progress(i, total)
        return
    chunk = max(1, min(64, total // (jobs * 8) or 1))
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                                                initargs=(specs,)) as pool:
        for i, result in enumerate(pool.map(_read_one, paths, chunksize=chunk), 1):
            yield result
            if progress and (i % chunk == 0 or i == total):
                progress(i, total)


def judge_all(paths: list[str], specs: dict[str, Spec], jobs: int = 1, lang: str = "vi",
              progress: Progress | None = None, scheduler: str | None = None,
              chunk: int = 500, known: frozenset[str] = frozenset()) -> Iterator[Assessed]:
    """Read and judge (`assess`) every file, a chunk at a time, in input order.

    Local processes each read and judge a whole chunk, so validation and scoring run in parallel
    with the reading; at most two chunks per process are in flight, so memory stays flat however
    many files there are. On a Dask cluster the workers read and this process judges.
    """
    total = len(paths)
    if not total:
        return
    if scheduler:
        window: list[FileRead] = []
        for r in read_all(paths, specs, jobs, progress, scheduler=scheduler):
            window.append(r)
            if len(window) == chunk:
                yield _judge_reads(window, specs, lang, known)
                window = []
        if window:
            yield _judge_reads(window, specs, lang, known)
        return
    if jobs <= 1 or total < 8:
        _init_worker(specs)
        done = 0
        for start in range(0, total, chunk):
            reads = []
            for p in paths[start:start + chunk]:
                reads.append(_read_one(p))
                done += 1
                if progress:
                    progress(done, total)
            yield _judge_reads(reads, specs, lang, known)
        return
    size = max(min(MIN_CHUNK, chunk), min(chunk, -(-total // (jobs * 4))))
    parts = iter([paths[i:i + size] for i in range(0, total, size)])
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                                                initargs=(specs, known)) as pool:
        pending: deque[tuple[int, Future[Assessed]]] = deque(
            (len(part), pool.submit(_judge_chunk, part, lang)) for part in islice(parts, jobs * 2))
        done = 0
        while pending:
            n, future = pending.popleft()
            result = future.result()
            following = next(parts, None)
            if following is not None:
                pending.append((len(following), pool.submit(_judge_chunk, following, lang)))
            done += n
            if progress:
                progress(done, total)
            yield result


def check_inputs(paths: Sequence[str], *, also: Sequence[str] = (), outputs: Outputs | None = None) -> None:
    """Refuse, before anything is read, a path that does not exist or inputs with no file to read.

    Both are the user's to fix on the command line (exit 2), not a verdict on a submission.
    `also` lists further files that must exist (the roster).
    """
    missing = [p for p in [*paths, *also] if not Path(p).exists()]
    if missing:
        raise FourgoodError([Problem("file_not_found", file=str(p)) for p in missing])
    skipped = 0
    for raw in paths:
        path = Path(raw)
        found = (p for p in path.rglob("*") if p.is_file()) if path.is_dir() else iter([path])
        for p in found:  # stops at the first file worth reading
            if skip_reason(p, outputs) is None:
                return
            skipped += 1
    where = ", ".join(f"'{p}'" for p in paths)
    raise FourgoodError([Problem("no_files_only_skipped" if skipped else "no_files", value=where,
                                 params={"skipped": skipped})])


def validate_paths(paths: Iterable[str | Path], specs: dict[str, Spec], *, jobs: int = 1, lang: str = "vi",
                   progress: Progress | None = None, scheduler: str | None = None) -> BatchResult:
    entries = discover(paths)
    to_read = [str(p) for p, skip in entries if skip is None]
    skipped = assess([e for e in entries if e[1] is not None], {}, specs, lang)
    return settle(entries, Assessed.concat([skipped, *judge_all(to_read, specs, jobs, lang, progress, scheduler)]))


def validate_bytes(data: bytes, name: str, specs: dict[str, Spec], *, lang: str = "vi",
                   mtime: float = 0.0) -> BatchResult:
    """`validate_paths([name])` for a file held in memory (an upload): the same result, nothing
    written to disk. `name` stands for its path (a lock file's name is skipped as on disk); `mtime`
    for its modification time (the duplicate rule's last tie-break)."""
    entries = [(Path(name), skip_reason(Path(name)))]
    skipped = assess([e for e in entries if e[1] is not None], {}, specs, lang)
    reads = {str(p): read_bytes(data, str(p), SpecIndex(specs), mtime=mtime) for p, skip in entries if skip is None}
    judged = [assess([(Path(f), None) for f in reads], reads, specs, lang)] if reads else []
    return settle(entries, Assessed.concat([skipped, *judged]))


@dataclass
class Assessed:
    """A batch judged file by file (validated and scored), before the rules across files (which
    file counts for a cell and period). Each row depends on its own file only: what the history
    store keeps per content."""

    files: pd.DataFrame  # as BatchResult.files, without `counted`
    meta: pd.DataFrame
    scores: pd.DataFrame
    scored: pd.DataFrame
    problems: list[Problem]
    rolled: pd.DataFrame
    # files read whose content the history store had judged (judge_all's `known`): path -> (size, mtime, sha256)
    recognised: dict[str, tuple[int, float, str]] = field(default_factory=dict)

    @staticmethod
    def concat(parts: list[Assessed]) -> Assessed:
        """Chunks judged apart, as one batch (the files in the order of the parts)."""
        def cat(frames: list[pd.DataFrame], ignore_index: bool) -> pd.DataFrame:
            frames = [f for f in frames if not f.empty]
            if not frames:
                return pd.DataFrame()
            return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=ignore_index)

        shaped = [a.files for a in parts if len(a.files.columns)]
        files = pd.concat(shaped, ignore_index=True) if shaped else pd.DataFrame()
        return Assessed(files, cat([a.meta for a in parts], False), cat([a.scores for a in parts], True),
                        cat([a.scored for a in parts], False), [p for a in parts for p in a.problems],
                        cat([a.rolled for a in parts], True))


def assemble(entries: list[Entry], reads: dict[str, FileRead], specs: dict[str, Spec],
             lang: str = "vi") -> BatchResult:
    """Validate, score and settle a batch already read (the add-in runs a batch of one)."""
    return settle(entries, assess(entries, reads, specs, lang))


def assess(entries: list[Entry], reads: dict[str, FileRead], specs: dict[str, Spec],
           lang: str = "vi") -> Assessed:
    """Validate and score every file on its own.

    An empty batch (every run's skipped files, most often none) is judged once per process: its
    empty frames carry the dtypes that make the files frame of `Assessed.concat` the same
    whatever the batch (about a sixth of the CPU of one form's check in the server when built each time)."""
    if not entries and not reads:
        return _nothing()
    return _assess(entries, reads, specs, lang)


@cache
def _judged_nothing() -> Assessed:
    return _assess([], {}, {}, "vi")  # nothing read: neither the specs nor the language is used


def _nothing() -> Assessed:
    """The judged empty batch, its frames copied (a caller may add columns to its own)."""
    none = _judged_nothing()
    return Assessed(none.files.copy(), none.meta.copy(), none.scores.copy(), none.scored.copy(), [],
                    none.rolled.copy())


def _assess(entries: list[Entry], reads: dict[str, FileRead], specs: dict[str, Spec], lang: str) -> Assessed:
    index = SpecIndex(specs)
    problems: list[Problem] = []
    for p, skip in entries:
        if skip:
            problems.append(Problem(skip, str(p),
                                    value=p.name))
    for r in reads.values():
        problems += r.problems
    frames = build_frames(entries, reads, index)
    problems += validate_frames(frames, _expected_criteria(frames, index), lang)
    errors = {p.file for p in problems if p.severity == "error"}
    scored = _score(frames, errors)
    return Assessed(_files_frame(frames, scored, problems), frames.info, frames.scores, scored, problems,
                    frames.rolled)


def settle(entries: list[Entry], a: Assessed, former: dict[str, str] | None = None) -> BatchResult:
    """The rules across files: byte-identical files and one file per cell and period count once.

    `former`: former cell code -> the code of the cell it now is (the roster's “Mã cũ”): a form
    under a former code counts for the new cell, with a warning, before the duplicate rule runs
    (a form under the old code and one under the new code for one period: one counts)."""
    order = {str(p): i for i, (p, _) in enumerate(entries)}
    files = a.files.sort_values("file", key=lambda f: f.map(order), kind="stable").reset_index(drop=True) \
        if not a.files.empty else a.files.copy()
    renamed = _renamed(files, former or {})
    duplicates, counted = settle_duplicates(files)
    extra = pd.Series([p.file for p in duplicates + renamed], dtype=object).value_counts()  # both are warnings
    files["warnings"] = files["warnings"] + files["file"].map(extra).fillna(0).astype(int)
    files["counted"] = files["file"].isin(counted)
    problems = a.problems + renamed + duplicates
    problems.sort(key=lambda p: (order.get(p.file, len(order)), p.severity != "error", p.sheet, _cell_key(p.cell),
                                 p.code))
    return BatchResult(files=files, meta=a.meta, scores=a.scores, scored=a.scored, problems=problems,
                       rolled=a.rolled)


def _renamed(files: pd.DataFrame, former: dict[str, str]) -> list[Problem]:
    """Give the forms under a former code the cell's code now (in place); one warning each."""
    if not former or files.empty or "cell_code" not in files:
        return []
    old = files["cell_code"].map(former)
    hit = old.notna() & files["kind"].eq("cell") & files["skipped"].eq("")
    problems = [Problem("cell_former_code", str(f), value=code, expected=new)
                for f, code, new in zip(files.loc[hit, "file"], files.loc[hit, "cell_code"], old[hit])]
    files.loc[hit, "cell_code"] = old[hit]
    return problems


def _cell_key(cell: str) -> tuple[int, int]:
    letters = "".join(ch for ch in cell if ch.isalpha())
    digits = "".join(ch for ch in cell if ch.isdigit())
    return (int(digits) if digits else 0, col_index(letters) if letters else -1)


def _expected_criteria(frames: Frames, index: SpecIndex) -> pd.DataFrame:
    info = frames.info
    rows = [(f, c.id, sheet) for f, fp, sheet in zip(info["file"], info.get("fingerprint", []),
                                                     info.get("self_total_sheet", []))
            for c in index.by_fingerprint[fp].criteria] if not info.empty else []
    return pd.DataFrame(rows, columns=["file", "criterion_id", "sheet"])


def _score(frames: Frames, errors: set[str]) -> pd.DataFrame:
    meta, scores, vetoes = frames.info, frames.scores, frames.vetoes
    if meta.empty:
        return pd.DataFrame()
    usable = scores[(scores["content_id"] != "") & ~scores.duplicated(["file", "criterion_id"])].copy()
    for col in ("self", "upper"):
        bad = (usable[col] < 0) | (usable[col] > usable["spec_max"]) | ~_on_step(usable[col], usable["step"])
        usable[col] = usable[col].where(~bad)
        # The column's own verdict (the form's status cell) also counts text as invalid, even a
        # readable "9,5": the form's sums skip it.
        usable[f"{col}_invalid"] = bad | ~usable[f"{col}_kind"].isin([OK, BLANK])
    usable = usable.rename(columns={"file": "submission"})
    subs = pd.DataFrame(index=meta.index)
    subs["threshold"] = meta["threshold"]
    subs["blocking"] = subs.index.isin(list(errors))
    subs["veto"] = False
    if not vetoes.empty:
        g = vetoes.groupby("file")
        unanswered = g["answered"].apply(lambda s: not s.all())
        yes = g["yes"].any()
        veto = yes.astype(object).where(~unanswered | yes, np.nan)
        subs["veto"] = subs.index.map(veto.to_dict()).astype(object)
        subs.loc[subs["veto"].isna() & ~subs.index.isin(vetoes["file"]), "veto"] = False
    subs.index.name = "submission"
    scored = score_batch(usable, subs)
    scored.index.name = None
    return scored


def _on_step(values: pd.Series, step: pd.Series) -> pd.Series:
    ratio = values / step
    return values.isna() | ((ratio - ratio.round()).abs() < 1e-6)


def _files_frame(frames: Frames, scored: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    meta = frames.info
    err = pd.Series([p.file for p in problems if p.severity == "error"], dtype=object).value_counts()
    warn = pd.Series([p.file for p in problems if p.severity == "warning"], dtype=object).value_counts()
    files = frames.files[list(names(FORM, FILE, CONTENT))].copy()
    files["kind"] = np.where(frames.files["spec_known"] | (files["kind"] != "cell"), files["kind"], "")
    files["errors"] = files["file"].map(err).fillna(0).astype(int)
    files["warnings"] = files["file"].map(warn).fillna(0).astype(int)
    files["valid"] = (files["errors"] == 0)
    keep, sc = list(FORM_INFO), list(FORM_TOTALS)  # records.FORM: the form's columns, declared once
    if not meta.empty:
        files = files.merge(meta[[c for c in keep if c in meta.columns]], left_on="file", right_index=True, how="left")
    if not scored.empty:
        files = files.merge(scored[[c for c in sc if c in scored.columns]], left_on="file", right_index=True,
                            how="left")
    for c in keep + sc:  # a batch without forms: its text columns are still text columns
        if c not in files.columns:
            files[c] = pd.Series(np.nan, index=files.index, dtype=float if c in FORM_NUMBERS else object)
    # The three categories every count uses (validate's closing line, consolidate's summary).
    skipped = files["skipped"].isin(SKIPPED)  # lock and system files: listed, never an error
    files["category"] = np.select([skipped, files["errors"] == 0], ["skipped", "valid"], "invalid")
    files["valid"] = files["category"] == "valid"
    status = np.where(files["kind"].eq("cell") & files["status"].notna(), files["status"], "invalid")
    status = np.where(files["kind"].eq("consolidated"), "consolidated", status)
    files["status"] = np.select([skipped, ~files["valid"]], ["skipped", "invalid"], status)
    return files[list(ASSESSED)]


