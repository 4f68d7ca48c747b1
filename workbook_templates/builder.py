"""Build the scoring form for one cell type from its criteria spec.

The form works with no Python at all: Excel formulas compute the subtotals, totals and the
verdict for both score columns; data validation, sheet protection and conditional
formatting guard against slips; every input carries a defined name (see fourgood.contract).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from fourgood import __version__
from fourgood.contract import (
    ACTIVITY_FIELDS,
    IDENTITY_FIELDS,
    PERIODS_EN,
    PERIODS_VI,
    SHEETS,
    TABLE_HEADERS,
    TABLE_NAMES,
    TOTAL_NAMES,
    VETO_RANGE,
    YEAR_RANGE,
    YES_NO,
    InfoField,
    Kind,
    MetaKey,
    info_name,
    meta_rows,
    status_text,
    veto_name,
)
from fourgood.house_style import (
    AMBER_FILL,
    FONT,
    FORM_BOX,
    FORM_MARGINS_IN,
    GREEN_FILL,
    HEAD_FILL,
    RED_FILL,
    a4_fit_width,
    default_font,
)
from fourgood.spec import Spec

from .instructions import instructions_text
from .meta import write_meta_sheet

FONT_SIZE = 13
FIXED_DATE = dt.datetime(2026, 1, 1)  # keeps built files reproducible

BOX = FORM_BOX  # the house style's (fourgood.house_style), as its header and verdict fills; the forms' own:
INPUT_FILL = PatternFill("solid", fgColor="FFFBEA")
CONTENT_FILL = PatternFill("solid", fgColor="EDEDED")
FIXED_FILL = PatternFill("solid", fgColor="F2F2F2")
BLANK_FILL = PatternFill("solid", fgColor="FFF2CC")
UNLOCKED = Protection(locked=False)

WRAP_TOP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

# Column widths are in characters of the workbook's default font, which the form sets to Times
# New Roman 13 (house_style.default_font), so Excel and LibreOffice (Liberation Serif, same metrics)
# measure them alike. About 72 such characters fit across A4 portrait within 0.5" margins; the
# sheets stay under 90, so fit-to-width keeps the text at 80% or more (13 pt prints at 10.5 pt
# or larger).
INSTRUCTIONS_WIDTH = 76
INFO_WIDTHS = (30, 36, 24)  # the entry column holds an organisation's full name on one or two lines
NAME_LINES = 2  # lines an information-sheet text entry (an organisation's name) shows, wrapped
SCORE_WIDTHS = (5, 46, 8, 8, 9, 13)


def font(bold: bool = False, italic: bool = False, size: int = FONT_SIZE, underline: Literal["single"] | None = None,
         color: str | None = None) -> Font:
    return Font(name=FONT, size=size, bold=bold, italic=italic, underline=underline, color=color)


def ref(sheet: str, cell: str) -> str:
    col = "".join(ch for ch in cell if ch.isalpha())
    row = "".join(ch for ch in cell if ch.isdigit())
    return f"{quote_sheetname(sheet)}!${col}${row}"


def ref_range(sheet: str, first: str, last: str) -> str:
    return f"{ref(sheet, first)}:{ref(sheet, last).split('!')[1]}"


def t(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


def _fmt(x: float, lang: str) -> str:
    text = f"{x:g}"
    return text.replace(".", ",") if lang == "vi" else text


@dataclass
class FormBuild:
    """What the builder placed where: the scoring ranges reused by formulas and rules."""
    spec: Spec
    lang: str
    sheets: object = None
    criterion_rows: dict[str, int] = field(default_factory=dict)
    content_rows: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # header, first, last
    total_row: int = 0
    veto_cells: list[str] = field(default_factory=list)


def build_cell_template(spec: Spec, lang: str = "vi") -> Workbook:
    wb = Workbook()
    default_font(wb, FONT_SIZE)
    wb.properties.creator = "fourgood"
    wb.properties.title = t(lang, "Phiếu tự đánh giá, chấm điểm Chi bộ 4 tốt", "Chi bộ 4 tốt self-assessment form")
    wb.properties.created = FIXED_DATE
    wb.properties.modified = FIXED_DATE
    names = SHEETS[lang]
    build = FormBuild(spec=spec, lang=lang, sheets=names)

    ws_help = wb.worksheets[0]  # the sheet a new workbook starts with
    ws_help.title = names.instructions
    ws_info = wb.create_sheet(names.info)
    ws_score = wb.create_sheet(names.scoring)

    _info_sheet(wb, ws_info, build)
    _scoring_sheet(wb, ws_score, build)
    _instructions_sheet(ws_help, build)
    _meta_sheet(wb, build)
    wb.active = wb.sheetnames.index(names.info)
    ws_info.sheet_view.tabSelected = True
    ws_help.sheet_view.tabSelected = False
    return wb


# ------------------------------------------------------------------------ info sheet


def _info_sheet(wb: Workbook, ws: Worksheet, b: FormBuild) -> None:
    lang, spec = b.lang, b.spec
    for col, width in zip("ABC", INFO_WIDTHS):
        ws.column_dimensions[col].width = width
    ws.merge_cells("A1:C1")
    ws["A1"] = t(lang, "THÔNG TIN CHI BỘ VÀ KỲ ĐÁNH GIÁ", "PARTY CELL AND PERIOD")
    ws["A1"].font = font(bold=True, size=14)
    ws["A1"].alignment = CENTER
    ws.row_dimensions[1].height = 24
    ws.merge_cells("A2:C2")
    ws["A2"] = t(lang, f"{spec.name_vi} — bảng tiêu chí phiên bản {spec.version}",
                 f"{spec.name_en} — criteria table version {spec.version}")
    ws["A2"].font = font(italic=True, size=11)
    ws["A2"].alignment = CENTER
    row = 4
    _header(ws, row, (t(lang, "Nội dung", "Item"), t(lang, "Thông tin nhập", "Entry"), t(lang, "Ghi chú", "Note")))
    row += 1
    for f in IDENTITY_FIELDS:
        _info_row(wb, ws, row, f, b)
        row += 1
    row += 1
    _section(ws, row, t(lang, "HOẠT ĐỘNG TRONG KỲ", "ACTIVITY IN THE PERIOD"))
    row += 1
    for f in ACTIVITY_FIELDS:
        _info_row(wb, ws, row, f, b)
        row += 1
    if spec.vetoes:
        row += 1
        _section(ws, row, t(lang, "ĐIỀU KIỆN LOẠI TRỪ (trả lời Có hoặc Không)",
                            "EXCLUSION CONDITIONS (answer Yes or No)"))
        row += 1
        yes, no = YES_NO[lang]
        dv = DataValidation(type="list", formula1=f'"{yes},{no}"', allow_blank=True, showDropDown=False,
                            promptTitle=t(lang, "Trả lời Có/Không", "Answer Yes/No"),
                            prompt=t(lang, "Chọn “Có” nếu chi bộ thuộc trường hợp này, nếu không chọn “Không”.",
                                     "Pick 'Yes' if the condition applies to the cell, otherwise 'No'."),
                            errorTitle=t(lang, "Câu trả lời không hợp lệ", "Invalid answer"),
                            error=t(lang, "Chỉ chọn “Có” hoặc “Không”.", "Choose 'Yes' or 'No' only."),
                            showErrorMessage=True, showInputMessage=True)
        ws.add_data_validation(dv)
        first = row
        for v in spec.vetoes:
            ws.cell(row, 1, f"{v.id}. " + t(lang, v.text_vi, v.text_en or v.text_vi))
            ws.cell(row, 1).font = font()
            ws.cell(row, 1).alignment = WRAP_TOP
            ws.cell(row, 1).border = BOX
            cell = ws.cell(row, 2)
            _input(cell)
            cell.alignment = TOP
            dv.add(cell)
            hint_text = t(lang, "Nếu “Có”: không xét đạt dù đủ điểm", "If 'Yes': not eligible whatever the score")
            hint = ws.cell(row, 3, hint_text)
            hint.font = font(italic=True, size=11, color="595959")
            hint.border = BOX
            hint.alignment = WRAP_TOP
            ws.row_dimensions[row].height = max(text_height(str(ws.cell(row, 1).value), INFO_WIDTHS[0]),
                                                text_height(hint_text, INFO_WIDTHS[2], size=11))
            _name(wb, veto_name(v.id), ref(ws.title, cell.coordinate))
            b.veto_cells.append(cell.coordinate)
            row += 1
        _name(wb, VETO_RANGE, ref_range(ws.title, f"B{first}", f"B{row - 1}"))
    ws.freeze_panes = "A5"
    _print_setup(ws, title_rows="4:4")
    _protect(ws)


def _info_row(wb: Workbook, ws: Worksheet, row: int, f: InfoField, b: FormBuild) -> None:
    lang = b.lang
    label = ws.cell(row, 1, f.label(lang) + (" (*)" if f.required else ""))
    label.font = font(bold=f.required)
    label.alignment = WRAP_TOP
    label.border = BOX
    cell = ws.cell(row, 2)
    hint = ws.cell(row, 3, f.hint(lang))
    hint.font = font(italic=True, size=11, color="595959")
    hint.alignment = WRAP_TOP
    hint.border = BOX
    ws.row_dimensions[row].height = max(text_height(str(label.value), INFO_WIDTHS[0], bold=f.required),
                                        text_height(f.hint(lang), INFO_WIDTHS[2], size=11))
    if f.kind == "fixed":
        cell.value = b.spec.name_vi if lang == "vi" else b.spec.name_en
        cell.font = font(bold=True)
        cell.fill = FIXED_FILL
        cell.border = BOX
        cell.alignment = WRAP_TOP
        height = ws.row_dimensions[row].height or 0
        ws.row_dimensions[row].height = max(height, text_height(str(cell.value), INFO_WIDTHS[1], bold=True))
    else:
        _input(cell)
        dv = _info_validation(f, lang)
        ws.add_data_validation(dv)
        dv.add(cell)
        cell.number_format = {"year": "0", "whole": "0", "percent": "0.0", "date": "dd/mm/yyyy",
                              "code": "@", "text": "@", "period": "@"}[f.kind]
        cell.alignment = WRAP_TOP if f.kind == "text" else TOP  # on the label's first line, as the note is
        if f.kind == "text":  # long names wrap within the column, never run into the note beside them
            height = ws.row_dimensions[row].height or 0
            ws.row_dimensions[row].height = max(height, round(NAME_LINES * FONT_SIZE * 1.3 + 4, 1))
    _name(wb, info_name(f.key), ref(ws.title, cell.coordinate))


def _info_validation(f: InfoField, lang: str) -> DataValidation:
    label = f.label(lang)
    common: dict[str, Any] = dict(allow_blank=True, showErrorMessage=True, showInputMessage=True,
                  promptTitle=label[:32], errorTitle=t(lang, "Giá trị không hợp lệ", "Invalid value"))
    if f.kind == "period":
        periods = PERIODS_EN if lang == "en" else PERIODS_VI
        return DataValidation(type="list", formula1='"' + ",".join(periods) + '"',
                              prompt=t(lang, "Chọn tháng (Tháng 1 … Tháng 12) hoặc “Cả năm”.",
                                       "Pick a month or 'Whole year'."),
                              error=t(lang, "Chọn kỳ đánh giá trong danh sách.", "Pick a period from the list."), **common)
    if f.kind == "year":
        lo, hi = YEAR_RANGE
        return DataValidation(type="whole", operator="between", formula1=str(lo), formula2=str(hi),
                              prompt=t(lang, f"Nhập năm, ví dụ {FIXED_DATE.year}.", f"Type the year, e.g. {FIXED_DATE.year}."),
                              error=t(lang, f"Năm phải là số nguyên từ {lo} đến {hi}.",
                                      f"The year must be a whole number from {lo} to {hi}."), **common)
    if f.kind == "whole":
        lo, hi = (1, 100000) if f.key == "members" else (0, 60)
        return DataValidation(type="whole", operator="between", formula1=str(lo), formula2=str(hi),
                              prompt=t(lang, f"Nhập số nguyên từ {lo} đến {hi}.", f"Type a whole number from {lo} to {hi}."),
                              error=t(lang, f"Phải là số nguyên từ {lo} đến {hi}.", f"Must be a whole number from {lo} to {hi}."),
                              **common)
    if f.kind == "percent":
        return DataValidation(type="decimal", operator="between", formula1="0", formula2="100",
                              prompt=t(lang, "Nhập tỷ lệ phần trăm từ 0 đến 100, ví dụ 95,5.",
                                       "Type a percentage from 0 to 100, e.g. 95.5."),
                              error=t(lang, "Tỷ lệ phải từ 0 đến 100.", "The percentage must be between 0 and 100."),
                              **common)
    if f.kind == "date":
        # Serial numbers of 2000-01-01 and 2100-12-31: locale-independent.
        return DataValidation(type="date", operator="between", formula1="36526", formula2="73415",
                              prompt=t(lang, "Nhập ngày theo dạng ngày/tháng/năm.", "Type a date (day/month/year)."),
                              error=t(lang, "Phải là một ngày hợp lệ.", "Must be a valid date."), **common)
    limit = 40 if f.kind == "code" else 250
    return DataValidation(type="textLength", operator="between", formula1="1", formula2=str(limit),
                          prompt=t(lang, f"Nhập {f.label_vi.lower()} (tối đa {limit} ký tự).",
                                   f"Type the {f.label_en.lower()} (at most {limit} characters)."),
                          error=t(lang, f"Tối đa {limit} ký tự.", f"At most {limit} characters."), **common)


# --------------------------------------------------------------------- scoring sheet


def _scoring_sheet(wb: Workbook, ws: Worksheet, b: FormBuild) -> None:
    lang = b.lang
    for col, width in zip("ABCDEF", SCORE_WIDTHS):
        ws.column_dimensions[col].width = width
    _scoring_heading(ws, b)
    header = 7
    first_row, last_row = _scoring_table(ws, b, header)
    status_self, status_upper = _total_rows(ws, b, b.total_row)
    _scoring_names(wb, ws, b, first_row, last_row, status_self, status_upper)
    _conditional_formats(ws, b, status_self, status_upper)
    sign = status_upper + 2
    _signature(ws, sign, lang)
    ws.freeze_panes = f"A{header + 1}"
    _print_setup(ws, title_rows=f"{header}:{header}")
    ws.print_area = f"A1:F{sign + 5}"
    _protect(ws)


def _scoring_heading(ws: Worksheet, b: FormBuild) -> None:
    """Rows 1-5 of the scoring sheet: the committees and the party heading, the title, type and period."""
    lang, spec = b.lang, b.spec
    # Heading: the committee directly above the cell on the left (the grassroots committee when
    # there is one, else the upper-level committee), the national party heading on the right.
    ws.merge_cells("A1:B1")
    g, u = info_name("grassroots"), info_name("upper_committee")
    ws["A1"] = (f'=IF({g}<>"",UPPER({g}),IF({u}="","{t(lang, "ĐẢNG BỘ ……………………", "PARTY COMMITTEE ……")}",'
                f'UPPER({u})))')
    ws.merge_cells("A2:B2")
    ws["A2"] = (f'=IF({info_name("cell_name")}="","{t(lang, "CHI BỘ ……………………", "PARTY CELL ……")}",'
                f'UPPER({info_name("cell_name")}))')
    ws.merge_cells("C1:F1")
    ws["C1"] = "ĐẢNG CỘNG SẢN VIỆT NAM"
    ws.merge_cells("C2:F2")
    d = info_name("date")
    ws["C2"] = (f'=IF(ISNUMBER({d}),"{t(lang, "ngày ", "date ")}"&DAY({d})&"{t(lang, " tháng ", "/")}"&MONTH({d})'
                f'&"{t(lang, " năm ", "/")}"&YEAR({d}),"{t(lang, "……, ngày … tháng … năm ……", "……, date …/…/……")}")')
    for at, style in (("A1", font(size=12)), ("A2", font(bold=True, size=12)),
                      ("C1", font(bold=True, size=12, underline="single")), ("C2", font(italic=True, size=12))):
        ws[at].font = style
        ws[at].alignment = CENTER
    ws.merge_cells("A4:F4")
    ws["A4"] = t(lang, "PHIẾU TỰ ĐÁNH GIÁ, CHẤM ĐIỂM “CHI BỘ 4 TỐT”", "SELF-ASSESSMENT AND SCORING FORM “CHI BỘ 4 TỐT”")
    ws["A4"].font = font(bold=True, size=14)
    ws["A4"].alignment = CENTER
    ws.merge_cells("A5:F5")
    p, y = info_name("period"), info_name("year")
    kind = t(lang, spec.name_vi, spec.name_en)
    ws["A5"] = (f'="{t(lang, "Loại chi bộ: ", "Cell type: ")}{kind}{t(lang, " — Kỳ đánh giá: ", " — Period: ")}"'
                f'&IF({p}="","……",{p})&"{t(lang, " năm ", " ")}"&IF({y}="","……",{y})')
    ws["A5"].font = font(italic=True)
    ws["A5"].alignment = CENTER
    ws.row_dimensions[1].height = ws.row_dimensions[2].height = 32  # long committee names take two lines
    ws.row_dimensions[4].height = 22
    ws.row_dimensions[5].height = 20


def _scoring_table(ws: Worksheet, b: FormBuild, header: int) -> tuple[int, int]:
    """The criteria table under its header row, a content row above its criteria; the total row
    after them (b.total_row). Returns the first and last rows of the criteria."""
    lang, spec = b.lang, b.spec
    _header(ws, header, TABLE_HEADERS[lang])
    ws.row_dimensions[header].height = max(text_height(label, w, bold=True)
                                           for label, w in zip(TABLE_HEADERS[lang], SCORE_WIDTHS))
    row = header + 1
    first_row = row
    for content in spec.contents:
        head = row
        row += 1
        first = row
        for c in content.criteria:
            _criterion_row(ws, row, c, b)
            b.criterion_rows[c.id] = row
            row += 1
        b.content_rows[content.id] = (head, first, row - 1)
        _content_row(ws, head, content, first, row - 1, lang)
    last_row = row - 1
    total = row
    b.total_row = total
    ws.cell(total, 2, t(lang, "TỔNG CỘNG", "TOTAL"))
    for letter in "CDE":
        ws[f"{letter}{total}"] = "=" + "+".join(f"{letter}{h}" for h, _, _ in b.content_rows.values())
        ws[f"{letter}{total}"].number_format = "0.0#"
    for column in range(1, 7):
        cell = ws.cell(total, column)
        cell.font = font(bold=True)
        cell.border = BOX
        cell.fill = HEAD_FILL
        cell.alignment = CENTER if column != 2 else Alignment(horizontal="right", vertical="center")
    return first_row, last_row


def _total_rows(ws: Worksheet, b: FormBuild, total: int) -> tuple[int, int]:
    """The two result rows under the total (self-assessment, upper level). Returns their rows."""
    lang, spec = b.lang, b.spec
    status_self, status_upper = total + 1, total + 2
    for r, col, label in ((status_self, "D", t(lang, "Kết quả chi bộ tự đánh giá", "Result of the self-assessment")),
                          (status_upper, "E", t(lang, "Kết quả cấp ủy cấp trên đánh giá", "Result of the upper-level assessment"))):
        ws.merge_cells(f"A{r}:B{r}")
        ws[f"A{r}"] = label
        ws[f"A{r}"].font = font(bold=True)
        ws[f"A{r}"].alignment = Alignment(horizontal="right", vertical="center")
        ws.merge_cells(f"C{r}:F{r}")
        ws[f"C{r}"] = "=" + status_formula(b, col)
        ws[f"C{r}"].font = font(bold=True)
        ws[f"C{r}"].alignment = CENTER
        for column in range(1, 7):
            ws.cell(r, column).border = BOX
        longest = max((status_text(k, lang, spec.threshold) for k in COLUMN_STATUSES), key=len)
        ws.row_dimensions[r].height = text_height(longest, sum(SCORE_WIDTHS[2:]), bold=True)
    return status_self, status_upper


def _scoring_names(wb: Workbook, ws: Worksheet, b: FormBuild, first_row: int, last_row: int, status_self: int,
                   status_upper: int) -> None:
    """The defined names of the criteria table's columns, the totals and the two results."""
    total = b.total_row
    _name(wb, TABLE_NAMES["id"], ref_range(ws.title, f"A{first_row}", f"A{last_row}"))
    for key, col in (("max", "C"), ("self", "D"), ("upper", "E"), ("notes", "F")):
        _name(wb, TABLE_NAMES[key], ref_range(ws.title, f"{col}{first_row}", f"{col}{last_row}"))
    for key, col in (("max", "C"), ("self", "D"), ("upper", "E")):
        _name(wb, TOTAL_NAMES[key], ref(ws.title, f"{col}{total}"))
    _name(wb, TOTAL_NAMES["self_status"], ref(ws.title, f"C{status_self}"))
    _name(wb, TOTAL_NAMES["upper_status"], ref(ws.title, f"C{status_upper}"))


