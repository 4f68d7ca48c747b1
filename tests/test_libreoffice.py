"""The forms checked by a real spreadsheet engine: LibreOffice headless recalculates them."""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from fourgood.contract import INFO_FIELDS, TABLE_NAMES, TOTAL_NAMES, content_column, status_text
from fourgood.libreoffice import convert_many
from fourgood.pipeline import validate_paths
from fourgood.scoring import score_batch
from fourgood.spec import CELL_TYPES
from fourgood.workbook_templates.instructions import instructions_text
from fourgood.workbook_templates.writer import template_filename

from .helpers import make_submission, no_vetoes, scores_totalling

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]


def _cases(spec):
    full = scores_totalling(spec, 100)
    partial = dict(full)
    for cid in list(partial)[:3]:
        partial[cid] = None
    return {
        "tong-94-5": dict(self_scores=scores_totalling(spec, 94.5)),
        "tong-95": dict(self_scores=scores_totalling(spec, 95)),
        "tong-100": dict(self_scores=full, upper_scores=scores_totalling(spec, 94.5)),
        "chua-du": dict(self_scores=partial, upper_scores=scores_totalling(spec, 97)),
        "loai-tru": dict(self_scores=full, vetoes={**no_vetoes(spec), spec.vetoes[0].id: "Có"}),
        "chua-tra-loi": dict(self_scores=full, vetoes={}),
    }


def _python_scoring(spec, cases) -> pd.DataFrame:
    rows, subs = [], []
    for name, case in cases.items():
        vetoes = case.get("vetoes", no_vetoes(spec))
        answered = len(vetoes) == len(spec.vetoes)
        subs.append({"submission": name, "threshold": spec.threshold, "blocking": False,
                     "veto": (any(v == "Có" for v in vetoes.values()) if answered else np.nan)})
        for content in spec.contents:
            for c in content.criteria:
                s = case["self_scores"].get(c.id)
                u = case.get("upper_scores", {}).get(c.id)
                rows.append({"submission": name, "content_id": content.id, "criterion_id": c.id, "max": c.max,
                             "self": np.nan if s is None else s, "upper": np.nan if u is None else u})
    return score_batch(pd.DataFrame(rows), pd.DataFrame(subs).set_index("submission"))


def _named_values(path, names):
    wb = load_workbook(path)  # names are the same in the recalculated copy
    where = {n: list(wb.defined_names[n].destinations)[0] for n in names}
    book = CalamineWorkbook.from_path(str(path))
    grids = {}
    out = {}
    for n, (sheet, coord) in where.items():
        grid = grids.setdefault(sheet, book.get_sheet_by_name(sheet).to_python(skip_empty_area=False))
        cell = wb[sheet][coord.replace("$", "").split(":")[0]]
        out[n] = grid[cell.row - 1][cell.column - 1]
    return out


def test_libreoffice_totals_and_verdicts_equal_fourgood_scoring(tmp_path, specs, template_dir):
    spec = specs["agency"]
    cases = _cases(spec)
    files = []
    for name, case in cases.items():
        vetoes = case.get("vetoes", no_vetoes(spec))
        files.append(make_submission(template_dir / template_filename("agency"), spec, tmp_path / f"{name}.xlsx",
                                     self_scores=case["self_scores"], upper_scores=case.get("upper_scores"),
                                     vetoes=vetoes))
    recalculated = convert_many(files, "xlsx", tmp_path / "lo")
    expected = _python_scoring(spec, cases)
    names = list(TOTAL_NAMES.values())
    for path in recalculated:
        got = _named_values(path, names)
        want = expected.loc[path.stem]
        assert got[TOTAL_NAMES["max"]] == 100
        assert got[TOTAL_NAMES["self"]] == pytest.approx(want["self_total"]), path.stem
        # An empty column shows 0 in the form; fourgood says "no score" (NaN).
        assert got[TOTAL_NAMES["upper"]] == pytest.approx(np.nan_to_num(want["upper_total"])), path.stem
        assert got[TOTAL_NAMES["self_status"]] == status_text(want["self_status"], "vi", 95), path.stem
        assert got[TOTAL_NAMES["upper_status"]] == status_text(want["upper_status"], "vi", 95), path.stem
    verdicts = dict(zip(expected.index, expected["self_status"]))
    assert verdicts == {"tong-94-5": "below", "tong-95": "meets", "tong-100": "meets", "chua-du": "incomplete",
                        "loai-tru": "veto", "chua-tra-loi": "veto_unanswered"}
    assert expected.loc["chua-tra-loi", "status"] == "incomplete"  # the submission's verdict keeps its five values
    assert expected.loc["tong-100", "upper_status"] == "below"
    assert expected.loc["tong-100", "status"] == "below"  # the complete upper-level score is final


