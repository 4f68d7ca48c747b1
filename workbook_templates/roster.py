"""The roster template: the list of cells an organisation board expects to report."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from fourgood import __version__
from fourgood.contract import (
    CELL_TYPES_NAME,
    ROSTER_COLUMNS,
    ROSTER_HEADER_NAME,
    ROSTER_LISTS_SHEET,
    ROSTER_SHEET,
    Kind,
    meta_rows,
)
from fourgood.spec import CELL_TYPES

from .builder import BOX, FIXED_DATE, _header, _name, _print_setup, font, ref_range, t
from .meta import write_meta_sheet

ROWS = 2000


def build_roster_template(lang: str = "vi") -> Workbook:
    wb = Workbook()
    wb.properties.creator = "fourgood"
    wb.properties.created = wb.properties.modified = FIXED_DATE
    ws = wb.worksheets[0]  # the sheet a new workbook starts with
    ws.title = ROSTER_SHEET[lang]
    _header(ws, 1, [vi if lang == "vi" else en for _, vi, en in ROSTER_COLUMNS])
    for col, width in zip("ABCDEF", (16, 40, 36, 40, 40, 14)):
        ws.column_dimensions[col].width = width
    _name(wb, ROSTER_HEADER_NAME, ref_range(ws.title, "A1", "F1"))

    lists = wb.create_sheet(ROSTER_LISTS_SHEET[lang])
    lists["A1"] = t(lang, "Loại chi bộ", "Cell type")
    lists["A1"].font = font(bold=True)
    for i, cell_type in enumerate(CELL_TYPES.values(), start=2):
        lists.cell(i, 1, cell_type.name_vi if lang == "vi" else cell_type.name_en).font = font()
    lists.column_dimensions["A"].width = 40
    lists.sheet_state = "hidden"
    _name(wb, CELL_TYPES_NAME, ref_range(lists.title, "A2", f"A{len(CELL_TYPES) + 1}"))

    kind = DataValidation(type="list", formula1=CELL_TYPES_NAME, allow_blank=True, showErrorMessage=True,
                          showInputMessage=True, promptTitle=t(lang, "Loại chi bộ", "Cell type"),
                          prompt=t(lang, "Chọn loại chi bộ trong danh sách.", "Pick the cell type from the list."),
                          errorTitle=t(lang, "Loại không hợp lệ", "Invalid type"),
                          error=t(lang, "Chọn một trong bốn loại chi bộ.", "Choose one of the four cell types."))
    members = DataValidation(type="whole", operator="between", formula1="1", formula2="100000", allow_blank=True,
                             showErrorMessage=True, errorTitle=t(lang, "Số không hợp lệ", "Invalid number"),
                             error=t(lang, "Số đảng viên là số nguyên từ 1.", "Members: a whole number from 1."))
    code = DataValidation(type="textLength", operator="between", formula1="1", formula2="40", allow_blank=True,
                          showErrorMessage=True, errorTitle=t(lang, "Mã không hợp lệ", "Invalid code"),
                          error=t(lang, "Mã chi bộ tối đa 40 ký tự.", "At most 40 characters."))
    for dv, col in ((kind, "C"), (members, "F"), (code, "A")):
        ws.add_data_validation(dv)
        dv.add(f"{col}2:{col}{ROWS}")
    for row in ws.iter_rows(min_row=2, max_row=ROWS, max_col=6):
        for cell in row:
            cell.font = font(size=12)
            cell.border = BOX
    for row in ws.iter_rows(min_row=2, max_row=ROWS, max_col=1):
        row[0].number_format = "@"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:F{ROWS}"
    _print_setup(ws, title_rows="1:1")
    ws.page_setup.orientation = "landscape"

    write_meta_sheet(wb, meta_rows(Kind.ROSTER, lang, f"fourgood {__version__}"))
    return wb
