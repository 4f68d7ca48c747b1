"""Judge a batch: every rule over every declared frame, once (the reading layer only records; this
is where what was read is found acceptable or not)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fourgood.problems import Problem

from . import normalize as N
from .frames import Frames
from .rules import (
    file_detail,
    file_rules,
    integrity_rules,
    meta_rules,
    missing_rules,
    rollup_rules,
    score_rules,
    veto_rules,
)
from .run import run_rules


def validate_frames(frames: Frames, expected: pd.DataFrame, lang: str = "vi") -> list[Problem]:
    """Every rule over every frame of the batch, once. `expected`: (file, criterion_id, sheet)
    for every criterion each form's spec asks for."""
    problems: list[Problem] = []
    files = frames.files
    if not files.empty:
        problems += run_rules(files.assign(detail=file_detail(files), version=files["template_version"]),
                              file_rules(lang), lang)
    if not frames.scores.empty:
        problems += run_rules(frames.scores, score_rules(lang), lang)
    info = frames.info
    if not info.empty:
        problems += run_rules(info, meta_rules(lang), lang)
        problems += run_rules(_presence(expected, frames.scores), missing_rules(), lang)
        problems += run_rules(_excel_totals(info, frames.scores), integrity_rules(lang), lang)
    if not frames.rolled.empty:
        rolled = frames.rolled.assign(detail=lambda d: "status '" + d["status"] + "'")
        problems += run_rules(rolled, rollup_rules(lang), lang)
    if not frames.vetoes.empty:
        problems += run_rules(frames.vetoes, veto_rules(lang), lang)
    return problems


def _presence(expected: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    present = scores[["file", "criterion_id"]].drop_duplicates().assign(present=True)
    out = expected.merge(present, on=["file", "criterion_id"], how="left")
    out["present"] = out["present"].astype("boolean").fillna(False).astype(bool)
    return out


def _excel_totals(info: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """What Excel's SUM would show: only cells holding real numbers count."""
    cols = ["file"] + [f"{c}_total_{k}" for c in ("self", "upper") for k in ("cached", "formula", "sheet", "cell")]
    frame = info[cols].copy()
    for col in ("self", "upper"):
        if scores.empty:
            frame[f"{col}_excel_total"] = np.nan
            continue
        numeric = scores[col].where(scores[f"{col}_kind"] == N.OK, 0.0)
        totals = numeric.groupby(scores["file"]).sum()
        frame[f"{col}_excel_total"] = frame["file"].map(totals)
    return frame
