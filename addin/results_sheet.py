"""The "Kết quả kiểm tra" sheet: verdict, content subtotals and totals, and every problem with a
link to its cell. It is also the record of what the last run marked, so the next run can undo it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fourgood import __version__
from fourgood.check import CheckResult
from fourgood.contract import FONT, plain_value
from fourgood.problems import severity_label
from fourgood.vocab import Severity, Status, Text

from .book_view import set_column_width

RESULTS_SHEET = {"vi": "Kết quả kiểm tra", "en": "Check results"}
PROBLEM_HEAD = {"vi": ["STT", "Mức", "Trang", "Ô", "Tiêu chí", "Nội dung"],
                "en": ["No.", "Severity", "Sheet", "Cell", "Criterion", "Message"]}
STATUS_FILL = {Status.MEETS: (198, 239, 206), Status.BELOW: (255, 199, 206), Status.VETO: (255, 199, 206),
               Status.INCOMPLETE: (255, 235, 156), Status.INVALID: (255, 199, 206)}
HEAD_FILL = (217, 225, 242)
SCORE_HEAD = (Text("Nội dung", "Content"), Text("Tên nội dung", "Title"), Text("Điểm chuẩn", "Maximum"),
              Text("Tự chấm", "Self score"), Text("Cấp trên chấm", "Upper score"),
              Text("Điểm cuối cùng", "Final score"))
SCORE_FORMAT = "0.0"  # real numbers: Excel shows 96,5 on a Vietnamese system, 96.5 on an English one


def results_sheet_name(book: Any) -> str | None:
    names = {s.name for s in book.sheets}
    return next((n for n in RESULTS_SHEET.values() if n in names), None)


def previous_marks(book: Any) -> list[tuple[str, str]]:
    """(sheet, cell) of every problem the previous run listed, read back from its results sheet."""
    name = results_sheet_name(book)
    if name is None:
        return []
    sheet = book.sheets[name]
    rows = sheet.range((1, 1), (sheet.used_range.last_cell.row, 6)).options(ndim=2).value
    heads = {tuple(h) for h in PROBLEM_HEAD.values()}
    out, inside = [], False
    for row in rows:
        if tuple(row[:6]) in heads:
            inside = True
            continue
        if inside and row[2] and row[3]:
            out.append((str(row[2]), str(row[3])))
    return list(dict.fromkeys(out))


def write_results(book: Any, result: CheckResult, *, scores: bool = True, problems: bool = True,
                  focus: str = "score", run_at: dt.datetime | None = None) -> Any:
    """Replace the results sheet with this run's; returns the sheet."""
    lang = result.lang
    old = results_sheet_name(book)
    if old is not None:
        book.sheets[old].delete()
    sheet = book.sheets.add(RESULTS_SHEET[lang], after=book.sheets[len(book.sheets) - 1])
    run_at = run_at or dt.datetime.now().replace(microsecond=0)
    cell = result.cell
    who = " – ".join(x for x in (
        cell.get("cell_name", ""), cell.get("cell_code", ""),
        (Text("kỳ ", "period ").of(lang) + cell["period"]) if cell.get("period") else "") if x)
    top: list[list[Any]] = [
        [Text("KẾT QUẢ KIỂM TRA PHIẾU CHẤM ĐIỂM “CHI BỘ 4 TỐT”", "“CHI BỘ 4 TỐT” FORM CHECK RESULTS").of(lang)],
        [who or result.file],
        [Text("Kiểm tra lúc ", "Checked at ").of(lang) + run_at.strftime("%d/%m/%Y %H:%M") + f" (fourgood {__version__})"],
        [None],
        [Text("Kết luận", "Verdict").of(lang), result.headline(focus)],
        [Text("Kết quả", "Result").of(lang), result.status_label if result.spec else ""],
        [Text("Số lỗi / cảnh báo", "Errors / warnings").of(lang), f"{len(result.errors)} / {len(result.warnings)}"],
    ]
    top = [row + [None] * (2 - len(row)) for row in top]
    sheet.range("A2").number_format = "@"  # names typed by staff stay text, never formulas
    sheet.range("A1").value = top
    sheet.range("A1").font.bold = True
    sheet.range("A1").font.size = 14
    sheet.range("A5:B5").font.bold = True
    verdict_fill = STATUS_FILL[Status.INVALID] if result.errors else STATUS_FILL.get(result.status)
    if focus == "validate" and not result.errors:
        verdict_fill = STATUS_FILL[Status.MEETS]
    sheet.range("B5").color = verdict_fill
    row = len(top) + 2
    if scores and result.contents:
        row = _score_table(sheet, result, row)
    if problems:
        row = _problem_table(sheet, result, row)
    sheet.range((1, 1), (max(row, len(top)), 6)).font.name = FONT  # one font family in the workbook
    for columns, width in (("A:A", 20), ("B:B", 44), ("C:E", 14), ("F:F", 80)):
        set_column_width(sheet.range(columns), width)
    sheet.activate()
    return sheet


