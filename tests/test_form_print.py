"""The forms as LibreOffice prints and recalculates them: page numbers whole, long organisation
names whole, the reworded tables (2026.2) and the earlier ones (2026.1) scored alike by the form's
formulas and by fourgood, and a form with the information sheet's former labels still read."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fourgood.contract import SHEETS, TOTAL_NAMES
from fourgood.libreoffice import convert_many
from fourgood.pipeline import validate_paths
from fourgood.spec import load_specs
from fourgood.workbook_templates.writer import template_filename

from .helpers import make_submission, scores_totalling
from .test_spec_versions import RELEASED_2026_1, earlier, template

pytestmark = [pytest.mark.slow, pytest.mark.libreoffice]
LONG = {"upper_committee": "Đảng bộ Ủy ban nhân dân tỉnh Hà Tĩnh",
        "grassroots": "Đảng bộ Sở Nông nghiệp và Môi trường tỉnh Hà Tĩnh",
        "cell_name": "Chi bộ Phòng Kế hoạch - Tài chính và Quản lý đầu tư xây dựng cơ bản"}


def _text(pdf: Path, page: int) -> str:
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return "".join(unicodedata.normalize("NFC", out).split())


def _inked_height(pdf: Path, page: int, box: tuple[float, float, float, float], dpi: int = 150) -> float:
    """Height (points) of the inked rows inside `box` (x0, y0, x1, y1 in points) of a rendered page:
    text the page clips shows only part of its glyphs."""
    scale = dpi / 72
    x0, y0, x1, y1 = (round(v * scale) for v in box)
    raw = subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), "-x", str(x0),
                          "-y", str(y0), "-W", str(x1 - x0), "-H", str(y1 - y0), str(pdf)],
                         capture_output=True, check=True).stdout
    fields = raw.split(maxsplit=4)  # P5, width, height, maxval, pixels
    width, height, pixels = int(fields[1]), int(fields[2]), fields[4]
    inked = [r for r in range(height) if min(pixels[r * width:(r + 1) * width]) < 128]
    return (inked[-1] - inked[0] + 1) / scale if inked else 0.0


def _word_box(pdf: Path, page: int, word: str) -> tuple[float, float, float, float]:
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    match = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">' + re.escape(word) + "<", out)
    assert match, (page, word)
    x0, y0, x1, y1 = map(float, match.groups())
    return x0, y0, x1, y1


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext and pdftoppm")
def test_page_numbers_and_long_names_print_whole(tmp_path, template_dir, specs):
    """The page number is drawn whole (the footer had 0.1" and printed "4/4" cut in half: its text was
    in the PDF, its lower half clipped away), and each long name is on the information page whole."""
    form = make_submission(template_dir / template_filename("agency"), specs["agency"], tmp_path / "phieu.xlsx", 97,
                           info=LONG)
    (pdf,) = convert_many([form], "pdf", tmp_path / "pdf")
    for page in range(1, 5):
        x0, y0, x1, y1 = _word_box(pdf, page, f"{page}/4")
        # digits are about two thirds of the font size high; the box is about 1.3 of it
        assert _inked_height(pdf, page, (x0 - 2, y0 - 4, x1 + 2, y1 + 4)) >= 0.4 * (y1 - y0), page
    info = _text(pdf, 2)
    for key, name in LONG.items():
        assert "".join(name.split()) in info, key


def _totals(path: Path) -> tuple[float, str]:
    from python_calamine import CalamineWorkbook

    wb = load_workbook(path)
    out = []
    for name in (TOTAL_NAMES["self"], TOTAL_NAMES["self_status"]):
        sheet, coord = next(iter(wb.defined_names[name].destinations))
        cell = wb[sheet][coord.replace("$", "")]
        grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        out.append(grid[cell.row - 1][cell.column - 1])
    return out[0], out[1]


def test_both_versions_recalculated_by_libreoffice_score_as_fourgood_does(tmp_path, template_dir):
    specs = load_specs()
    old, new = earlier("agency"), specs["agency"]
    assert next(c for c in old.criteria if c.id == "4.1").text_vi != next(c for c in new.criteria if c.id == "4.1").text_vi
    forms = [make_submission(template(old, tmp_path), old, tmp_path / "cu.xlsx", 94.5, info={"cell_code": "KCQ-001"}),
             make_submission(template_dir / template_filename("agency"), new, tmp_path / "moi.xlsx",
                             self_scores={**scores_totalling(new, 100), "4.1": 6.5}, info={"cell_code": "KCQ-002"})]
    recalculated = convert_many(forms, "xlsx", tmp_path / "lo")
    result = validate_paths(recalculated, specs)
    files = result.files.set_index("name")
    for path, (total, status) in zip(recalculated, ((94.5, "below"), (99.5, "meets"))):
        row = files.loc[path.name]
        assert (row["category"], row["final_total"], row["status"]) == ("valid", total, status), path.name
        assert _totals(path)[0] == pytest.approx(total)
        assert (_totals(path)[1] == "Đạt “Chi bộ 4 tốt”") == (status == "meets")
    assert files.loc["cu.xlsx", "spec_version"] == "2026.1" and files.loc["moi.xlsx", "spec_version"] == "2026.2"
    assert [Path(p.file).name for p in result.problems if p.code == "template_outdated"] == ["cu.xlsx"]


def test_a_released_form_with_the_former_labels_is_still_located_by_content(tmp_path, specs):
    """An .xls keeps no names LibreOffice writes: inputs are found by their labels, and a form filled on
    the template released with 2026.1 says “Cấp ủy cấp trên cơ sở” where today's says “Cấp trên trực
    tiếp của tổ chức cơ sở đảng”."""
    form = make_submission(RELEASED_2026_1 / template_filename("agency"), earlier("agency"), tmp_path / "phieu.xlsx",
                           96, info=LONG)
    ws = load_workbook(form)[SHEETS["vi"].info]
    assert "Cấp ủy cấp trên cơ sở (*)" in [c.value for (c,) in ws.iter_rows(min_col=1, max_col=1)]
    (xls,) = convert_many([form], "xls", tmp_path / "xls")
    result = validate_paths([xls], specs)
    row = result.files.iloc[0]
    assert (row["category"], row["spec_version"], row["final_total"]) == ("valid", "2026.1", 96)
    assert (row["upper_committee"], row["grassroots"]) == (LONG["upper_committee"], LONG["grassroots"])
    assert {"located_by_content", "template_outdated"} <= {p.code for p in result.problems}
    assert "meta_required" not in {p.code for p in result.problems}
