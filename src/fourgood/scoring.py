"""Scoring for a whole batch at once: subtotals, totals, final score and status.

Input is tidy: one row per (submission, criterion). The same code serves the command
line, the consolidation and the Excel add-in, and its verdicts are the ones the form's
own Excel formulas show (a LibreOffice test holds the two together).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .contract import content_column, content_of_column
from .vocab import FORM_STATUSES, Status

STATUSES = FORM_STATUSES
# The verdict of one score column, as the form's status cell shows it: an invalid score and an
# unanswered exclusion question have their own words there.
COLUMN_STATUSES = (Status.MEETS, Status.BELOW, Status.INCOMPLETE, Status.VETO, Status.VETO_UNANSWERED,
                   Status.INVALID_SCORE)


def column_totals(scores: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per submission: subtotal per content, total and how many criteria are scored."""
    values = scores[column]
    grouped = scores.assign(_v=values, _n=values.notna()).groupby(["submission", "content_id"], sort=False)
    sub = grouped["_v"].sum(min_count=0).unstack("content_id")
    sub.columns = [content_column(c, column) for c in sub.columns]
    per = scores.assign(_v=values, _n=values.notna()).groupby("submission", sort=False)
    out = sub.assign(**{
        f"{column}_total": per["_v"].sum(min_count=1),  # no score at all: no total
        f"{column}_scored": per["_n"].sum(),
        "criteria": per.size(),
    })
    return out


def score_batch(scores: pd.DataFrame, submissions: pd.DataFrame) -> pd.DataFrame:
    """Score every submission.

    scores: columns submission, content_id, criterion_id, max, self, upper (NaN when blank
    or unusable), optionally self_invalid and upper_invalid (True where the cell holds a score
    the form's formulas cannot count: text, negative, above the maximum, off the step).
    submissions: index submission; columns threshold, veto (True, False or NaN when
    unanswered) and blocking (True when the file has errors).
    Returns one row per submission with self_*/upper_*/final_* subtotals and totals,
    final_source ('upper' when the upper-level score is complete, else 'self'), gap
    (self - upper when both are complete), status and, per column, self_status and
    upper_status (`column_status`: the verdict the form's status cells show).
    """
    selft = column_totals(scores, "self")
    upper = column_totals(scores, "upper").drop(columns="criteria")
    out = submissions.join(selft, how="left").join(upper, how="left")
    for col in ("self", "upper"):
        flags = scores[f"{col}_invalid"] if f"{col}_invalid" in scores else pd.Series(False, index=scores.index)
        invalid = flags.fillna(False).astype(bool).groupby(scores["submission"].to_numpy(), sort=False).any()
        out[f"{col}_invalid"] = invalid.reindex(out.index, fill_value=False).astype(bool)
    n = out["criteria"].fillna(0)
    out["self_complete"] = (out["self_scored"] == n) & (n > 0)
    out["upper_complete"] = (out["upper_scored"] == n) & (n > 0)
    contents = [c for c in map(lambda name: content_of_column(name, "self"), selft.columns) if c is not None]
    use_upper = out["upper_complete"]
    out["final_source"] = np.where(use_upper, "upper", "self")
    for c in contents:
        out[content_column(c)] = np.where(use_upper, out[content_column(c, "upper")], out[content_column(c, "self")])
    out["final_total"] = np.where(use_upper, out["upper_total"], out["self_total"])
    out["final_complete"] = out["self_complete"] | out["upper_complete"]
    out["gap"] = np.where(out["self_complete"] & out["upper_complete"], out["self_total"] - out["upper_total"], np.nan)
    out["status"] = _status(out["final_total"], out["final_complete"], out["veto"], out["blocking"], out["threshold"])
    for col in ("self", "upper"):
        out[f"{col}_status"] = column_status(out[f"{col}_total"], out[f"{col}_complete"], out["veto"],
                                             out[f"{col}_invalid"], out["threshold"])
    return out


def _status(total: pd.Series, complete: pd.Series, veto: pd.Series, blocking, threshold: pd.Series) -> pd.Series:
    """Same precedence as the form: invalid, then incomplete (scores or vetoes), veto, total."""
    veto_unanswered = veto.isna()
    vetoed = veto.fillna(False).astype(bool)
    blocking = pd.Series(blocking, index=total.index).fillna(False).astype(bool)
    choices = np.select(
        [blocking, ~complete.astype(bool) | veto_unanswered, vetoed, total >= threshold],
        [Status.INVALID.value, Status.INCOMPLETE.value, Status.VETO.value, Status.MEETS.value],
        default=Status.BELOW.value,
    )
    return pd.Series(choices, index=total.index)


def column_status(total: pd.Series, complete: pd.Series, veto: pd.Series, invalid: pd.Series,
                  threshold: pd.Series) -> pd.Series:
    """One score column's verdict, the precedence of the form's status formula: an invalid score,
    then incomplete scores, excluded (a 'Yes'), an unanswered exclusion question, the total.

    Unlike `_status` (the submission's verdict) it names the invalid score and the unanswered
    question: the form has room to say which, and an unanswered question is not a missing score.
    """
    vetoed = veto.fillna(False).astype(bool)
    choices = np.select(
        [invalid.astype(bool), ~complete.astype(bool), vetoed, veto.isna(), total >= threshold],
        [Status.INVALID_SCORE.value, Status.INCOMPLETE.value, Status.VETO.value, Status.VETO_UNANSWERED.value,
         Status.MEETS.value],
        default=Status.BELOW.value,
    )
    return pd.Series(choices, index=total.index)