def _content_row(ws: Worksheet, row: int, content, first: int, last: int, lang: str) -> None:
    ws.cell(row, 1, content.id)
    title = t(lang, content.title_vi, content.title_en or content.title_vi).upper()
    ws.cell(row, 2, title)
    ws.row_dimensions[row].height = text_height(title, SCORE_WIDTHS[1], bold=True, caps=True)
    for letter in "CDE":
        ws[f"{letter}{row}"] = f"=SUM({letter}{first}:{letter}{last})"
        ws[f"{letter}{row}"].number_format = "0.0#"
    for col in range(1, 7):
        cell = ws.cell(row, col)
        cell.font = font(bold=True)
        cell.fill = CONTENT_FILL
        cell.border = BOX
        cell.alignment = WRAP_TOP if col == 2 else CENTER


def _criterion_row(ws: Worksheet, row: int, c, b: FormBuild) -> None:
    lang, step = b.lang, b.spec.step
    ws.cell(row, 1, c.id).number_format = "@"
    text = t(lang, c.text_vi, c.text_en or c.text_vi)
    ws.cell(row, 2, text)
    ws.cell(row, 3, c.max).number_format = "0.0#"
    for col in range(1, 4):
        cell = ws.cell(row, col)
        cell.font = font()
        cell.border = BOX
        cell.alignment = WRAP_TOP if col == 2 else Alignment(horizontal="center", vertical="top")
    for col in (4, 5):
        cell = ws.cell(row, col)
        _input(cell)
        cell.number_format = "0.0#"
        cell.alignment = Alignment(horizontal="center", vertical="top")
    notes = ws.cell(row, 6)
    _input(notes)
    notes.alignment = WRAP_TOP
    notes.font = font(size=11)
    mx, st = _fmt(c.max, lang), _fmt(step, lang)
    formula = f"AND(ISNUMBER(D{row}),D{row}>=0,D{row}<={c.max:g},MOD(ROUND(D{row}/{step:g},6),1)=0)"
    dv = DataValidation(type="custom", formula1=formula, allow_blank=True, showErrorMessage=True, showInputMessage=True,
                        promptTitle=t(lang, f"Tiêu chí {c.id}", f"Criterion {c.id}"),
                        prompt=t(lang, f"Nhập điểm từ 0 đến {mx}, theo bước {st} điểm.",
                                 f"Type a score from 0 to {mx}, in steps of {st}."),
                        errorTitle=t(lang, "Điểm không hợp lệ", "Invalid score"),
                        error=t(lang, f"Điểm tiêu chí {c.id} phải là số từ 0 đến {mx}, theo bước {st} điểm.",
                                f"The score of criterion {c.id} must be a number from 0 to {mx} in steps of {st}."))
    ws.add_data_validation(dv)
    dv.add(f"D{row}:E{row}")
    ws.row_dimensions[row].height = text_height(text, SCORE_WIDTHS[1])


