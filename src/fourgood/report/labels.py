"""Words the report's sheets share: the language pick, sheet names, cell types, criteria texts
and the pass thresholds the consolidation's specs set."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ..contract import REPORT_SHEETS
from ..rollup import Consolidation
from ..spec import CELL_TYPES
from ..vocab import Text

SHEET_NAMES = REPORT_SHEETS
# Cell types as the cell lists print them (a twenty-column table: one line a row where names allow)
SHORT_TYPES = {"agency": ("Cơ quan", "Agency"), "public_service": ("Sự nghiệp", "Public service"),
               "enterprise": ("Doanh nghiệp", "Enterprise"), "residential": ("Thôn, tổ dân phố", "Residential")}


def tr(lang: str, pair: tuple[str, str]) -> str:
    """A stored (Vietnamese, English) pair's text in `lang` (the pairs kept in tables and dicts)."""
    return Text(*pair).of(lang)


def type_name(code: Any, lang: str) -> Any:
    """A cell type's name in the language; anything else as it is."""
    t = CELL_TYPES.get(code) if isinstance(code, str) else None
    return (t.name_en if lang == "en" else t.name_vi) if t else code


def criterion_text(frame: pd.DataFrame, lang: str) -> pd.Series:
    """Each criterion's wording in the language asked for: the table's English text with --lang en
    (the Vietnamese where a table has none)."""
    if lang != "en" or "criterion_en" not in frame:
        return frame["criterion"]
    english = frame["criterion_en"].astype(object).fillna("")
    return english.where(english != "", frame["criterion"])


def thresholds_of(c: Consolidation) -> list[float]:
    """The pass thresholds of the cells' specs (one for a province on one table)."""
    if "threshold" not in c.cells:
        return []
    return sorted({float(v) for v in pd.to_numeric(c.cells["threshold"], errors="coerce").dropna()})


def run_at_text(run_at: dt.datetime, lang: str) -> str:
    return tr(lang, ("Lập lúc ", "Run at ")) + run_at.strftime("%d/%m/%Y %H:%M")
