"""The report's text: its figures are the tables' figures, and it says what a board would type."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from fourgood.demo import build_demo, build_year
from fourgood.document import Letterhead
from fourgood.problems import number_text
from fourgood.report.report_sheet import report_page
from fourgood.rollup import consolidate_paths
from fourgood.spec import load_specs

pytestmark = pytest.mark.slow  # a real server process, node, LibreOffice or a whole demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("report-text")
    inbox, roster, templates = build_demo(out / "demo")
    build_year(out / "demo", templates)
    return out, inbox, roster


def _report(c):
    return report_page(c, Letterhead.placeholder("vi"), "vi")


def test_the_text_gives_the_same_figures_as_the_summary_table(demo):
    _, inbox, roster = demo
    c = consolidate_paths([str(inbox)], load_specs(), roster=str(roster), period="2026-11")
    page = _report(c)
    text = "\n".join(page.paragraphs)
    top = page.summary_rows[0]  # the whole: cells, valid, meeting, share, below or excluded, no valid form
    assert f"có {top[2]}/{top[1]} chi bộ nộp phiếu" in text
    assert f"{top[6]} chi bộ chưa có phiếu hợp lệ" in text and f"{top[3]} chi bộ đạt “Chi bộ 4 tốt”" in text
    assert "(từ 95 điểm trở lên)" in text  # the specs' threshold
    # every cell below the threshold and every cell missing is named, with its score
    for name, score in zip(c.below["cell_name"], c.below["final_total"]):
        assert f"{name} ({number_text(score, 'vi')})" in text  # named with its score
    for name in c.missing["cell_name"]:
        assert name in text
    weakest = c.by_content.iloc[0]
    assert f"nội dung {weakest['content_id']} “{weakest['name_vi']}”" in text
    # the summary rows below the whole add up to it
    assert sum(r[1] for r in page.summary_rows[1:]) == top[1] and sum(r[3] for r in page.summary_rows[1:]) == top[3]
    assert len(page.criteria_rows) == 10 and page.criteria_rows[0][4] <= page.criteria_rows[-1][4]


def test_the_change_against_last_month_comes_from_the_history_store(demo, tmp_path):
    out, inbox, roster = demo
    store = tmp_path / "kho.sqlite"
    others = inbox.parent / "phieu-cac-thang"
    before = consolidate_paths([str(others)], load_specs(), roster=str(roster), period="2026-10", store=store)
    met_before = int((before.cells["status"] == "meets").sum())
    c = consolidate_paths([str(inbox)], load_specs(), roster=str(roster), period="2026-11", store=store)
    text = "\n".join(_report(c).paragraphs)
    met_now = int((c.cells["status"] == "meets").sum())
    assert re.search(rf"So với tháng 10 năm 2026: số chi bộ đạt tăng {met_now - met_before} chi bộ "
                     rf"\(từ {met_before} lên {met_now}\)", text)
    # a cell the store counted last month but no longer on the roster nor reported is not compared
    gone = c.previous.assign(cell_code="XX-999", status="meets").head(1)
    c.previous = pd.concat([c.previous, gone], ignore_index=True)
    assert re.search(rf"\(từ {met_before} lên {met_now}\)", "\n".join(_report(c).paragraphs))
    # without the store's history there is nothing to compare with, and the text says nothing of it
    alone = consolidate_paths([str(inbox)], load_specs(), roster=str(roster), period="2026-11")
    assert "So với" not in "\n".join(_report(alone).paragraphs)


def test_the_year_report_proposes_recognition_and_marks_averages_provisional(demo):
    _, inbox, roster = demo
    c = consolidate_paths([str(inbox), str(inbox.parent / "phieu-cac-thang")], load_specs(), roster=str(roster),
                          period="2026")
    page = _report(c)
    text = "\n".join(page.paragraphs)
    y = c.year.summary
    assert page.kind_line == "Kết quả đánh giá, đề nghị công nhận “Chi bộ 4 tốt” năm 2026"
    assert f"Đề nghị công nhận “Chi bộ 4 tốt” năm 2026: {y['meeting']} chi bộ" in text
    assert "Ban Thường vụ cấp ủy cấp trên xem xét, quyết định công nhận" in text
    if y["by_rule"]["average"]:
        assert "tạm tính" in text
    top = page.summary_rows[0]
    assert (top[1], top[2], top[3]) == (y["cells"], y["decided"], y["meeting"])
    # nothing decided is a blank, never a 0% share
    for row in page.summary_rows:
        assert row[4] is None if row[2] == 0 else row[4] == pytest.approx(row[3] / row[1])


def test_a_table_with_an_outstanding_score_proposes_outstanding_cells(demo):
    """outstanding_score (a spec setting of the year, like year_rule): cells meeting the standard with a
    year's score from it are proposed as “tiêu biểu”, in the text, the proposal list and the summary."""
    import dataclasses

    _, inbox, roster = demo
    specs = load_specs()
    plain = consolidate_paths([str(inbox), str(inbox.parent / "phieu-cac-thang")], specs, roster=str(roster),
                              period="2026")
    met = plain.year.cells[plain.year.cells["year_status"] == "meets"]
    assert len(met) >= 2 and plain.year.summary["outstanding"] == 0
    mark = float(met["year_score"].max())  # the best cell's score: it alone is outstanding
    marked = {t: dataclasses.replace(s, outstanding_score=mark) for t, s in specs.items()}
    c = consolidate_paths([str(inbox), str(inbox.parent / "phieu-cac-thang")], marked, roster=str(roster),
                          period="2026")
    assert c.year.summary["outstanding"] == int((met["year_score"] >= mark).sum()) >= 1
    assert "Trong đó đề nghị 1 chi bộ tiêu biểu" in "\n".join(_report(c).paragraphs)
    assert {t.fingerprint for t in marked.values()} == {t.fingerprint for t in specs.values()}  # forms stay valid


