"""The roster template: the cells an organisation board expects to report, and the party
organisations above them (each naming its parent, so the tree has the province's own depth)."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from fourgood import __version__
from fourgood.contract import (
    CELL_TYPES_NAME,
    ORG_COLUMNS,
    ORG_KINDS_NAME,
    ORG_SHEET,
    ROSTER_COLUMNS,
    ROSTER_HEADER_NAME,
    ROSTER_LISTS_SHEET,
    ROSTER_SHEET,
    Kind,
    meta_rows,
)
from fourgood.spec import CELL_TYPES
from fourgood.structure import KINDS, kind_label

from .builder import BOX, FIXED_DATE, _header, _name, _print_setup, font, ref_range, t
from .meta import write_meta_sheet

ROWS = 2000
ORG_ROWS = 500


def build_roster_template(lang: str = "vi") -> Workbook:
    wb = Workbook()
    wb.properties.creator = "fourgood"
    wb.properties.created = wb.properties.modified = FIXED_DATE
    ws = wb.worksheets[0]  # the sheet a new workbook starts with
    ws.title = ROSTER_SHEET[lang]
    _header(ws, 1, [vi if lang == "vi" else en for _, vi, en in ROSTER_COLUMNS])
    letters = {key: get_column_letter(i) for i, (key, _, _) in enumerate(ROSTER_COLUMNS, 1)}
    widths = {"cell_code": 16, "cell_name": 40, "cell_type": 32, "members": 12, "parent_code": 20, "former_codes": 20,
              "grassroots": 34, "upper_committee": 34}
    for key, letter in letters.items():
        ws.column_dimensions[letter].width = widths[key]
    last = get_column_letter(len(ROSTER_COLUMNS))
    _name(wb, ROSTER_HEADER_NAME, ref_range(ws.title, "A1", f"{last}1"))

    lists = wb.create_sheet(ROSTER_LISTS_SHEET[lang])
    lists["A1"] = t(lang, "Loại chi bộ", "Cell type")
    lists["A1"].font = font(bold=True)
    for i, cell_type in enumerate(CELL_TYPES.values(), start=2):
        lists.cell(i, 1, cell_type.name_vi if lang == "vi" else cell_type.name_en).font = font()
    lists["B1"] = t(lang, "Cấp tổ chức", "Organisation level")
    lists["B1"].font = font(bold=True)
    for i, level in enumerate(KINDS, start=2):
        lists.cell(i, 2, kind_label(level, lang)).font = font()
    lists.column_dimensions["A"].width = 40
    lists.column_dimensions["B"].width = 30
    lists.sheet_state = "hidden"
    _name(wb, CELL_TYPES_NAME, ref_range(lists.title, "A2", f"A{len(CELL_TYPES) + 1}"))
    _name(wb, ORG_KINDS_NAME, ref_range(lists.title, "B2", f"B{len(KINDS) + 1}"))

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
    orgs_sheet = ORG_SHEET[lang]
    parent = DataValidation(type="list", formula1=f"{quote_sheetname(orgs_sheet)}!$A$2:$A${ORG_ROWS}",
                            allow_blank=True, showErrorMessage=True, showInputMessage=True,
                            promptTitle=t(lang, "Tổ chức trực thuộc", "Parent organisation"),
                            prompt=t(lang, "Mã của tổ chức đảng mà chi bộ trực thuộc (trang “Tổ chức đảng”).",
                                     "Code of the organisation the cell is directly under (sheet “Organisations”)."),
                            errorTitle=t(lang, "Mã không có", "Unknown code"),
                            error=t(lang, "Nhập mã đã có ở trang “Tổ chức đảng”.",
                                    "Type a code listed on the “Organisations” sheet."))
    former = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="200", allow_blank=True,
                            showInputMessage=True, promptTitle=t(lang, "Mã cũ", "Former codes"),
                            prompt=t(lang, "Chi bộ đổi tên hoặc sáp nhập trong năm: mã cũ của chi bộ, nhiều mã cách "
                                           "nhau bằng dấu “;”. Phiếu nộp theo mã cũ được tính cho chi bộ này.",
                                     "A cell renamed or merged in the year: its former codes, separated by “;”. "
                                     "Forms under a former code count for this cell."))
    for dv, key in ((kind, "cell_type"), (members, "members"), (code, "cell_code"), (parent, "parent_code"),
                    (former, "former_codes")):
        ws.add_data_validation(dv)
        dv.add(f"{letters[key]}2:{letters[key]}{ROWS}")
    _table_body(ws, ROWS, len(ROSTER_COLUMNS),
                text_cols=(letters["cell_code"], letters["parent_code"], letters["former_codes"]))
    _print_setup(ws, title_rows="1:1", orientation="landscape")
    _orgs_sheet(wb, lang)

    write_meta_sheet(wb, meta_rows(Kind.ROSTER, lang, f"fourgood {__version__}"))
    return wb


def _table_body(ws: Worksheet, rows: int, width: int, text_cols: tuple[str, ...]) -> None:
    for row in ws.iter_rows(min_row=2, max_row=rows, max_col=width):
        for j, cell in enumerate(row, 1):
            cell.font = font(size=12)
            cell.border = BOX
            if get_column_letter(j) in text_cols:
                cell.number_format = "@"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(width)}{rows}"


def _orgs_sheet(wb: Workbook, lang: str) -> None:
    """Every party organisation above the cells: code, name, level, and its parent's code (blank for the top)."""
    ws = wb.create_sheet(ORG_SHEET[lang])
    _header(ws, 1, [vi if lang == "vi" else en for _, vi, en in ORG_COLUMNS])
    for letter, width in zip("ABCD", (18, 52, 28, 22)):
        ws.column_dimensions[letter].width = width
    level = DataValidation(type="list", formula1=ORG_KINDS_NAME, allow_blank=True, showErrorMessage=True,
                           showInputMessage=True, promptTitle=t(lang, "Cấp", "Level"),
                           prompt=t(lang, "Đảng bộ tỉnh, cấp trên trực tiếp cơ sở (đảng ủy xã, phường, đặc khu; "
                                          "Đảng bộ các cơ quan Đảng tỉnh; Đảng bộ Ủy ban nhân dân tỉnh), tổ chức "
                                          "cơ sở đảng hoặc đảng bộ bộ phận.",
                                    "Province committee, upper-level committee, grassroots organisation or "
                                    "departmental committee."),
                           errorTitle=t(lang, "Cấp không hợp lệ", "Invalid level"),
                           error=t(lang, "Chọn một cấp trong danh sách.", "Pick a level from the list."))
    parent = DataValidation(type="list", formula1=f"$A$2:$A${ORG_ROWS}", allow_blank=True, showErrorMessage=True,
                            errorTitle=t(lang, "Mã không có", "Unknown code"),
                            error=t(lang, "Nhập mã đã có ở cột A; để trống cho tổ chức cao nhất.",
                                    "Type a code from column A; leave blank for the top organisation."))
    for dv, letter in ((level, "C"), (parent, "D")):
        ws.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}{ORG_ROWS}")
    _table_body(ws, ORG_ROWS, len(ORG_COLUMNS), text_cols=("A", "D"))
    _print_setup(ws, title_rows="1:1", orientation="landscape")
