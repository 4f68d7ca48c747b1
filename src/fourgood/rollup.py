"""Roll results up: cell -> grassroots committee -> upper-level committee -> province.

Pure pandas over the whole batch; the workbook writer only lays these frames out, and the
tests recompute the same figures independently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .contract import CONTENT_PREFIX, ROLLUP_COLUMNS, content_column
from .pipeline import BatchResult, Outputs, Progress, check_inputs
from .problems import FourgoodError, Problem, number_text
from .spec import Spec, all_versions, fold, version_key
from .store import Store, StoreReport, sources_key
from .store import batch as store_batch
from .structure import (
    CHAIN,
    GRASSROOTS_CELL_MARK,
    GRASSROOTS_LEVELS,
    Chain,
    all_cells_4good,
    ancestors,
    chain_from_names,
    chain_to_text,
    frame_row_chains,
    is_grassroots_cell,
    level_names,
    node_info,
    parse_chains,
    tree,
    with_chains,
)
from .validators.roster import former_code_map, read_roster
from .vocab import SCORED, FileCategory, Status, Text, Verdict
from .yearview import YearView, in_scope, is_year, of_year, previous_year, year_view

CELL_COLUMNS = list(ROLLUP_COLUMNS)  # the detail rows (then one subtotal column per content)
COUNTS = ("expected", "submitted", "valid", "meets", "below", "veto", "incomplete", "invalid")


@dataclass
class Consolidation:
    files: pd.DataFrame
    cells: pd.DataFrame
    hierarchy: pd.DataFrame
    by_type: pd.DataFrame
    grassroots: pd.DataFrame
    below: pd.DataFrame
    by_criterion: pd.DataFrame
    missing: pd.DataFrame
    rejected: pd.DataFrame
    summary: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    province: str = ""  # the top of the roster's tree (the issuing province of the report), if any
    year: YearView | None = None  # with --period YYYY: every month and the year-end evaluation (yearview.py)
    history: StoreReport | None = None  # what the history store did (README, "History store"), if one was used
    by_content: pd.DataFrame = field(default_factory=pd.DataFrame)  # per content: its name and average share
    previous: pd.DataFrame | None = None  # the previous period's counted cells, when the history store has them


def consolidate(result: BatchResult, specs: dict[str, Spec], roster: pd.DataFrame | None = None,
                period: str | None = None, lang: str = "vi", earlier: pd.DataFrame | None = None) -> Consolidation:
    """`earlier`: results of the previous year kept by the history store; used by the year view
    for the cells and periods the batch holds no form of."""
    files = result.files.copy(deep=False)  # columns are added, none changed: no need to copy the data
    roster = with_chains(roster) if roster is not None else None  # the roster's chains, parsed once
    problems = list(result.problems)
    former = former_code_map(roster)  # the forms themselves were given their new codes in pipeline.settle
    rolled, renamed = _renamed_rows(result.rolled, former)
    problems += renamed
    direct = _cells(result, specs)
    own, notes = _own_workbooks(files, direct, rolled, roster, period, lang)
    if own:
        files = _skip(files, own)
        problems += notes
    cells, conflicts = _merge_rolled(direct, rolled, files, lang)
    problems += conflicts
    # A form whose period cannot be read belongs to no period: it is listed among the rejected files.
    cells = cells[cells["period"].astype(object).fillna("") != ""]
    if period:
        outside = files["counted"] & files["period"].notna() & ~in_scope(files["period"], period)
        for f, p in zip(files.loc[outside, "file"], files.loc[outside, "period"]):
            problems.append(Problem("outside_period", f, value=p, expected=period))
        cells = cells[in_scope(cells["period"], period)]
    if roster is not None and not roster.empty:
        cells, strangers = _with_roster_hierarchy(cells, roster, lang)
        problems += strangers
    cells = with_levels(cells, lang)
    if is_year(period) and earlier is not None and not earlier.empty:
        earlier = with_chains(_renamed_rows(earlier, former)[0])
        present = set(zip(cells["cell_code"], cells["period"]))
        kept = earlier[[(c, p) not in present for c, p in zip(earlier["cell_code"], earlier["period"])]]
        cells_for_year = pd.concat([cells, kept], ignore_index=True) if not kept.empty else cells
    else:
        cells_for_year = cells
    year = (year_view(cells_for_year, roster, specs, str(period), lang, roster is None or roster.empty)
            if is_year(period) else None)
    cells = cells[of_year(cells["period"], year.year)] if year else cells  # last year's forms: the comparison only
    if year:
        _year_weakest(year, cells, specs)
        _year_vetoes(year, files, problems, specs, lang)
    known = cells["period"].astype(object).fillna("")
    periods = sorted(p for p in known.unique() if p) or ([period] if period else [])
    expected = _expected(cells, roster, periods)
    hierarchy = _hierarchy(expected, lang, by_name=roster is None or roster.empty)
    by_type = _group(expected, ["period", "cell_type"])
    grassroots = hierarchy[hierarchy["kind"].isin(GRASSROOTS_LEVELS) & (hierarchy["expected"] > 0)].reset_index(drop=True)
    missing = expected[expected["status"].isin([Status.MISSING, Status.INVALID])].copy()
    missing = with_levels(missing, lang)[["period", "upper_committee", "grassroots", "grassroots_label", "cell_code",
                                          "cell_name", "cell_type", "status"]]
    files["verdict"] = np.select(
        [files["category"] == FileCategory.SKIPPED, files["category"] == FileCategory.INVALID, files["counted"]],
        [Verdict.SKIPPED.value, Verdict.REJECTED.value, Verdict.COUNTED.value], default=Verdict.SUPERSEDED.value)
    first_reason = _first_reasons(problems, lang)
    files["reason"] = files["file"].map(first_reason).astype(object).fillna("")
    rejected = _rejected(files, problems, lang)
    below = _below(cells, specs)
    by_criterion = _by_criterion(result, cells, specs)
    summary = _summary(files, expected, problems)
    if year:
        summary["year"] = year.summary
    province = ""
    if roster is not None and "province" in roster:
        named = roster["province"][roster["province"] != ""]
        province = str(named.mode().iloc[0]) if not named.empty else ""
    return Consolidation(files, cells, hierarchy, by_type, grassroots, below, by_criterion, missing, rejected, summary,
                         problems, province, year, by_content=_by_content(cells, specs))


def content_columns(specs: dict[str, Spec], *frames: pd.DataFrame) -> list[str]:
    """Subtotal columns of every content: the specs' contents in order, then any other content
    a rolled-up workbook carries (its spec may differ from ours)."""
    names = [content_column(c.id) for s in specs.values() for c in s.contents]
    for frame in frames:
        names += [c for c in frame.columns if isinstance(c, str) and c.startswith(CONTENT_PREFIX)]
    return list(dict.fromkeys(names))


def _cells(result: BatchResult, specs: dict[str, Spec]) -> pd.DataFrame:
    """The cell record (records.CELL) of every counted form: its form row's cell columns, its
    organisation chain and its content subtotals."""
    files = result.files
    counted = files[files["counted"]].set_index("file", drop=False)
    if counted.empty or result.scored.empty:
        return pd.DataFrame(columns=CELL_COLUMNS)
    # The contents of the tables the forms were filled against, in the specs' order.
    contents = [c for c in content_columns(specs, result.scored) if c in result.scored]
    scored = result.scored.reindex(counted.index)
    text, chains = _chains(counted)
    out = counted[[c for c in CELL_COLUMNS if c in counted]].assign(
        org_chain=text, **{c: scored[c] if c in scored else np.nan for c in contents},
        **{CHAIN: pd.Series(chains, index=counted.index, dtype=object)})
    out = out[out["cell_code"].astype(object).fillna("") != ""]
    return out.sort_values(["period", "upper_committee", "grassroots", "cell_code"]).reset_index(drop=True)


def _chains(forms: pd.DataFrame) -> tuple[list[str], list[Chain]]:
    """The organisation chain of each form (as text and parsed), worked out once per distinct
    (province, upper, grassroots)."""
    memo: dict[tuple[Any, Any, Any], tuple[str, Chain]] = {}
    text, typed = [], []
    for key in zip(forms["province"], forms["upper_committee"], forms["grassroots"]):
        if key not in memo:
            chain = chain_from_names(*key)
            memo[key] = (chain_to_text(chain), chain)
        text.append(memo[key][0])
        typed.append(memo[key][1])
    return text, typed


def _merge_rolled(cells: pd.DataFrame, rolled: pd.DataFrame, files: pd.DataFrame,
                  lang: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Add the cells of lower-level consolidated workbooks: each (cell code, period) counts once.

    Identical results from several sources (a district's workbook and the form itself) count
    once, the direct submission first. Results that differ are never settled silently: the
    cell counts once as invalid and every source gets a `rollup_conflict` naming the versions.
    """
    if rolled is None or rolled.empty:
        return cells, []
    counted = set(files.loc[files["counted"], "file"])
    rolled = _rolled_chains(rolled[rolled["file"].isin(counted)])
    order = {f: i for i, f in enumerate(files["file"])}
    both = pd.concat([cells.assign(_direct=0, _via=""), rolled.assign(_direct=1, _via=rolled["file"])],
                     ignore_index=True)
    both["_order"] = both["file"].map(order).fillna(len(order))
    both = both.sort_values(["_direct", "_order"], kind="stable")
    numbers = both[["final_total", "self_total", "upper_total"]].apply(pd.to_numeric, errors="coerce").round(2)
    both["_sig"] = both["status"].astype(str)
    for col in numbers:
        both["_sig"] += "|" + numbers[col].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    key = ["cell_code", "period"]
    both["_conflict"] = both.groupby(key, sort=False)["_sig"].transform("nunique") > 1
    problems: list[Problem] = []
    for (code, period), group in both[both["_conflict"]].groupby(key, sort=False):
        detail = "; ".join(f"{Path(str(f)).name}: {number_text(t, lang) or '–'} ({s})"
                           for f, t, s in zip(group["file"], group["final_total"], group["status"]))
        for f in dict.fromkeys(group["file"]):
            problems.append(Problem("rollup_conflict", str(f), value=code,
                                    params={"period": period, "detail": detail}))
    merged = both.drop_duplicates(key, keep="first").copy()
    merged.loc[merged["_conflict"], "status"] = "invalid"
    merged = merged[CELL_COLUMNS + content_columns({}, cells, rolled) + [CHAIN]]
    return merged.sort_values(["period", "upper_committee", "grassroots", "cell_code"]).reset_index(drop=True), problems


