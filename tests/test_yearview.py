"""The year view (yearview.py): expectations worked out by hand from the README's rule."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from fourgood.problems import FourgoodError
from fourgood.spec import load_specs, spec_from_dict
from fourgood.structure import chain_from_names, chain_to_text
from fourgood.yearview import round_score, year_view

SPECS = load_specs()
CHAINS = {"A": ("Tỉnh X", "Đảng bộ xã A", ""), "B": ("Tỉnh X", "Đảng bộ xã A", ""), "C": ("Tỉnh X", "Đảng bộ xã B", ""),
          "D": ("Tỉnh X", "Đảng bộ xã B", "")}


def row(code: str, period: str, score: float | None, status: str = "") -> dict:
    status = status or ("meets" if score is not None and score >= 95 else "below")
    return {"cell_code": code, "cell_name": f"Chi bộ {code}", "cell_type": "residential", "period": period,
            "upper_committee": CHAINS[code][1], "grassroots": "", "threshold": 95.0,
            "org_chain": chain_to_text(chain_from_names(*CHAINS[code])), "final_total": score, "status": status}


def months(code: str, scores: dict[int, float], year: int = 2026) -> list[dict]:
    return [row(code, f"{year}-{m:02d}", s) for m, s in scores.items()]


def view(rows: list[dict], specs=SPECS):
    return year_view(pd.DataFrame(rows), None, specs, "2026")


def cell(v, code):
    return v.cells.set_index("cell_code").loc[code]


def test_the_three_ways_a_cell_ends_the_year():
    rows = (months("A", {m: 96.0 for m in range(1, 13)})  # all twelve: the average decides
            + months("B", {m: 90.0 for m in range(1, 6)}) + [row("B", "2026", 97.5)]  # year-end decides
            + months("C", {m: 99.0 for m in range(1, 13) if m != 7}))  # eleven months, no year-end
    v = view(rows)
    a, b, c = cell(v, "A"), cell(v, "B"), cell(v, "C")
    assert (a["rule"], a["year_score"], a["year_status"], a["months_submitted"], a["months_meeting"]) == \
        ("average", 96.0, "meets", 12, 12)
    assert (b["rule"], b["year_score"], b["year_status"], b["months_submitted"], b["months_meeting"]) == \
        ("year_end", 97.5, "meets", 5, 0)
    assert b["missing_months"] == [6, 7, 8, 9, 10, 11, 12]
    assert (c["rule"], c["year_status"], c["months_submitted"], c["missing_months"]) == ("", "undecided", 11, [7])
    assert pd.isna(c["year_score"]) and c["m01"] == 99.0 and c["m07_status"] == "missing"
    assert list(v.missing["cell_code"]) == ["B", "C"]
    assert v.summary == {"year": "2026", "cells": 3, "decided": 2, "meeting": 2, "outstanding": 0, "below": 0, "undecided": 1,
                         "by_rule": {"year_end": 1, "average": 1}, "cells_missing_months": 2, "previous_year": None}


@pytest.mark.parametrize("total, average, status", [
    (12 * 95 - 0.5, 94.96, "below"),  # 94.958333… rounds half up to 94.96: under 95
    (12 * 95, 95.0, "meets"),  # exactly the threshold meets it
    (12 * 95 + 0.5, 95.04, "meets"),
])
def test_the_average_is_rounded_to_two_decimals_then_compared(total, average, status):
    scores = {m: 95.0 for m in range(1, 13)}
    scores[1] = 95.0 - (12 * 95 - total)
    c = cell(view(months("A", scores)), "A")
    assert (c["average"], c["year_status"], c["rule"]) == (average, status, "average")


def test_rounding_is_half_up_on_the_decimal_value():
    assert round_score(94.955) == 94.96 and round_score(94.954999) == 94.95 and round_score(94.995) == 95.0


def test_a_vetoed_month_excludes_the_average():
    rows = months("A", {m: 99.0 for m in range(1, 13)})
    rows[3]["status"] = "veto"
    assert cell(view(rows), "A")["year_status"] == "veto"


def test_year_rule_is_a_spec_setting():
    rows = months("A", {m: 96.0 for m in range(1, 13)}) + months("B", {1: 90.0}) + [row("B", "2026", 97.5)]
    only_end = {k: dataclasses.replace(s, year_rule="year_end") for k, s in SPECS.items()}
    v = view(rows, only_end)
    assert (cell(v, "A")["rule"], cell(v, "A")["year_status"]) == ("", "undecided")
    assert cell(v, "B")["rule"] == "year_end"
    only_avg = {k: dataclasses.replace(s, year_rule="average") for k, s in SPECS.items()}
    v = view(rows, only_avg)
    assert cell(v, "A")["rule"] == "average" and cell(v, "B")["year_status"] == "undecided"
    assert SPECS["agency"].year_rule == "year_end_else_average"


def test_an_unknown_year_rule_is_refused_and_the_rule_is_not_in_the_fingerprint():
    data = SPECS["agency"].to_dict()
    assert spec_from_dict({**data, "year_rule": "average"}).fingerprint == SPECS["agency"].fingerprint
    with pytest.raises(FourgoodError) as err:
        spec_from_dict({**data, "year_rule": "best_month"})
    assert [p.code for p in err.value.problems] == ["spec_year_rule"]


def test_the_year_at_every_level_of_the_tree_and_against_last_year():
    rows = (months("A", {m: 96.0 for m in range(1, 13)})  # xã A: meets by the average (96)
            + [row("B", "2026", 93.0)]  # xã A: below by its year-end evaluation
            + [row("C", "2026", 98.0)]  # xã B: meets
            + months("D", {1: 97.0})  # xã B: not decided
            # 2025: A met with 97 (year-end), B met with 95.5, C was below with 94, D has nothing
            + [row("A", "2025", 97.0), row("B", "2025", 95.5), row("C", "2025", 94.0)])
    v = view(rows)
    assert v.has_previous
    a, b, c, d = (cell(v, k) for k in "ABCD")
    assert (a["prev_score"], a["prev_status"], a["change"]) == (97.0, "meets", -1.0)
    assert (b["prev_status"], b["year_status"], b["change"]) == ("meets", "below", -2.5)
    assert (c["prev_status"], c["year_status"], c["change"]) == ("below", "meets", 4.0)
    assert d["prev_status"] == "undecided" and pd.isna(d["change"])
    h = v.hierarchy.set_index("name")
    top = h.loc["Tỉnh X"]
    assert (top["depth"], top["cells"], top["decided"], top["meets"], top["below"], top["undecided"]) == (0, 4, 3, 2, 1, 1)
    assert top["pass_rate"] == pytest.approx(0.5) and top["avg_score"] == pytest.approx((96 + 93 + 98) / 3, abs=0.005)
    assert (top["prev_meets"], top["change_meets"]) == (2, 0)
    assert top["prev_avg_score"] == pytest.approx((97 + 95.5 + 94) / 3, abs=0.005)
    xa, xb = h.loc["Đảng bộ xã A"], h.loc["Đảng bộ xã B"]
    assert (xa["depth"], xa["cells"], xa["meets"], xa["below"], xa["prev_meets"], xa["change_meets"]) == (1, 2, 1, 1, 2, -1)
    assert xa["avg_score"] == pytest.approx(94.5) and xa["change_avg_score"] == pytest.approx(94.5 - 96.25)
    assert (xb["cells"], xb["meets"], xb["undecided"], xb["prev_meets"], xb["change_meets"]) == (2, 1, 1, 0, 1)
    assert not xa["all_cells_4good"] and not xb["all_cells_4good"]
    assert v.summary["previous_year"] == {"year": "2025", "decided": 3, "meeting": 2}
    assert v.summary["below"] == 1 and v.summary["undecided"] == 1


@pytest.mark.slow
def test_the_demo_year_end_to_end(tmp_path, capsys):
    """`fourgood demo`: November for every cell, the other months for three, last year's evaluations;
    consolidated with --period 2026 the year's sheets agree with the summary JSON."""
    import json

    import openpyxl

    from fourgood.cli import main

    assert main(["demo", "--out", str(tmp_path), "--seed", "7"]) == 0
    capsys.readouterr()
    year = json.loads((tmp_path / "tong-hop-nam-2026.json").read_text(encoding="utf-8"))["year"]
    # the cell with the year-end evaluation is decided by it; the one with twelve months by their average
    # unless its November form (drawn with the others, mistakes included) is not scored
    assert year["cells"] == 28 and year["by_rule"]["year_end"] == 1 and year["by_rule"]["average"] <= 1
    assert year["previous_year"]["year"] == "2025" and year["previous_year"]["decided"] == 3
    wb = openpyxl.load_workbook(tmp_path / "tong-hop-nam-2026.xlsx", read_only=True)
    rows = list(wb["Cả năm - từng chi bộ"].iter_rows(min_row=9, values_only=True))
    head, body = rows[0], [r for r in rows[1:] if r[1]]
    first = head.index("T1")
    assert head[first:first + 12] == tuple(f"T{m}" for m in range(1, 13)) and len(body) == 28
    rule = [r[head.index("Căn cứ xét")] for r in body]
    assert rule.count("Bình quân (tạm tính)") == year["by_rule"]["average"]
    assert rule.count("Đánh giá cuối năm") == 1
    met = [r[head.index("Kết quả cả năm")] for r in body].count("Đạt")
    assert met == year["meeting"]
    level = list(wb["Cả năm - theo cấp"].iter_rows(min_row=10, max_row=10, values_only=True))[0]
    assert level[:5] == ("Đảng bộ tỉnh Hà Tĩnh", "Đảng bộ tỉnh", 28, year["decided"], year["meeting"])
    # a year report: the report, then the year's appendices; the month-level sheets are the month views'
    assert wb.sheetnames[:6] == ["Báo cáo", "Đề nghị công nhận", "Cả năm - từng chi bộ", "Không đề nghị",
                                 "Cả năm - thiếu tháng", "Cả năm - theo cấp"]
    assert "Chi tiết" not in wb.sheetnames and "Tổng hợp theo cấp" not in wb.sheetnames
    proposed = [r for r in wb["Đề nghị công nhận"].iter_rows(min_row=10, values_only=True) if r[2]]
    assert len(proposed) == year["meeting"]
    not_proposed = [r for r in wb["Không đề nghị"].iter_rows(min_row=10, values_only=True) if r[1]]
    assert len(not_proposed) == 28 - year["meeting"] and all(r[-1] for r in not_proposed)  # each with its reason
    assert wb["Đề nghị công nhận"]["A7"].value == "Kỳ đánh giá: năm 2026"
    report = [c for row in wb["Báo cáo"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "Kết quả đánh giá, đề nghị công nhận “Chi bộ 4 tốt” năm 2026" in report
    assert any(f"Đề nghị công nhận “Chi bộ 4 tốt” năm 2026: {year['meeting']} chi bộ" in t for t in report)
