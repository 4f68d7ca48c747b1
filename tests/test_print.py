"""The consolidated workbook printed: every sheet on A4, readable, nothing cut, as a party document.

The demo province (`fourgood demo`: 28 cells, 33 files, the four bundled criteria tables) is
consolidated and every sheet rendered by LibreOffice to PDF; the PDF's text (poppler's
`pdftotext`) must hold every header and every name of the workbook, whole.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from fourgood import libreoffice
from fourgood.cli import main
from fourgood.consolidate_cmd import EXIT_NO_PDF
from fourgood.demo import build_demo, build_year
from fourgood.document import Letterhead, period_text
from fourgood.report.geometry import HEAD_ROW
from fourgood.report.letterhead import letterhead

POPPLER = shutil.which("pdftotext") and shutil.which("pdfinfo")
A4 = (595.3, 841.9)
RUN_AT = dt.datetime(2026, 11, 23, 9, 30)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("print")
    inbox, roster, _ = build_demo(out / "demo")
    return out, inbox, roster


def _consolidate(demo, name, *extra):
    out, inbox, roster = demo
    book = out / name
    code = main(["consolidate", str(inbox), "--roster", str(roster), "-o", str(book), *extra])
    return code, book


def _pages(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], capture_output=True, text=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


def _text(pdf: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Every word of every page with its box (pdftotext -bbox)."""
    pages = []
    for page in _text(pdf, "-bbox").split("<page ")[1:]:
        pages.append([(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page)])
    return pages


def _assert_a4(pages):
    for w, h in pages:
        assert sorted((w, h)) == [pytest.approx(A4[0], abs=1), pytest.approx(A4[1], abs=1)]


@pytest.fixture(scope="module")
def printed(demo):
    if not POPPLER:
        pytest.skip("poppler-utils (pdftotext, pdfinfo) is not installed")
    code, book = _consolidate(demo, "tong-hop-tinh.xlsx", "--pdf")
    assert code == 0
    return book, book.with_suffix(".pdf")


pytestmark_lo = pytest.mark.libreoffice  # the tests that render with LibreOffice


@pytest.mark.slow
@pytestmark_lo
def test_every_sheet_prints_on_a4_within_the_page_bound(printed):
    book, pdf = printed
    pages = _pages(pdf)
    _assert_a4(pages)
    # 10 printable sheets; the charts take two pages. The demo's longest tables: 28 cells in
    # "Chi tiết" (2-4 lines a row: 4 pages), 88 criteria in "Theo tiêu chí" (7 pages), 33 files
    # in "Nhật ký" (4 pages). 24 pages today; 30 leaves room for fonts, never for a sheet
    # printed in two halves (that doubles a sheet's pages).
    assert 11 <= len(pages) <= 30, len(pages)
    hidden = [ws.title for ws in load_workbook(book).worksheets if ws.sheet_state != "visible"]
    assert hidden == ["_du_lieu", "_meta"]
    text = _text(pdf, "-layout")
    assert "cell_code" not in text and "fg_meta" not in text and "fingerprint" not in text  # hidden sheets


