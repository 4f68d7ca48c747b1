"""A table of the consolidated workbook as data (ReportTable) and the column specs the tables share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..contract import plain_value
from ..structure import GRASSROOTS, UPPER, kind_label

# (key, Vietnamese header, English header, width, number format)
Col = tuple[str, str, str, int, str | None]
COUNT_COLS: list[Col] = [
    ("expected", "Số chi bộ phải báo cáo", "Cells expected", 12, "0"),
    ("submitted", "Đã nộp", "Submitted", 10, "0"),
    ("valid", "Hợp lệ", "Valid", 10, "0"),
    ("meets", "Đạt 4 tốt", "Meet the standard", 10, "0"),
    ("below", "Dưới ngưỡng đạt", "Under the threshold", 10, "0"),
    ("veto", "Loại trừ", "Excluded", 9, "0"),
    ("incomplete", "Chưa chấm đủ", "Incomplete", 10, "0"),
    ("invalid", "Phiếu lỗi", "Invalid", 9, "0"),
    ("pass_rate", "Tỷ lệ đạt", "Pass rate", 10, "0.0%"),
    ("avg_final", "Điểm bình quân", "Average score", 10, "0.00"),
    ("avg_gap", "Chênh lệch tự chấm - cấp trên", "Self minus upper (avg)", 14, "0.00"),
]
# A cell's committees in the cell lists, by the levels of its chain (rollup.with_levels): the level
# directly above the grassroots and the grassroots organisation (“(chi bộ cơ sở)” for a grassroots cell).
LEVEL_COLS: list[Col] = [
    ("upper_committee", kind_label(UPPER, "vi"), kind_label(UPPER, "en"), 34, None),
    ("grassroots_label", kind_label(GRASSROOTS, "vi"), kind_label(GRASSROOTS, "en"), 40, None)]
PERIOD_COL: Col = ("period", "Kỳ", "Period", 9, "@")

# Columns kept in the workbook, after the print area: problem codes (they stay in the JSON too), the
# source files' paths (the log appendix lists every file once) and, in the cell list, what the printed
# columns already say (the score's source: the upper level's column is filled; the gap: self - upper).
UNPRINTED: dict[str, tuple[str, ...]] = {"detail": ("source_label", "gap", "period", "upper_committee",
                                                    "grassroots_label", "file"), "year_cells": ("parent_name",), "below": ("file",), "rejected": ("code",)}


@dataclass
class ReportTable:
    """One sheet of the consolidated workbook as data: the openpyxl writer and the Excel add-in
    both lay these out, so a file written by the command line and a workbook consolidated from
    Excel hold the same figures."""

    key: str
    sheet: str
    title: str
    cols: list[Col]
    frame: pd.DataFrame

    def rows(self) -> list[list[Any]]:
        records = self.frame.to_dict("records") if not self.frame.empty else []
        return [[plain_value(rec.get(key)) for key, *_ in self.cols] for rec in records]

    def header(self, lang: str) -> list[str]:
        return [en if lang == "en" else vi for _, vi, en, _, _ in self.cols]
