"""Which file counts: byte-identical files count once, and one file per cell and period,
ranked by the rules a board applies (valid, complete, upper-scored, latest date, newest)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fourgood.problems import Problem


def settle_duplicates(files: pd.DataFrame) -> tuple[list[Problem], set[str]]:
    """Byte-identical files count once; the same cell and period counts once, the best file.

    Returns the duplicate problems and the set of files that count.
    """
    counts = files["kind"].isin(["cell", "consolidated"]) & (files["skipped"] == "")
    if len(files) < 2:  # one file (a check, the add-in): nothing to be a duplicate of
        return [], set(files.loc[counts, "file"])
    problems: list[Problem] = []
    files = files.copy()
    files["counted"] = counts
    readable = files[files["sha256"] != ""]
    dup_sha = readable[readable.duplicated("sha256", keep="first")]
    firsts = readable.drop_duplicates("sha256").set_index("sha256")["file"]
    for f, sha in zip(dup_sha["file"], dup_sha["sha256"]):
        problems.append(Problem("duplicate_file", f, value=firsts[sha]))
        files.loc[files["file"] == f, "counted"] = False
    cand = files[files["counted"] & (files["cell_code"].astype(object).fillna("") != "")
                 & (files["period"].astype(object).fillna("") != "")]
    cand = cand[cand.duplicated(["cell_code", "period"], keep=False)].copy()  # only cells sent more than once
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
            problems.append(Problem("duplicate_submission", f, value=code, expected=Path(best["file"]).name,
                                    params={"period": period, "reason": reason}))  # messages.RANK_REASONS
    return problems, set(files.loc[files["counted"], "file"])