@pytest.mark.slow
@pytestmark_lo
def test_every_header_and_name_appears_whole(printed):
    """Every text of every visible sheet (headers, names, committees, file paths, messages) is in
    the PDF as many times as the workbook holds it, word for word: a text cut at the cell's edge
    loses words. Words longer than a column (hashes) break inside: those must appear joined."""
    book, pdf = printed
    wb = load_workbook(book)
    want: Counter[str] = Counter()
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        # columns after a sheet's print area (source file paths, problem codes) are not printed
        last_col = ws.max_column
        if ws.print_area:
            last_col = column_index_from_string(re.findall(r"\$?([A-Z]+)\$?\d+", ws.print_area)[-1])
        for row in ws.iter_rows(min_row=1, max_col=last_col):
            for cell in row:
                if isinstance(cell.value, str) and not cell.value.startswith("="):
                    want.update(cell.value.split())
    assert want["Kỳ"] >= 8 and want["Tên"] >= 3  # the headers are counted
    text = _text(pdf, "-layout")
    have = Counter(text.split())
    joined = re.sub(r"\s+", "", text)
    short = {w: n - have[w] for w, n in want.items() if have[w] < n}
    # only words longer than a column (hashes, paths) break inside, and words at a hyphen or slash
    # (pdftotext may split a word at a glyph drawn from a fallback font: "M ức"; joined, it is whole)
    assert [w for w in short if len(w) <= 16 and not re.search(r"[-/]", w) and joined.count(w) < want[w]] == []
    broken = {w for w in short if joined.count(re.split(r"(?<=[-/])", w)[0][:12]) < want[w]}  # their start is there
    assert not broken, broken
    for ws in wb.worksheets[1:10]:  # every appendix table's printed column headers, each whole (joined across lines)
        printed = column_index_from_string(re.findall(r"\$?([A-Z]+)\$?\d+", ws.print_area)[-1]) if ws.print_area \
            else ws.max_column
        for cell in ws[HEAD_ROW][:printed]:
            if cell.value:
                assert re.sub(r"\s+", "", str(cell.value)) in joined or all(w in have for w in str(cell.value).split())


@pytest.mark.slow
@pytestmark_lo
def test_nothing_overlaps_and_text_prints_at_9_points_or_more(printed):
    """Rows tall enough for their wrapped lines (text drawn over the next row would overlap),
    and the fit-to-width scale never below MIN_SCALE: 12 pt text is at least 9 pt on paper
    (a word's box is 13/12 of its font size in LibreOffice's PDF)."""
    _, pdf = printed
    smallest = 99.0
    for page in _words(pdf):
        words = [w for w in page if len(w[4]) > 1]  # a lone diacritic is drawn over its letter
        for i, (x0, y0, x1, y1, text) in enumerate(words):
            smallest = min(smallest, (y1 - y0) * 12 / 13)
            for a0, b0, a1, b1, other in words[i + 1:]:
                overlap_x, overlap_y = min(x1, a1) - max(x0, a0), min(y1, b1) - max(y0, b0)
                assert overlap_x < 1 or overlap_y < 3, (text, other)  # lines of a cell touch; a row too short overlaps by a line
    assert smallest >= 9.0, smallest


@pytest.mark.slow
@pytestmark_lo
def test_the_report_then_numbered_appendices_each_with_the_reports_number(printed):
    """Hướng dẫn 36: one document. Page 1 is the report (issuer block with the number and the issuer's
    symbol, the party's name, place and date, BÁO CÁO and its summary line, the text, the signature);
    every other sheet is "Phụ lục N" carrying the report's number and date, with no heading of its own."""
    _, pdf = printed
    pages = [_text(pdf, "-layout", "-f", str(i), "-l", str(i)) for i in range(1, len(_pages(pdf)) + 1)]
    firsts = [p for p in pages if "ĐẢNG CỘNG SẢN VIỆT NAM" in p]
    assert len(firsts) == 1 and firsts[0] is pages[0]  # one issuer block: the report's
    report = pages[0]
    assert "TỈNH ỦY HÀ TĨNH" in report and "BAN TỔ CHỨC" in report and "Số ……-BC/BTCTU" in report
    assert re.search(r"Hà Tĩnh, ngày \d\d tháng \d{1,2} năm 20\d\d", report)
    assert "BÁO CÁO" in report and "Kết quả đánh giá “Chi bộ 4 tốt” tháng 11 năm 2026" in report
    assert re.search(r"có \d+/28 chi bộ nộp phiếu", report) and "chi bộ đạt “Chi bộ 4 tốt” (từ 95 điểm trở lên)" in report
    signed = "".join(p for p in pages if "Nơi nhận:" in p)
    assert "TRƯỞNG BAN" in signed and "- Lưu." in signed and "NGƯỜI LẬP BIỂU" not in signed
    numbers = [int(n) for p in pages for n in re.findall(r"^\s*Phụ lục (\d+)\s*$", p, re.M)]
    assert numbers == list(range(1, 11))  # nine tables and the charts, numbered in order
    for p in pages[1:]:
        if "Phụ lục" in p:
            assert "(Kèm theo Báo cáo số ……-BC/BTCTU, ngày" in p and "Số ……" not in p.replace("Báo cáo số ……", "")
    starts = [i for i, p in enumerate(pages) if re.search(r"^\s*Phụ lục \d+\s*$", p, re.M)]
    appendix_1 = "".join(pages[starts[0]:starts[1]])
    assert "NGƯỜI LẬP BIỂU" in appendix_1  # who drew up the table signs the table
    assert all(re.search(rf"Trang {i}/{len(pages)}", p) for i, p in enumerate(pages, 1))


