"""Validate a whole batch: read every file, check every frame once, score, settle duplicates.

Every input path is accounted for in the result: read, skipped (with the reason) or
rejected (with every problem).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fourgood.problems import Problem
from fourgood.scoring import score_batch
from fourgood.spec import Spec

from . import normalize as N
from .package import col_index
from .reader import FileRead, SpecIndex, file_is_candidate, read_file
from .schemas import integrity_rules, meta_rules, missing_rules, run_rules, score_rules, veto_rules

Progress = Callable[[int, int], None]
SCORE_COLUMNS = ["file", "criterion_id", "content_id", "spec_max", "step", "sheet", "max_found", "max_cell",
                 *[f"{c}{s}" for c in ("self", "upper") for s in ("", "_kind", "_raw", "_cell", "_merged")]]


@dataclass
class BatchResult:
    files: pd.DataFrame  # one row per input file, in discovery order
    meta: pd.DataFrame  # one row per readable submission, index: file
    scores: pd.DataFrame  # one row per (submission, criterion)
    scored: pd.DataFrame  # one row per readable submission, index: file
    problems: list[Problem] = field(default_factory=list)
    rolled: pd.DataFrame = field(default_factory=pd.DataFrame)  # cell rows from lower-level consolidations

    def problems_of(self, file: str) -> list[Problem]:
        return [p for p in self.problems if p.file == file]


def discover(paths: Iterable[str | Path]) -> list[tuple[Path, str | None]]:
    """(path, skip code or None) for every file under the given files and folders, sorted."""
    found: list[tuple[Path, str | None]] = []
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted((p for p in path.rglob("*") if p.is_file()), key=lambda p: str(p))
        else:
            files = [path]
        for p in files:
            key = os.path.abspath(p)
            if key in seen:
                continue
            seen.add(key)
            if not p.exists():
                found.append((p, "file_not_found"))
            else:
                found.append((p, file_is_candidate(p)))
    return found


_INDEX: SpecIndex | None = None


def _init_worker(specs: dict[str, Spec]) -> None:
    global _INDEX
    _INDEX = SpecIndex(specs)


def _read_one(path: str) -> FileRead:
    assert _INDEX is not None
    return read_file(path, _INDEX)


def read_all(paths: list[str], specs: dict[str, Spec], jobs: int = 1, progress: Progress | None = None) -> Iterator[FileRead]:
    total = len(paths)
    if jobs <= 1 or total < 8:
        _init_worker(specs)
        for i, p in enumerate(paths, 1):
            yield _read_one(p)
            if progress:
                progress(i, total)
        return
    chunk = max(1, min(64, total // (jobs * 8) or 1))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(specs,)) as pool:
        for i, result in enumerate(pool.map(_read_one, paths, chunksize=chunk), 1):
            yield result
            if progress and (i % chunk == 0 or i == total):
                progress(i, total)


def validate_paths(paths: Iterable[str | Path], specs: dict[str, Spec], *, jobs: int = 1, lang: str = "vi",
                   progress: Progress | None = None) -> BatchResult:
    entries = discover(paths)
    to_read = [str(p) for p, skip in entries if skip is None]
    reads = {r.path: r for r in read_all(to_read, specs, jobs, progress)}
    return assemble(entries, reads, specs, lang)


def assemble(entries: list[tuple[Path, str | None]], reads: dict[str, FileRead], specs: dict[str, Spec],
             lang: str = "vi") -> BatchResult:
    problems: list[Problem] = []
    for p, skip in entries:
        if skip:
            problems.append(Problem(skip, "warning" if skip != "file_not_found" else "error", str(p),
                                    value=p.name))
    for r in reads.values():
        problems += r.problems
    subs = [r for r in reads.values() if r.meta is not None]
    rolled = pd.DataFrame([row for r in reads.values() for row in r.cells])
    meta = pd.DataFrame([r.meta for r in subs])
    scores = pd.DataFrame([row for r in subs for row in r.scores], columns=SCORE_COLUMNS)
    vetoes = pd.DataFrame([row for r in subs for row in r.vetoes])
    if not meta.empty:
        meta = meta.set_index("file", drop=False)
        meta.index.name = None

    if not scores.empty:
        problems += run_rules(scores, score_rules(lang), lang)
    if not meta.empty:
        problems += run_rules(meta, meta_rules(lang), lang)
        problems += run_rules(_expected_criteria(meta, scores, specs), missing_rules(), lang)
    if not vetoes.empty:
        problems += run_rules(vetoes, veto_rules(lang), lang)
    if not meta.empty:
        problems += run_rules(_excel_totals(meta, scores), integrity_rules(lang), lang)

    errors = {p.file for p in problems if p.severity == "error"}
    scored = _score(meta, scores, vetoes, errors)
    files = _files_frame(entries, reads, meta, scored, problems)
    duplicates, counted = _settle_duplicates(files)
    problems += duplicates
    files = _files_frame(entries, reads, meta, scored, problems)
    files["counted"] = files["file"].isin(counted)
    order = {str(p): i for i, (p, _) in enumerate(entries)}
    problems.sort(key=lambda p: (order.get(p.file, len(order)), p.severity != "error", p.sheet, _cell_key(p.cell),
                                 p.code))
    return BatchResult(files=files, meta=meta, scores=scores, scored=scored, problems=problems, rolled=rolled)


def _cell_key(cell: str) -> tuple[int, int]:
    letters = "".join(ch for ch in cell if ch.isalpha())
    digits = "".join(ch for ch in cell if ch.isdigit())
    return (int(digits) if digits else 0, col_index(letters) if letters else -1)


def _expected_criteria(meta: pd.DataFrame, scores: pd.DataFrame, specs: dict[str, Spec]) -> pd.DataFrame:
    by_fp = {s.fingerprint: s for s in specs.values()}
    expected = pd.DataFrame([
        {"file": f, "criterion_id": c.id, "sheet": sheet}
        for f, fp, sheet in zip(meta["file"], meta["fingerprint"], meta.get("self_total_sheet", meta["file"]))
        for c in by_fp[fp].criteria
    ])
    present = scores[["file", "criterion_id"]].drop_duplicates().assign(present=True) if not scores.empty else \
        pd.DataFrame(columns=["file", "criterion_id", "present"])
    out = expected.merge(present, on=["file", "criterion_id"], how="left")
    out["present"] = out["present"].fillna(False).astype(bool)
    return out


def _excel_totals(meta: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """What Excel's SUM would show: only cells holding real numbers count."""
    frame = meta[["file", "self_total_cached", "upper_total_cached", "self_total_sheet", "self_total_cell",
                  "upper_total_sheet", "upper_total_cell"]].copy()
    for col in ("self", "upper"):
        if scores.empty:
            frame[f"{col}_excel_total"] = np.nan
            continue
        numeric = scores[f"{col}"].where(scores[f"{col}_kind"] == N.OK, 0.0)
        totals = numeric.groupby(scores["file"]).sum()
        frame[f"{col}_excel_total"] = frame["file"].map(totals)
    return frame