def test_the_report_numbers_its_paragraphs_without_a_gap_when_no_cell_is_below(demo):
    """A month with no cell below the threshold leaves that paragraph out: the next is "3.", not "4."."""
    _, inbox, roster = demo
    c = consolidate_paths([str(inbox)], load_specs(), roster=str(roster), period="2026-11")
    c.below = c.below.iloc[0:0]
    numbers = [int(m.group(1)) for p in _report(c).paragraphs if (m := re.match(r"(\d+)\. ", p))]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) == 3


def test_several_periods_state_the_weakest_content_once_as_over_all_of_them(demo):
    """Without --period the weakest content is computed over every form: said once, for all the
    periods, not under each month as if it were that month's."""
    _, inbox, roster = demo
    c = consolidate_paths([str(inbox), str(inbox.parent / "phieu-cac-thang")], load_specs(), roster=str(roster))
    paragraphs = _report(c).paragraphs
    weakest = c.by_content.iloc[0]
    said = [p for p in paragraphs if f"nội dung {weakest['content_id']} “{weakest['name_vi']}”" in p]
    assert len(said) == 1 and said[0].startswith("Qua các kỳ trên, nội dung có tỷ lệ điểm thấp nhất")
    assert said[0] == paragraphs[-1]


def test_the_english_report_words_the_criteria_in_english(demo):
    """--lang en: the weakest criteria on the report and the per-criterion appendix use the tables'
    English wording, not the Vietnamese."""
    from fourgood.report.tables import report_tables

    _, inbox, roster = demo
    specs = load_specs()
    c = consolidate_paths([str(inbox)], specs, roster=str(roster), period="2026-11", lang="en")
    english = {(t, k.id): k.text_en for t, s in specs.items() for k in s.criteria}
    page = report_page(c, Letterhead.placeholder("en"), "en")
    top = c.by_criterion.head(len(page.criteria_rows))
    assert [row[0] for row in page.criteria_rows] == [
        f"{cid}. {english[(t, cid)]}" for t, cid in zip(top["cell_type"], top["criterion_id"])]
    [appendix] = [t for t in report_tables(c, "en") if t.key == "by_criterion"]
    assert list(appendix.frame["criterion"]) == [english[k] for k in zip(c.by_criterion["cell_type"],
                                                                         c.by_criterion["criterion_id"])]


def test_a_report_with_no_form_leaves_the_period_to_fill_in_not_a_dangling_title(demo, tmp_path):
    """Nothing counted, so no period known: “Kết quả đánh giá “Chi bộ 4 tốt” ……”, dots to fill in by hand."""
    import datetime as dt

    from fourgood.document import DOTS
    from fourgood.report.letterhead import letterhead

    _, _, roster = demo
    (tmp_path / "ghi-chu.txt").write_text("không phải phiếu", encoding="utf-8")
    c = consolidate_paths([str(tmp_path)], load_specs(), roster=str(roster))
    page = report_page(c, letterhead(c, "vi", dt.datetime(2026, 12, 1)), "vi")
    assert page.kind_line == f"Kết quả đánh giá “Chi bộ 4 tốt” {DOTS}"


def test_the_english_report_counts_one_cell_as_a_cell(demo):
    """--lang en: “1 cell”, never “1 cells” (the demo's year has one cell decided by the average)."""
    _, inbox, roster = demo
    c = consolidate_paths([str(inbox), str(inbox.parent / "phieu-cac-thang")], load_specs(), roster=str(roster),
                          period="2026", lang="en")
    text = "\n".join(report_page(c, Letterhead.placeholder("en"), "en").paragraphs)
    assert c.year.summary["by_rule"]["average"] == 1 and "decided by the average of 12 months: 1 cell," in text
    assert not re.search(r"\b1 cells\b", text)