@pytest.mark.slow
@pytestmark_lo
def test_pdf_option_end_to_end_with_issuer_and_place(demo, capsys):
    if not POPPLER:
        pytest.skip("poppler-utils is not installed")
    code, book = _consolidate(demo, "dang-uy.xlsx", "--pdf", "--issuer", "Đảng ủy xã Cẩm Bình", "--place", "Cẩm Bình")
    pdf = book.with_suffix(".pdf")
    assert code == 0 and book.exists() and pdf.read_bytes()[:5] == b"%PDF-"
    assert f"Đã ghi: {pdf}" in capsys.readouterr().out
    _assert_a4(_pages(pdf))
    first = _text(pdf, "-layout", "-f", "1", "-l", "1")
    assert "ĐẢNG BỘ TỈNH HÀ TĨNH" in first and "ĐẢNG ỦY XÃ CẨM BÌNH" in first and "Cẩm Bình, ngày" in first
    assert "Số ……-BC/ĐU" in first
    assert "T/M BAN THƯỜNG VỤ" in _text(pdf, "-layout")  # a party committee signs for its standing committee
    assert not [p for p in pdf.parent.iterdir() if p.name.startswith(".fg-pdf-")]  # the temporary folder is gone


@pytest.mark.slow
def test_pdf_without_libreoffice_writes_the_workbook_and_says_so(demo, monkeypatch, capsys):
    monkeypatch.setattr(libreoffice, "soffice", lambda: None)
    code, book = _consolidate(demo, "khong-lo.xlsx", "--pdf")
    err = capsys.readouterr().err
    assert code == EXIT_NO_PDF == 4
    assert book.exists() and not book.with_suffix(".pdf").exists()
    assert "Không tìm thấy LibreOffice" in err and f"bảng tổng hợp vẫn đã được ghi: {book}" in err


@pytestmark_lo
def test_nothing_printed_names_the_operators_own_folder_or_a_problem_code(demo, printed):
    """Files are named inside the folder consolidated, in the file columns and in the messages that name
    another file (a byte copy's “trùng với …”); problem codes stay in the file, after the print area."""
    _, inbox, _ = demo
    _, pdf = printed
    text = _text(pdf, "-layout")
    joined = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", str(inbox.parent)) not in joined
    assert "Tệptrùnghoàntoànvới“cáccơquanĐảngtỉnh/" in joined  # the demo's byte copy, named inside the folder
    assert not re.search(r"\b(not_spreadsheet|score_above_max|score_missing|duplicate_\w+)\b", text)


