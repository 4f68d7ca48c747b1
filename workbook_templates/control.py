"""The consolidation control workbook: the board types the folder of submissions (and, if it
has one, the roster and the period), then one click on the "4 Tốt" ribbon consolidates that
folder into this same workbook. With no Python, it is a plain, protected form."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from fourgood import __version__
from fourgood.contract import CONTROL_FIELDS, CONTROL_SHEET, Kind, control_name, meta_rows
from fourgood.house_style import FONT, FORM_BOX, a4_paper

from .builder import FIXED_DATE, INPUT_FILL
from .meta import write_meta_sheet


def control_sheet_name(lang: str) -> str:
    return CONTROL_SHEET["en" if lang == "en" else "vi"]


def build_control_workbook(lang: str = "vi") -> Workbook:
    wb = Workbook()
    wb.properties.creator = "fourgood"
    wb.properties.created = wb.properties.modified = FIXED_DATE
    ws = wb.worksheets[0]  # the sheet a new workbook starts with
    ws.title = control_sheet_name(lang)
    en = lang == "en"
    ws["A1"] = "“CHI BỘ 4 TỐT”: CONSOLIDATION" if en else "TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ “CHI BỘ 4 TỐT”"
    ws["A1"].font = Font(name=FONT, bold=True, size=14)
    for row, (key, label_vi, label_en, hint_vi, hint_en) in enumerate(CONTROL_FIELDS, 3):
        label = ws.cell(row, 1, label_en if en else label_vi)
        label.font = Font(name=FONT, bold=True)
        label.alignment = Alignment(wrap_text=True, vertical="center")
        cell = ws.cell(row, 2)
        cell.number_format = "@"
        cell.fill = INPUT_FILL
        cell.border = FORM_BOX
        cell.protection = Protection(locked=False)
        cell.font = Font(name=FONT)
        hint = ws.cell(row, 3, hint_en if en else hint_vi)
        hint.font = Font(name=FONT, italic=True, color="595959")
        hint.alignment = Alignment(wrap_text=True, vertical="center")
        ws.row_dimensions[row].height = 32
        wb.defined_names[control_name(key)] = DefinedName(control_name(key), attr_text=f"'{ws.title}'!$B${row}")
    period = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="7", allow_blank=True,
                            showErrorMessage=True, errorTitle="Kỳ" if not en else "Period",
                            error="Nhập năm (2026) hoặc năm-tháng (2026-11)." if not en else
                            "Enter a year (2026) or a year and month (2026-11).")
    ws.add_data_validation(period)
    period.add(f"B{3 + [f[0] for f in CONTROL_FIELDS].index('period')}")
    steps = ("How to use: type the folder where the cells' forms were collected, then click the “Check” button "
             "on the “4 Tốt” ribbon tab. The results sheets are added to this workbook; click again to refresh them. "
             "Relative paths start from this workbook's folder. Without Excel: fourgood consolidate FOLDER -o OUT.xlsx"
             ) if en else (
             "Cách dùng: nhập thư mục chứa phiếu các chi bộ đã nộp, rồi bấm nút “Kiểm tra” trên thẻ “4 Tốt” của "
             "thanh công cụ. Các trang kết quả được thêm vào sổ tính này; bấm lại để cập nhật. Đường dẫn tương đối "
             "tính từ thư mục chứa sổ tính này. Không dùng Excel: fourgood consolidate THƯ_MỤC -o KẾT_QUẢ.xlsx")
    ws["A8"] = steps
    ws["A8"].alignment = Alignment(wrap_text=True, vertical="top")
    ws["A8"].font = Font(name=FONT)
    ws.merge_cells("A8:C11")
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 60
    ws.column_dimensions["C"].width = 46
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    a4_paper(ws, "landscape")
    write_meta_sheet(wb, meta_rows(Kind.CONTROL, lang, f"fourgood {__version__}"))
    return wb