def test_libreoffice_content_subtotals_equal_fourgood_scoring(tmp_path, specs, template_dir):
    spec = specs["residential"]
    cases = {"tong-95": dict(self_scores=scores_totalling(spec, 95))}
    path = make_submission(template_dir / template_filename("residential"), spec, tmp_path / "tong-95.xlsx",
                           self_scores=cases["tong-95"]["self_scores"])
    (lo,) = convert_many([path], "xlsx", tmp_path / "lo")
    got = _named_values(lo, [TABLE_NAMES["id"], TABLE_NAMES["self"]])
    wb = load_workbook(lo)
    sheet, coord = list(wb.defined_names[TABLE_NAMES["id"]].destinations)[0]
    grid = CalamineWorkbook.from_path(str(lo)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    first = wb[sheet][coord.replace("$", "").split(":")[0]].row - 1
    ids = [content.id for content in spec.contents]
    subtotals = {row[0]: row[3] for row in grid[first:first + 40] if row[0] in ids}
    filled = cases["tong-95"]["self_scores"]
    by_hand = {content.id: sum(filled[c.id] for c in content.criteria) for content in spec.contents}
    want = _python_scoring(spec, cases).loc["tong-95"]
    assert subtotals == {c: pytest.approx(v) for c, v in by_hand.items()}
    assert by_hand == {c: pytest.approx(want[content_column(c, "self")]) for c in ids}
    assert sum(by_hand.values()) == pytest.approx(95)
    assert got[TABLE_NAMES["id"]] == ids[0]  # the id range starts at the first content in the recalculated copy


def test_libreoffice_heading_names_the_grassroots_committee_else_the_upper_level_one(tmp_path, specs,
                                                                                     template_dir):
    spec = specs["agency"]
    template = template_dir / template_filename("agency")
    files = [make_submission(template, spec, tmp_path / "co-dang-bo-co-so.xlsx",
                             info={"upper_committee": "Đảng bộ Ủy ban nhân dân tỉnh", "grassroots": "Đảng bộ Sở Tài chính"}),
             make_submission(template, spec, tmp_path / "chi-bo-co-so.xlsx",
                             info={"upper_committee": "Đảng bộ các cơ quan Đảng tỉnh", "grassroots": None,
                                   "cell_name": "Chi bộ Ban Tổ chức Tỉnh ủy"})]
    headings = {}
    for path in convert_many(files, "xlsx", tmp_path / "lo"):
        grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Chấm điểm").to_python(skip_empty_area=False)
        headings[path.stem] = (grid[0][0], grid[1][0])
    assert headings == {"co-dang-bo-co-so": ("ĐẢNG BỘ SỞ TÀI CHÍNH", "CHI BỘ VĂN PHÒNG SỞ"),
                        "chi-bo-co-so": ("ĐẢNG BỘ CÁC CƠ QUAN ĐẢNG TỈNH", "CHI BỘ BAN TỔ CHỨC TỈNH ỦY")}


def _bad_score_cases(spec) -> dict[str, dict]:
    """Every way a score column can be wrong or undecided, in the self column and in the upper one.

    Pasted values bypass data validation, so each bad value must reach the status formula.
    """
    full = scores_totalling(spec, 100)
    first = spec.criteria[0]  # max 8, step 0.5
    bad = {"vuot-diem-chuan": first.max + 1, "so-am": -0.5, "chu": "tám", "so-dang-chu": "7,5",
           "lech-buoc": first.max - 0.7}
    cases: dict[str, dict] = {}
    for column in ("self", "upper"):
        for name, value in bad.items():
            scores = {**full, first.id: value}
            cases[f"{column}-{name}"] = (dict(self_scores=scores, upper_scores=full) if column == "self" else
                                         dict(self_scores=full, upper_scores=scores))
        cases[f"{column}-chua-tra-loi"] = dict(self_scores=full, upper_scores=full, vetoes={})
        cases[f"{column}-loai-tru"] = dict(self_scores=full, upper_scores=full,
                                           vetoes={**no_vetoes(spec), spec.vetoes[-1].id: "Có"})
    # one question answered 'Có', another blank: excluded, as fourgood scores it (not "unanswered")
    cases["mot-co-mot-trong"] = dict(self_scores=full, upper_scores=scores_totalling(spec, 90),
                                     vetoes={spec.vetoes[0].id: "Có"})
    cases["chua-du-va-chua-tra-loi"] = dict(self_scores={**full, first.id: None}, upper_scores=full, vetoes={})
    cases["dat-va-duoi"] = dict(self_scores=full, upper_scores=scores_totalling(spec, 94.5))
    return cases


def test_libreoffice_verdicts_equal_the_pipeline_for_invalid_scores_and_unanswered_vetoes(tmp_path, specs,
                                                                                           template_dir):
    spec = specs["agency"]
    cases = _bad_score_cases(spec)
    files = [make_submission(template_dir / template_filename("agency"), spec, tmp_path / f"{name}.xlsx",
                             self_scores={k: v for k, v in case["self_scores"].items() if v is not None},
                             upper_scores=case["upper_scores"], vetoes=case.get("vetoes", no_vetoes(spec)))
             for name, case in cases.items()]
    batch = validate_paths(files, specs)
    python = {Path(f).stem: row for f, row in batch.scored.iterrows()}
    recalculated = convert_many(files, "xlsx", tmp_path / "lo")
    seen = {}
    for path in recalculated:
        got = _named_values(path, [TOTAL_NAMES["self_status"], TOTAL_NAMES["upper_status"]])
        want = python[path.stem]
        for column in ("self", "upper"):
            assert got[TOTAL_NAMES[f"{column}_status"]] == status_text(want[f"{column}_status"], "vi", 95), (
                path.stem, column)
        seen[path.stem] = (want["self_status"], want["upper_status"])
    bad = ("vuot-diem-chuan", "so-am", "chu", "so-dang-chu", "lech-buoc")
    assert seen == {
        **{f"self-{b}": ("invalid_score", "meets") for b in bad},
        **{f"upper-{b}": ("meets", "invalid_score") for b in bad},
        **{f"{c}-chua-tra-loi": ("veto_unanswered", "veto_unanswered") for c in ("self", "upper")},
        **{f"{c}-loai-tru": ("veto", "veto") for c in ("self", "upper")},
        "mot-co-mot-trong": ("veto", "veto"),
        "chua-du-va-chua-tra-loi": ("incomplete", "veto_unanswered"),
        "dat-va-duoi": ("meets", "below"),
    }
    assert status_text("invalid_score", "vi", 95) == "Có điểm không hợp lệ"
    assert status_text("veto_unanswered", "vi", 95) == "Chưa trả lời câu hỏi loại trừ"


def _pdf_pages(data: bytes) -> tuple[int, list[tuple[float, float]]]:
    """Page count and every MediaBox (pages and the page tree) of an uncompressed-xref PDF."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    return pages, [(float(w), float(h)) for w, h in boxes]


def _pdf_text(pdf: Path, page: int, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def _squeezed(text: str) -> str:
    """Text without whitespace or hyphens, NFC: line breaks, the PDF's spacing of marks and
    pdftotext's joining of a word hyphenated at a line end ("CQD-" + "012") do not count."""
    return "".join(unicodedata.normalize("NFC", text).split()).replace("-", "")


def _body_scale(pdf: Path, page: int) -> float:
    """Print scale of a page: the median word box against 13 pt text at 100% (1.3 x the size)."""
    boxes = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', _pdf_text(pdf, page, "-bbox"))
    return statistics.median(float(y1) - float(y0) for y0, y1 in boxes) / (13 * 1.3)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_each_template_prints_on_a4_pages_with_nothing_cut(tmp_path, template_dir, specs):
    forms = sorted(p for p in template_dir.glob("chi-bo-*.xlsx"))
    pdfs = convert_many(forms, "pdf", tmp_path / "pdf")
    assert sorted(p.stem for p in pdfs) == [p.stem for p in forms] and len(forms) == 4
    by_slug = {CELL_TYPES[t].slug: spec for t, spec in specs.items()}
    for pdf in pdfs:
        spec = by_slug[pdf.stem]
        pages, boxes = _pdf_pages(pdf.read_bytes())
        # instructions and information: one page each; the scoring form: two, its header repeated
        assert pages == 4, pdf.name
        assert len(boxes) >= pages  # every page declares its size (LibreOffice also gives the page tree one)
        for w, h in boxes:
            assert w == pytest.approx(595.3, abs=1) and h == pytest.approx(841.9, abs=1)  # A4 portrait
        for page in range(1, pages + 1):  # fit to width never shrinks 13 pt below 75% (about 10 pt)
            assert _body_scale(pdf, page) >= 0.75, (pdf.name, page)
        # Nothing cut: LibreOffice leaves clipped text out of the PDF, so every instruction line
        # and every exclusion question must be there whole. The instructions are one column
        # (-layout); the information sheet is read in reading order, which keeps a wrapped cell
        # together rather than interleaving it with the next column's lines.
        instructions = _squeezed(_pdf_text(pdf, 1, "-layout"))
        for text, _ in instructions_text(spec, "vi"):
            assert _squeezed(text) in instructions, (pdf.name, text)
        info = _squeezed(_pdf_text(pdf, 2))
        assert _squeezed("THÔNG TIN CHI BỘ VÀ KỲ ĐÁNH GIÁ") in info
        for v in spec.vetoes:
            assert _squeezed(f"{v.id}. {v.text_vi}") in info, (pdf.name, v.id)
        for f in INFO_FIELDS:
            assert _squeezed(f.hint_vi) in info, (pdf.name, f.key)
        scoring = _squeezed(_pdf_text(pdf, 3) + _pdf_text(pdf, 4))
        for c in spec.criteria:
            assert _squeezed(c.text_vi) in scoring, (pdf.name, c.id)
        for content in spec.contents:
            assert _squeezed(content.title_vi.upper()) in scoring, (pdf.name, content.id)
        assert _squeezed("T/M CHI BỘ") in _squeezed(_pdf_text(pdf, 4))  # the signature block stays on the form
