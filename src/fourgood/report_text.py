"""The report's own words: the short text a board would otherwise type above the summary table.

Built from the consolidation's figures only (the same frames the appendices print), so the text
and the tables cannot disagree: how many cells reported of how many, how many meet the standard
and the share, the change against the previous period when the history store has it, the cells
below the threshold with the weakest content, the cells missing; for the year, the proposal.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .problems import number_text
from .rollup import Consolidation
from .vocab import Status, Text
from .yearview import SCORED

MAX_NAMED = 12  # cells named in a sentence; more are counted ("… và 8 chi bộ khác")


def _pct(share: Any, lang: str) -> str:
    return number_text(round(float(share) * 100, 1), lang) + "%"


def _cells(n: int) -> str:
    """ "1 cell", "2 cells": an English count of cells."""
    return f"{n} cell" if n == 1 else f"{n} cells"


def _names(names: list[str], lang: str) -> str:
    shown = ", ".join(names[:MAX_NAMED])
    rest = len(names) - MAX_NAMED
    if rest > 0:
        shown += Text(f" và {rest} chi bộ khác", f" and {_cells(rest)} more").of(lang)
    return shown


def threshold_words(thresholds: list[float], lang: str) -> str:
    """ "từ 95 điểm trở lên" — from the specs' threshold; several tables: "từ ngưỡng đạt trở lên"."""
    if len(thresholds) == 1:
        t = number_text(thresholds[0], lang)
        return Text(f"từ {t} điểm trở lên", f"{t} points or more").of(lang)
    return Text("từ ngưỡng đạt của bảng tiêu chí trở lên", "at or above their table's threshold").of(lang)


def month_paragraphs(c: Consolidation, period: str, period_words: str, thresholds: list[float],
                     lang: str, content: bool = True) -> list[str]:
    """The report's text for one period: submissions, the result, the change, below, missing; the
    weakest content too unless `content` is False (several periods: `c.by_content` is over all)."""
    top = c.hierarchy[(c.hierarchy["depth"] == 0) & (c.hierarchy["period"] == period)]
    if top.empty:
        return []
    t = top.iloc[0]
    expected, valid, meets = int(t["expected"]), int(t["valid"]), int(t["meets"])
    below, veto, incomplete = int(t["below"]), int(t["veto"]), int(t["incomplete"])
    missing = c.missing[c.missing["period"] == period] if "period" in c.missing else c.missing
    out = [Text(
              f"Tình hình nộp phiếu: {period_words} có {valid}/{expected} chi bộ nộp phiếu tự đánh giá, chấm "
              f"điểm hợp lệ; {len(missing)} chi bộ chưa có phiếu hợp lệ.",
              f"Submissions: for {period_words}, {valid} of {_cells(expected)} sent a valid self-assessment form; "
              f"with no valid form: {len(missing)}.").of(lang)]
    share = _pct(meets / expected, lang) if expected else "—"
    result = Text(
                f"Kết quả: {meets} chi bộ đạt “Chi bộ 4 tốt” ({threshold_words(thresholds, lang)}), chiếm "
                f"{share} số chi bộ phải báo cáo; {below} chi bộ dưới ngưỡng đạt",
                f"Result: meeting the “Chi bộ 4 tốt” standard ({threshold_words(thresholds, lang)}): {_cells(meets)}, "
                f"{share} of the cells expected; {below} below the threshold").of(lang)
    if veto:
        result += Text(f"; {veto} chi bộ bị loại trừ", f"; {veto} excluded").of(lang)
    if incomplete:
        result += Text(f"; {incomplete} chi bộ chưa được chấm đủ", f"; {incomplete} not fully scored").of(lang)
    if pd.notna(t["avg_final"]):
        result += Text(f". Điểm bình quân: {number_text(t['avg_final'], lang)} điểm.",
                     f". Average score: {number_text(t['avg_final'], lang)}.").of(lang)
    else:
        result += "."
    out.append(result)
    change = _change(c, meets, expected, lang)
    if change:
        out.append(change)
    below_rows = c.below[c.below["period"] == period] if "period" in c.below else c.below
    if not below_rows.empty:
        named = [f"{n} ({number_text(s, lang)})" for n, s in zip(below_rows["cell_name"], below_rows["final_total"])]
        out.append(Text(f"Chi bộ dưới ngưỡng đạt: {_names(named, lang)}.",
                      f"Cells below the threshold: {_names(named, lang)}.").of(lang))
    weakest = weakest_content(c, lang) if content else ""
    if weakest:
        out.append(weakest)
    if not missing.empty:
        named = [str(n) for n in missing["cell_name"]]
        out.append(Text(f"Chi bộ chưa có phiếu hợp lệ: {_names(named, lang)}.",
                      f"Cells with no valid form: {_names(named, lang)}.").of(lang))
    return numbered(out)


def numbered(paragraphs: list[str]) -> list[str]:
    """ "1.", "2.", … before each paragraph, in order (a part left out leaves no gap); a paragraph
    that starts indented belongs to the one before it and is not numbered."""
    out, n = [], 0
    for para in paragraphs:
        if para.startswith(" "):
            out.append(para)
        else:
            n += 1
            out.append(f"{n}. {para}")
    return out