def _renamed_rows(rows: pd.DataFrame, former: dict[str, str]) -> tuple[pd.DataFrame, list[Problem]]:
    """Cell rows (of lower-level consolidated workbooks, or kept by the store) under a former code,
    given the code of the cell they now are; a warning per workbook and code."""
    if not former or rows is None or rows.empty or "cell_code" not in rows:
        return rows, []
    new = rows["cell_code"].map(former)
    hit = new.notna()
    if not hit.any():
        return rows, []
    files = rows.loc[hit, "file"] if "file" in rows else pd.Series("", index=rows.index[hit])
    problems = [Problem("cell_former_code", str(f), value=old, expected=code) for f, old, code in
                dict.fromkeys(zip(files, rows.loc[hit, "cell_code"], new[hit])) if str(f)]
    rows = rows.copy()
    rows.loc[hit, "cell_code"] = new[hit]
    return rows, problems


def _rolled_chains(rolled: pd.DataFrame) -> pd.DataFrame:
    """Rolled-up rows with their organisation chains, parsed once (`chain`) and as text. Workbooks
    from before the party tree carry committee names only: their chain comes from those."""
    parsed = parse_chains(rolled["org_chain"].where(rolled["org_chain"].map(
        lambda v: isinstance(v, str) and v.startswith("[")), None))
    named: dict[tuple[str, ...], tuple[str, Chain]] = {}
    text, chains = [], []
    for own, chain, names in zip(rolled["org_chain"], parsed,
                                 zip(rolled["province"], rolled["upper_committee"], rolled["grassroots"])):
        if isinstance(own, str) and own.startswith("["):
            text.append(own)
            chains.append(chain)
            continue
        key = tuple(str(x or "") for x in names)
        if key not in named:
            made = chain_from_names(*key)
            named[key] = (chain_to_text(made), made)
        text.append(named[key][0])
        chains.append(named[key][1])
    return rolled.assign(org_chain=pd.Series(text, index=rolled.index, dtype=object),
                         **{CHAIN: pd.Series(chains, index=rolled.index, dtype=object)})


