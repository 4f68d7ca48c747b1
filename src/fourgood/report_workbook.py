"""Write the consolidated provincial workbook: one formatted sheet per view, native charts,
and a hidden data sheet that lets a higher level consolidate this workbook again."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from . import __version__
from .atomic import save_workbook_atomic
from .contract import (
    REPORT_SHEETS,
    ROLLUP_SHEET,
    ROLLUP_STATUSES,
    Kind,
    MetaKey,
    content_of_column,
    meta_rows,
    status_text,
)
from .problems import NOT_A_FORM_LABEL, not_a_form_files, number_text, severity_label
from .rollup import CELL_COLUMNS, Consolidation, content_columns
from .spec import CELL_TYPES, DEFAULT_THRESHOLD, TOTAL_POINTS
from .workbook_templates.meta import write_meta_sheet

DATA_SHEET = ROLLUP_SHEET
HEAD = PatternFill("solid", fgColor="D9E1F2")
RED, GREEN, AMBER = (PatternFill("solid", fgColor=c) for c in ("F8CBAD", "C6EFCE", "FFEB9C"))
FONT = "Times New Roman"

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
SHEET_NAMES = REPORT_SHEETS
LEVELS = {"province": ("Toàn tỉnh", "Province"), "upper": ("Cấp trên cơ sở", "Upper level"),
          "grassroots": ("Cơ sở", "Grassroots")}


def _t(lang: str, pair: tuple[str, str]) -> str:
    return pair[1] if lang == "en" else pair[0]


def put(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None):
    """Write a value; text from submissions is always text, never a formula."""
    value = plain_value(value)
    cell = ws.cell(row, col, value)
    if isinstance(value, str):
        cell.data_type = "s"
    if fmt:
        cell.number_format = fmt
    return cell


def write_table(ws: Worksheet, frame: pd.DataFrame, cols: list[Col], lang: str, title: str, start: int = 1) -> int:
    ws.cell(start, 1, title).font = Font(name=FONT, bold=True, size=14)
    head = start + 2
    for j, (_, vi, en, width, _) in enumerate(cols, 1):
        cell = ws.cell(head, j, en if lang == "en" else vi)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = HEAD
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.row_dimensions[head].height = 45
    records = frame.to_dict("records") if not frame.empty else []
    for i, rec in enumerate(records, head + 1):
        for j, (key, _, _, _, fmt) in enumerate(cols, 1):
            put(ws, i, j, rec.get(key), fmt)
    last = head + max(len(records), 1)
    ws.freeze_panes = f"A{head + 1}"
    ws.auto_filter.ref = f"A{head}:{get_column_letter(len(cols))}{last}"
    ws.print_title_rows = f"{head}:{head}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    footer = ws.oddFooter
    assert footer is not None  # a new sheet has its (empty) header and footer parts
    footer.center.text = "&P/&N"
    return head


def _status_rules(ws: Worksheet, col: int, head: int, last: int, lang: str, thresholds: list[float]) -> None:
    letter = get_column_letter(col)
    rng = f"{letter}{head + 1}:{letter}{max(last, head + 1)}"
    fills = {"meets": GREEN, "below": RED, "veto": RED, "incomplete": AMBER, "invalid": RED}
    labels = {(status_text(s, lang, t), fill) for s, fill in fills.items() for t in ((*thresholds,) or (None,))}
    for text, fill in sorted(labels, key=lambda x: x[0]):
        quoted = text.replace('"', '""')
        ws.conditional_formatting.add(rng, FormulaRule(formula=[f'{letter}{head + 1}="{quoted}"'], fill=fill))


def thresholds_of(c: Consolidation) -> list[float]:
    """The pass thresholds of the cells' specs (one for a province on one table)."""
    if "threshold" not in c.cells:
        return []
    return sorted({float(v) for v in pd.to_numeric(c.cells["threshold"], errors="coerce").dropna()})


def _below_title(thresholds: list[float], lang: str) -> tuple[str, str]:
    if len(thresholds) == 1:
        vi = f"{thresholds[0]:g}".replace(".", ",")
        return (f"CHI BỘ DƯỚI NGƯỠNG ĐẠT {vi} ĐIỂM (thấp nhất trước)",
                f"CELLS UNDER THE THRESHOLD OF {thresholds[0]:g} POINTS (lowest first)")
    return ("CHI BỘ DƯỚI NGƯỠNG ĐẠT (thấp nhất trước)", "CELLS UNDER THE THRESHOLD (lowest first)")


