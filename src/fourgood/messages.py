"""The problem registry: every problem code once, with its severity, its category, its texts
(Vietnamese first, English on request) and, from those texts, its parameters; and the other
sentences fourgood says (verdicts, the add-in's notices).

Codes are stable (JSON, logs, the README's table, generated from here by
`python -m fourgood.problems --markdown`); placeholders are filled from
:class:`fourgood.problems.Problem` (file, sheet, cell, criterion, value, expected, params).
A call site names a code and where it is, never a severity or a text.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from .vocab import ProblemCategory, Severity, Text

LANGS = ("vi", "en")

ERROR, WARNING = Severity.ERROR, Severity.WARNING
FORM, FILE, NOT_A_FORM = ProblemCategory.FORM, ProblemCategory.FILE, ProblemCategory.NOT_A_FORM
BATCH, INPUT, SERVER = ProblemCategory.BATCH, ProblemCategory.INPUT, ProblemCategory.SERVER


@dataclass(frozen=True)
class ProblemType:
    """What a problem code is: whose problem (`category`), how grave (`severity`), what it says.

    `not_a_form_details`: the one rule that is not a whole code's: a file-level problem whose
    `{detail}` is one of these says the file is no scoring form at all (a `not_our_template`
    file that is the board's control workbook), like the codes of category NOT_A_FORM.
    `note`: what the README's table adds to the message (never shown to users).
    """

    category: ProblemCategory
    severity: Severity
    text: Text
    not_a_form_details: frozenset[str] = frozenset()
    note: str = ""

    @property
    def params(self) -> frozenset[str]:
        """The placeholders of the Vietnamese text (the English one has the same: a test holds them)."""
        return placeholders(self.text.vi)


def placeholders(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


PROBLEMS: dict[str, ProblemType] = {
    # --- criteria specs -------------------------------------------------------------
    "spec_unreadable": ProblemType(INPUT, ERROR, Text(
        "Không đọc được bảng tiêu chí: {detail}",
        "Cannot read the criteria table: {detail}",
    )),
    "spec_field_missing": ProblemType(INPUT, ERROR, Text(
        "Bảng tiêu chí thiếu trường bắt buộc “{value}”{where}.",
        "The criteria table lacks the required field '{value}'{where}.",
    )),
    "spec_duplicate_id": ProblemType(INPUT, ERROR, Text(
        "Mã “{criterion}” bị trùng trong bảng tiêu chí.",
        "The id '{criterion}' appears more than once in the criteria table.",
    )),
    "spec_points_total": ProblemType(INPUT, ERROR, Text(
        "Tổng điểm chuẩn là {value}, phải đúng bằng {expected}.",
        "The maximum points add up to {value}; they must total exactly {expected}.",
    )),
    "spec_max_invalid": ProblemType(INPUT, ERROR, Text(
        "Điểm chuẩn của tiêu chí {criterion} không hợp lệ: {value} (phải là số dương).",
        "Criterion {criterion} has an invalid maximum: {value} (must be a positive number).",
    )),
    "spec_step_divides": ProblemType(INPUT, ERROR, Text(
        "Điểm chuẩn {value} của tiêu chí {criterion} không chia hết cho bước chấm {expected}.",
        "The maximum {value} of criterion {criterion} is not a multiple of the score step {expected}.",
    )),
    "spec_step_invalid": ProblemType(INPUT, ERROR, Text(
        "Bước chấm điểm không hợp lệ: {value} (phải là số dương).",
        "Invalid score step: {value} (must be a positive number).",
    )),
    "spec_year_rule": ProblemType(INPUT, ERROR, Text(
        "Cách xét kết quả cả năm (year_rule) “{value}” không hợp lệ (cần một trong: {expected}).",
        "The year rule (year_rule) '{value}' is not valid (expected one of: {expected}).",
    )),
    "spec_outstanding_score": ProblemType(INPUT, ERROR, Text(
        "Điểm đề nghị chi bộ tiêu biểu (outstanding_score) “{value}” không hợp lệ (cần một số từ {expected}).",
        "The outstanding score (outstanding_score) '{value}' is not valid (expected a number in {expected}).",
    )),
    "spec_threshold": ProblemType(INPUT, ERROR, Text(
        "Ngưỡng đạt {value} điểm không được lớn hơn tổng điểm {expected}.",
        "The pass threshold {value} may not exceed the total of {expected} points.",
    )),
    "spec_content_empty": ProblemType(INPUT, ERROR, Text(
        "Nội dung {criterion} không có tiêu chí nào.",
        "Content {criterion} has no criteria.",
    )),
    "spec_cell_type_unknown": ProblemType(INPUT, ERROR, Text(
        "Loại chi bộ “{value}” không xác định; dùng một trong: {expected}.",
        "Unknown cell type '{value}'; use one of: {expected}.",
    )),
    "spec_cell_type_duplicate": ProblemType(INPUT, ERROR, Text(
        "Có hai bảng tiêu chí cho cùng loại chi bộ “{value}” và cùng phiên bản {expected}.",
        "Two criteria tables are given for the same cell type '{value}' and the same version {expected}.",
    )),
    "criteria_columns_missing": ProblemType(INPUT, ERROR, Text(
        "Trang “{sheet}” thiếu cột bắt buộc: {value} (cần: nội dung, mã, tiêu chí, điểm chuẩn, hướng dẫn).",
        "Sheet '{sheet}' lacks required columns: {value} (needed: content, id, criterion, max points, guidance).",
    )),
    "criteria_value_invalid": ProblemType(INPUT, ERROR, Text(
        "Ô {cell} (“{sheet}”): giá trị “{value}” không hợp lệ cho cột {expected}.",
        "Cell {cell} ('{sheet}'): '{value}' is not valid for column {expected}.",
    )),
    # --- files ----------------------------------------------------------------------
    "file_not_found": ProblemType(FILE, ERROR, Text("Không tìm thấy tệp hoặc thư mục.", "File or folder not found.")),
    "internal_error": ProblemType(FILE, ERROR, Text(
        "Lỗi của chương trình fourgood khi đọc tệp này (không phải do tệp hỏng; chi tiết kỹ thuật: {detail}). Chi "
        "tiết đầy đủ đã ghi vào {log}; tệp được tính là chưa kiểm tra được, các tệp khác vẫn được xử lý.",
        "A fault inside fourgood while reading this file (not a damaged file): {detail}. Details were written to "
        "{log}; the file counts as not checked and the other files were processed.",
    )),
    "skipped_lock_file": ProblemType(FILE, WARNING, Text(
        "Bỏ qua: tệp khóa tạm (~$ của Excel, .~lock.…# của LibreOffice), không phải phiếu.",
        "Skipped: a temporary lock file (Excel's ~$, LibreOffice's .~lock.…#), not a submission.",
    )),
    "skipped_system_file": ProblemType(FILE, WARNING, Text(
        "Bỏ qua: tệp hệ thống ({value}), không phải phiếu.",
        "Skipped: system file ({value}), not a submission.",
    )),
    "skipped_output_workbook": ProblemType(FILE, WARNING, Text(
        "Bỏ qua: đây là bảng tổng hợp mà chính lệnh này ghi ra (-o), không phải đầu vào.",
        "Skipped: the consolidated workbook this run writes (-o), not an input.",
    )),
    "skipped_output_pdf": ProblemType(FILE, WARNING, Text(
        "Bỏ qua: đây là bản PDF của bảng tổng hợp mà lệnh này ghi ra (-o), do --pdf in ra, không phải đầu vào.",
        "Skipped: the PDF of the consolidated workbook this run writes (-o), printed by --pdf, not an input.",
    )),
    "skipped_output_summary": ProblemType(FILE, WARNING, Text(
        "Bỏ qua: đây là tệp tóm tắt JSON mà chính lệnh này ghi ra (--summary-json), không phải đầu vào.",
        "Skipped: the JSON summary this run writes (--summary-json), not an input.",
    )),
    "skipped_history_store": ProblemType(FILE, WARNING, Text(
        "Bỏ qua: kho lịch sử tổng hợp của fourgood ({value}), không phải phiếu.",
        "Skipped: a fourgood history store ({value}), not a submission.",
    )),
    "consolidated_own": ProblemType(BATCH, WARNING, Text(
        "Bỏ qua: bảng tổng hợp này báo cáo đúng tổ chức đang được tổng hợp ({value}) cho cùng kỳ ({period}), "
        "nên không được tổng hợp vào chính nó; mỗi chi bộ chỉ được tính theo phiếu đã nộp.",
        "Skipped: this consolidated workbook reports on the organisation being consolidated ({value}) for the "
        "same period ({period}), so it is not rolled up into itself; each cell counts from its own form only.",
    )),
    "empty_file": ProblemType(FILE, ERROR, Text("Tệp rỗng (0 byte).", "The file is empty (0 bytes).")),
    "not_spreadsheet": ProblemType(NOT_A_FORM, ERROR, Text(
        "Tệp không phải bảng tính Excel hoặc ODS ({detail}).",
        "The file is not an Excel or ODS spreadsheet ({detail}).",
    )),
    "corrupt_file": ProblemType(FILE, ERROR, Text(
        "Tệp bị hỏng, không đọc được (chi tiết kỹ thuật: {detail}).",
        "The file is damaged and cannot be read ({detail}).",
    )),
    "password_protected": ProblemType(FILE, ERROR, Text(
        "Tệp được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại.",
        "The file is password-protected; remove the password and send it again.",
    )),
    "oversized_content": ProblemType(FILE, ERROR, Text(
        "Nội dung giải nén quá lớn ({value} MB, giới hạn {expected} MB); tệp bị từ chối.",
        "The unpacked content is too large ({value} MB, limit {expected} MB); file refused.",
    )),
    "xml_entities": ProblemType(FILE, ERROR, Text(
        "Tệp chứa khai báo DOCTYPE/ENTITY trong XML (có thể là tệp độc hại); tệp bị từ chối.",
        "The file declares XML DOCTYPE/ENTITY (possibly hostile); file refused.",
    )),
    "macros_present": ProblemType(FILE, WARNING, Text(
        "Tệp có chứa macro (VBA); macro không được chạy khi kiểm tra.",
        "The file contains macros (VBA); they are never run.",
    )),
    "not_our_template": ProblemType(FILE, ERROR, Text(
        "Bảng tính không phải phiếu chấm điểm “Chi bộ 4 tốt” theo mẫu của fourgood ({detail}).",
        "The spreadsheet is not a fourgood 'Chi bộ 4 tốt' scoring form ({detail}).",
    ), not_a_form_details=frozenset({"template_kind=control"}),
        note="the board's consolidation control workbook (detail template_kind=control) is not a form"),
    "roster_not_submission": ProblemType(NOT_A_FORM, ERROR, Text(
        "Đây là tệp danh sách chi bộ, không phải phiếu chấm điểm.",
        "This is a roster of cells, not a scoring form.",
    )),
    "spec_unknown": ProblemType(FILE, ERROR, Text(
        "Phiếu lập theo bảng tiêu chí không xác định (“{value}”, phiên bản {version}, vân tay {detail}).",
        "The form was made from an unknown criteria table ('{value}', version {version}, fingerprint {detail}).",
    )),
    "template_outdated": ProblemType(FILE, WARNING, Text(
        "Phiếu dùng mẫu phiên bản {value}; phiên bản hiện hành là {expected}. Phiếu vẫn được chấm theo bảng {value}.",
        "The form uses template version {value}; the current version is {expected}. The form is still scored by table {value}.",
    ), note="see “Criteria tables change during a year”"),
    "fingerprint_mismatch": ProblemType(FILE, ERROR, Text(
        "Vân tay bảng tiêu chí ({value}) khác bảng phiên bản {version} ({expected}): mẫu đã bị sửa.",
        "The criteria fingerprint ({value}) differs from that of table version {version} ({expected}): the template was altered.",
    )),
    "sheet_missing": ProblemType(FILE, ERROR, Text(
        "Thiếu trang “{sheet}” (trang đã bị xóa hoặc đổi tên).",
        "Sheet '{sheet}' is missing (deleted or renamed).",
    )),
    "name_missing": ProblemType(FILE, ERROR, Text(
        "Không tìm thấy vùng dữ liệu “{value}” của mẫu (đã bị xóa hoặc hỏng).",
        "The template's named range '{value}' is missing (deleted or damaged).",
    )),
    "name_broken": ProblemType(FILE, ERROR, Text(
        "Vùng “{value}” trỏ tới ô đã bị xóa (#REF!): có dòng hoặc trang đã bị xóa.",
        "Named range '{value}' points to deleted cells (#REF!): a row or sheet was deleted.",
    )),
    "located_by_content": ProblemType(FILE, WARNING, Text(
        "Định dạng {value} không lưu tên vùng đọc được; dữ liệu được tìm theo nội dung phiếu.",
        "The {value} format keeps no readable named ranges; data was located by the form's content.",
    )),
    "legacy_encoding": ProblemType(FORM, WARNING, Text(
        "Ô chứa chữ Việt bảng mã cũ (TCVN3/VNI): “{value}”. Hãy chuyển sang Unicode.",
        "The cell holds Vietnamese in a legacy encoding (TCVN3/VNI): '{value}'. Convert it to Unicode.",
    )),
    "multiple_forms": ProblemType(FILE, ERROR, Text(
        "Sổ tính chứa nhiều hơn một phiếu: ngoài trang “{sheet}” còn có {value}. Mỗi tệp chỉ nộp một phiếu "
        "(một chi bộ, một kỳ); hãy tách các trang thừa thành tệp riêng.",
        "The workbook holds more than one form: besides sheet '{sheet}' there is {value}. Submit one form per "
        "file (one cell, one period); move the extra sheets to files of their own.",
    )),
    # --- information sheet ----------------------------------------------------------
    "meta_required": ProblemType(FORM, ERROR, Text("Chưa nhập {field}.", "{field} is not filled in.")),
    "cell_code_invalid": ProblemType(FORM, ERROR, Text(
        "Mã chi bộ “{value}” không hợp lệ (chỉ dùng chữ, số, “-”, “_”, “.”, tối đa 40 ký tự).",
        "Cell code '{value}' is not valid (letters, digits, '-', '_', '.', at most 40 characters).",
    )),
    "cell_type_mismatch": ProblemType(FORM, ERROR, Text(
        "Loại chi bộ “{value}” khác loại của mẫu ({expected}).",
        "Cell type '{value}' differs from the template's type ({expected}).",
    )),
    "period_invalid": ProblemType(FORM, ERROR, Text(
        "Kỳ đánh giá “{value}” không hợp lệ (cần “Tháng 1” … “Tháng 12” hoặc “Cả năm”).",
        "Period '{value}' is not valid (expected 'Tháng 1' … 'Tháng 12' or 'Cả năm').",
    )),
    "year_invalid": ProblemType(FORM, ERROR, Text(
        "Năm “{value}” không hợp lệ (cần số từ {expected}).",
        "Year '{value}' is not valid (expected a number in {expected}).",
    )),
    "members_invalid": ProblemType(FORM, ERROR, Text(
        "Số đảng viên “{value}” không hợp lệ (cần số nguyên từ 1 trở lên).",
        "Member count '{value}' is not valid (expected a whole number of at least 1).",
    )),
    "attendance_invalid": ProblemType(FORM, ERROR, Text(
        "Tỷ lệ dự sinh hoạt “{value}” không hợp lệ (cần từ 0 đến 100%).",
        "Attendance '{value}' is not valid (expected 0 to 100%).",
    )),
    "meetings_invalid": ProblemType(FORM, ERROR, Text(
        "{field} “{value}” không hợp lệ cho kỳ này (cần số nguyên từ 0 đến {expected}).",
        "{field} '{value}' is not possible for this period (expected a whole number from 0 to {expected}).",
    )),
    "meetings_few": ProblemType(FORM, WARNING, Text(
        "Cả năm chỉ có {value} kỳ sinh hoạt thường kỳ (quy định {expected} kỳ).",
        "Only {value} regular meetings in the year ({expected} are required).",
    )),
    "veto_unanswered": ProblemType(FORM, WARNING, Text(
        "Chưa trả lời câu hỏi loại trừ {criterion}.",
        "Exclusion question {criterion} is not answered.",
    )),
    "veto_invalid": ProblemType(FORM, ERROR, Text(
        "Câu trả lời “{value}” cho câu hỏi loại trừ {criterion} không hợp lệ (chọn “Có” hoặc “Không”).",
        "Answer '{value}' to exclusion question {criterion} is not valid (choose 'Có' or 'Không').",
    )),
    "veto_triggered": ProblemType(FORM, WARNING, Text(
        "Chi bộ thuộc trường hợp loại trừ {criterion}: không xét đạt “Chi bộ 4 tốt” dù đủ điểm.",
        "The cell meets exclusion condition {criterion}: it cannot reach 'Chi bộ 4 tốt' whatever its score.",
    )),
    # --- scores ---------------------------------------------------------------------
    "criterion_missing": ProblemType(FORM, ERROR, Text(
        "Thiếu tiêu chí {criterion} (dòng tiêu chí đã bị xóa hoặc sửa mã).",
        "Criterion {criterion} is missing (its row was deleted or its id changed).",
    )),
    "criterion_extra": ProblemType(FORM, ERROR, Text(
        "Dòng có mã tiêu chí lạ “{criterion}”, không có trong bảng tiêu chí.",
        "A row carries the unknown criterion id '{criterion}'.",
    )),
    "criterion_duplicate": ProblemType(FORM, ERROR, Text(
        "Tiêu chí {criterion} xuất hiện nhiều lần.",
        "Criterion {criterion} appears more than once.",
    )),
    "score_blank": ProblemType(FORM, WARNING, Text(
        "Tiêu chí {criterion}: chưa chấm điểm ({column}).",
        "Criterion {criterion}: not yet scored ({column}).",
    ), note="the form is incomplete, not invalid"),
    "score_not_number": ProblemType(FORM, ERROR, Text(
        "Tiêu chí {criterion}: điểm “{value}” không phải là số ({column}).",
        "Criterion {criterion}: score '{value}' is not a number ({column}).",
    )),
    "score_formula": ProblemType(FORM, ERROR, Text(
        "Tiêu chí {criterion}: ô điểm chứa công thức, hãy nhập số ({column}).",
        "Criterion {criterion}: the score cell holds a formula; type a number ({column}).",
    )),
    "score_negative": ProblemType(FORM, ERROR, Text(
        "Tiêu chí {criterion}: điểm {value} âm ({column}).",
        "Criterion {criterion}: score {value} is negative ({column}).",
    )),
    "score_above_max": ProblemType(FORM, ERROR, Text(
        "Tiêu chí {criterion}: điểm {value} vượt điểm chuẩn {expected} ({column}).",
        "Criterion {criterion}: score {value} exceeds the maximum of {expected} ({column}).",
    )),
    "score_off_step": ProblemType(FORM, ERROR, Text(
        "Tiêu chí {criterion}: điểm {value} không theo bước {expected} điểm ({column}).",
        "Criterion {criterion}: score {value} is not a multiple of the {expected}-point step ({column}).",
    )),
    "score_decimal_comma": ProblemType(FORM, WARNING, Text(
        # any number typed as text, decimal comma or point
        "Tiêu chí {criterion}: điểm nhập dạng chữ “{value}”, đã hiểu là {expected} ({column}).",
        "Criterion {criterion}: score typed as text '{value}', read as {expected} ({column}).",
    )),
    "merged_input": ProblemType(FORM, ERROR, Text(
        "Ô nhập {cell} nằm trong vùng ô gộp {value}; hãy bỏ gộp ô.",
        "Input cell {cell} lies inside the merged range {value}; unmerge it.",
    )),
    "max_tampered": ProblemType(FORM, ERROR, Text(
        "Điểm chuẩn của tiêu chí {criterion} đã bị sửa thành {value}; đúng là {expected}.",
        "The maximum of criterion {criterion} was changed to {value}; it is {expected}.",
    )),
    "total_stale": ProblemType(FORM, WARNING, Text(
        "Tổng điểm lưu trong tệp ({value}) khác tổng tính lại ({expected}) ({column}): tệp được lưu bởi chương trình "
        "không tự tính lại công thức. fourgood dùng tổng tính lại; mở tệp bằng Excel và lưu lại để cập nhật.",
        "The total stored in the file ({value}) differs from the recomputed total ({expected}) ({column}): the file "
        "was saved by a program that does not recalculate. fourgood uses the recomputed total; open and save the "
        "file in Excel to update it.",
    )),
    "total_overwritten": ProblemType(FORM, ERROR, Text(
        "Ô tổng điểm ({column}) đã bị gõ đè bằng số {value} thay cho công thức; tổng đúng là {expected}.",
        "The total ({column}) was overwritten with the number {value} instead of its formula; the correct total "
        "is {expected}.",
    )),
    "upper_partial": ProblemType(FORM, ERROR, Text(
        "Cấp ủy cấp trên mới chấm {value}/{expected} tiêu chí; dùng điểm tự chấm làm điểm cuối cùng.",
        "The upper-level committee scored {value} of {expected} criteria; the self score is used as final.",
    )),
    # --- batch ----------------------------------------------------------------------
    "duplicate_submission": ProblemType(BATCH, WARNING, Text(
        "Chi bộ {value} kỳ {period} được nộp nhiều lần; dùng tệp “{expected}” ({reason}).",
        "Cell {value}, period {period}, was submitted more than once; '{expected}' counts ({reason}).",
    ), note="the message says which file counts and why: valid, complete, upper-scored, latest date, newest"),
    "duplicate_file": ProblemType(BATCH, WARNING, Text(
        "Tệp trùng hoàn toàn với “{value}”; chỉ tính một lần.",
        "The file is byte-identical to '{value}'; it counts once.",
    )),
    "roster_duplicate_code": ProblemType(INPUT, ERROR, Text(
        "Mã chi bộ {criterion} xuất hiện nhiều lần trong danh sách chi bộ.",
        "Cell code {criterion} appears more than once in the roster.",
    )),
    "rollup_conflict": ProblemType(BATCH, WARNING, Text(
        "Chi bộ {value} kỳ {period} có kết quả khác nhau giữa các nguồn: {detail}. Cần xác minh.",
        "Cell {value}, period {period}, has conflicting results across sources: {detail}. Needs checking.",
    )),
    "outside_period": ProblemType(BATCH, WARNING, Text(
        "Phiếu thuộc kỳ {value}, ngoài kỳ đang tổng hợp ({expected}).",
        "The form is for period {value}, outside the period consolidated ({expected}).",
    )),
    # --- one-click check (Excel add-in) ----------------------------------------------
    "addin_not_form": ProblemType(NOT_A_FORM, ERROR, Text(
        "Sổ tính đang mở không phải phiếu chấm điểm hay bảng tổng hợp của fourgood ({detail}).",
        "The open workbook is not a fourgood scoring form or consolidation workbook ({detail}).",
    )),
    "consolidation_no_source": ProblemType(INPUT, ERROR, Text(
        "Chưa có thư mục chứa phiếu nộp: nhập đường dẫn vào ô {cell} của trang “{sheet}”.",
        "No folder of submissions: enter its path in cell {cell} of sheet '{sheet}'.",
    )),
    "consolidation_source_missing": ProblemType(INPUT, ERROR, Text(
        "Không tìm thấy thư mục hoặc tệp “{value}”.",
        "The folder or file '{value}' does not exist.",
    )),
    # --- command line: nothing to do (exit 2) ------------------------------------------
    "no_files": ProblemType(INPUT, ERROR, Text("Không tìm thấy tệp nào trong {value}.", "No files found in {value}.")),
    "no_files_only_skipped": ProblemType(INPUT, ERROR, Text(
        "Không tìm thấy tệp nào để kiểm tra trong {value}: chỉ có {skipped} tệp bỏ qua (tệp khóa tạm của Excel, "
        "tệp hệ thống, tệp do chính lệnh này ghi ra).",
        "No files to check in {value}: only {skipped} skipped files (Excel lock files, system files, files this "
        "run writes).",
    )),
    "period_not_found": ProblemType(INPUT, ERROR, Text(
        "Không có phiếu nào thuộc kỳ {value}; các kỳ có trong các phiếu đã nộp: {expected}.",
        "No submitted form is for period {value}; periods found in the forms: {expected}.",
    )),
    "signer_unknown": ProblemType(INPUT, ERROR, Text(
        "Người ký “{value}” không có trong các cách ký của văn bản đảng; chọn một trong: {expected} (có thể thêm "
        "chức vụ sau dấu |, ví dụ “T/M BAN THƯỜNG VỤ|PHÓ BÍ THƯ”).",
        "Signer '{value}' is not one of the ways a party document is signed; choose one of: {expected} (an office "
        "line may follow a |, for example 'T/M BAN THƯỜNG VỤ|PHÓ BÍ THƯ').",
    )),
    "dask_missing": ProblemType(INPUT, ERROR, Text(
        "--scheduler cần Dask: cài bằng lệnh pip install fourgood[dask] (hoặc bỏ --scheduler để đọc bằng các "
        "tiến trình trên máy này).",
        "--scheduler needs Dask: install it with pip install \"fourgood[dask]\" (or drop --scheduler to read with "
        "processes on this machine).",
    )),
    "scheduler_unreachable": ProblemType(INPUT, ERROR, Text(
        "Không kết nối được bộ điều phối Dask tại {value}: {reason}. Kiểm tra địa chỉ (ví dụ tcp://10.0.0.5:8786) "
        "và bộ điều phối đang chạy.",
        "Cannot connect to the Dask scheduler at {value}: {reason}. Check the address (for example "
        "tcp://10.0.0.5:8786) and that the scheduler is running.",
    )),
    "period_option_invalid": ProblemType(INPUT, ERROR, Text(
        "Kỳ tổng hợp (--period) “{value}” không hợp lệ; cần một trong các dạng: 2026 (một năm), 2026-11, "
        "11/2026 hoặc T11/2026 (một tháng).",
        "The period to consolidate (--period) '{value}' is not valid; use one of: 2026 (a year), 2026-11, "
        "11/2026 or T11/2026 (a month).",
    )),
    "output_is_folder": ProblemType(INPUT, ERROR, Text(
        "Không ghi được {detail} vào đây: đường dẫn này là một thư mục; cần tên một tệp.",
        "Cannot write {detail} here: this path is a folder; a file name is expected.",
    )),
    "output_file_read_only": ProblemType(INPUT, ERROR, Text(
        "Không ghi được {detail}: tệp này chỉ cho đọc. Bỏ thuộc tính chỉ đọc hoặc chọn tên tệp khác.",
        "Cannot write {detail}: the file is read-only. Clear its read-only attribute or choose another file name.",
    )),
    "output_folder_read_only": ProblemType(INPUT, ERROR, Text(
        "Không ghi được {detail}: không có quyền ghi vào thư mục “{folder}”. Chọn thư mục khác hoặc cấp quyền ghi.",
        "Cannot write {detail}: the folder '{folder}' cannot be written to. Choose another folder or grant write "
        "access.",
    )),
    # --- the roster (--roster): what the file is, and that a roster is expected ------------
    "roster_is_folder": ProblemType(INPUT, ERROR, Text(
        "Đây là một thư mục, không phải tệp danh sách chi bộ: cần một tệp danh sách chi bộ (.xlsx, theo mẫu "
        "danh-sach-chi-bo.xlsx).",
        "This is a folder, not a roster: a roster file is expected (.xlsx, made from the danh-sach-chi-bo.xlsx "
        "template).",
    )),
    "roster_is_other_kind": ProblemType(INPUT, ERROR, Text(
        "Đây là {detail}, không phải danh sách chi bộ: cần tệp danh sách chi bộ (theo mẫu danh-sach-chi-bo.xlsx).",
        "This is {detail}, not a roster: a roster file is expected (made from the danh-sach-chi-bo.xlsx template).",
    )),
    "roster_not_spreadsheet": ProblemType(INPUT, ERROR, Text(
        "Tệp này không phải bảng tính ({detail}) nên không phải danh sách chi bộ: cần tệp danh sách chi bộ (.xlsx, "
        "theo mẫu danh-sach-chi-bo.xlsx).",
        "This file is not a spreadsheet ({detail}), so not a roster: a roster file is expected (.xlsx, made from "
        "the danh-sach-chi-bo.xlsx template).",
    )),
    "roster_unrecognised": ProblemType(INPUT, ERROR, Text(
        "Bảng tính này không phải danh sách chi bộ theo mẫu (không thấy cột “Mã chi bộ” và “Mã tổ chức trực "
        "thuộc”): cần tệp danh sách chi bộ theo mẫu danh-sach-chi-bo.xlsx.",
        "This spreadsheet is not a roster made from the template (no 'Mã chi bộ' and 'Mã tổ chức trực thuộc' "
        "columns): a roster made from danh-sach-chi-bo.xlsx is expected.",
    )),
    # --- the roster's party structure ------------------------------------------------
    "roster_parent_unknown": ProblemType(INPUT, ERROR, Text(
        "Mã tổ chức cấp trên “{value}” của {criterion} không có trong trang tổ chức đảng của danh sách.",
        "The parent organisation code “{value}” of {criterion} is not on the roster's organisations sheet.",
    )),
    "roster_org_duplicate": ProblemType(INPUT, ERROR, Text(
        "Mã tổ chức {value} xuất hiện nhiều lần trong trang tổ chức đảng.",
        "Organisation code {value} appears more than once on the organisations sheet.",
    )),
    "roster_org_kind": ProblemType(INPUT, ERROR, Text(
        "Cấp tổ chức “{value}” không xác định; dùng: Tỉnh, Cấp trên cơ sở, Cơ sở, Bộ phận.",
        "Unknown organisation level “{value}”; use: Province, Upper level, Grassroots, Departmental.",
    )),
    "roster_org_cycle": ProblemType(INPUT, ERROR, Text(
        "Các tổ chức trong danh sách tạo thành vòng lặp cấp trên: {value}.",
        "The roster's organisations form a loop of parents: {value}.",
    )),
    "roster_former_code_in_use": ProblemType(INPUT, ERROR, Text(
        "Mã cũ {value} của chi bộ {criterion} đang là mã của một chi bộ trong danh sách; "
        "phiếu theo mã này không biết tính cho chi bộ nào.",
        "Former code {value} of cell {criterion} is the code of a cell on the roster; "
        "a form under it could count for either.",
    )),
    "roster_former_code_twice": ProblemType(INPUT, ERROR, Text(
        "Mã cũ {value} được ghi cho nhiều chi bộ ({expected}); phiếu theo mã này không biết tính cho chi bộ nào.",
        "Former code {value} is given for several cells ({expected}); a form under it could count for any.",
    )),
    "cell_former_code": ProblemType(BATCH, WARNING, Text(
        "Phiếu ghi mã chi bộ cũ {value}; được tính cho chi bộ {expected} (theo cột “Mã cũ” của danh sách chi bộ).",
        "The form gives the former cell code {value}; it counts for cell {expected} (the roster's “Former codes”).",
    )),
    "cell_not_in_roster": ProblemType(BATCH, WARNING, Text(
        "Mã chi bộ {value} không có trong danh sách chi bộ{expected_note}.",
        "Cell code {value} is not on the roster{expected_note}.",
    )),
    # --- the server's answers (`fourgood serve`: every answer is JSON with its code) ----------
    "http_too_large": ProblemType(SERVER, ERROR, Text(
        "Tệp quá lớn: giới hạn {expected} MB mỗi tệp.",
        "The file is too large: the limit is {expected} MB a file.",
    )),
    "http_body_too_large": ProblemType(SERVER, ERROR, Text(
        "Dữ liệu gửi lên quá lớn: giới hạn {expected} KB cho yêu cầu này.",
        "The request body is too large: the limit is {expected} KB for this request.",
    )),
    "http_body_timeout": ProblemType(SERVER, ERROR, Text(
        "Dữ liệu gửi lên bị ngừng giữa chừng (quá {expected} giây không nhận thêm); hãy gửi lại.",
        "The upload stopped part-way (nothing arrived for {expected} seconds); send it again.",
    )),
    "http_no_file": ProblemType(SERVER, ERROR, Text(
        "Chưa có tệp: hãy gửi tệp phiếu trong trường “file” (multipart/form-data).",
        "No file: send the form in the field 'file' (multipart/form-data).",
    )),
    "http_bad_request": ProblemType(SERVER, ERROR, Text(
        "Yêu cầu không đúng dạng ở “{value}”: hãy gửi tệp phiếu trong trường “file” (multipart/form-data).",
        "Malformed request at '{value}': send the form in the field 'file' (multipart/form-data).",
    )),
    "http_empty": ProblemType(SERVER, ERROR, Text(
        "Tệp rỗng.",
        "The file is empty.",
    )),
    "http_no_token": ProblemType(SERVER, ERROR, Text(
        "Cần mã truy cập do Ban Tổ chức cấp (Authorization: Bearer …).",
        "An access token issued by the board is required (Authorization: Bearer …).",
    )),
    "http_bad_token": ProblemType(SERVER, ERROR, Text(
        "Mã truy cập không đúng hoặc đã bị thu hồi.",
        "The access token is wrong or has been revoked.",
    )),
    "http_bad_token_rate": ProblemType(SERVER, ERROR, Text(
        "Quá nhiều mã truy cập sai từ địa chỉ này: vui lòng thử lại sau {value} giây.",
        "Too many wrong access tokens from this address: try again in {value} seconds.",
    )),
    "http_rate": ProblemType(SERVER, ERROR, Text(
        "Gửi quá nhiều lần: tối đa {expected} lần mỗi phút. Vui lòng thử lại sau {value} giây.",
        "Too many requests: at most {expected} a minute. Try again in {value} seconds.",
    )),
    "http_busy": ProblemType(SERVER, ERROR, Text(
        "Máy chủ đang kiểm tra nhiều phiếu cùng lúc: vui lòng thử lại sau {value} giây.",
        "The server is checking many forms at once: try again in {value} seconds.",
    )),
    "http_check_limit": ProblemType(SERVER, ERROR, Text(
        "Việc kiểm tra tệp này vượt giới hạn của máy chủ ({expected} giây CPU); tệp bị từ chối.",
        "Checking this file went over the server's limit ({expected} CPU seconds); file refused.",
    )),
    "http_board_only": ProblemType(SERVER, ERROR, Text(
        "Chỉ cán bộ Ban Tổ chức (mã truy cập vai trò “board”) mới được xem, tải hoặc tổng hợp hộp thư.",
        "Only the board (a token with the role 'board') may list, download or consolidate the inbox.",
    )),
    "http_invalid": ProblemType(SERVER, ERROR, Text(
        "Phiếu còn lỗi nên chưa được nhận: hãy sửa các lỗi dưới đây rồi nộp lại.",
        "The form has errors and was not accepted: fix the problems below and submit it again.",
    )),
    "http_not_form": ProblemType(SERVER, ERROR, Text(
        "Chỉ nhận phiếu chấm điểm của một chi bộ (tệp này là {detail}).",
        "Only a cell's scoring form is accepted (this file is {detail}).",
    )),
    "http_not_found": ProblemType(SERVER, ERROR, Text(
        "Không có tệp này trong hộp thư.",
        "There is no such file in the inbox.",
    )),
    "http_no_page": ProblemType(SERVER, ERROR, Text(
        "Không có địa chỉ này trên máy chủ.",
        "There is no such address on this server.",
    )),
    "http_method": ProblemType(SERVER, ERROR, Text(
        "Địa chỉ này không nhận phương thức {value}.",
        "This address does not accept the method {value}.",
    )),
    "http_error": ProblemType(SERVER, ERROR, Text(
        "Lỗi không mong muốn trên máy chủ; yêu cầu chưa được thực hiện. Vui lòng thử lại sau hoặc báo Ban Tổ chức.",
        "An unexpected error on the server; the request was not carried out. Try again later or tell the board.",
    )),
    "http_store_failed": ProblemType(SERVER, ERROR, Text(
        "Máy chủ không lưu được phiếu (lỗi ghi đĩa); phiếu chưa được nhận, vui lòng nộp lại sau.",
        "The server could not store the form (a disk error); it was not accepted, submit it again later.",
    )),
    "http_no_cell_code": ProblemType(SERVER, ERROR, Text(
        "Phiếu không có mã chi bộ nên không xác định được chi bộ nộp phiếu.",
        "The form has no cell code, so the cell submitting it is unknown.",
    )),
    "http_cell_not_in_roster": ProblemType(SERVER, ERROR, Text(
        "Mã chi bộ {value} không có trong danh sách chi bộ của Ban Tổ chức.",
        "Cell code {value} is not on the board's roster.",
    )),
    "http_no_roster": ProblemType(SERVER, ERROR, Text(
        "Máy chủ chạy không có danh sách chi bộ (--roster) nên chỉ nhận phiếu nộp bằng mã truy cập của Ban Tổ chức.",
        "The server runs without a roster (--roster), so only the board's tokens may submit forms.",
    )),
    "http_not_under_unit": ProblemType(SERVER, ERROR, Text(
        "Chi bộ {value} không trực thuộc đơn vị {expected}: mã truy cập của đơn vị {expected} chỉ được nộp phiếu "
        "của các chi bộ trực thuộc đơn vị mình.",
        "Cell {value} is not under the unit {expected}: the unit's token may submit only the forms of its own cells.",
    )),
    "http_upper_by_cell": ProblemType(SERVER, ERROR, Text(
        "Cột “Cấp ủy cấp trên chấm” chỉ do cấp ủy cấp trên chấm: mã truy cập của chính chi bộ {value} không được nộp "
        "phiếu đã điền cột này. Hãy xóa cột đó rồi nộp lại, hoặc để cấp ủy cấp trên nộp.",
        "The column 'Upper committee's score' is for the committee above: the token of cell {value} itself may not "
        "submit a form with that column filled. Clear it and submit again, or let the committee above submit it.",
    )),
    "http_script_source": ProblemType(SERVER, ERROR, Text(
        "Trên máy chủ chỉ tổng hợp được hộp thư phiếu nộp hoặc một thư mục trong đó, với danh sách chi bộ của máy chủ.",
        "On the server only the inbox (or a folder inside it) can be consolidated, with the server's roster.",
    )),
}

SENTENCES: dict[str, Text] = {
    "verdict_meets": Text(
        "Đạt “Chi bộ 4 tốt”: {value} điểm",
        "Meets 'Chi bộ 4 tốt': {value} points",
    ),
    "verdict_below": Text(
        "Chưa đạt: {value} điểm, dưới {expected} điểm",
        "Not met: {value} points, under {expected}",
    ),
    "verdict_veto": Text(
        "Không đạt: thuộc trường hợp loại trừ ({value} điểm)",
        "Not met: an exclusion condition applies ({value} points)",
    ),
    "verdict_incomplete": Text(
        "Chưa chấm đủ: còn {value} tiêu chí chưa chấm",
        "Not fully scored: {value} criteria still blank",
    ),
    "verdict_incomplete_veto": Text(
        "Chưa chấm đủ: còn câu hỏi loại trừ chưa trả lời",
        "Not fully scored: an exclusion question is unanswered",
    ),
    "verdict_errors": Text(
        "Còn {value} lỗi cần sửa",
        "{value} errors to fix",
    ),
    "verdict_valid": Text(
        "Phiếu hợp lệ, không có lỗi",
        "The form is valid: no errors",
    ),
    "addin_failed": Text(
        "Không thực hiện được (chi tiết kỹ thuật: {detail}). Nhật ký đầy đủ đã ghi vào {value}.",
        "Could not finish: {detail}. Technical details were written to {value}.",
    ),
    "consolidation_done": Text(
        "Đã tổng hợp {value} tệp: {cells} chi bộ, {meets} đạt, {below} dưới ngưỡng đạt{threshold}, {rejected} tệp bị từ chối.",
        "Consolidated {value} files: {cells} cells, {meets} meeting the standard, {below} under the threshold{threshold}, "
        "{rejected} files rejected.",
    ),
}


# Quotation rule: Vietnamese texts quote terms, values, sheet and file names with “…” only; a
# straight quote appears only inside an Excel address ('Chấm điểm'!D9, `Problem.location`),
# which is Excel's syntax, never in a catalogue text. Technical details quoted from other
# software (a library's exception text) are not translated: they follow "chi tiết kỹ thuật:".
QUOTES_VI = ("“", "”")

# What fourgood's own `{detail}` values say, in Vietnamese (validators word them in English).
KIND_VI = {"roster": "danh sách chi bộ", "control": "bảng điều khiển tổng hợp của ban tổ chức",
           "consolidated": "bảng tổng hợp", "cell": "phiếu chấm điểm", "?": "không rõ loại"}
OUTPUT_ROLES = {"-o": Text("bảng tổng hợp (-o)", "the consolidated workbook (-o)"),
                "--summary-json": Text("tệp tóm tắt (--summary-json)", "the summary (--summary-json)"),
                "--pdf": Text("bản PDF (--pdf)", "the PDF (--pdf)")}
KIND_AS_ROSTER = {"cell": Text("một phiếu chấm điểm", "a scoring form"),
                  "consolidated": Text("một bảng tổng hợp", "a consolidated workbook"),
                  "control": Text("bảng điều khiển tổng hợp của ban tổ chức",
                                  "the board's consolidation control workbook")}
NOT_SPREADSHEET_EN = {"văn bản/text": "text"}  # the reader's one bilingual detail
NOT_SPREADSHEET_VI = {"văn bản/text": "văn bản", "CSV/text": "văn bản CSV", "zip": "tệp nén zip"}
# Parameters stored as keys and worded in the language asked for: why one duplicate submission
# counts (validators.duplicates ranks by these keys, in this order).
RANK_REASONS = {
    "valid": Text("tệp hợp lệ", "the valid file"),
    "complete": Text("tệp chấm đủ", "the fully scored file"),
    "upper": Text("tệp có điểm cấp trên", "the file with the upper-level score"),
    "date": Text("ngày đánh giá mới nhất", "the latest evaluation date"),
    "mtime": Text("tệp sửa gần nhất", "the most recently modified file"),
    "order": Text("tệp đứng trước theo tên", "the first file by name"),
}
PARAM_WORDS: dict[str, dict[str, Text]] = {"reason": RANK_REASONS}


def param_text(name: str, value: Any, lang: str) -> Any:
    """A parameter stored as a key (PARAM_WORDS) in words; any other value as it is."""
    words = PARAM_WORDS.get(name)
    return words[value].of(lang) if words and isinstance(value, str) and value in words else value


def detail_text(code: str, detail: Any, lang: str) -> Any:
    """fourgood's own technical details in the language asked for: the sheets found, the kind
    of a fourgood workbook, what a non-spreadsheet file is."""
    if code.startswith("output_") and detail in OUTPUT_ROLES:  # which output cannot be written
        return OUTPUT_ROLES[detail].of(lang)
    if code == "roster_is_other_kind" and isinstance(detail, str):  # what a file given as the roster is
        kind = detail.removeprefix("template_kind=")
        other = Text(f"loại mẫu {QUOTES_VI[0]}{kind}{QUOTES_VI[1]}", f"a '{kind}' workbook")
        return KIND_AS_ROSTER.get(kind, other).of(lang)
    if lang == "en" and code in ("not_spreadsheet", "roster_not_spreadsheet") and isinstance(detail, str):
        return NOT_SPREADSHEET_EN.get(detail, detail)
    if lang == "en" or not isinstance(detail, str):
        return detail
    if detail.startswith("sheets: "):
        return "các trang: " + detail[len("sheets: "):]
    if detail.startswith("template_kind="):
        kind = detail[len("template_kind="):]
        return KIND_VI.get(kind, f"loại mẫu {QUOTES_VI[0]}{kind}{QUOTES_VI[1]}")
    if code in ("not_spreadsheet", "roster_not_spreadsheet"):
        return NOT_SPREADSHEET_VI.get(detail, detail)
    return detail


def quoted_vi(text: Any) -> Any:
    """A list fourgood quoted with straight quotes ('Bảng điểm', 'Sheet2') in Vietnamese quotes."""
    if not isinstance(text, str):
        return text
    import re

    return re.sub(r"'([^']*)'", QUOTES_VI[0] + r"\1" + QUOTES_VI[1], text)


# Every text by its code: the problems' and the other sentences'.
TEXTS: dict[str, Text] = {**{code: t.text for code, t in PROBLEMS.items()}, **SENTENCES}
UNKNOWN = Text("{code}", "{code}")  # a code no one registered shows itself rather than crash


def render(code: str, lang: str, context: dict[str, Any]) -> str:
    """Fill the text of `code`; unknown placeholders stay visible rather than crash."""
    return TEXTS.get(code, UNKNOWN).of(lang).format_map(_Lenient(context, code=code))


class _Lenient(dict):
    def __init__(self, data: dict[str, Any], **extra: Any):
        super().__init__(data, **extra)

    def __missing__(self, key: str) -> str:
        return ""
