"""The year view's appendices (yearview.YearView, --period YYYY): the cells proposed for
recognition, each cell's months and verdict, those not proposed and why, the tree's figures for
the year, the months still missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from ..problems import number_text
from ..structure import CHAIN, kind_label, with_chains
from ..vocab import SCORED, Status
from .columns import Col, ReportTable
from .labels import tr

YEAR_SHEETS = {"year_proposed": ("Đề nghị công nhận", "Proposed"),
               "year_cells": ("Cả năm - từng chi bộ", "Year - each cell"),
               "year_not_recognised": ("Không đề nghị", "Not proposed"),
               "year_missing": ("Cả năm - thiếu tháng", "Year - missing months"),
               "year_hierarchy": ("Cả năm - theo cấp", "Year - by level")}
YEAR_RULE_LABELS = {"year_end": ("Đánh giá cuối năm", "Year-end evaluation"),
                    "average": ("Bình quân (tạm tính)", "Average (provisional)"),
                    "": ("Chưa đủ dữ liệu", "Not enough data")}
YEAR_VERDICTS: dict[str, tuple[str, str]] = {Status.MEETS: ("Đạt", "Meets"), Status.BELOW: ("Không đạt", "Below"), Status.VETO: ("Loại trừ", "Excluded"),
                 Status.INCOMPLETE: ("Chưa chấm đủ", "Incomplete"), Status.INVALID: ("Phiếu lỗi", "Invalid")}
MONTH_MARKS: dict[str, tuple[str, str]] = {Status.VETO: ("LT", "Ex"), Status.INCOMPLETE: ("CĐ", "Inc"), Status.INVALID: ("Lỗi", "Err")}

TypeName = Callable[[Any], Any]


def year_tables(y: Any, lang: str, type_name: TypeName) -> list[ReportTable]:
    """The year view (yearview.YearView) as its sheets: each cell's months and verdict, the tree's
    figures for the year (with last year's and the change when the batch holds them), missing months."""
    names = {k: tr(lang, v) for k, v in YEAR_SHEETS.items()}
    d = _year_cells_frame(y, lang)
    tables = [_proposed_table(y, d, names, lang, type_name), _year_cells_table(y, d, names, lang),
              _not_recognised_table(y, d, names, lang, type_name), _year_hierarchy_table(y, names, lang),
              _year_missing_table(y, names, lang, type_name)]
    order = list(YEAR_SHEETS)
    return sorted(tables, key=lambda t: order.index(t.key))


def _verdict(status: Any, lang: str) -> Any:
    """A year's verdict, short: the year table is twenty columns wide."""
    if not status or not isinstance(status, str):
        return ""
    if status == "undecided":
        return tr(lang, YEAR_RULE_LABELS[""])
    return tr(lang, YEAR_VERDICTS.get(status, (status, status)))


def _month(score: Any, status: Any, lang: str) -> Any:
    """A month's final score; a short mark when there is none."""
    if status in MONTH_MARKS:
        return tr(lang, MONTH_MARKS[status])
    return None if status == Status.MISSING else score


def _parent_names(frame: pd.DataFrame) -> list[str]:
    """The organisation each row sits directly under, from its chain (parsed once, `structure.CHAIN`)."""
    chains = with_chains(frame).get(CHAIN, pd.Series([()] * len(frame), index=frame.index))
    return [ch[-1].name if isinstance(ch, tuple) and ch else "" for ch in chains]


def _year_cells_frame(y: Any, lang: str) -> pd.DataFrame:
    cells = y.cells
    months = {f"T{m}": [_month(v, s, lang) for v, s in zip(cells[f"m{m:02d}"], cells[f"m{m:02d}_status"])]
              for m in range(1, 13)}
    return cells.assign(parent_name=_parent_names(cells), **months,
                        verdict_label=[_verdict(s, lang) for s in cells["year_status"]],
                        rule_label=[tr(lang, YEAR_RULE_LABELS.get(r, ("", ""))) for r in cells["rule"]],
                        prev_label=[_verdict(s, lang) for s in cells["prev_status"]])


def _year_cells_table(y: Any, d: pd.DataFrame, names: dict[str, str], lang: str) -> ReportTable:
    cols: list[Col] = [("cell_code", "Mã chi bộ", "Cell code", 10, "@"), ("cell_name", "Tên chi bộ", "Cell name", 30, None),
                       *[(f"T{m}", f"T{m}", f"M{m}", 6, "0.0") for m in range(1, 13)],
                       ("months_submitted", "Số tháng đã nộp", "Months sent", 8, "0"),
                       ("months_meeting", "Số tháng đạt", "Months meeting", 8, "0"),
                       ("year_end_score", "Điểm đánh giá cuối năm", "Year-end score", 9, "0.0"),
                       ("average", "Bình quân 12 tháng", "Average of 12 months", 9, "0.00"),
                       ("verdict_label", "Kết quả cả năm", "Year's result", 18, None),
                       ("rule_label", "Căn cứ xét", "Decided by", 14, None)]
    if y.has_previous:
        cols += [("prev_score", "Điểm năm trước", "Last year's score", 9, "0.00"),
                 ("prev_label", "Kết quả năm trước", "Last year's result", 18, None),
                 ("change", "Chênh lệch điểm", "Change", 8, "0.00")]
    cols += [("parent_name", "Trực thuộc", "Under", 26, None)]  # kept after the print area: twenty columns print
    title = tr(lang, (f"KẾT QUẢ CẢ NĂM {y.year} CỦA TỪNG CHI BỘ (điểm cuối cùng từng tháng; LT: loại trừ, "
                      "CĐ: chưa chấm đủ, trống: chưa nộp)",
                      f"THE YEAR {y.year} FOR EACH CELL (final score of each month; Ex: excluded, Inc: incomplete, "
                      "blank: missing)"))
    return ReportTable("year_cells", names["year_cells"], title, cols, d)


def _year_hierarchy_table(y: Any, names: dict[str, str], lang: str) -> ReportTable:
    h = y.hierarchy.assign(level_label=[kind_label(k, lang) for k in y.hierarchy["kind"]],
                           org_label=[str(n) for n in y.hierarchy["name"]])
    hcols: list[Col] = [("org_label", "Tổ chức đảng", "Party organisation", 40, None),
                        ("level_label", "Cấp", "Level", 14, None),
                        ("cells", "Số chi bộ", "Cells", 9, "0"), ("decided", "Đã xét được", "Decided", 9, "0"),
                        ("meets", "Đạt 4 tốt cả năm", "Meet the standard", 10, "0"),
                        ("below", "Không đạt", "Below", 9, "0"), ("veto", "Loại trừ", "Excluded", 9, "0"),
                        ("undecided", "Chưa đủ dữ liệu", "Not enough data", 10, "0"),
                        ("pass_rate", "Tỷ lệ đạt", "Pass rate", 9, "0.0%"),
                        ("avg_score", "Điểm bình quân", "Average score", 9, "0.00")]
    if y.has_previous:
        hcols += [("prev_meets", "Đạt năm trước", "Met last year", 9, "0"),
                  ("change_meets", "Tăng/giảm số đạt", "Change in cells meeting", 9, "0"),
                  ("prev_pass_rate", "Tỷ lệ đạt năm trước", "Last year's pass rate", 9, "0.0%"),
                  ("change_avg_score", "Tăng/giảm điểm bình quân", "Change in average", 9, "0.00")]
    return ReportTable("year_hierarchy", names["year_hierarchy"],
                       tr(lang, (f"TỔNG HỢP KẾT QUẢ CẢ NĂM {y.year} THEO CẤP", f"THE YEAR {y.year} AT EVERY LEVEL")),
                       hcols, h)


def _year_missing_table(y: Any, names: dict[str, str], lang: str, type_name: TypeName) -> ReportTable:
    mm = y.missing.assign(parent_name=_parent_names(y.missing),
                          months_text=[", ".join(f"T{m}" if lang != "en" else f"M{m}" for m in ms)
                                       for ms in y.missing["missing_months"]],
                          year_end_label=[_verdict(s, lang) if s in SCORED else
                                          tr(lang, ("Chưa có", "None")) for s in y.missing["year_end_status"]],
                          cell_type_label=y.missing["cell_type"].map(type_name))
    return ReportTable("year_missing", names["year_missing"],
                       tr(lang, (f"CHI BỘ CÒN THIẾU THÁNG TRONG NĂM {y.year}", f"CELLS MISSING MONTHS OF {y.year}")), [
        ("parent_name", "Trực thuộc", "Under", 30, None), ("cell_code", "Mã chi bộ", "Cell code", 12, "@"),
        ("cell_name", "Tên chi bộ", "Cell name", 32, None), ("cell_type_label", "Loại chi bộ", "Cell type", 22, None),
        ("months_submitted", "Số tháng đã nộp", "Months sent", 9, "0"),
        ("months_text", "Các tháng còn thiếu", "Months missing", 30, None),
        ("year_end_label", "Đánh giá cuối năm", "Year-end evaluation", 18, None)], mm)


def _proposed_table(y: Any, d: pd.DataFrame, names: dict[str, str], lang: str, type_name: TypeName) -> ReportTable:
    """ "Danh sách chi bộ đề nghị công nhận “Chi bộ 4 tốt” năm N": the cells whose year's result meets the
    standard, a proposal to the upper level's standing committee, with the rule that decided it."""
    p = d[d["year_status"] == Status.MEETS].sort_values(["year_score", "cell_code"], ascending=[False, True])
    outstanding = p["outstanding"].astype(bool) if "outstanding" in p else pd.Series(False, index=p.index)
    p = p.assign(cell_type_label=p["cell_type"].map(type_name), stt=range(1, len(p) + 1),
                 outstanding_label=outstanding.map(lambda v: tr(lang, ("Tiêu biểu", "Outstanding")) if v else ""))
    cols: list[Col] = [
        ("stt", "STT", "No.", 5, "0"), ("parent_name", "Trực thuộc", "Under", 30, None),
        ("cell_code", "Mã chi bộ", "Cell code", 11, "@"), ("cell_name", "Tên chi bộ", "Cell name", 32, None),
        ("cell_type_label", "Loại chi bộ", "Cell type", 20, None),
        ("year_score", "Điểm xét", "Score", 9, "0.00"), ("rule_label", "Căn cứ xét", "Decided by", 18, None)]
    if outstanding.any():  # the table's outstanding_score proposed some cells as outstanding
        cols.append(("outstanding_label", "Đề nghị tiêu biểu", "Proposed as outstanding", 11, None))
    return ReportTable("year_proposed", names["year_proposed"],
                       tr(lang, (f"DANH SÁCH CHI BỘ ĐỀ NGHỊ CÔNG NHẬN “CHI BỘ 4 TỐT” NĂM {y.year}",
                                 f"CELLS PROPOSED FOR RECOGNITION AS “CHI BỘ 4 TỐT”, {y.year}")), cols, p)


def _not_recognised_table(y: Any, d: pd.DataFrame, names: dict[str, str], lang: str,
                          type_name: TypeName) -> ReportTable:
    """The cells not proposed, each with its reason: excluded, below the threshold (and by how much),
    or not enough data (which months are missing, whether the year-end evaluation is in)."""
    n = d[d["year_status"] != Status.MEETS]
    weakest = zip(n["weakest_content"], n["weakest_share"]) if "weakest_content" in n else [("", None)] * len(n)
    questions = n["veto_questions"] if "veto_questions" in n else pd.Series("", index=n.index)
    reasons = [_reason(lang, *row) for row in zip(n["year_status"], n["year_score"], n["threshold"],
                                                  n["missing_months"], n["rule"], n["year_end_status"], weakest,
                                                  questions)]
    n = n.assign(reason=reasons, cell_type_label=n["cell_type"].map(type_name))
    return ReportTable("year_not_recognised", names["year_not_recognised"],
                       tr(lang, (f"CHI BỘ CHƯA ĐỀ NGHỊ CÔNG NHẬN NĂM {y.year} VÀ LÝ DO",
                                 f"CELLS NOT PROPOSED FOR {y.year} AND WHY")), [
        ("parent_name", "Trực thuộc", "Under", 28, None), ("cell_code", "Mã chi bộ", "Cell code", 11, "@"),
        ("cell_name", "Tên chi bộ", "Cell name", 30, None), ("cell_type_label", "Loại chi bộ", "Cell type", 18, None),
        ("months_submitted", "Số tháng đã nộp", "Months sent", 8, "0"),
        ("reason", "Lý do", "Reason", 50, None)], n)


def _reason(lang: str, status: Any, score: Any, threshold: Any, months: Any, rule: Any, ye: Any,
            weakest: tuple[Any, Any], asked: Any) -> str:
    """Why a cell is not proposed: excluded (by which question), below the threshold (how, and its
    weakest content), or not enough data (the year-end evaluation, the months missing)."""
    content, share = weakest
    gone = ", ".join((f"T{m}" if lang != "en" else f"M{m}") for m in (months or []))
    if status == Status.VETO:
        return (tr(lang, (f"Thuộc trường hợp loại trừ, trả lời “Có” câu hỏi {asked}",
                          f"Excluded: answered “yes” to {asked}")) if asked else
                tr(lang, ("Thuộc trường hợp loại trừ (câu hỏi loại trừ trả lời “Có”)",
                          "Excluded (an exclusion question answered “yes”)")))
    if status == Status.BELOW:
        how = tr(lang, YEAR_RULE_LABELS.get(rule, ("", ""))).lower()
        weak = (tr(lang, (f"; nội dung yếu nhất: {content} ({number_text(round(share * 100, 1), lang)}% điểm chuẩn)",
                          f"; weakest content: {content} ({number_text(round(share * 100, 1), lang)}% of its "
                          "maximum)")) if content and share == share and share is not None else "")
        return tr(lang, (f"Điểm xét {number_text(score, lang)} ({how}) dưới ngưỡng "
                         f"{number_text(threshold, lang)} điểm",
                         f"Score {number_text(score, lang)} ({how}) under the threshold of "
                         f"{number_text(threshold, lang)}")) + weak
    end = (("đánh giá cuối năm chưa chấm đủ", "the year-end evaluation is not fully scored") if ye == Status.INCOMPLETE
           else ("chưa có đánh giá cuối năm", "no year-end evaluation"))
    return tr(lang, (f"Chưa đủ dữ liệu: {end[0]}" + (f"; thiếu {gone}" if gone else ""),
                     f"Not enough data: {end[1]}" + (f"; missing {gone}" if gone else "")))
