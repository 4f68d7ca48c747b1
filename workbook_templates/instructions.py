"""The instructions sheet: how to fill the form, in the staff's words."""

from __future__ import annotations

from fourgood.contract import SHEETS, status_text
from fourgood.spec import Spec


def instructions_text(spec: Spec, lang: str) -> list[tuple[str, str]]:
    s = SHEETS[lang]
    thr = f"{spec.threshold:g}"
    step = f"{spec.step:g}"
    invalid, unanswered = (status_text(k, lang, spec.threshold) for k in ("invalid_score", "veto_unanswered"))
    if lang == "en":
        return [
            (f"HOW TO FILL THE “CHI BỘ 4 TỐT” FORM — {spec.name_en.upper()}", "title"),
            (f"Criteria table version {spec.version}, fingerprint {spec.fingerprint}.", "note"),
            (f"1. On sheet '{s.info}', fill every yellow cell; fields marked (*) are required. "
             "The cell code is given by the organisation board.", "text"),
            ("2. Pick the period from the list (a month or the whole year) and type the year.", "text"),
            ("3. Answer every exclusion question Yes or No. A 'Yes' means the cell cannot be rated "
             "“Chi bộ 4 tốt” whatever its score.", "text"),
            (f"4. On sheet '{s.scoring}', type the self score of every criterion in column 'Self score': "
             f"a number from 0 to the criterion's maximum, in steps of {step}. Use the decimal separator "
             "of your computer (a comma on Vietnamese Windows).", "text"),
            ("5. The upper-level committee types its own scores in column 'Upper-level score'.", "text"),
            (f"6. Subtotals, totals and the verdict compute themselves: {thr} points or more meets the "
             "standard; below is flagged in red; blank scores are highlighted.", "text"),
            (f"7. If the result reads '{invalid}', correct the scores shown in red (text, a negative "
             f"number, above the maximum or off the step); if it reads '{unanswered}', "
             f"answer every exclusion question on sheet '{s.info}'.", "text"),
            ("8. Do not rename sheets, delete rows or overwrite formulas: the sheets are protected "
             "(no password) so that the board's tools can read the form.", "text"),
            ("9. Save as .xlsx and send the file to the organisation board.", "text"),
        ]
    return [
        (f"HƯỚNG DẪN ĐIỀN PHIẾU “CHI BỘ 4 TỐT” — {spec.name_vi.upper()}", "title"),
        (f"Bảng tiêu chí phiên bản {spec.version}, vân tay {spec.fingerprint}.", "note"),
        (f"1. Tại trang “{s.info}”, điền đầy đủ các ô nền vàng; các mục có dấu (*) là bắt buộc. "
         "Mã chi bộ do Ban Tổ chức cấp ủy cấp trên cấp.", "text"),
        ("2. Chọn kỳ đánh giá trong danh sách (tháng hoặc cả năm) và nhập năm.", "text"),
        ("3. Trả lời Có hoặc Không cho từng điều kiện loại trừ. Trả lời “Có” nghĩa là chi bộ không được "
         "xét đạt “Chi bộ 4 tốt” dù đủ điểm.", "text"),
        (f"4. Tại trang “{s.scoring}”, nhập điểm tự chấm của từng tiêu chí vào cột “Chi bộ tự chấm”: "
         f"số từ 0 đến điểm chuẩn của tiêu chí, theo bước {step.replace('.', ',')} điểm. Dùng dấu thập phân "
         "của máy tính (Windows tiếng Việt dùng dấu phẩy, ví dụ 9,5).", "text"),
        ("5. Cấp ủy cấp trên nhập điểm chấm của mình vào cột “Cấp ủy cấp trên chấm”.", "text"),
        (f"6. Điểm từng nội dung, tổng điểm và kết quả được tính tự động: đạt từ {thr} điểm trở lên; "
         f"dưới {thr} điểm tô đỏ; ô chưa chấm được tô vàng.", "text"),
        (f"7. Nếu ô kết quả báo “{invalid}”, sửa các ô điểm tô đỏ (chữ, số âm, vượt điểm chuẩn "
         f"hoặc không đúng bước điểm); nếu báo “{unanswered}”, trả lời đủ các câu hỏi loại "
         f"trừ tại trang “{s.info}”.", "text"),
        ("8. Không đổi tên trang, không xóa dòng, không ghi đè công thức: các trang được khóa (không đặt "
         "mật khẩu) để phần mềm của Ban Tổ chức đọc được phiếu.", "text"),
        ("9. Lưu tệp dạng .xlsx và gửi Ban Tổ chức cấp ủy cấp trên.", "text"),
    ]
