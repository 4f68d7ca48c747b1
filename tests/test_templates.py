from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fourgood.cli import main
from fourgood.contract import (
    INFO_FIELDS,
    META_SHEET,
    SHEETS,
    TABLE_NAMES,
    TOTAL_NAMES,
    info_name,
    status_text,
    veto_name,
)
from fourgood.spec import CELL_TYPES
from fourgood.workbook_templates import writer
from fourgood.workbook_templates.writer import template_filename

COMMITTED = Path(writer.__file__).parent


def content_digest(path: Path) -> str:
    """Digest of every part but docProps/core.xml (openpyxl stamps save time there)."""
    h = hashlib.sha256()
    with zipfile.ZipFile(path) as z:
        for name in sorted(z.namelist()):
            if name != "docProps/core.xml":
                h.update(name.encode() + b"\0" + z.read(name))
    return h.hexdigest()


@pytest.mark.slow
def test_templates_command_writes_one_form_per_type_plus_roster_criteria_and_control(tmp_path, capsys):
    assert main(["templates", "--out", str(tmp_path)]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([f"{t.slug}.xlsx" for t in CELL_TYPES.values()] + ["danh-sach-chi-bo.xlsx",
                                                                               "bang-tieu-chi.xlsx",
                                                                               "bang-tong-hop.xlsx"])
    assert "chi-bo-co-quan.xlsx" in capsys.readouterr().out


def test_control_workbook_has_protected_sheet_with_named_unlocked_inputs(template_dir):
    from openpyxl import load_workbook

    wb = load_workbook(template_dir / "bang-tong-hop.xlsx")
    ws = wb["Tổng hợp"]
    assert ws.protection.sheet
    for key in ("fg_source", "fg_roster", "fg_period"):
        (sheet, coord), = list(wb.defined_names[key].destinations)
        cell = wb[sheet][coord.replace("$", "")]
        assert sheet == "Tổng hợp" and cell.protection.locked is False and cell.number_format == "@"
    meta = {r[0]: r[1] for r in wb["_meta"].iter_rows(values_only=True)}
    assert meta["template_kind"] == "control" and wb["_meta"].sheet_state == "veryHidden"


def test_committed_templates_are_up_to_date_with_the_specs(template_dir):
    for path in sorted(template_dir.glob("*.xlsx")):
        committed = COMMITTED / path.name
        assert committed.exists(), f"{path.name} is not committed under workbook_templates/"
        assert content_digest(committed) == content_digest(path), (
            f"{path.name} is out of date: run `fourgood templates --out workbook_templates`")


@pytest.mark.parametrize("cell_type", list(CELL_TYPES))
def test_every_input_has_a_defined_name_on_an_unlocked_cell(template_dir, specs, cell_type):
    wb = load_workbook(template_dir / template_filename(cell_type))
    spec = specs[cell_type]
    names = {n: list(wb.defined_names[n].destinations)[0] for n in wb.defined_names}
    inputs = [info_name(f.key) for f in INFO_FIELDS if f.kind != "fixed"] + [veto_name(v.id) for v in spec.vetoes]
    for name in inputs:
        sheet, coord = names[name]
        cell = wb[sheet][coord.replace("$", "")]
        assert cell.protection.locked is False, name
    sheet, coord = names[TABLE_NAMES["id"]]
    ids = [c.value for (c,) in wb[sheet][coord.replace("$", "")] if c.value]
    assert [i for i in ids if "." in i] == [c.id for c in spec.criteria]
    for key in ("self", "upper", "notes"):
        sheet, coord = names[TABLE_NAMES[key]]
        for (cell,) in wb[sheet][coord.replace("$", "")]:
            row_id = wb[sheet].cell(cell.row, 1).value
            assert cell.protection.locked is ("." not in row_id), (key, row_id)
    for name in TOTAL_NAMES.values():
        sheet, coord = names[name]
        value = wb[sheet][coord.replace("$", "")].value
        assert isinstance(value, str) and value.startswith("="), name


def test_score_cells_validate_range_and_step_with_vietnamese_messages(agency_template, specs):
    wb = load_workbook(agency_template)
    ws = wb[SHEETS["vi"].scoring]
    spec = specs["agency"]
    by_cell = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert len(by_cell) == len(spec.criteria)
    dv = next(d for s, d in by_cell.items() if d.promptTitle == "Tiêu chí 1.1")
    assert dv.type == "custom" and "<=8" in dv.formula1 and "/0.5" in dv.formula1
    assert dv.error == "Điểm tiêu chí 1.1 phải là số từ 0 đến 8, theo bước 0,5 điểm."
    assert dv.showErrorMessage and dv.errorStyle in (None, "stop")
    assert ":" in str(dv.sqref)  # self and upper columns of the row


def test_information_sheet_validates_period_counts_and_vetoes(agency_template):
    wb = load_workbook(agency_template)
    ws = wb[SHEETS["vi"].info]
    dvs = ws.data_validations.dataValidation
    period = next(d for d in dvs if d.type == "list" and "Tháng 1" in d.formula1)
    assert "Cả năm" in period.formula1
    members = next(d for d in dvs if d.type == "whole" and d.formula1 == "1")
    assert members.formula2 == "100000"
    assert any(d.type == "list" and d.formula1 == '"Có,Không"' for d in dvs)
    assert any(d.type == "decimal" and d.formula2 == "100" for d in dvs)  # attendance %
    assert ws["B10"].value == "Chi bộ cơ quan" and ws["B10"].protection.locked  # fixed cell type


def test_sheets_are_protected_without_password(agency_template):
    wb = load_workbook(agency_template)
    for name in SHEETS["vi"].__dict__.values():
        prot = wb[name].protection
        assert prot.sheet and not prot.password
    assert wb[META_SHEET].sheet_state == "veryHidden"


def test_forms_are_print_ready(agency_template):
    wb = load_workbook(agency_template)
    ws = wb[SHEETS["vi"].scoring]
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$7:$7"
    assert ws.freeze_panes == "A8"
    assert ws["B9"].font.name == "Times New Roman" and ws["B9"].font.sz == 13
    assert ws["B9"].alignment.wrap_text
    assert ws["C1"].value == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert "CHI BỘ 4 TỐT" in ws["A4"].value
    assert [ws.cell(7, c).value for c in range(1, 7)] == ["STT", "Tiêu chí", "Điểm chuẩn", "Chi bộ tự chấm",
                                                           "Cấp ủy cấp trên chấm", "Ghi chú / minh chứng"]


def test_conditional_formatting_flags_totals_and_blank_scores(agency_template):
    ws = load_workbook(agency_template)[SHEETS["vi"].scoring]
    formulas = [r.formula[0] for rng in ws.conditional_formatting for r in rng.rules]
    assert any("<95" in f for f in formulas) and any(">=95" in f for f in formulas)
    assert any(f.startswith("ISBLANK(") for f in formulas)


def test_meta_identifies_type_version_and_fingerprint(agency_template, specs):
    ws = load_workbook(agency_template)[META_SHEET]
    meta = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r[0] not in ("criterion", "veto")}
    assert meta["cell_type"] == "agency"
    assert meta["spec_version"] == specs["agency"].version
    assert meta["fingerprint"] == specs["agency"].fingerprint
    crit = [r[1:4] for r in ws.iter_rows(values_only=True) if r[0] == "criterion"]
    assert crit[0] == ("1.1", "I", 8)


