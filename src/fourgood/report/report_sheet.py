"""The report itself, the workbook's first sheet (Hướng dẫn 36): issuer block and number, the
party's name, place and date; "BÁO CÁO" and what it is about; the text; the summary table; the
weakest criteria; "Nơi nhận" and the signature.

Portrait A4 at 100%: eight columns, 523 pt of the 530 pt printable. The issuer block spans the
first three, the party's name and the date line the other five."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..document import DOTS, Letterhead, period_text
from ..house_style import FONT
from ..report_text import month_paragraphs, weakest_content, year_paragraphs
from ..rollup import Consolidation
from .geometry import column_pt, row_height, text_lines
from .labels import criterion_text, thresholds_of, tr, type_name
from .style import BOLD_STYLE, HEADER_STYLE, body_style, merge, merge_row, page_setup, put

REPORT_WIDTHS = [5.0, 30.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0]
REPORT_PT = 13
TEXT_CHAR_PT = 5.9  # Times New Roman 13: average character width for wrapping a paragraph
SUMMARY_FORMATS: list[str | None] = [None, "0", "0", "0", "0.0%", "0", "0"]


@dataclass
class ReportPage:
    """What the report sheet says, decided from the consolidation (`report_page`)."""

    kind_line: str  # "Kết quả đánh giá “Chi bộ 4 tốt” tháng 11 năm 2026"
    paragraphs: list[str]
    summary_title: str
    summary_header: list[str]
    summary_rows: list[list[Any]]  # [label, numbers…]; the first row is the whole (bold)
    summary_formats: list[str | None]
    criteria_title: str = ""
    criteria_header: list[str] = field(default_factory=list)
    criteria_rows: list[list[Any]] = field(default_factory=list)


def report_page(c: Consolidation, h: Letterhead, lang: str, weakest: int = 10) -> ReportPage:
    thresholds = thresholds_of(c)
    if c.year is not None:
        return _year_page(c, thresholds, lang)
    page = _month_page(c, h, thresholds, lang)
    _weakest_criteria(page, c, lang, weakest)
    return page


def _year_page(c: Consolidation, thresholds: list[float], lang: str) -> ReportPage:
    y = c.year
    assert y is not None
    kind_line = tr(lang, (f"Kết quả đánh giá, đề nghị công nhận “Chi bộ 4 tốt” năm {y.year}",
                          f"Evaluation and proposed recognition of “Chi bộ 4 tốt” cells, {y.year}"))
    hy = y.hierarchy[y.hierarchy["depth"] <= 1]
    rows = [[str(n), int(a), int(b), int(m), (m / a if b else None), int(bl) + int(v), int(u)]  # none decided: blank
            for n, a, b, m, bl, v, u in zip(hy["name"], hy["cells"], hy["decided"], hy["meets"], hy["below"],
                                             hy["veto"], hy["undecided"])]
    header = [tr(lang, p) for p in (("Tổ chức đảng", "Party organisation"), ("Số chi bộ", "Cells"),
                                    ("Đã đủ căn cứ xét", "Decided"), ("Đề nghị công nhận", "Proposed"),
                                    ("Tỷ lệ", "Share"), ("Không đạt, loại trừ", "Below or excluded"),
                                    ("Chưa đủ dữ liệu", "Not enough data"))]
    return ReportPage(kind_line, year_paragraphs(c, thresholds, lang),
                      tr(lang, ("KẾT QUẢ THEO CẤP ỦY TRỰC THUỘC", "BY ORGANISATION")), header, rows,
                      list(SUMMARY_FORMATS))


def _month_page(c: Consolidation, h: Letterhead, thresholds: list[float], lang: str) -> ReportPage:
    kind_line = tr(lang, ("Kết quả đánh giá “Chi bộ 4 tốt” ", "Results of the “Chi bộ 4 tốt” evaluation, ")) + (
        h.period or DOTS)  # no form of any period counted: the period is filled in by hand
    periods = [p for p in dict.fromkeys(c.hierarchy["period"]) if p] if "period" in c.hierarchy else []
    many = len(periods) > 1
    paragraphs: list[str] = []
    for p in periods:  # the weakest content is over every form: said once when there are several periods
        paragraphs += month_paragraphs(c, p, period_text([p], lang), thresholds, lang, content=not many)
    overall = weakest_content(c, lang, indent="") if many else ""
    if overall:
        paragraphs.append(tr(lang, ("Qua các kỳ trên, ", "Over these periods, ")) + overall[0].lower() + overall[1:])
    hy = c.hierarchy[c.hierarchy["depth"] <= 1]
    rows = [[(f"{n} ({p})" if many else str(n)), int(e), int(v), int(m), (m / e if e else None), int(b) + int(x),
             int(e) - int(v)]
            for n, p, e, v, m, b, x in zip(hy["name"], hy["period"], hy["expected"], hy["valid"], hy["meets"],
                                           hy["below"], hy["veto"])]
    header = [tr(lang, p) for p in (("Tổ chức đảng", "Party organisation"), ("Số chi bộ", "Cells"),
                                    ("Phiếu hợp lệ", "Valid forms"), ("Đạt “Chi bộ 4 tốt”", "Meet the standard"),
                                    ("Tỷ lệ đạt", "Pass rate"), ("Dưới ngưỡng, loại trừ", "Below or excluded"),
                                    ("Chưa có phiếu hợp lệ", "No valid form"))]
    return ReportPage(kind_line, paragraphs, tr(lang, ("KẾT QUẢ THEO CẤP ỦY TRỰC THUỘC", "BY ORGANISATION")),
                      header, rows, list(SUMMARY_FORMATS))


def _weakest_criteria(page: ReportPage, c: Consolidation, lang: str, weakest: int) -> None:
    """The `weakest` criteria by average share of their maximum, with a title naming how many."""
    top = c.by_criterion.head(max(0, weakest))
    top = top.assign(criterion=criterion_text(top, lang))
    if top.empty:
        return
    page.criteria_title = tr(lang, (f"CÁC TIÊU CHÍ CÓ TỶ LỆ ĐIỂM BÌNH QUÂN THẤP NHẤT ({len(top)} tiêu chí; đủ các "
                                    "tiêu chí ở phụ lục)",
                                    f"THE {len(top)} WEAKEST CRITERIA (all criteria in the appendix)"))
    page.criteria_header = [tr(lang, p) for p in (("Tiêu chí", "Criterion"), ("Loại chi bộ", "Cell type"),
                                                  ("Điểm chuẩn", "Max"), ("Bình quân", "Average"),
                                                  ("Tỷ lệ", "Share"), ("Số phiếu", "Forms"))]
    page.criteria_rows = [[f"{cid}. {text}", type_name(t, lang), mx, avg, share, int(n)] for cid, text, t, mx, avg,
                          share, n in zip(top["criterion_id"], top["criterion"], top["cell_type"], top["max"],
                                          top["avg_score"], top["avg_share"], top["cells"])]


def write_report_sheet(ws: Worksheet, c: Consolidation, h: Letterhead, lang: str, weakest: int = 10) -> None:
    """The report (Hướng dẫn 36), laid out on `ws`."""
    page = report_page(c, h, lang, weakest)
    widths = REPORT_WIDTHS
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = w
    n = len(widths)
    _issuer_block(ws, h, lang, page.kind_line)
    f13 = Font(name=FONT, size=REPORT_PT)
    row = 9
    text_width = sum(column_pt(w) for w in widths)
    for para in page.paragraphs:
        merge(ws, row, 1, n, para, f13, "justify")
        lines = max(1, math.ceil(len(para) * TEXT_CHAR_PT / (text_width - 12)) + (1 if len(para) > 300 else 0))
        ws.row_dimensions[row].height = lines * 17.0 + 3
        row += 1
    row += 1
    row = _report_table(ws, row, page.summary_title, page.summary_header, page.summary_rows,
                        page.summary_formats, spans=[(1, 2)] + [(k, k) for k in range(3, n + 1)], bold_first=True)
    if page.criteria_rows:
        row = _report_table(ws, row + 1, page.criteria_title, page.criteria_header, page.criteria_rows,
                            [None, None, "0.0", "0.00", "0.0%", "0"],
                            spans=[(1, 2), (3, 4), (5, 5), (6, 6), (7, 7), (8, 8)])
    _signature(ws, h, row + 1)
    page_setup(ws, "portrait", lang)


def _issuer_block(ws: Worksheet, h: Letterhead, lang: str, kind_line: str) -> None:
    """Rows 1-8: the issuer and the number left, the party's name and the date line right; "BÁO CÁO"
    and what it is about."""
    widths, n = REPORT_WIDTHS, len(REPORT_WIDTHS)
    f13, b13 = Font(name=FONT, size=REPORT_PT), Font(name=FONT, size=REPORT_PT, bold=True)
    merge(ws, 1, 1, 3, h.issuer.above, f13)
    merge(ws, 2, 1, 3, h.issuer.own, b13)
    merge(ws, 3, 1, 3, "*", f13)
    merge(ws, 4, 1, 3, h.number(), f13)
    merge(ws, 1, 4, n, tr(lang, ("ĐẢNG CỘNG SẢN VIỆT NAM", "COMMUNIST PARTY OF VIET NAM")),
          Font(name=FONT, size=14, bold=True, underline="single"))
    merge(ws, 4, 4, n, h.date_line(), Font(name=FONT, size=REPORT_PT, italic=True))
    for r in range(1, 5):
        ws.row_dimensions[r].height = max(19.0, 17.0 * text_lines(h.lines[min(r, 2) - 1] if r <= 2 else "",
                                                                  sum(widths[:3]), True))
    ws.row_dimensions[5].height = 12
    merge(ws, 6, 1, n, tr(lang, ("BÁO CÁO", "REPORT")), Font(name=FONT, size=15, bold=True))
    merge(ws, 7, 1, n, kind_line, Font(name=FONT, size=14, bold=True))
    ws.row_dimensions[6].height, ws.row_dimensions[7].height = 22, max(20.0, 19.0 * text_lines(kind_line, 75, True))
    ws.row_dimensions[8].height = 10


def _report_table(ws: Worksheet, row: int, title: str, header: list[str], rows: list[list[Any]],
                  fmts: list[str | None], spans: list[tuple[int, int]], bold_first: bool = False) -> int:
    """A small boxed table on the report page, its columns over `spans` of the page's eight. Returns
    the row after it."""
    widths = REPORT_WIDTHS
    merge(ws, row, 1, len(widths), title, Font(name=FONT, size=12, bold=True), "left")
    ws.row_dimensions[row].height = 18 * text_lines(title, sum(widths), True)
    row += 1
    span_w = [sum(widths[a - 1:b]) for a, b in spans]
    for (a, b), text in zip(spans, header):
        for k in range(a, b + 1):
            HEADER_STYLE.apply(ws.cell(row, k))
        HEADER_STYLE.apply(ws.cell(row, a, text))
        if b > a:
            merge_row(ws, row, a, b)
    ws.row_dimensions[row].height = row_height(header, span_w, True)
    row += 1
    for i, values in enumerate(rows):
        bold = bold_first and i == 0
        for (a, b), value, fmt in zip(spans, values, fmts):
            for k in range(a, b + 1):
                body_style(fmt).apply(ws.cell(row, k))
            cell = body_style(fmt).apply(put(ws, row, a, value, fmt))
            if bold:
                BOLD_STYLE.apply(cell)
            if b > a:
                merge_row(ws, row, a, b)
        ws.row_dimensions[row].height = row_height([v if isinstance(v, str) else "" for v in values], span_w)
        row += 1
    return row


def _signature(ws: Worksheet, h: Letterhead, row: int) -> int:
    """ "Nơi nhận:" bottom left; the signer's capacity and office right, room to sign and seal, the name."""
    lang = h.lang
    plain, bold = Font(name=FONT, size=12), Font(name=FONT, size=REPORT_PT, bold=True)
    merge(ws, row, 1, 2, tr(lang, ("Nơi nhận:", "To:")), Font(name=FONT, size=12, bold=True, italic=True), "left")
    signer = h.signature()
    for k, line in enumerate(signer):
        merge(ws, row + k, 4, len(REPORT_WIDTHS), line, bold)
    for k, line in enumerate(h.to_whom(), 1):
        merge(ws, row + k, 1, 3, line, Font(name=FONT, size=11), "left")
    for k in range(row, row + 4):
        ws.row_dimensions[k].height = 17
    for k in range(row + 4, row + 8):
        ws.row_dimensions[k].height = 20  # room to sign and seal
    merge(ws, row + 8, 4, len(REPORT_WIDTHS), DOTS, plain)
    return row + 8