def _common(chains: list[Chain]) -> Chain:
    """The deepest organisation common to every chain, with those above it (empty when they share
    none, e.g. forms naming no province under two upper committees)."""
    common = chains[0] if chains else ()
    for chain in chains[1:]:
        n = 0
        while n < min(len(common), len(chain)) and common[n].id == chain[n].id:
            n += 1
        common = common[:n]
    return common


def _scope(chains: pd.Series) -> Chain:
    """The organisation a set of cells sits under (their parsed chains)."""
    return _common(list(dict.fromkeys(c for c in chains if isinstance(c, tuple))))


def _own_workbooks(files: pd.DataFrame, direct: pd.DataFrame, rolled: pd.DataFrame, roster: pd.DataFrame | None,
                   period: str | None, lang: str) -> tuple[set[str], list[Problem]]:
    """Consolidated workbooks among the inputs that report on the organisation being consolidated,
    for the same period: an earlier run of this consolidation (saved in the folder it reads, or a
    copy of it). Rolled up, a cell whose form was withdrawn would still count through them.

    The roster says which organisation is consolidating: the one every roster cell sits under. A
    workbook's is the one its cells sit under. Without a roster there is no telling a commune's
    workbook sent up with some of its forms from the commune's own consolidation: none is skipped.
    The same period: one of the workbook's periods within `period`, or without it, one of the
    other sources' periods.
    """
    if roster is None or roster.empty or rolled is None or rolled.empty or "kind" not in files:
        return set(), []
    books = set(files.loc[files["counted"] & (files["kind"] == "consolidated"), "file"])
    rows = rolled[rolled["file"].isin(books)]
    if rows.empty:
        return set(), []
    rows = _rolled_chains(rows).assign(period=rows["period"].astype(object).fillna("").astype(str))
    ours = _scope(with_chains(roster)[CHAIN])
    own: set[str] = set()
    problems = []
    for book, theirs in rows.groupby("file", sort=False):
        if [o.id for o in _scope(theirs[CHAIN])] != [o.id for o in ours]:
            continue
        if period:
            same = theirs.loc[in_scope(theirs["period"], period), "period"]
        else:
            elsewhere = set(direct["period"].dropna().astype(str)) | set(rows.loc[rows["file"] != book, "period"])
            same = theirs.loc[theirs["period"].isin(elsewhere), "period"]
        if same.empty:
            continue
        own.add(str(book))
        everyone = "toàn bộ các chi bộ" if lang != "en" else "all cells"
        problems.append(Problem("consolidated_own", str(book), value=ours[-1].name if ours else everyone,
                                params={"period": ", ".join(sorted(set(same)))}))
    return own, problems