def _score(meta: pd.DataFrame, scores: pd.DataFrame, vetoes: pd.DataFrame, errors: set[str]) -> pd.DataFrame:
    if meta.empty:
        return pd.DataFrame()
    usable = scores[(scores["content_id"] != "") & ~scores.duplicated(["file", "criterion_id"])].copy()
    for col in ("self", "upper"):
        bad = (usable[col] < 0) | (usable[col] > usable["spec_max"]) | ~_on_step(usable[col], usable["step"])
        usable[col] = usable[col].where(~bad)
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
        subs["veto"] = subs.index.map(veto).astype(object)
        subs.loc[subs["veto"].isna() & ~subs.index.isin(vetoes["file"]), "veto"] = False
    subs.index.name = "submission"
    scored = score_batch(usable, subs)
    scored.index.name = None
    return scored


def _on_step(values: pd.Series, step: pd.Series) -> pd.Series:
    ratio = values / step
    return values.isna() | ((ratio - ratio.round()).abs() < 1e-6)


def _files_frame(entries, reads, meta: pd.DataFrame, scored: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    err = pd.Series([p.file for p in problems if p.severity == "error"], dtype=object).value_counts()
    warn = pd.Series([p.file for p in problems if p.severity == "warning"], dtype=object).value_counts()
    rows = []
    for path, skip in entries:
        f = str(path)
        r = reads.get(f)
        row = {"file": f, "name": path.name, "skipped": skip or "", "size": r.size if r else _size(path),
               "sha256": r.sha256 if r else "", "mtime": r.mtime if r else 0.0, "format": r.format if r else "",
               "kind": r.kind if r else "", "errors": int(err.get(f, 0)), "warnings": int(warn.get(f, 0))}
        rows.append(row)
    files = pd.DataFrame(rows)
    files["valid"] = (files["errors"] == 0)
    keep = ["cell_code", "cell_name", "cell_type", "period", "year", "month", "upper_committee", "grassroots",
            "province", "members", "date", "spec_id", "spec_version", "fingerprint"]
    sc = ["self_total", "upper_total", "final_total", "final_source", "status", "self_complete", "upper_complete",
          "gap"]
    if not meta.empty:
        files = files.merge(meta[[c for c in keep if c in meta.columns]], left_on="file", right_index=True, how="left")
    if not scored.empty:
        files = files.merge(scored[[c for c in sc if c in scored.columns]], left_on="file", right_index=True,
                            how="left")
    for c in keep + sc:
        if c not in files.columns:
            files[c] = np.nan
    files["status"] = np.where(files["skipped"] != "", "skipped",
                               np.where(files["kind"].eq("cell") & files["status"].notna(), files["status"], "invalid"))
    files.loc[files["kind"].eq("consolidated") & (files["skipped"] == ""), "status"] = "consolidated"
    files.loc[~files["valid"] & (files["status"] != "skipped"), "status"] = "invalid"
    files.loc[files["skipped"].isin(["skipped_lock_file", "skipped_system_file"]), "valid"] = True
    # The three categories every count uses (validate's closing line, consolidate's summary): valid, invalid, skipped.
    files["category"] = np.select([files["skipped"].ne("") & files["valid"], files["valid"]], ["skipped", "valid"],
                                  "invalid")
    return files


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


RANK_REASONS = {
    "valid": ("tệp hợp lệ", "the valid file"),
    "complete": ("tệp chấm đủ", "the fully scored file"),
    "upper": ("tệp có điểm cấp trên", "the file with the upper-level score"),
    "date": ("ngày đánh giá mới nhất", "the latest evaluation date"),
    "mtime": ("tệp sửa gần nhất", "the most recently modified file"),
    "order": ("tệp đứng trước theo tên", "the first file by name"),
}


def _settle_duplicates(files: pd.DataFrame) -> tuple[list[Problem], set[str]]:
    """Byte-identical files count once; the same cell and period counts once, the best file.

    Returns the duplicate problems and the set of files that count.
    """
    problems: list[Problem] = []
    files = files.copy()
    files["counted"] = files["kind"].isin(["cell", "consolidated"]) & (files["skipped"] == "")
    readable = files[files["sha256"] != ""]
    dup_sha = readable[readable.duplicated("sha256", keep="first")]
    firsts = readable.drop_duplicates("sha256").set_index("sha256")["file"]
    for f, sha in zip(dup_sha["file"], dup_sha["sha256"]):
        problems.append(Problem("duplicate_file", "warning", f, value=firsts[sha]))
        files.loc[files["file"] == f, "counted"] = False
    cand = files[files["counted"] & (files["cell_code"].astype(object).fillna("") != "")
                 & (files["period"].astype(object).fillna("") != "")].copy()
    if cand.empty:
        return problems, set(files.loc[files["counted"], "file"])
    cand["_valid"] = cand["valid"].astype(int)
    cand["_complete"] = (~cand["status"].isin(["incomplete", "invalid"])).astype(int)
    cand["_upper"] = cand["upper_complete"].fillna(False).astype(bool).astype(int)
    cand["_date"] = cand["date"].fillna("")
    cand["_order"] = range(len(cand))
    cand = cand.sort_values(["cell_code", "period", "_valid", "_complete", "_upper", "_date", "mtime", "_order"],
                            ascending=[True, True, False, False, False, False, False, True])
    for (code, period), group in cand.groupby(["cell_code", "period"], sort=False):
        if len(group) < 2:
            continue
        best, runner = group.iloc[0], group.iloc[1]
        reason = next((k for k in ("valid", "complete", "upper", "date", "mtime")
                       if best[f"_{k}" if k != "mtime" else "mtime"] != runner[f"_{k}" if k != "mtime" else "mtime"]),
                      "order")
        for f in group["file"]:
            if f != best["file"]:
                files.loc[files["file"] == f, "counted"] = False
            problems.append(Problem("duplicate_submission", "warning", f, value=code, expected=Path(best["file"]).name,
                                    params={"period": period, "reason": RANK_REASONS[reason][0],
                                            "reason_en": RANK_REASONS[reason][1]}))
    return problems, set(files.loc[files["counted"], "file"])