def count_expression(b: FormBuild, col: str) -> str:
    return "+".join(f"COUNT({col}{first}:{col}{last})" for _, first, last in b.content_rows.values())


def _criterion_ranges(b: FormBuild, col: str) -> list[tuple[str, str]]:
    """(score range, max range) of every content's criterion rows: never the subtotal rows."""
    return [(f"{col}{first}:{col}{last}", f"C{first}:C{last}") for _, first, last in b.content_rows.values()]


def text_count_expression(b: FormBuild, col: str) -> str:
    """How many score cells of the column hold something that is not a number (text, an error)."""
    return "+".join(f"COUNTA({r})-COUNT({r})" for r, _ in _criterion_ranges(b, col))


def bad_number_expression(b: FormBuild, col: str) -> str:
    """How many numeric scores of the column are negative, above the maximum or off the step.

    Only evaluated once the column holds numbers alone (text would make the arithmetic an error).
    """
    step = f"{b.spec.step:g}"
    return "+".join(f"COUNTIF({r},\"<0\")+SUMPRODUCT(({r}>{m})+(MOD(ROUND({r}/{step},6),1)<>0))"
                    for r, m in _criterion_ranges(b, col))


def status_formula(b: FormBuild, col: str) -> str:
    """Verdict for one score column; the same precedence as fourgood.scoring.column_status:
    invalid score, incomplete, excluded (a 'Yes'), unanswered exclusion question, total."""
    lang, spec = b.lang, b.spec
    n = len(spec.criteria)
    yes = YES_NO[lang][0]

    def s(key: str) -> str:
        return '"' + status_text(key, lang, spec.threshold).replace('"', '""') + '"'

    verdict = f'IF({col}{b.total_row}>={spec.threshold:g},{s("meets")},{s("below")})'
    if spec.vetoes:
        verdict = (f'IF(COUNTIF({VETO_RANGE},"{yes}")>0,{s("veto")},'
                   f'IF(COUNTA({VETO_RANGE})<{len(spec.vetoes)},{s("veto_unanswered")},{verdict}))')
    verdict = f'IF(({count_expression(b, col)})<{n},{s("incomplete")},{verdict})'
    # IF evaluates only the branch it takes: text never reaches the arithmetic of the second test.
    return (f'IF(({text_count_expression(b, col)})>0,{s("invalid_score")},'
            f'IF(({bad_number_expression(b, col)})>0,{s("invalid_score")},{verdict}))')