@pytest.mark.slow
def test_heading_from_options_roster_top_or_placeholder(demo):
    from fourgood.rollup import consolidate_paths
    from fourgood.spec import load_specs

    _, inbox, roster = demo
    c = consolidate_paths([str(inbox)], load_specs(), roster=str(roster))
    h = letterhead(c, "vi", RUN_AT)  # the roster's top: Đảng bộ tỉnh Hà Tĩnh -> its organisation board
    assert h.lines == ["TỈNH ỦY HÀ TĨNH", "BAN TỔ CHỨC"] and h.number() == "Số ……-BC/BTCTU"
    assert h.signature() == ["TRƯỞNG BAN"]
    assert h.date_line() == "Hà Tĩnh, ngày 23 tháng 11 năm 2026" and h.period == "tháng 11 năm 2026"
    assert h.appendix_line() == "(Kèm theo Báo cáo số ……-BC/BTCTU, ngày 23-11-2026)"
    h = letterhead(c, "vi", dt.datetime(2027, 2, 5), province="Thành phố Hà Nội", issuer="ĐẢNG BỘ X|BAN Y")
    assert h.lines == ["ĐẢNG BỘ X", "BAN Y"] and h.date_line() == "Hà Nội, ngày 05 tháng 02 năm 2027"
    no_tree = c.hierarchy.iloc[0:0]
    h = letterhead(type(c)(**{**c.__dict__, "hierarchy": no_tree}), "vi", RUN_AT, province="Thành phố Hà Nội")
    assert h.lines == ["THÀNH ỦY HÀ NỘI", "BAN TỔ CHỨC"] and h.number() == "Số ……-BC/BTCTU"
    none = c.cells.assign(province="")
    h = letterhead(type(c)(**{**c.__dict__, "cells": none, "province": "", "hierarchy": no_tree}), "vi", RUN_AT)
    assert h.lines == Letterhead.placeholder("vi").lines and h.date_line().startswith("……")
    assert period_text(["2026", "2026-11"], "en") == "2026, November 2026"


@pytestmark_lo
@pytest.mark.slow
def test_the_year_report_prints_as_a_signed_proposal_with_its_appendices(demo):
    """--period YYYY: page 1 is the year report (the proposal, signed); the appendices are the year's
    (proposal list first), numbered, each carrying the report's number; no month-level sheet prints."""
    if not POPPLER:
        pytest.skip("poppler-utils is not installed")
    out, inbox, roster = demo
    build_year(inbox.parent, inbox.parent / "mau-phieu")
    book = out / "nam.xlsx"
    code = main(["consolidate", str(inbox), str(inbox.parent / "phieu-cac-thang"), "--roster", str(roster),
                 "-o", str(book), "--period", "2026", "--pdf", "--no-store"])
    pdf = book.with_suffix(".pdf")
    assert code == 0 and pdf.exists()
    _assert_a4(_pages(pdf))
    pages = [_text(pdf, "-layout", "-f", str(i), "-l", str(i)) for i in range(1, len(_pages(pdf)) + 1)]
    report = pages[0]
    assert "BÁO CÁO" in report and "Kết quả đánh giá, đề nghị công nhận “Chi bộ 4 tốt” năm 2026" in report
    flat = re.sub(r"\s+", "", report)  # justified text wraps, and pdftotext splits its words at some glyphs
    assert "Số……-BC/BTCTU" in flat and "BanThườngvụcấpủycấptrênxemxét,quyếtđịnhcôngnhận" in flat
    signed = "".join(p for p in pages if "Nơi nhận:" in p)
    assert "TRƯỞNG BAN" in signed and sum("ĐẢNG CỘNG SẢN VIỆT NAM" in p for p in pages) == 1
    numbers = [int(n) for p in pages for n in re.findall(r"^\s*Phụ lục (\d+)\s*$", p, re.M)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 7
    first = next(p for p in pages if re.search(r"^\s*Phụ lục 1\s*$", p, re.M))
    assert "DANH SÁCH CHI BỘ ĐỀ NGHỊ CÔNG NHẬN “CHI BỘ 4 TỐT” NĂM 2026" in first
    whole = "".join(pages)
    assert "CHI TIẾT KẾT QUẢ TỪNG CHI BỘ" not in whole  # the month-level sheets belong to the month views
    assert "CHI BỘ CHƯA ĐỀ NGHỊ CÔNG NHẬN NĂM 2026 VÀ LÝ DO" in whole