@pytest.mark.slow
def test_english_templates_use_english_labels(tmp_path):
    assert main(["templates", "--out", str(tmp_path), "--lang", "en"]) == 0
    wb = load_workbook(tmp_path / "chi-bo-co-quan.xlsx")
    assert wb.sheetnames[:3] == ["Instructions", "Information", "Scoring"]
    assert wb["Scoring"]["B7"].value == "Criterion"


@pytest.mark.slow
def test_templates_from_a_criteria_workbook(tmp_path, template_dir):
    from openpyxl import load_workbook as lw

    crit = lw(template_dir / "bang-tieu-chi.xlsx")
    crit["chi-bo-co-quan"]["C2"] = "Tiêu chí do tỉnh sửa"
    crit.save(tmp_path / "bang.xlsx")
    assert main(["templates", "--out", str(tmp_path / "out"), "--criteria", str(tmp_path / "bang.xlsx")]) == 0
    ws = load_workbook(tmp_path / "out" / "chi-bo-co-quan.xlsx")[SHEETS["vi"].scoring]
    assert ws["B9"].value == "Tiêu chí do tỉnh sửa"


def test_broken_criteria_file_is_a_usage_error_with_a_located_message(tmp_path, capsys):
    bad = tmp_path / "tinh.yaml"
    bad.write_text("cell_type: agency\ncontents: []\n", encoding="utf-8")
    assert main(["templates", "--out", str(tmp_path / "o"), "--criteria", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "contents" in err and "Traceback" not in err


def _user_texts(wb) -> list[str]:
    """Every text a secretary reads in a form: cell values (formulas too) and validation messages."""
    texts = []
    for ws in wb.worksheets:
        if ws.title == META_SHEET:
            continue
        texts += [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
        for dv in ws.data_validations.dataValidation:
            texts += [t for t in (dv.prompt, dv.promptTitle, dv.error, dv.errorTitle) if t]
    return texts


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_forms_speak_of_the_2026_structure(tmp_path, lang):
    """No district level, no township, no provincial bloc (domain.md, the 2025 reorganisation)."""
    assert main(["templates", "--out", str(tmp_path), "--lang", lang]) == 0
    gone = ("huyện", "thị trấn", "khối", "quận", "thị xã", "district", "bloc", "township", "hà tĩnh", "kcq")
    for cell_type in CELL_TYPES:
        texts = " ".join(_user_texts(load_workbook(tmp_path / template_filename(cell_type)))).lower()
        assert not [g for g in gone if g in texts], (cell_type, [g for g in gone if g in texts])
    hints = {f.key: f.hint(lang) for f in INFO_FIELDS}
    if lang == "vi":
        assert hints["upper_committee"] == ("Đảng bộ xã, phường, đặc khu; Đảng bộ các cơ quan Đảng tỉnh hoặc "
                                            "Đảng bộ Ủy ban nhân dân tỉnh")
        assert hints["grassroots"] == ("Để trống nếu là chi bộ cơ sở: chi bộ trực thuộc trực tiếp đảng bộ ở dòng "
                                       "trên (ví dụ chi bộ thôn, tổ dân phố trực thuộc Đảng bộ xã, phường)")
        assert hints["province"] == "Ví dụ: Tỉnh Ninh Bình"


def test_information_sheet_names_the_levels_of_quy_dinh_294(agency_template):
    """The organisation above the grassroots is "cấp trên trực tiếp của tổ chức cơ sở đảng" (a commune or
    ward committee, or one of the two provincial committees), no longer "cấp ủy cấp trên cơ sở"."""
    ws = load_workbook(agency_template)[SHEETS["vi"].info]
    labels = [str(c.value) for (c,) in ws.iter_rows(min_col=1, max_col=1) if c.value]
    assert "Cấp trên trực tiếp của tổ chức cơ sở đảng (*)" in labels
    assert not [label for label in labels if "cấp ủy cấp trên cơ sở" in label.lower()]


def test_forms_quote_vietnamese_with_curly_quotes(agency_template):
    texts = _user_texts(load_workbook(agency_template))
    straight = [t for t in texts if not t.startswith("=") and "'" in t]
    assert not straight
    assert any("“Chi bộ tự chấm”" in t for t in texts)


def test_page_numbers_fit_inside_the_bottom_margin(agency_template):
    """LibreOffice gives the footer the space between the footer's distance from the edge and the
    bottom margin: it must hold a line of the footer's font (the page number printed cut in half)."""
    wb = load_workbook(agency_template)
    for ws in wb.worksheets:
        if ws.title == META_SHEET:
            continue
        m = ws.page_margins
        size = float(ws.oddFooter.center.size or 13)
        assert ws.oddFooter.center.text == "&P/&N"
        assert (m.bottom - m.footer) * 72 >= 1.5 * size + 6, ws.title


def test_long_organisation_names_wrap_in_the_entry_column(agency_template):
    """"Đảng bộ Ủy ban nhân dân tỉnh Hà Tĩnh" and longer names show whole: the entry wraps, on two lines."""
    wb = load_workbook(agency_template)
    for key in ("upper_committee", "grassroots", "cell_name"):
        sheet, coord = next(iter(wb.defined_names[info_name(key)].destinations))
        cell = wb[sheet][coord.replace("$", "")]
        assert cell.alignment.wrap_text, key
        assert wb[sheet].column_dimensions[cell.column_letter].width >= 34, key
        assert wb[sheet].row_dimensions[cell.row].height >= 2 * 13 * 1.2, key


def test_heading_names_the_grassroots_committee_else_the_upper_level_one(agency_template):
    a1 = load_workbook(agency_template)[SHEETS["vi"].scoring]["A1"].value
    assert a1 == ('=IF(fg_grassroots<>"",UPPER(fg_grassroots),IF(fg_upper_committee="","ĐẢNG BỘ ……………………",'
                  'UPPER(fg_upper_committee)))')


@pytest.mark.parametrize("column", ["D", "E"])
def test_status_formula_checks_every_criterion_score_before_anything_else(agency_template, specs, column):
    """Invalid scores first (text, then negative / above max / off step), on criterion rows only."""
    import re

    wb = load_workbook(agency_template)
    ws = wb[SHEETS["vi"].scoring]
    spec = specs["agency"]
    names = {n: list(wb.defined_names[n].destinations)[0][1].replace("$", "") for n in TOTAL_NAMES.values()}
    status = ws[names[TOTAL_NAMES["self_status" if column == "D" else "upper_status"]]].value
    rows = {c.value: c.row for (c,) in ws["A8:A60"] if c.value}
    criterion_rows = {rows[c.id] for c in spec.criteria}
    content_rows = {rows[c.id] for c in spec.contents}
    text_test, rest = status[len('=IF(('):].split(')>0,"Có điểm không hợp lệ",', 1)
    assert text_test.startswith(f"COUNTA({column}") and "-COUNT(" in text_test
    bad_test = rest[len("IF(("):].split(')>0,"Có điểm không hợp lệ",', 1)[0]
    assert 'COUNTIF(' in bad_test and '"<0"' in bad_test and "SUMPRODUCT(" in bad_test
    assert f"MOD(ROUND({column}" in bad_test and "/0.5,6),1)<>0" in bad_test
    for test in (text_test, bad_test):
        for first, last in re.findall(rf"{column}(\d+):{column}(\d+)", test):
            covered = set(range(int(first), int(last) + 1))
            assert covered <= criterion_rows and not covered & content_rows
        assert {r for f, la in re.findall(rf"{column}(\d+):{column}(\d+)", test)
                for r in range(int(f), int(la) + 1)} == criterion_rows
    order = [status.index(f'"{status_text(k, "vi", 95)}"') for k in
             ("invalid_score", "incomplete", "veto", "veto_unanswered", "meets")]
    assert order == sorted(order)


def test_information_and_instruction_sheets_fit_a4_width(agency_template):
    wb = load_workbook(agency_template)
    font = wb._named_styles["Normal"].font
    assert (font.name, font.sz) == ("Times New Roman", 13)  # column widths count this font's characters
    for name in (SHEETS["vi"].instructions, SHEETS["vi"].info, SHEETS["vi"].scoring):
        ws = wb[name]
        width = sum(d.width for d in ws.column_dimensions.values() if d.width)
        assert width <= 90, name  # about 72 fit at 100%: fit to width stays at 80% or more
        assert ws.page_setup.orientation == "portrait" and int(ws.page_setup.paperSize) == 9
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and len(cell.value) > 40 and not cell.value.startswith("="):
                    assert cell.alignment.wrap_text, (name, cell.coordinate)