def _conditional_formats(ws: Worksheet, b: FormBuild, status_self: int, status_upper: int) -> None:
    total, thr, step = b.total_row, b.spec.threshold, f"{b.spec.step:g}"
    for col in "DE":
        cell = f"{col}{total}"
        ws.conditional_formatting.add(cell, FormulaRule(formula=[f"AND(({count_expression(b, col)})>0,{cell}<{thr:g})"],
                                                        fill=RED_FILL, font=Font(color="9C0006", bold=True)))
        ws.conditional_formatting.add(cell, FormulaRule(formula=[f"{cell}>={thr:g}"], fill=GREEN_FILL,
                                                        font=Font(color="006100", bold=True)))
    for r in (status_self, status_upper):
        cell = f"C{r}"
        for key, fill in (("meets", GREEN_FILL), ("incomplete", AMBER_FILL), ("veto_unanswered", AMBER_FILL)):
            label = status_text(key, b.lang, thr).replace('"', '""')
            ws.conditional_formatting.add(f"C{r}:F{r}", FormulaRule(formula=[f'${cell}="{label}"'], fill=fill))
        ws.conditional_formatting.add(f"C{r}:F{r}", FormulaRule(formula=[f'LEN(${cell})>0'], fill=RED_FILL))
    # A score that is not a number, negative, above the maximum or off the step: red, whatever
    # way it got there (a paste bypasses data validation).
    first = next(iter(b.content_rows.values()))[1]
    for col in "DE":
        top = f"{col}{first}"
        bad = (f'IF(ISBLANK({top}),FALSE,IF(ISNUMBER({top}),OR({top}<0,{top}>$C{first},'
               f'MOD(ROUND({top}/{step},6),1)<>0),TRUE))')
        ranges = " ".join(r for r, _ in _criterion_ranges(b, col))
        ws.conditional_formatting.add(ranges, FormulaRule(formula=[bad], fill=RED_FILL, font=Font(color="9C0006"),
                                                          stopIfTrue=True))
    blanks = " ".join(f"D{first}:D{last}" for _, first, last in b.content_rows.values())
    first_cell = f"D{next(iter(b.content_rows.values()))[1]}"
    ws.conditional_formatting.add(blanks, FormulaRule(formula=[f"ISBLANK({first_cell})"], fill=BLANK_FILL))


