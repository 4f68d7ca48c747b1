"""Generate the corpus of bad (and tricky but good) submissions with their expected verdicts.

Run directly to write it to a folder:  python -m tests.corpus OUT_DIR
Every file is made from the real templates by the same edits staff or their software make;
nothing is hand-made binary.
"""

from __future__ import annotations

import io
import itertools
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from fourgood.contract import META_SHEET, SHEETS, TABLE_NAMES, TOTAL_NAMES, info_name
from fourgood.fill import Submission, criterion_cells, fill, name_target, open_template
from fourgood.spec import Spec, load_specs
from fourgood.workbook_templates.writer import ROSTER_FILE, template_filename, write_templates

from .helpers import INFO, no_vetoes, scores_totalling


@dataclass
class Case:
    name: str
    codes: set[str]  # problem codes that must be reported
    valid: bool
    needs_soffice: bool = False


SCORING = SHEETS["vi"].scoring


_CODES = itertools.count(1)


def _filled(template: Path, spec: Spec, **info) -> Workbook:
    info.setdefault("cell_code", f"KCQ-{next(_CODES):03d}")
    sub = Submission(info={**INFO, **info}, self_scores=scores_totalling(spec, 97), vetoes=no_vetoes(spec))
    return fill(open_template(template), sub)


def _save(wb: Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def _cell(wb: Workbook, criterion: str, column: str = "self") -> tuple[str, str]:
    sheet, coord = name_target(wb, TABLE_NAMES[column])
    col = "".join(ch for ch in coord.split(":")[0] if ch.isalpha())
    return sheet, f"{col}{criterion_cells(wb)[criterion]}"


def _set_score(wb: Workbook, criterion: str, value, column: str = "self") -> Workbook:
    sheet, cell = _cell(wb, criterion, column)
    wb[sheet][cell] = value
    return wb


def _set_info(wb: Workbook, key: str, value) -> Workbook:
    sheet, cell = name_target(wb, info_name(key))
    wb[sheet][cell] = value
    return wb


def _set_meta(wb: Workbook, key: str, value) -> Workbook:
    for row in wb[META_SHEET].iter_rows():
        if row[0].value == key:
            row[1].value = value
    return wb


def _shift_names(wb: Workbook, sheet: str, at_row: int, by: int) -> None:
    """What Excel does to defined names when rows are inserted (by > 0) or deleted (by < 0)."""
    import re

    def move(m):
        row = int(m.group(2))
        return f"${m.group(1)}${row + by if row >= at_row else row}"

    for name in list(wb.defined_names):
        dn = wb.defined_names[name]
        if dn.attr_text.startswith(f"'{sheet}'!"):
            dn.attr_text = re.sub(r"\$([A-Z]+)\$(\d+)", move, dn.attr_text)


def _delete_criterion_row(wb: Workbook, criterion: str) -> Workbook:
    ws = wb[SCORING]
    row = criterion_cells(wb)[criterion]
    ws.delete_rows(row)
    _shift_names(wb, SCORING, row + 1, -1)
    return wb


def insert_rows_above_table(wb: Workbook, count: int = 3) -> Workbook:
    """Rows inserted above the table, as Excel does it: merges and names move along."""
    ws = wb[SCORING]
    merges = [str(m) for m in ws.merged_cells.ranges]
    for m in merges:
        ws.unmerge_cells(m)
    ws.insert_rows(6, count)
    for m in merges:
        from openpyxl.worksheet.cell_range import CellRange

        rng = CellRange(m)
        if rng.min_row >= 6:
            rng.shift(row_shift=count)
        ws.merge_cells(rng.coord)
    _shift_names(wb, SCORING, 6, count)
    return wb


def _rewrite_zip(src: Path, dst: Path, edit: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dst


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                  + b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')


def zip_bomb(path: Path, size: int = 1100 * 1024 * 1024) -> Path:
    """A workbook whose sheet part inflates past 1 GB (written in chunks, never held in memory)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        chunk = b"<row/>" * (1024 * 1024 // 6)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            written = 0
            while written < size:
                fh.write(chunk)
                written += len(chunk)
    return path


def build_corpus(out: Path, template_dir: Path | None = None, soffice: bool = True) -> list[tuple[Path, Case]]:
    out.mkdir(parents=True, exist_ok=True)
    specs = load_specs()
    if template_dir is None:
        template_dir = Path(tempfile.mkdtemp(prefix="fg-mau-"))
        write_templates(template_dir, specs)
    spec, tpl = specs["agency"], template_dir / template_filename("agency")
    ent_spec, ent_tpl = specs["enterprise"], template_dir / template_filename("enterprise")
    files: list[tuple[Path, Case]] = []

    def add(name: str, codes: set[str], valid: bool, make: Callable[[Path], object], needs_soffice=False):
        if needs_soffice and not soffice:
            return
        path = out / name
        make(path)
        files.append((path, Case(name, codes, valid, needs_soffice)))

    good = lambda: _filled(tpl, spec)  # noqa: E731
    # --- not spreadsheets, damaged, protected ---------------------------------------
    add("bao-cao.xlsx", {"not_spreadsheet"}, False, lambda p: p.write_bytes(b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n"))
    add("ghi-chu.xlsx", {"not_spreadsheet"}, False, lambda p: p.write_text("Chi bộ Khu 3: 96 điểm\n", "utf-8"))
    add("rong.xlsx", {"empty_file"}, False, lambda p: p.write_bytes(b""))
    add("cat-cut.xlsx", {"corrupt_file"}, False,
        lambda p: p.write_bytes(_save(good(), out / "_tmp.xlsx").read_bytes()[:6000]))
    add("zip-hong.xlsx", {"corrupt_file"}, False, lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00\xff" * 500))
    add("word.xlsx", {"not_spreadsheet"}, False, lambda p: _rewrite_zip(_save(good(), out / "_tmp.xlsx"), p,
        lambda n, d: None if n.startswith("xl/") else d, {"word/document.xml": b"<w:document/>"}))

    def encrypted(p: Path):
        from msoffcrypto.format.ooxml import OOXMLFile

        plain = io.BytesIO(_save(good(), out / "_tmp.xlsx").read_bytes())
        office = OOXMLFile(plain)
        with p.open("wb") as fh:
            office.encrypt("matkhau", fh)
    add("co-mat-khau.xlsx", {"password_protected"}, False, encrypted)

    # --- not our form, wrong form, old form ------------------------------------------
    def foreign(p: Path):
        wb = Workbook()
        wb.active.append(["STT", "Họ tên", "Điểm"])
        wb.active.append([1, "Nguyễn Văn A", 9.5])
        wb.save(p)
    add("bang-tinh-khac.xlsx", {"not_our_template"}, False, foreign)
    add("danh-sach.xlsx", {"roster_not_submission"}, False, lambda p: shutil.copy(template_dir / ROSTER_FILE, p))
    add("sai-loai.xlsx", {"cell_type_mismatch"}, False,
        lambda p: _save(_set_info(_filled(ent_tpl, ent_spec), "cell_type", "Chi bộ cơ quan"), p))
    # An old version no table of ours is known at (a known earlier version validates: tests/test_spec_versions.py).
    add("mau-cu.xlsx", {"spec_unknown"}, False,
        lambda p: _save(_set_meta(_set_meta(good(), "spec_version", "2024.1"), "fingerprint", "sha256:0000000000000000"), p))
    add("mau-bi-sua.xlsx", {"fingerprint_mismatch"}, False,
        lambda p: _save(_set_meta(good(), "fingerprint", "sha256:1111111111111111"), p))
    add("mau-tinh-khac.xlsx", {"spec_unknown"}, False,
        lambda p: _save(_set_meta(_set_meta(_set_meta(good(), "spec_id", "tinh-khac"), "cell_type", "khac"),
                                  "fingerprint", "sha256:2222222222222222"), p))

    # --- structure edited -------------------------------------------------------------
    def renamed_unfollowed(p: Path):
        wb = good()
        wb[SCORING].title = "Bang diem"  # names still point to the old title
        wb.save(p)
    add("doi-ten-trang.xlsx", {"sheet_missing"}, False, renamed_unfollowed)

    def deleted_sheet(p: Path):
        wb = good()
        del wb[SCORING]
        for name in list(wb.defined_names):
            if SCORING in wb.defined_names[name].attr_text:
                wb.defined_names[name].attr_text = "#REF!"
        wb.save(p)
    add("xoa-trang.xlsx", {"name_broken"}, False, deleted_sheet)

    def names_deleted(p: Path):
        wb = good()
        del wb.defined_names[TOTAL_NAMES["self"]]
        del wb.defined_names[info_name("cell_code")]
        wb.save(p)
    add("mat-ten-vung.xlsx", {"name_missing"}, False, names_deleted)
    add("xoa-dong-tieu-chi.xlsx", {"criterion_missing"}, False, lambda p: _save(_delete_criterion_row(good(), "2.3"), p))

    def dup_id(p: Path):
        wb = good()
        wb[SCORING][f"A{criterion_cells(wb)['2.2']}"] = "2.1"
        wb.save(p)
    add("trung-ma-tieu-chi.xlsx", {"criterion_duplicate", "criterion_missing"}, False, dup_id)

    def extra_id(p: Path):
        wb = good()
        wb[SCORING][f"A{criterion_cells(wb)['2.2']}"] = "9.9"
        wb.save(p)
    add("ma-tieu-chi-la.xlsx", {"criterion_extra", "criterion_missing"}, False, extra_id)

    def merged(p: Path):
        wb = good()
        sheet, cell = _cell(wb, "1.2")
        wb[sheet].merge_cells(f"{cell}:E{cell[1:]}")
        wb.save(p)
    add("gop-o.xlsx", {"merged_input"}, False, merged)

    def tampered_max(p: Path):
        wb = good()
        wb[SCORING][f"C{criterion_cells(wb)['1.1']}"] = 10
        wb.save(p)
    add("sua-diem-chuan.xlsx", {"max_tampered"}, False, tampered_max)

    def overwritten_total(p: Path):
        wb = good()
        sheet, cell = name_target(wb, TOTAL_NAMES["self"])
        wb[sheet][cell] = 100
        wb.save(p)
    add("ghi-de-tong.xlsx", {"total_overwritten"}, False, overwritten_total)

    # --- score cells ----------------------------------------------------------------
    add("cong-thuc.xlsx", {"score_formula"}, False, lambda p: _save(_set_score(good(), "1.1", "=4+4"), p))
    add("chu-trong-o-diem.xlsx", {"score_not_number"}, False, lambda p: _save(_set_score(good(), "1.2", "tốt"), p))
    add("diem-am.xlsx", {"score_negative"}, False, lambda p: _save(_set_score(good(), "1.3", -1), p))
    add("vuot-diem-chuan.xlsx", {"score_above_max"}, False, lambda p: _save(_set_score(good(), "1.1", 9), p))
    add("le-buoc.xlsx", {"score_off_step"}, False, lambda p: _save(_set_score(good(), "1.4", 4.3), p))
    add("cap-tren-vuot.xlsx", {"score_above_max"}, False,
        lambda p: _save(_set_score(good(), "2.1", 7, column="upper"), p))
    add("nan.xlsx", {"score_not_number"}, False, lambda p: _save(_set_score(good(), "1.5", "NaN"), p))
    add("loi-excel.xlsx", {"score_not_number"}, False, lambda p: _save(_set_score(good(), "1.6", "#N/A"), p))

    # --- information sheet ------------------------------------------------------------
    add("thieu-ma.xlsx", {"meta_required"}, False, lambda p: _save(_set_info(good(), "cell_code", None), p))
    add("ky-sai.xlsx", {"period_invalid"}, False, lambda p: _save(_set_info(good(), "period", "Tháng 13"), p))
    add("nam-sai.xlsx", {"year_invalid"}, False, lambda p: _save(_set_info(good(), "year", 1990), p))
    add("dang-vien-0.xlsx", {"members_invalid"}, False, lambda p: _save(_set_info(good(), "members", 0), p))
    add("ty-le-120.xlsx", {"attendance_invalid"}, False, lambda p: _save(_set_info(good(), "attendance", 120), p))
    add("hop-40-lan.xlsx", {"meetings_invalid"}, False, lambda p: _save(_set_info(good(), "regular_meetings", 40), p))
    add("ma-sai.xlsx", {"cell_code_invalid"}, False, lambda p: _save(_set_info(good(), "cell_code", "KCQ/001?"), p))
    add("loai-tru-sai.xlsx", {"veto_invalid"}, False,
        lambda p: _save(_set_info_veto(good(), spec.vetoes[0].id, "Có lẽ"), p))

    # --- hostile ----------------------------------------------------------------------
    add("bom-xml.xlsx", {"xml_entities"}, False, lambda p: _rewrite_zip(_save(good(), out / "_tmp.xlsx"), p,
        lambda n, d: BILLION_LAUGHS if n == "xl/worksheets/sheet3.xml" else d))
    add("bom-zip.xlsx", {"oversized_content"}, False, zip_bomb)

    # --- warnings only: still valid ----------------------------------------------------
    add("dau-phay.xlsx", {"score_decimal_comma"}, True, lambda p: _save(_set_score(good(), "1.2", "4,5"), p))
    add("ma-tcvn3.xlsx", {"legacy_encoding"}, True,
        lambda p: _save(_set_info(good(), "cell_name", "Chi bé V¨n phßng Së Tµi chÝnh"), p))
    add("co-macro.xlsm", {"macros_present"}, True, lambda p: _rewrite_zip(_save(good(), out / "_tmp.xlsx"), p,
        lambda n, d: d, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 512}))
    add("chua-cham-du.xlsx", {"score_blank"}, True, lambda p: _save(_set_score(good(), "4.5", None), p))
    add("~$CB Khu 3 - thang 11.xlsx", {"skipped_lock_file"}, True, lambda p: p.write_bytes(b"\x00" * 165))
    add("Thumbs.db", {"skipped_system_file"}, True, lambda p: p.write_bytes(b"\x00" * 64))
    add("CB Khu 3 - tháng 11 $(echo hỏng); 'x' & \"y\".xlsx", set(), True, lambda p: _save(good(), p))
    add("chen-dong.xlsx", set(), True, lambda p: _save(insert_rows_above_table(good()), p))

    # --- saved by LibreOffice ---------------------------------------------------------
    if soffice:
        from fourgood.libreoffice import convert_many

        (out / "_lo").mkdir(exist_ok=True)
        src = _save(_filled(tpl, spec, cell_code="KCQ-LO"), out / "_lo" / "luu-bang-libreoffice.xlsx")
        lo_dir = out / "_lo" / "out"
        xlsx, = convert_many([src], "xlsx", lo_dir)
        ods, = convert_many([src], "ods", lo_dir)
        xls, = convert_many([src], "xls", lo_dir)
        add("luu-bang-libreoffice.xlsx", set(), True, lambda p: shutil.copy(xlsx, p), True)
        add("luu-bang-libreoffice.ods", set(), True, lambda p: shutil.copy(ods, p), True)
        add("luu-dang-xls.xls", {"located_by_content"}, True, lambda p: shutil.copy(xls, p), True)
        shutil.rmtree(out / "_lo")
    (out / "_tmp.xlsx").unlink(missing_ok=True)
    return files


def _set_info_veto(wb: Workbook, veto_id: str, value) -> Workbook:
    from fourgood.contract import veto_name

    sheet, cell = name_target(wb, veto_name(veto_id))
    wb[sheet][cell] = value
    return wb


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    made = build_corpus(target)
    for path, case in made:
        print(f"{path.name}\t{'valid' if case.valid else 'invalid'}\t{','.join(sorted(case.codes))}")
    print(f"{len(made)} files")