def _skip(files: pd.DataFrame, own: set[str]) -> pd.DataFrame:
    """`own` listed as skipped files (counted nowhere), each with its warning."""
    hit = files["file"].isin(own)
    files = files.copy(deep=False)
    files["counted"] = files["counted"] & ~hit
    files["category"] = files["category"].where(~hit, "skipped")
    files["status"] = files["status"].where(~hit, "skipped")
    files["valid"] = files["valid"] & ~hit
    files["warnings"] = files["warnings"] + hit.astype(int)
    return files


def _with_roster_hierarchy(cells: pd.DataFrame, roster: pd.DataFrame,
                           lang: str) -> tuple[pd.DataFrame, list[Problem]]:
    """The roster is the board's word on where a cell sits; submissions fill what it lacks.

    A counted form whose cell is not on the roster keeps the chain its form describes and gets a
    warning, naming the roster code it most likely means when they differ only in case, spacing,
    punctuation or diacritics.
    """
    ref = roster.set_index("cell_code")
    cells = cells.copy()
    on = cells["cell_code"].isin(ref.index)
    for col in ("upper_committee", "grassroots", "cell_name", "org_chain", CHAIN):
        if col in ref:
            cells.loc[on, col] = cells.loc[on, "cell_code"].map(ref[col])
    likely = {_loose(code): code for code in ref.index}
    problems = []
    for code, f in zip(cells.loc[~on, "cell_code"], cells.loc[~on, "file"]):
        guess = likely.get(_loose(code))
        note = (f"; có lẽ là {guess}" if lang != "en" else f"; perhaps {guess}") if guess else ""
        problems.append(Problem("cell_not_in_roster", str(f), value=code, expected=guess,
                                params={"expected_note": note}))
    return cells, problems