def _signature(ws: Worksheet, row: int, lang: str) -> None:
    ws.merge_cells(f"A{row}:B{row}")
    ws[f"A{row}"] = t(lang, "XÁC NHẬN CỦA CẤP ỦY CẤP TRÊN", "CONFIRMED BY THE UPPER-LEVEL COMMITTEE")
    ws.merge_cells(f"C{row}:F{row}")
    ws[f"C{row}"] = t(lang, "T/M CHI BỘ", "ON BEHALF OF THE PARTY CELL")
    ws.merge_cells(f"C{row + 1}:F{row + 1}")
    ws[f"C{row + 1}"] = t(lang, "BÍ THƯ", "SECRETARY")
    ws.merge_cells(f"A{row + 1}:B{row + 1}")
    ws[f"A{row + 1}"] = t(lang, "(Ký, ghi rõ họ tên, đóng dấu)", "(Signature, full name, seal)")
    ws.merge_cells(f"C{row + 5}:F{row + 5}")
    ws[f"C{row + 5}"] = f'={info_name("secretary")}&""'
    for c, style in ((f"A{row}", font(bold=True)), (f"C{row}", font(bold=True)), (f"C{row + 1}", font(bold=True)),
                     (f"A{row + 1}", font(italic=True, size=11)), (f"C{row + 5}", font(bold=True))):
        ws[c].font = style
        ws[c].alignment = CENTER


