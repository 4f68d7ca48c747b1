"""The forms checked by a real spreadsheet engine: LibreOffice headless recalculates them."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from fourgood.contract import TABLE_NAMES, TOTAL_NAMES, content_column, status_text
from fourgood.libreoffice import convert_many
from fourgood.scoring import score_batch
from fourgood.workbook_templates.writer import template_filename

from .helpers import make_submission, no_vetoes, scores_totalling

pytestmark = pytest.mark.libreoffice


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
                        "loai-tru": "veto", "chua-tra-loi": "incomplete"}
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


def _pdf_pages(data: bytes) -> tuple[int, list[tuple[float, float]]]:
    """Page count and every MediaBox (pages and the page tree) of an uncompressed-xref PDF."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    return pages, [(float(w), float(h)) for w, h in boxes]


def test_each_template_renders_to_three_a4_pages(tmp_path, template_dir):
    forms = sorted(p for p in template_dir.glob("chi-bo-*.xlsx"))
    pdfs = convert_many(forms, "pdf", tmp_path / "pdf")
    assert sorted(p.stem for p in pdfs) == [p.stem for p in forms] and len(forms) == 4
    for pdf in pdfs:
        pages, boxes = _pdf_pages(pdf.read_bytes())
        # instructions, information, scoring form: one page each, portrait A4
        assert pages == 3, pdf.name
        assert len(boxes) >= pages  # every page declares its size (LibreOffice also gives the page tree one)
        for w, h in boxes:
            assert w == pytest.approx(595.3, abs=1) and h == pytest.approx(841.9, abs=1)