def with_levels(frame: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The committee columns of each cell from the levels of its chain, one meaning everywhere:
    `upper_committee` the organisation directly above the grassroots, `grassroots` the grassroots
    organisation ('' for a grassroots cell), and `grassroots_label` what the cell lists show for it
    (“(chi bộ cơ sở)” for a grassroots cell). Rows with no chain keep what their form says."""
    frame = with_chains(frame)
    if frame.empty or CHAIN not in frame:
        return frame.assign(grassroots_label=frame["grassroots"] if "grassroots" in frame else "")
    memo: dict[Chain, tuple[str, str, str] | None] = {}
    mark = GRASSROOTS_CELL_MARK[1] if lang == "en" else GRASSROOTS_CELL_MARK[0]
    levels = []
    for chain in frame[CHAIN]:
        chain = chain if isinstance(chain, tuple) else ()
        if chain not in memo:
            upper, grassroots = level_names(chain)
            memo[chain] = (upper, grassroots, mark if is_grassroots_cell(chain) else grassroots) if chain else None
        levels.append(memo[chain])
    known = pd.Series([v is not None for v in levels], index=frame.index)
    frame = frame.copy()
    frame["grassroots_label"] = frame["grassroots"].astype(object).fillna("")
    for i, col in enumerate(("upper_committee", "grassroots", "grassroots_label")):
        frame.loc[known, col] = [v[i] for v in levels if v is not None]
    return frame


def _loose(code: str) -> str:
    """A cell code with case, spaces, punctuation and diacritics ignored: 'kcq 001' ~ 'KCQ-001'."""
    return "".join(ch for ch in fold(str(code)) if ch.isalnum())


def _expected(cells: pd.DataFrame, roster: pd.DataFrame | None, periods: list[str]) -> pd.DataFrame:
    """One row per expected (cell, period) with its status; 'missing' where nothing was counted."""
    if roster is None or roster.empty:
        base = cells.copy()
        base["expected"] = True
        return base
    # periods as text even when there are none (no form counted): an empty float column cannot be merged
    grid = roster.assign(_k=1).merge(pd.DataFrame({"period": pd.Series(periods, dtype=object), "_k": 1}),
                                     on="_k").drop(columns="_k")
    keep = [c for c in cells.columns if c not in ("cell_name", "cell_type", "grassroots", "upper_committee",
                                                  "org_chain", CHAIN)]
    merged = grid.merge(cells[keep], on=["cell_code", "period"], how="left", suffixes=("", "_sub"))
    merged["status"] = merged["status"].fillna(Status.MISSING.value)
    extra = cells[~cells.set_index(["cell_code", "period"]).index.isin(merged.set_index(["cell_code", "period"]).index)]
    merged["expected"] = True
    if not extra.empty:  # submitted but not on the roster: shown, not expected
        merged = pd.concat([merged, extra.assign(expected=False)], ignore_index=True)
    return merged


def _indicators(frame: pd.DataFrame) -> pd.DataFrame:
    status = frame["status"]
    scored = status.isin(SCORED)
    gap = frame["gap"] if "gap" in frame else pd.Series(np.nan, index=frame.index)
    return pd.DataFrame({
        "expected": frame["expected"].astype(bool).astype(int),
        "submitted": (status != Status.MISSING).astype(int),
        "valid": (~status.isin([Status.MISSING, Status.INVALID])).astype(int),
        "meets": (status == Status.MEETS).astype(int), "below": (status == Status.BELOW).astype(int),
        "veto": (status == Status.VETO).astype(int), "incomplete": (status == Status.INCOMPLETE).astype(int),
        "invalid": (status == Status.INVALID).astype(int),
        "_score_sum": frame["final_total"].where(scored, 0.0).fillna(0.0), "_scored": scored.astype(int),
        "_gap_sum": gap.fillna(0.0), "_gaps": gap.notna().astype(int),
    }, index=frame.index)


def _finish(agg: pd.DataFrame) -> pd.DataFrame:
    agg = agg.astype(float)
    agg[list(COUNTS)] = agg[list(COUNTS)].astype(int)
    agg["pass_rate"] = (agg["meets"] / agg["expected"]).where(agg["expected"] > 0)
    agg["avg_final"] = (agg["_score_sum"] / agg["_scored"]).where(agg["_scored"] > 0)
    agg["avg_gap"] = (agg["_gap_sum"] / agg["_gaps"]).where(agg["_gaps"] > 0)
    return agg.drop(columns=["_score_sum", "_scored", "_gap_sum", "_gaps"])


def _group(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """All counts for every group in one vectorised pass."""
    cols = [*keys, *COUNTS, "pass_rate", "avg_final", "avg_gap"]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    ind = _indicators(frame)
    agg = ind.groupby([frame[k].astype(object).fillna("") for k in keys], sort=True).sum()
    agg.index.names = keys
    return _finish(agg).reset_index()[cols]


def _hierarchy(expected: pd.DataFrame, lang: str = "vi", by_name: bool = True) -> pd.DataFrame:
    """Every organisation of the tree, at every level, with the figures of all cells under it.

    One row per (period, organisation) in display order (depth first); `depth` says how far
    below the top it is, `kind` what it is, and `all_cells_4good` whether every expected cell
    under it meets the standard (the "100% of subordinate cells" criterion).
    """
    cols = ["period", "node", "name", "kind", "depth", "parent", "order", *COUNTS, "pass_rate", "avg_final",
            "avg_gap", "all_cells_4good"]
    if expected.empty:
        return pd.DataFrame(columns=cols)
    chains = frame_row_chains(expected, lang)
    nodes = tree(dict.fromkeys(chains), lang, by_name=by_name)
    under = chains.map(lambda chain: ancestors(chain, nodes))
    rows = expected.assign(_node=under).explode("_node")
    rows = rows[rows["_node"].notna()]
    agg = _group(rows.assign(node=rows["_node"]), ["period", "node"])
    out = agg.merge(node_info(nodes), on="node", how="left")
    out["all_cells_4good"] = all_cells_4good(out["meets"], out["expected"], out["kind"])
    return out.sort_values(["period", "order"], kind="stable").reset_index(drop=True)[cols]


def content_shares(frame: pd.DataFrame, specs: dict[str, Spec]) -> pd.DataFrame:
    """Each row's content subtotals as shares of their maxima (by the table the form was filled on),
    one column per content id."""
    maxima = {s.fingerprint: {c.id: c.max for c in s.contents} for s in all_versions(specs)}
    ids = list(dict.fromkeys(c.id for s in all_versions(specs) for c in s.contents))
    return pd.DataFrame({c: frame[content_column(c)] / frame["fingerprint"].map(
        lambda fp, c=c: maxima.get(fp, {}).get(c, np.nan)) for c in ids if content_column(c) in frame},
        index=frame.index).astype(float)


def _year_weakest(year: YearView, cells: pd.DataFrame, specs: dict[str, Spec]) -> None:
    """Each cell's weakest content over its scored forms of the year (the mean share of each content):
    the reason the year report gives with a cell below the threshold."""
    scored = cells[cells["status"].isin(SCORED)]
    shares = content_shares(scored, specs)
    if shares.empty or shares.isna().all(axis=None):
        year.cells["weakest_content"], year.cells["weakest_share"] = "", np.nan
        return
    per_cell = shares.groupby(scored["cell_code"]).mean()
    known = per_cell.notna().any(axis=1)
    weakest = per_cell.fillna(np.inf).idxmin(axis=1).where(known, "")
    year.cells["weakest_content"] = year.cells["cell_code"].map(weakest).fillna("")
    year.cells["weakest_share"] = year.cells["cell_code"].map(per_cell.min(axis=1))


def _year_vetoes(year: YearView, files: pd.DataFrame, problems: list[Problem], specs: dict[str, Spec],
                 lang: str) -> None:
    """Each excluded cell's exclusion questions answered "yes" in the year's counted forms, with the
    month (or the year-end form) and the question's text: the reason the year report gives."""
    questions = {(s.fingerprint, v.id): Text(v.text_vi, v.text_en or v.text_vi).of(lang)
                 for s in all_versions(specs) for v in s.vetoes}
    triggered = pd.DataFrame([(p.file, p.criterion) for p in problems if p.code == "veto_triggered"],
                             columns=["file", "veto_id"], dtype=object)
    rows = triggered.merge(files.loc[files["counted"], ["file", "cell_code", "period", "fingerprint"]], on="file")
    rows = rows[rows["period"].astype(str).str.startswith(year.year)]
    found: dict[str, list[str]] = {}
    for cell, period, fingerprint, veto_id in zip(rows["cell_code"], rows["period"].astype(str), rows["fingerprint"],
                                                  rows["veto_id"]):
        when = (Text("cuối năm", "year-end") if len(period) == 4
                else Text(f"tháng {int(period[5:7])}", f"month {int(period[5:7])}")).of(lang)
        text = questions.get((str(fingerprint), veto_id), "")
        found.setdefault(str(cell), []).append(f"{veto_id} “{text}” ({when})" if text else f"{veto_id} ({when})")
    year.cells["veto_questions"] = year.cells["cell_code"].map(lambda c: "; ".join(found.get(c, []))).fillna("")


def _below(cells: pd.DataFrame, specs: dict[str, Spec]) -> pd.DataFrame:
    below = cells[cells["status"] == Status.BELOW].copy()
    if below.empty:
        return below.assign(weakest_content="", weakest_share=np.nan)
    shares = content_shares(below, specs)
    if shares.empty or shares.isna().all(axis=None):
        return below.assign(weakest_content="", weakest_share=np.nan).sort_values(["final_total", "cell_code"])
    known = shares.notna().any(axis=1)
    below["weakest_content"] = shares.fillna(np.inf).idxmin(axis=1).where(known, "")
    below["weakest_share"] = shares.min(axis=1)
    return below.sort_values(["final_total", "cell_code"])


def _by_content(cells: pd.DataFrame, specs: dict[str, Spec]) -> pd.DataFrame:
    """Per content, over every scored cell: the sum of its final subtotals over the sum of its maxima
    (the share of the maximum the cells reached), with the content's name, weakest first."""
    cols = ["content_id", "name_vi", "name_en", "cells", "share"]
    scored = cells[cells["status"].isin(SCORED)]
    rows = []
    names: dict[str, tuple[str, str]] = {}
    for s in specs.values():
        for c in s.contents:
            names.setdefault(c.id, (c.title_vi, c.title_en))
    for cid, (vi, en) in names.items():
        col = content_column(cid)
        if col not in scored:
            continue
        maxima = scored["fingerprint"].map({s.fingerprint: next((c.max for c in s.contents if c.id == cid), np.nan)
                                            for s in specs.values()})
        have = scored[col].notna() & maxima.notna()
        if have.any():
            rows.append({"content_id": cid, "name_vi": vi, "name_en": en, "cells": int(have.sum()),
                         "share": float(scored.loc[have, col].sum() / maxima[have].sum())})
    return pd.DataFrame(rows, columns=cols).sort_values("share", kind="stable").reset_index(drop=True)


def _by_criterion(result: BatchResult, cells: pd.DataFrame, specs: dict[str, Spec]) -> pd.DataFrame:
    used = cells[cells["status"].isin([*SCORED, Status.INCOMPLETE])]
    by_file = used.drop_duplicates("file").set_index("file")  # rolled-up rows share their workbook's name
    sums = criterion_sums(result.scores, by_file)  # the rows held in memory (all of them without a store)
    if result.criteria is not None:  # the history store sums its own rows: those not held in memory
        held = set(result.scores["file"]) if not result.scores.empty else set()
        stored = by_file[~by_file.index.isin(held)]
        sha = result.files.drop_duplicates("file").set_index("file")["sha256"]
        from_store = result.criteria.criterion_sums(pd.DataFrame({
            "sha256": stored.index.map(sha.to_dict()), "cell_type": stored["cell_type"],
            "fingerprint": stored["fingerprint"], "upper": stored["final_source"] == "upper"}).dropna(subset=["sha256"]))
        sums = _add_sums(from_store, sums)
    sums = _by_version(sums, specs)
    # Rounded far below what is shown: sums added in another order (the store's query) give the same table.
    out = sums.assign(avg_score=(sums["score_sum"] / sums["cells"]).astype(float).round(9),
                      avg_share=(sums["share_sum"] / sums["cells"]).astype(float).round(9))
    out = out.drop(columns=["score_sum", "share_sum"])
    out = out[["cell_type", "content_id", "criterion_id", "version", "criterion", "max", "cells", "avg_score",
               "avg_share", "criterion_en"]]
    return out.sort_values(["avg_share", "cell_type", "criterion_id", "version"]).reset_index(drop=True)


def _by_version(sums: pd.DataFrame, specs: dict[str, Spec]) -> pd.DataFrame:
    """Per-criterion sums of each table (fingerprint) merged per criterion of a cell type, except
    where the tables the forms were filled on word it differently (text or maximum): then one row
    per wording, `version` naming the tables that use it ('' when every table agrees)."""
    cols = ["cell_type", "content_id", "criterion_id", "version", "criterion", "max", "cells", "score_sum", "share_sum",
            "criterion_en"]
    if sums.empty:
        return pd.DataFrame(columns=cols)
    tables = {s.fingerprint: s for s in reversed(all_versions(specs))}  # the table in use wins a shared fingerprint
    text = {(fp, c.id): c.text_vi for fp, s in tables.items() for c in s.criteria}
    text_en = {(fp, c.id): c.text_en for fp, s in tables.items() for c in s.criteria}  # for --lang en
    group, wording = ["cell_type", "content_id", "criterion_id"], ["criterion", "max"]
    keys = list(zip(sums["fingerprint"], sums["criterion_id"]))
    sums = sums.assign(criterion=[text.get(k, "") for k in keys], criterion_en=[text_en.get(k, "") for k in keys],
                       _version=[tables[fp].version if fp in tables else "" for fp in sums["fingerprint"]])
    variants = sums.drop_duplicates([*group, *wording]).groupby(group, sort=False).size().rename("_variants")
    sums = sums.join(variants, on=group)
    versions = sums.groupby([*group, *wording], sort=False)["_version"].transform(
        lambda v: ", ".join(sorted(set(v), key=version_key)))
    sums["version"] = versions.where(sums["_variants"] > 1, "")
    out = sums.groupby([*group, "version"], sort=False).agg(
        criterion=("criterion", "first"), max=("max", "min"), cells=("cells", "sum"), score_sum=("score_sum", "sum"),
        share_sum=("share_sum", "sum"), criterion_en=("criterion_en", "first")).reset_index()
    return out[cols]


def _add_sums(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Per-criterion sums of two sets of forms, as one."""
    if b.empty:
        return a
    if a.empty:
        return b
    keys = ["cell_type", "fingerprint", "content_id", "criterion_id"]
    both = pd.concat([a, b], ignore_index=True).groupby(keys, sort=False, dropna=False)
    return both.agg(max=("max", "min"), cells=("cells", "sum"), score_sum=("score_sum", "sum"),
                    share_sum=("share_sum", "sum")).reset_index()


def criterion_sums(scores: pd.DataFrame, by_file: pd.DataFrame) -> pd.DataFrame:
    """Per (cell type, criteria table, content, criterion), in order of first appearance: the maximum,
    the cells scored, the sum of their final scores and of their shares of the maximum (the final
    score is the upper level's when the form's final total is). The store's aggregate query is the
    same sum."""
    cols = ["cell_type", "fingerprint", "content_id", "criterion_id", "max", "cells", "score_sum", "share_sum"]
    scores = scores[scores["file"].isin(by_file.index) & (scores["content_id"] != "")] if not scores.empty else scores
    if scores.empty:
        return pd.DataFrame(columns=cols)
    source = scores["file"].map(by_file["final_source"])
    value = np.where(source == "upper", scores["upper"], scores["self"])
    frame = scores.assign(value=value, cell_type=scores["file"].map(by_file["cell_type"]),
                          fingerprint=scores["file"].map(by_file["fingerprint"]))
    frame = frame[frame["value"].notna()]
    frame["share"] = frame["value"] / frame["spec_max"]
    out = frame.groupby(["cell_type", "fingerprint", "content_id", "criterion_id"], sort=False, dropna=False).agg(
        max=("spec_max", "min"), cells=("value", "size"), score_sum=("value", "sum"), share_sum=("share", "sum"),
    ).reset_index()
    return out[cols]


def _first_reasons(problems: list[Problem], lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in sorted(problems, key=lambda p: p.severity != "error"):
        out.setdefault(p.file, p.message(lang))
    return out


def _rejected(files: pd.DataFrame, problems: list[Problem], lang: str) -> pd.DataFrame:
    bad = set(files.loc[files["verdict"].isin(["rejected", "skipped"]), "file"])
    rows = [{"file": p.file, "code": p.code, "severity": p.severity, "message": p.message(lang), "sheet": p.sheet,
             "cell": p.cell, "criterion": p.criterion} for p in problems if p.file in bad]
    return pd.DataFrame(rows, columns=["file", "code", "severity", "message", "sheet", "cell", "criterion"])


def _by_top_children(expected: pd.DataFrame, counts: Any) -> dict[str, dict[str, Any]]:
    """The figures of each organisation directly under the top of the tree (the upper-level
    committees: commune/ward committees and the provincial agency committees in 2026), in the
    tree's order, each with its level as the roster gives it (`level`: structure.KINDS, or
    `grassroots_cell`); they add up to the totals."""
    if expected.empty or "org_chain" not in expected:
        return {}
    chains = frame_row_chains(expected, "vi")
    nodes = tree(dict.fromkeys(chains))
    top = next(n.id for n in nodes.values() if n.depth == 0)
    first = chains.map(lambda c: next((o.id for o in c if o.id in nodes and nodes[o.id].parent == top), ""))
    groups = sorted(expected.groupby(first, sort=False), key=lambda kg: nodes[kg[0]].order if kg[0] in nodes else -1)
    return {nodes[k].name if k in nodes else "": {**counts(g), "level": nodes[k].kind if k in nodes else ""}
            for k, g in groups}


def _summary(files: pd.DataFrame, expected: pd.DataFrame, problems: list[Problem]) -> dict[str, Any]:
    def counts(frame: pd.DataFrame) -> dict[str, int]:
        status = frame["status"]
        return {
            "cells": int((status != Status.MISSING).sum()),
            "cells_meeting_standard": int((status == Status.MEETS).sum()),
            "cells_below_threshold": int((status == Status.BELOW).sum()),
            "cells_incomplete": int((status == Status.INCOMPLETE).sum()),
            "cells_missing": int((frame["expected"] & status.isin([Status.MISSING, Status.INVALID])).sum())
            if "expected" in frame else 0,
        }
    valid = int((files["verdict"].isin(["counted", "superseded"])).sum())
    summary: dict[str, Any] = {
        "files_total": int(len(files)),
        "files_valid": valid,
        "files_rejected": int((files["verdict"] == "rejected").sum()),
        "files_skipped": int((files["verdict"] == "skipped").sum()),
        "thresholds": sorted({float(t) for t in pd.to_numeric(expected.get("threshold", pd.Series(dtype=float)),
                                                               errors="coerce").dropna()}),
        **counts(expected),
        "duplicates": int((files["verdict"] == "superseded").sum()),
        "conflicts": len({(p.value, p.params.get("period")) for p in problems if p.code == "rollup_conflict"}),
        "by_upper_committee": _by_top_children(expected, counts),
    }
    return summary


def parse_period(text: str | None) -> str | None:
    """'2026' (the year), '2026-11', '11/2026' or 'T11/2026' -> the period code used everywhere."""
    if text is None:
        return None
    t = text.strip()
    m = re.fullmatch(r"(\d{4})(?:[-/.](\d{1,2}))?", t) or None
    if m:
        year, month = m.group(1), m.group(2)
    else:
        m = re.fullmatch(r"[Tt]?(\d{1,2})[-/.](\d{4})", t)
        if not m:
            raise FourgoodError([Problem("period_option_invalid", value=text)])
        month, year = m.group(1), m.group(2)
    if month and not 1 <= int(month) <= 12:
        raise FourgoodError([Problem("period_option_invalid", value=text)])
    return f"{year}-{int(month):02d}" if month else year


def consolidate_paths(paths: list[str], specs: dict[str, Spec], *, roster: str | None = None,
                      period: str | None = None, jobs: int = 1, lang: str = "vi", progress: Progress | None = None,
                      store: Store | str | Path | None = None, scheduler: str | None = None,
                      outputs: Outputs | None = None,
                      entries: Sequence[tuple[Path, str | None]] | None = None) -> Consolidation:
    """Read, validate, score and roll up: the whole job short of writing (shared with the add-in).

    Raises FourgoodError, before anything is written, when there is nothing to consolidate: a
    path that does not exist, no file to read, or no submitted form for the period asked.
    `store`: the history store, or its file (only files whose content it has not seen are read); a
    store given open stays open.
    `outputs`: the files this run writes, listed as skipped, never read (`pipeline.skip_reason`).
    `entries`: the inputs as `pipeline.discover` listed them, when the caller already has.
    """
    wanted = parse_period(period)
    check_inputs(paths, also=[roster] if roster else [], outputs=outputs)
    roster_frame = read_roster(roster) if roster else None
    # None: no store, nothing written but the report
    history = store if isinstance(store, Store) else Store(store, specs, lang) if store else None
    try:
        result = store_batch(paths, specs, history, jobs=jobs, lang=lang, progress=progress, scheduler=scheduler,
                             former=former_code_map(roster_frame), outputs=outputs, entries=entries)
        if wanted:
            found = periods_found(result)
            if not (of_year(pd.Series(found, dtype=object), wanted) if is_year(wanted) else
                    pd.Series(found, dtype=object) == wanted).any():
                raise FourgoodError([Problem("period_not_found", value=wanted, expected=", ".join(found) or None)])
        earlier = history.cells.of_year(previous_year(wanted)) if history and wanted and is_year(wanted) else None
        c = consolidate(result, specs, roster_frame, wanted, lang, earlier=earlier)
        if history is not None:
            if wanted and not is_year(wanted):
                before = history.cells.of_period(previous_month(wanted))
                c.previous = before if not before.empty else None
            history.cells.remember(c.cells)
            history.last_run.record(sources_key(paths), c.files)
            c.history = history.report
            c.summary["files_disappeared"] = len(history.report.disappeared)
    finally:
        if history is not None and history is not store:
            history.close()
    return c


def previous_month(period: str) -> str:
    """'2026-10' for '2026-11', '2025-12' for '2026-01'."""
    year, month = (int(x) for x in period.split("-"))
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def periods_found(result: BatchResult) -> list[str]:
    """Every period a submitted form (valid or not) or a rolled-up workbook row is for, sorted."""
    files = result.files
    found = set(files.loc[files["category"] != "skipped", "period"].dropna().astype(str))
    if not result.rolled.empty and "period" in result.rolled:
        found |= set(result.rolled["period"].dropna().astype(str))
    return sorted(p for p in found if p)