# ---------------------------------------------------------------- instructions, meta


def _instructions_sheet(ws: Worksheet, b: FormBuild) -> None:
    ws.column_dimensions["A"].width = INSTRUCTIONS_WIDTH
    for i, (text, kind) in enumerate(instructions_text(b.spec, b.lang), start=1):
        cell = ws.cell(i, 1, text)
        size = 14 if kind == "title" else FONT_SIZE
        cell.font = font(bold=kind == "title", size=size, italic=kind == "note")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[i].height = text_height(text, INSTRUCTIONS_WIDTH, size=size, bold=kind == "title",
                                                  caps=kind == "title")
    _print_setup(ws, title_rows=None)
    _protect(ws)


def _meta_sheet(wb: Workbook, b: FormBuild) -> None:
    spec = b.spec
    rows = meta_rows(Kind.CELL, b.lang, f"fourgood {__version__}", **{
        MetaKey.CELL_TYPE: spec.cell_type, MetaKey.SPEC_ID: spec.spec_id, MetaKey.SPEC_VERSION: spec.version,
        MetaKey.FINGERPRINT: spec.fingerprint, MetaKey.THRESHOLD: spec.threshold, MetaKey.STEP: spec.step})
    for content in spec.contents:
        for c in content.criteria:
            rows.append((MetaKey.CRITERION_ROW, c.id, content.id, c.max))
    for v in spec.vetoes:
        rows.append((MetaKey.VETO_ROW, v.id))
    write_meta_sheet(wb, rows)