def _rate_rules(ws: Worksheet, col: int, head: int, last: int) -> None:
    letter = get_column_letter(col)
    rng = f"{letter}{head + 1}:{letter}{max(last, head + 1)}"
    ws.conditional_formatting.add(rng, CellIsRule(operator="lessThan", formula=["0.8"], fill=RED))
    ws.conditional_formatting.add(rng, CellIsRule(operator="greaterThanOrEqual", formula=["0.95"], fill=GREEN))


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


def plain_value(value: Any) -> Any:
    """What a spreadsheet cell takes: NaN becomes empty, NumPy scalars plain Python."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


def report_tables(c: Consolidation, lang: str = "vi") -> list[ReportTable]:
    names = {k: _t(lang, v) for k, v in SHEET_NAMES.items()}
    thresholds = thresholds_of(c)
    single = thresholds[0] if len(thresholds) == 1 else None

    def st(s: Any, threshold: Any = single) -> Any:
        if isinstance(s, str) and s in ROLLUP_STATUSES:
            t = float(threshold) if isinstance(threshold, (int, float)) and not math.isnan(threshold) else single
            return status_text(s, lang, t)
        return _t(lang, ("Chưa nộp", "Missing")) if s == "missing" else s

    def labels(frame: pd.DataFrame) -> list[Any]:
        ts = frame["threshold"] if "threshold" in frame else [single] * len(frame)
        return [st(s, t) for s, t in zip(frame["status"], ts)]

    type_name = lambda t: (CELL_TYPES[t].name_en if lang == "en" else CELL_TYPES[t].name_vi) if t in CELL_TYPES else t  # noqa: E731
    tables = []

    h = c.hierarchy.copy()
    h["level_label"] = h["level"].map(lambda v: _t(lang, LEVELS[v]))
    direct = (h["level"] == "grassroots") & (h["grassroots"] == "")
    h.loc[direct, "grassroots"] = _t(lang, ("(các chi bộ cơ sở)", "(grassroots cells)"))
    tables.append(ReportTable("hierarchy", names["hierarchy"],
                              _t(lang, ("TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ “CHI BỘ 4 TỐT”", "“CHI BỘ 4 TỐT” CONSOLIDATED RESULTS")),
                              [("period", "Kỳ", "Period", 9, "@"), ("level_label", "Cấp", "Level", 14, None),
                               ("upper_committee", "Cấp ủy cấp trên cơ sở", "Upper-level committee", 34, None),
                               ("grassroots", "Đảng bộ cơ sở", "Grassroots committee", 34, None), *COUNT_COLS], h))

    bt = c.by_type.assign(cell_type=c.by_type["cell_type"].map(type_name))
    tables.append(ReportTable("by_type", names["by_type"], _t(lang, ("TỔNG HỢP THEO LOẠI CHI BỘ", "BY CELL TYPE")),
                              [("period", "Kỳ", "Period", 9, "@"), ("cell_type", "Loại chi bộ", "Cell type", 36, None),
                               *COUNT_COLS], bt))

    g = c.grassroots.assign(all_label=c.grassroots["all_cells_4good"].map(
        lambda v: _t(lang, ("Có", "Yes")) if v else _t(lang, ("Không", "No"))))
    tables.append(ReportTable("grassroots", names["grassroots"],
                              _t(lang, ("ĐẢNG BỘ CƠ SỞ: TỶ LỆ CHI BỘ ĐẠT “CHI BỘ 4 TỐT”",
                                        "GRASSROOTS COMMITTEES: SHARE OF 4-GOOD CELLS")),
                              [("period", "Kỳ", "Period", 9, "@"),
                               ("upper_committee", "Cấp ủy cấp trên cơ sở", "Upper-level committee", 32, None),
                               ("grassroots", "Đảng bộ cơ sở", "Grassroots committee", 34, None),
                               ("expected", "Số chi bộ trực thuộc", "Cells", 11, "0"),
                               ("meets", "Đạt 4 tốt", "Meet", 10, "0"),
                               ("pass_rate", "Tỷ lệ đạt", "Share meeting", 10, "0.0%"),
                               ("all_label", "100% chi bộ đạt “Chi bộ 4 tốt”", "100% of cells 4-good", 16, None)], g))

    d = c.cells.assign(status_label=labels(c.cells), cell_type_label=c.cells["cell_type"].map(type_name),
                       source_label=c.cells["final_source"].map(
                           lambda v: _t(lang, ("Cấp trên", "Upper level")) if v == "upper" else _t(lang, ("Tự chấm", "Self"))))
    tables.append(ReportTable("detail", names["detail"], _t(lang, ("CHI TIẾT KẾT QUẢ TỪNG CHI BỘ", "RESULT OF EACH CELL")), [
        ("period", "Kỳ", "Period", 9, "@"), ("upper_committee", "Cấp ủy cấp trên cơ sở", "Upper-level committee", 28, None),
        ("grassroots", "Đảng bộ cơ sở", "Grassroots committee", 28, None), ("cell_code", "Mã chi bộ", "Cell code", 12, "@"),
        ("cell_name", "Tên chi bộ", "Cell name", 32, None), ("cell_type_label", "Loại chi bộ", "Cell type", 22, None),
        *[(col, f"Nội dung {content_of_column(col)}", f"Content {content_of_column(col)}", 9, "0.0")
          for col in content_columns({}, c.cells)],
        ("self_total", "Tự chấm", "Self score", 9, "0.0"), ("upper_total", "Cấp trên chấm", "Upper score", 9, "0.0"),
        ("final_total", "Điểm cuối cùng", "Final score", 9, "0.0"), ("source_label", "Nguồn điểm", "Score from", 11, None),
        ("gap", "Chênh lệch", "Self - upper", 9, "0.0"), ("status_label", "Kết quả", "Result", 26, None),
        ("file", "Tệp nguồn", "Source file", 40, None)], d))

    b = c.below.assign(cell_type_label=c.below["cell_type"].map(type_name)) if not c.below.empty else c.below
    tables.append(ReportTable("below", names["below"],
                              _t(lang, _below_title(thresholds, lang)), [
        ("period", "Kỳ", "Period", 9, "@"), ("upper_committee", "Cấp ủy cấp trên cơ sở", "Upper-level committee", 28, None),
        ("grassroots", "Đảng bộ cơ sở", "Grassroots committee", 28, None),
        ("cell_code", "Mã chi bộ", "Cell code", 12, "@"), ("cell_name", "Tên chi bộ", "Cell name", 32, None),
        ("cell_type_label", "Loại chi bộ", "Cell type", 22, None),
        ("final_total", "Điểm cuối cùng", "Final score", 10, "0.0"),
        ("weakest_content", "Nội dung yếu nhất", "Weakest content", 11, None),
        ("weakest_share", "Tỷ lệ điểm nội dung đó", "Its share of maximum", 11, "0.0%"),
        ("file", "Tệp nguồn", "Source file", 40, None)], b))

    bc = c.by_criterion.assign(cell_type=c.by_criterion["cell_type"].map(type_name))
    tables.append(ReportTable("by_criterion", names["by_criterion"],
                              _t(lang, ("TIÊU CHÍ YẾU NHẤT CỦA TỈNH (tỷ lệ điểm bình quân so với điểm chuẩn)",
                                        "THE PROVINCE'S WEAKEST CRITERIA (average share of the maximum)")), [
        ("cell_type", "Loại chi bộ", "Cell type", 22, None), ("content_id", "Nội dung", "Content", 8, None),
        ("criterion_id", "Tiêu chí", "Criterion", 8, "@"), ("criterion", "Nội dung tiêu chí", "Criterion text", 60, None),
        ("max", "Điểm chuẩn", "Max", 8, "0.0"), ("cells", "Số phiếu", "Forms", 8, "0"),
        ("avg_score", "Điểm bình quân", "Average", 9, "0.00"),
        ("avg_share", "Tỷ lệ so với điểm chuẩn", "Share of max", 10, "0.0%")], bc))

    m = c.missing.assign(status_label=labels(c.missing), cell_type=c.missing["cell_type"].map(type_name))
    tables.append(ReportTable("missing", names["missing"], _t(lang, ("CHI BỘ CHƯA CÓ PHIẾU HỢP LỆ", "CELLS WITH NO VALID SUBMISSION")), [
        ("period", "Kỳ", "Period", 9, "@"), ("upper_committee", "Cấp ủy cấp trên cơ sở", "Upper-level committee", 30, None),
        ("grassroots", "Đảng bộ cơ sở", "Grassroots committee", 30, None), ("cell_code", "Mã chi bộ", "Cell code", 12, "@"),
        ("cell_name", "Tên chi bộ", "Cell name", 32, None), ("cell_type", "Loại chi bộ", "Cell type", 22, None),
        ("status_label", "Tình trạng", "State", 22, None)], m))

    # Severities in words (Lỗi / Cảnh báo); the stable problem code keeps a column of its own.
    rj = c.rejected.assign(severity_label=[severity_label(v, lang) for v in c.rejected["severity"]])
    tables.append(ReportTable("rejected", names["rejected"], _t(lang, ("TỆP BỊ TỪ CHỐI VÀ LÝ DO", "REJECTED FILES AND WHY")), [
        ("file", "Tệp", "File", 44, None), ("code", "Mã lỗi", "Code", 20, None),
        ("severity_label", "Mức", "Severity", 9, None), ("message", "Nội dung", "Message", 70, None),
        ("sheet", "Trang", "Sheet", 14, None), ("cell", "Ô", "Cell", 8, None),
        ("criterion", "Tiêu chí", "Criterion", 9, "@")], rj))

    verdicts = {"counted": ("Được tính", "Counted"), "superseded": ("Trùng, không tính", "Duplicate, not counted"),
                "rejected": ("Bị từ chối", "Rejected"), "skipped": ("Bỏ qua", "Skipped"),
                "not_a_form": NOT_A_FORM_LABEL}
    not_forms = not_a_form_files(c.problems)  # rejected, and not a scoring form at all (a PDF, the roster…)
    verdict = [("not_a_form" if v == "rejected" and f in not_forms else v) for v, f in zip(c.files["verdict"], c.files["file"])]
    lg = c.files.assign(verdict_label=[_t(lang, verdicts[v]) for v in verdict])
    tables.append(ReportTable("log", names["log"], _t(lang, ("NHẬT KÝ: MỖI TỆP ĐẦU VÀO MỘT DÒNG", "LOG: ONE ROW PER INPUT FILE")), [
        ("file", "Tệp", "File", 50, None), ("size", "Dung lượng (byte)", "Size (bytes)", 12, "#,##0"),
        ("sha256", "SHA-256", "SHA-256", 20, None), ("verdict_label", "Kết luận", "Verdict", 18, None),
        ("reason", "Lý do", "Reason", 60, None), ("spec_version", "Phiên bản tiêu chí", "Criteria version", 10, "@"),
        ("fingerprint", "Vân tay tiêu chí", "Criteria fingerprint", 24, None)], lg))
    return tables


def run_at_text(run_at: dt.datetime, lang: str) -> str:
    return _t(lang, ("Lập lúc ", "Run at ")) + run_at.strftime("%d/%m/%Y %H:%M")


def consolidated_meta(lang: str, settings: dict[str, str] | None = None) -> list[tuple[Any, ...]]:
    """The `_meta` rows of a consolidated workbook: what it is and how to consolidate it again."""
    settings = settings or {}
    return meta_rows(Kind.CONSOLIDATED, lang, f"fourgood {__version__}", **{
        MetaKey.SOURCES: settings.get("sources", ""), MetaKey.ROSTER: settings.get("roster", ""),
        MetaKey.PERIOD: settings.get("period", "")})


def write_consolidated(c: Consolidation, out: str | Path, lang: str = "vi", run_at: dt.datetime | None = None,
                       sources: list[str] | None = None, roster: str | None = None, period: str | None = None) -> Path:
    wb = Workbook()
    wb.properties.creator = "fourgood"
    run_at = run_at or dt.datetime.now().replace(microsecond=0)
    wb.properties.created = wb.properties.modified = run_at
    names = {k: _t(lang, v) for k, v in SHEET_NAMES.items()}
    wb.remove(wb.worksheets[0])  # the empty sheet a new workbook starts with
    bold = Font(bold=True)
    for table in report_tables(c, lang):
        ws = wb.create_sheet(table.sheet)
        head = write_table(ws, table.frame, table.cols, lang, table.title)
        last = head + len(table.frame)
        if table.key == "hierarchy":
            ws.cell(2, 1, run_at_text(run_at, lang)).font = Font(name=FONT, italic=True)
            for i, level in enumerate(table.frame["level"], head + 1):
                if level != "grassroots":
                    for j in range(1, len(table.cols) + 1):
                        ws.cell(i, j).font = bold
        keys = [col[0] for col in table.cols]
        for rate in ("pass_rate", "avg_share"):
            if rate in keys:
                _rate_rules(ws, keys.index(rate) + 1, head, last)
        if "status_label" in keys and table.key == "detail":
            _status_rules(ws, keys.index("status_label") + 1, head, last, lang, thresholds_of(c))

    _charts(wb, c, names, lang)
    _data_sheet(wb, c)
    settings = {"sources": "; ".join(sources or []), "roster": roster or "", "period": period or ""}
    write_meta_sheet(wb, consolidated_meta(lang, settings))
    return save_workbook_atomic(wb, out)


def _charts(wb: Workbook, c: Consolidation, names: dict[str, str], lang: str) -> None:
    ws = wb.create_sheet(names["charts"])
    ws.cell(1, 1, _t(lang, ("BIỂU ĐỒ", "CHARTS"))).font = Font(name=FONT, bold=True, size=14)
    upper = c.hierarchy[c.hierarchy["level"] == "upper"]
    ws.cell(3, 1, _t(lang, ("Cấp ủy cấp trên cơ sở", "Upper-level committee")))
    ws.cell(3, 2, _t(lang, ("Tỷ lệ đạt", "Pass rate")))
    for i, (name, period, rate) in enumerate(zip(upper["upper_committee"], upper["period"], upper["pass_rate"]), 4):
        put(ws, i, 1, f"{name} ({period})")
        put(ws, i, 2, rate, "0.0%")
    n = max(len(upper), 1)
    chart = BarChart()
    chart.type = "bar"
    chart.title = _t(lang, ("Tỷ lệ chi bộ đạt theo cấp ủy cấp trên", "Pass rate by upper-level committee"))
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    chart.add_data(Reference(ws, min_col=2, min_row=3, max_row=3 + n), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=4, max_row=3 + n))
    chart.height, chart.width, chart.legend = 7 + 0.6 * n, 18, None
    ws.add_chart(chart, "D3")

    bins, labels = score_bins(thresholds_of(c), lang)
    scores = c.cells.loc[c.cells["status"].isin(["meets", "below", "veto"]), "final_total"]
    top = 6 + n
    ws.cell(top, 1, _t(lang, ("Khoảng điểm", "Score range")))
    ws.cell(top, 2, _t(lang, ("Số chi bộ", "Cells")))
    for i, ((lo, hi), label) in enumerate(zip(bins, labels), top + 1):
        put(ws, i, 1, label)
        put(ws, i, 2, int(((scores >= lo) & (scores < hi)).sum()))
    hist = BarChart()
    hist.title = _t(lang, ("Phân bố điểm cuối cùng", "Distribution of final scores"))
    hist.add_data(Reference(ws, min_col=2, min_row=top, max_row=top + len(bins)), titles_from_data=True)
    hist.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=top + len(bins)))
    hist.height, hist.width, hist.legend = 8, 18, None
    ws.add_chart(hist, f"D{top + 12}")
    ws.column_dimensions["A"].width = 45


def _data_sheet(wb: Workbook, c: Consolidation) -> None:
    """Machine-readable cell results for roll-up by a higher level (hidden)."""
    ws = wb.create_sheet(DATA_SHEET)
    columns = data_columns(c)
    ws.append(columns)
    for row, rec in enumerate(c.cells[columns].to_dict("records"), 2):
        for j, key in enumerate(columns, 1):
            put(ws, row, j, rec[key])
    ws.sheet_state = "hidden"


def data_columns(c: Consolidation) -> list[str]:
    """Columns of the hidden roll-up sheet: the contract's, then one per content subtotal."""
    return CELL_COLUMNS + content_columns({}, c.cells)


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
