"""The charts sheet: two native bar charts (pass rate by organisation, distribution of final
scores), each whole on its own landscape A4 page beside the figures it draws."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from ..document import Letterhead
from ..problems import number_text
from ..rollup import Consolidation
from ..spec import DEFAULT_THRESHOLD, TOTAL_POINTS
from ..structure import kind_label
from ..vocab import SCORED
from .geometry import A4_PT, HEAD_ROW, MARGIN_IN, row_height, width_of
from .labels import thresholds_of, tr
from .letterhead import heading
from .style import HEADER_STYLE, body_style, page_setup, put

CHART_CM = 16.0  # with columns A-C the sheet is 26 cm wide: landscape A4 at 100%
CHART_COLUMN = width_of(CHART_CM / 2.54 * 72)  # column D holds the charts' width
CHART_WIDTHS = [40.0, 11.0, 2.0, CHART_COLUMN]


def write_charts(wb: Workbook, c: Consolidation, names: dict[str, str], lang: str, h: Letterhead | None = None,
                 appendix: int = 0) -> None:
    """The charts sheet, after the appendices."""
    ws = wb.create_sheet(names["charts"])
    for j, width in enumerate(CHART_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(j)].width = width
    heading(ws, h or Letterhead.placeholder(lang), CHART_WIDTHS, tr(lang, ("BIỂU ĐỒ", "CHARTS")), appendix)
    page_setup(ws, "landscape", lang)
    page_pt = A4_PT[0] - (MARGIN_IN["top"] + MARGIN_IN["bottom"]) * 72 - 6
    row = _rate_chart(ws, c, lang, page_pt)
    _score_chart(ws, c, lang, page_pt, row)


def _figures(ws: Worksheet, top: int, header: tuple[str, str], rows: list[tuple[str, Any, str]]) -> float:
    """Write a two-column table of the figures; return its height in points."""
    height = 0.0
    for j, text in enumerate(header, 1):
        HEADER_STYLE.apply(ws.cell(top, j, text))
    ws.row_dimensions[top].height = row_height(list(header), CHART_WIDTHS[:2], True)
    height += ws.row_dimensions[top].height
    for i, (label, value, fmt) in enumerate(rows, top + 1):
        for j, (v, f) in enumerate(((label, None), (value, fmt)), 1):
            body_style(f).apply(put(ws, i, j, v, f))
        ws.row_dimensions[i].height = row_height([label], CHART_WIDTHS[:1])
        height += ws.row_dimensions[i].height
    return height


def _rate_chart(ws: Worksheet, c: Consolidation, lang: str, page_pt: float) -> int:
    """One bar per organisation right under the top (for the year: its share of cells proposed; none
    decided is a blank, not 0%) and its figures. Returns the row that starts the next page."""
    tree = c.year.hierarchy if c.year is not None else c.hierarchy
    tops = set(tree.loc[tree["depth"] == 0, "node"])
    upper = tree[tree["parent"].isin(tops)]
    if c.year is not None:
        rates = upper["pass_rate"].where(upper["decided"] > 0)
        labels = [str(name) for name in upper["name"]]
    else:
        rates = upper["pass_rate"]
        many = upper["period"].nunique() > 1
        labels = [f"{name} ({period})" if many else str(name) for name, period in zip(upper["name"], upper["period"])]
    n = max(len(upper), 1)
    first = HEAD_ROW
    levels = list(dict.fromkeys(upper["kind"]))  # the level the roster gives them, when they share one
    level = kind_label(levels[0], lang) if len(levels) == 1 else tr(lang, ("Tổ chức đảng", "Party organisation"))
    used = _figures(ws, first, (level, tr(lang, ("Tỷ lệ đạt", "Pass rate"))),
                    [(label, rate, "0.0%") for label, rate in zip(labels, rates)])
    top_pt = sum(float(ws.row_dimensions[r].height or 15) for r in range(1, first))
    chart = BarChart()
    chart.type = "bar"
    chart.title = tr(lang, (f"Tỷ lệ chi bộ đạt theo {level[0].lower() + level[1:]}", f"Pass rate by {level.lower()}"))
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    chart.add_data(Reference(ws, min_col=2, min_row=first, max_row=first + n), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=first + n))
    room_cm = (page_pt - top_pt) / 72 * 2.54 - 0.5
    chart.height = min(7 + 0.6 * n, room_cm)  # centimetres
    chart.width, chart.legend = CHART_CM, None  # type: ignore[assignment]
    ws.add_chart(chart, f"D{first}")
    # the second chart starts a new page: after the first chart and after its figures
    below = max(used, chart.height / 2.54 * 72) + 4
    row, acc = first + n + 1, used
    while acc < below:
        ws.row_dimensions[row].height = 15
        acc, row = acc + 15, row + 1
    ws.row_breaks.append(Break(id=row - 1))
    return row


def _score_chart(ws: Worksheet, c: Consolidation, lang: str, page_pt: float, top: int) -> None:
    """The distribution of final scores over the ranges around the threshold, and its figures."""
    bins, labels = score_bins(thresholds_of(c), lang)
    scores = c.cells.loc[c.cells["status"].isin(SCORED), "final_total"]
    _figures(ws, top, (tr(lang, ("Khoảng điểm", "Score range")), tr(lang, ("Số chi bộ", "Cells"))),
             [(label, int(((scores >= lo) & (scores < hi)).sum()), "0") for (lo, hi), label in zip(bins, labels)])
    hist = BarChart()
    hist.title = tr(lang, ("Phân bố điểm cuối cùng", "Distribution of final scores"))
    hist.add_data(Reference(ws, min_col=2, min_row=top, max_row=top + len(bins)), titles_from_data=True)
    hist.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=top + len(bins)))
    hist.height = min(12.0, page_pt / 72 * 2.54 - 1)
    hist.width, hist.legend = CHART_CM, None  # type: ignore[assignment]
    ws.add_chart(hist, f"D{top}")


def score_bins(thresholds: list[float], lang: str) -> tuple[list[tuple[float, float]], list[str]]:
    """Score ranges for the distribution chart, around the pass threshold (95 unless the spec says)."""
    t = thresholds[0] if len(thresholds) == 1 else DEFAULT_THRESHOLD
    edges = [0.0, t - 15, t - 10, t - 5, t, t + (TOTAL_POINTS - t) / 2, TOTAL_POINTS]
    edges = sorted({e for e in edges if 0 <= e <= TOTAL_POINTS})
    bins = [(lo, hi if hi < TOTAL_POINTS else TOTAL_POINTS + 0.01) for lo, hi in zip(edges, edges[1:])]

    def num(x: float) -> str:
        return number_text(x, lang)

    labels = [f"< {num(hi)}" if lo == 0 else f"{num(lo)}–{num(min(hi, TOTAL_POINTS))}" for lo, hi in bins]
    return bins, labels