# ------------------------------------------------------------------------- helpers


# Cell statuses of a score column: what the status formula can show (rows are sized for the longest).
COLUMN_STATUSES = ("meets", "below", "incomplete", "veto", "veto_unanswered", "invalid_score")


def text_height(text: str, width: float, size: float = FONT_SIZE, bold: bool = False, caps: bool = False) -> float:
    """Row height (points) that shows `text` whole, wrapped in a column `width` characters wide.

    A generous estimate: about 6.5 pt a width unit, Vietnamese text at 0.43 em a character
    (0.47 bold, 0.66 upper case), a few characters lost at every line break, and lines 1.3 times
    the font size apart, as Excel spaces them (LibreOffice needs a little less).
    """
    em = 0.66 if caps else (0.47 if bold else 0.43)
    per_line = max(4, int((width * 6.5 - 8) / (size * em)) - 2)
    lines = sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))
    return round(lines * size * 1.3 + 4, 1)


def _header(ws: Worksheet, row: int, labels) -> None:
    for col, label in enumerate(labels, start=1):
        cell = ws.cell(row, col, label)
        cell.font = font(bold=True)
        cell.fill = HEAD_FILL
        cell.border = BOX
        cell.alignment = CENTER


def _section(ws: Worksheet, row: int, label: str) -> None:
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    cell = ws.cell(row, 1, label)
    cell.font = font(bold=True)
    cell.fill = CONTENT_FILL
    cell.alignment = Alignment(vertical="center", wrap_text=True)


def _input(cell) -> None:
    cell.protection = UNLOCKED
    cell.fill = INPUT_FILL
    cell.border = BOX
    cell.font = font()


def _name(wb: Workbook, name: str, target: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=target)


def _print_setup(ws: Worksheet, title_rows: str | None, orientation: Literal["portrait", "landscape"] = "portrait") -> None:
    """The house style's A4 set-up, fitted to one page wide, with the forms' margins and "X/Y" in the footer."""
    a4_fit_width(ws, orientation, FORM_MARGINS_IN, "&P/&N", title_rows)


def _protect(ws: Worksheet) -> None:
    """Protect without a password: slips are prevented, a board can still unprotect."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False