def _change(c: Consolidation, meets: int, expected: int, lang: str) -> str:
    """Against the previous period, when the history store holds it."""
    prev = c.previous
    if prev is None or prev.empty:
        return ""
    from .document import period_text
    # the same cells as this period's count: those reported on or expected now (the store keeps every
    # cell it ever counted, cells since dropped from the roster too)
    now = set(c.cells["cell_code"]) | (set(c.missing["cell_code"]) if "cell_code" in c.missing else set())
    before = int(((prev["status"] == Status.MEETS) & prev["cell_code"].isin(now)).sum())
    words = period_text([str(prev["period"].iloc[0])], lang)
    diff = meets - before
    if lang == "en":
        return f"   Against {words}: cells meeting the standard {_trend(diff, lang)} (from {before} to {meets})."
    span = f"từ {before} {'lên' if diff > 0 else 'xuống'} {meets}" if diff else f"{meets} chi bộ"
    return f"   So với {words}: số chi bộ đạt {_trend(diff, lang)} ({span})."


def _trend(diff: int, lang: str) -> str:
    """ "tăng 2 chi bộ" / "giảm 1 chi bộ" / "không đổi" (up 2 / down 1 / unchanged)."""
    if diff == 0:
        return Text("không đổi", "unchanged").of(lang)
    return Text(f"{'tăng' if diff > 0 else 'giảm'} {abs(diff)} chi bộ", f"{'up' if diff > 0 else 'down'} {abs(diff)}").of(lang)


def weakest_content(c: Consolidation, lang: str, indent: str = "   ") -> str:
    """The content with the lowest average share of its maximum, over every form consolidated."""
    if c.by_content is None or c.by_content.empty:
        return ""
    w = c.by_content.iloc[0]
    name = w["name_en"] if lang == "en" else w["name_vi"]
    return indent + Text(
              f"Nội dung có tỷ lệ điểm thấp nhất: nội dung {w['content_id']} “{name}”, bình quân đạt "
              f"{_pct(w['share'], lang)} điểm chuẩn.",
              f"Weakest content: content {w['content_id']} “{name}”, on average {_pct(w['share'], lang)} "
              "of its maximum.").of(lang)


def year_paragraphs(c: Consolidation, thresholds: list[float], lang: str) -> list[str]:
    """The year report's text: the year's figures, the proposal, the provisional averages, the gaps."""
    y = c.year
    if y is None:
        return []
    s = y.summary
    cells, decided, meeting, undecided = s["cells"], s["decided"], s["meeting"], s["undecided"]
    by_rule = s.get("by_rule", {})
    share = _pct(meeting / cells, lang) if cells else "—"
    out = [Text(
              f"1. Năm {y.year} có {cells} chi bộ thuộc diện đánh giá; {decided} chi bộ đã đủ căn cứ xét "
              f"(đánh giá cuối năm: {by_rule.get('year_end', 0)}, bình quân 12 tháng: {by_rule.get('average', 0)}); "
              f"{undecided} chi bộ chưa đủ dữ liệu.",
              f"1. In {y.year}, {_cells(cells)} evaluated; {decided} can be decided (year-end evaluation: "
              f"{by_rule.get('year_end', 0)}, average of 12 months: {by_rule.get('average', 0)}); {undecided} lack data.").of(lang)]
    out.append(Text(
                  f"2. Đề nghị công nhận “Chi bộ 4 tốt” năm {y.year}: {meeting} chi bộ ({threshold_words(thresholds, lang)}"
                  f"), chiếm {share} số chi bộ (danh sách tại Phụ lục 1). Kết quả do Ban Thường vụ cấp ủy cấp trên "
                  "xem xét, quyết định công nhận.",
                  f"2. Proposed for recognition as “Chi bộ 4 tốt” in {y.year}: {_cells(meeting)} "
                  f"({threshold_words(thresholds, lang)}), {share} of the cells (Appendix 1). The standing committee "
                  "of the level above decides the recognition.").of(lang))
    if s.get("outstanding"):
        out.append(Text(f"   Trong đó đề nghị {s['outstanding']} chi bộ tiêu biểu (theo điểm xét của bảng tiêu chí).",
                      f"   Of these, proposed as outstanding (by the table's score): {_cells(s['outstanding'])}.").of(lang))
    averaged = int(((y.cells["rule"] == "average") & y.cells["year_status"].isin(SCORED)).sum())
    if averaged:
        out.append(Text(
                      f"   Trong đó {averaged} chi bộ được xét theo bình quân 12 tháng: đây là kết quả tạm tính, "
                      "chưa phải đánh giá cuối năm.",
                      f"   Of these, decided by the average of 12 months: {_cells(averaged)}, a provisional figure, "
                      "not the year-end evaluation.").of(lang))
    prev = s.get("previous_year")
    if prev:
        trend = _trend(meeting - int(prev["meeting"]), lang)
        out.append(Text(f"   So với năm {prev['year']} ({prev['meeting']} chi bộ đạt): {trend}.",
                      f"   Against {prev['year']} ({_cells(prev['meeting'])} met the standard): {trend}.").of(lang))
    not_met = int(s.get("below", 0))
    out.append(Text(
                  f"3. Chi bộ không đạt hoặc bị loại trừ: {not_met} (lý do tại Phụ lục 3); chi bộ còn thiếu tháng: "
                  f"{s.get('cells_missing_months', 0)} (Phụ lục 4).",
                  f"3. Cells not meeting the standard or excluded: {not_met} (reasons in Appendix 3); cells missing "
                  f"months: {s.get('cells_missing_months', 0)} (Appendix 4).").of(lang))
    return out
