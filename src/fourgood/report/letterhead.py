"""The party document's heading (Hướng dẫn 36): who issues the report, where and when, for which
period; an appendix's heading and its "prepared by" block."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from ..document import (
    DOTS,
    UNKNOWN_ISSUER,
    Letterhead,
    Signer,
    issuer_from_text,
    issuer_from_top,
    period_text,
    province_parts,
)
from ..house_style import FONT
from ..rollup import Consolidation
from ..structure import GRASSROOTS, PROVINCE
from .geometry import HEAD_ROW, PERIOD_ROW, TITLE_ROW, text_lines
from .labels import tr
from .style import merge


def letterhead(c: Consolidation, lang: str, run_at: dt.datetime, *, issuer: str | None = None,
               place: str | None = None, province: str | None = None, period: str | None = None,
               signer: Signer | None = None) -> Letterhead:
    """The heading: --issuer and --place when given, else derived from the top organisation of the
    roster's tree (or of the forms'), else dotted lines to fill by hand."""
    province = (province or c.province or _mode(c.cells, "province") or "").strip()
    tops = c.hierarchy[c.hierarchy["depth"] == 0] if "depth" in c.hierarchy else c.hierarchy.iloc[0:0]
    top_name, top_kind = (str(tops["name"].iloc[0]), str(tops["kind"].iloc[0])) if not tops.empty else ("", "")
    if issuer and issuer.strip():
        who = issuer_from_text(issuer, province)
    elif top_kind:
        above = (_mode(c.cells, "upper_committee") or "") if top_kind == GRASSROOTS else ""
        who = issuer_from_top(top_name, top_kind, province, above)
    elif province:
        who = issuer_from_top(province, PROVINCE, province)
    else:
        who = UNKNOWN_ISSUER
    periods = sorted({str(p) for f in (c.cells, c.missing) if "period" in f for p in f["period"].dropna() if str(p)})
    text = period_text([c.year.year] if c.year is not None else periods or ([period] if period else []), lang)
    name = province_parts(province)[1] if province else ""
    return Letterhead(who, (place or name or DOTS).strip(), run_at.date(), text, lang, signer)


def _mode(frame: pd.DataFrame, col: str) -> str | None:
    if col not in frame:
        return None
    values = frame[col].dropna().astype(str).str.strip()
    values = values[values != ""]
    return str(values.mode().iloc[0]) if not values.empty else None


def split(widths: list[float], shares: list[float]) -> list[tuple[int, int]]:
    """Column spans (first, last) dividing the table's width by `shares` (at least one column each)."""
    total, spans, start, acc = sum(widths), [], 1, 0.0
    bounds = [sum(shares[:k + 1]) * total for k in range(len(shares))]
    for k, bound in enumerate(bounds):
        end = start
        remaining = len(shares) - k - 1
        while end < len(widths) - remaining and acc + widths[end - 1] <= bound + widths[end - 1] / 2:
            acc += widths[end - 1]
            end += 1
        end = max(start, min(end - 1, len(widths) - remaining))
        if k == len(shares) - 1:
            end = len(widths)
        spans.append((start, end))
        start = end + 1
    return spans


def heading(ws: Worksheet, h: Letterhead, widths: list[float], title: str, appendix: int = 0) -> None:
    """An appendix's heading: "Phụ lục N" and, in one line, the number and date of the report it is
    attached to (an appendix has no issuer block or number of its own); then its title and period."""
    n = len(widths)
    label = tr(h.lang, (f"Phụ lục {appendix}", f"Appendix {appendix}")) if appendix else ""
    merge(ws, 1, 1, n, label, Font(name=FONT, size=13, bold=True))
    merge(ws, 2, 1, n, h.appendix_line(), Font(name=FONT, size=12, italic=True))
    ws.row_dimensions[1].height = ws.row_dimensions[2].height = 19
    for r in range(3, TITLE_ROW):
        ws.row_dimensions[r].height = 6
    merge(ws, TITLE_ROW, 1, n, title, Font(name=FONT, size=14, bold=True))
    ws.row_dimensions[TITLE_ROW].height = max(22.0, 20.0 * text_lines(title, sum(widths) * 0.8, True))
    period = tr(h.lang, ("Kỳ đánh giá: ", "Period: ")) + (h.period or DOTS)
    merge(ws, PERIOD_ROW, 1, n, period, Font(name=FONT, size=13, italic=True))
    ws.row_dimensions[PERIOD_ROW].height = 19
    ws.row_dimensions[HEAD_ROW - 1].height = 8


def prepared_by(ws: Worksheet, lang: str, widths: list[float], first_row: int) -> int:
    """Who drew up an appendix table: right, under the table, with room to sign. Returns its last row."""
    (c1, c2), = split(widths, [0.62, 0.38])[1:] if len(widths) >= 2 else [(1, 1)]
    merge(ws, first_row, c1, c2, tr(lang, ("NGƯỜI LẬP BIỂU", "PREPARED BY")), Font(name=FONT, size=13, bold=True))
    merge(ws, first_row + 1, c1, c2, tr(lang, ("(Ký, ghi rõ họ tên)", "(Signature, full name)")),
          Font(name=FONT, size=12, italic=True))
    for k in range(first_row + 2, first_row + 5):
        ws.row_dimensions[k].height = 20
    merge(ws, first_row + 5, c1, c2, DOTS, Font(name=FONT, size=12))
    return first_row + 5