def _score_table(sheet: Any, result: CheckResult, row: int) -> int:
    lang = result.lang
    head = [t.of(lang) for t in SCORE_HEAD]
    body: list[list[Any]] = [[c.id, c.title, c.max, c.self, c.upper, c.final] for c in result.contents]
    total: list[Any] = [None, Text("Tổng cộng", "Total").of(lang), sum(c.max for c in result.contents), result.self_total,
             result.upper_total, result.final_total]
    source = Text("cấp trên chấm", "the upper-level score").of(lang) if result.final_source == "upper" else \
        Text("tự chấm", "the self score").of(lang)
    notes = [[None, Text("Điểm cuối cùng lấy theo ", "The final score is ").of(lang) + source, None, None, None, None],
             [None, Text("Chênh lệch tự chấm - cấp trên", "Self minus upper score").of(lang), None,
              "–" if result.gap is None or result.gap != result.gap else result.gap, None, None]]
    sheet.range((row, 1)).value = [head, *[[plain_value(v) for v in r] for r in (*body, total)], *notes]
    sheet.range((row, 1), (row, 6)).font.bold = True
    sheet.range((row, 1), (row, 6)).color = HEAD_FILL
    last = row + len(body) + 1
    sheet.range((row + 1, 3), (last, 6)).number_format = SCORE_FORMAT
    sheet.range((last + 2, 4)).number_format = SCORE_FORMAT  # the gap
    sheet.range((last, 1), (last, 6)).font.bold = True
    sheet.range((last, 6)).color = STATUS_FILL.get(result.status)
    return last + len(notes) + 2


def _problem_table(sheet: Any, result: CheckResult, row: int) -> int:
    lang = result.lang
    sheet.range((row, 1)).value = Text(f"DANH SÁCH LỖI VÀ CẢNH BÁO ({len(result.problems)})",
                                     f"ERRORS AND WARNINGS ({len(result.problems)})").of(lang)
    sheet.range((row, 1)).font.bold = True
    row += 1
    sheet.range((row, 1)).value = PROBLEM_HEAD[lang]
    sheet.range((row, 1), (row, 6)).font.bold = True
    sheet.range((row, 1), (row, 6)).color = HEAD_FILL
    rows = [[i, severity_label(p.severity, lang), p.sheet or None, p.cell or None, p.criterion or None, p.message(lang)]
            for i, p in enumerate(result.problems, 1)]
    if not rows:
        sheet.range((row + 1, 1)).value = Text("Không có lỗi.", "No problems.").of(lang)
        return row + 3
    sheet.range((row + 1, 3), (row + len(rows), 6)).number_format = "@"  # '1.1' stays a criterion, not a number
    sheet.range((row + 1, 1)).value = rows
    for i, p in enumerate(result.problems, row + 1):
        if p.sheet and p.cell:
            target = "'" + p.sheet.replace("'", "''") + "'!" + p.cell
            sheet.range((i, 4)).add_hyperlink(f"#{target}", p.cell, Text("Đến ô này", "Go to this cell").of(lang))
        if p.severity == Severity.ERROR:
            sheet.range((i, 2)).color = STATUS_FILL[Status.INVALID]
    return row + len(rows) + 2

