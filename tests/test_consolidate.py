from __future__ import annotations

import datetime as dt
import json
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from fourgood.cli import main
from fourgood.consolidate_cmd import parse_period, run_consolidate
from fourgood.problems import FourgoodError
from fourgood.report.geometry import HEAD_ROW
from fourgood.spec import load_specs
from fourgood.workbook_templates.writer import template_filename

from .helpers import make_submission, scores_totalling

BLOC, DISTRICT = "Đảng bộ Ủy ban nhân dân tỉnh", "Đảng bộ các cơ quan Đảng tỉnh"
ROSTER = [  # code, name, type, grassroots, upper
    ("A-1", "=HYPERLINK(\"http://x\",\"bấm\")", "agency", "Đảng bộ Sở Tài chính", BLOC),
    ("A-2", "Chi bộ Phòng Ngân sách", "agency", "Đảng bộ Sở Tài chính", BLOC),
    ("A-3", "Chi bộ Khoa Nội", "public_service", "", BLOC),
    ("C-1", "Chi bộ thôn Bình Minh", "residential", "Đảng bộ xã Cẩm Bình", DISTRICT),
    ("C-2", "Chi bộ thôn Yên Lạc", "residential", "Đảng bộ xã Cẩm Bình", DISTRICT),
]


@pytest.fixture(scope="module")
def province(tmp_path_factory, template_dir, specs):
    root = tmp_path_factory.mktemp("province")
    inbox = root / "phieu"
    inbox.mkdir()
    wb = Workbook()
    ws = wb.active
    ws.append(["Mã chi bộ", "Tên chi bộ", "Loại chi bộ", "Đảng bộ cơ sở", "Cấp ủy cấp trên cơ sở", "Số đảng viên"])
    for code, name, kind, grass, upper in ROSTER:
        ws.append([code, name, kind, grass, upper, 20])
    ws["B2"].data_type = "s"  # the name was typed as text
    wb.save(root / "roster.xlsx")

    def sub(code, filename, total=None, **kw):
        _, name, kind, grass, upper = next(r for r in ROSTER if r[0] == code)
        return make_submission(template_dir / template_filename(kind), specs[kind], inbox / filename, total=total,
                               info={"cell_code": code, "cell_name": name, "grassroots": grass, "upper_committee": upper},
                               **kw)

    agency = specs["agency"]
    sub("A-1", "a1.xlsx", 97, upper_scores=scores_totalling(agency, 96))  # meets, upper score final
    sub("A-2", "a2.xlsx", 94)  # under 95
    partial = scores_totalling(specs["public_service"], 99)
    partial["4.5"] = None
    sub("A-3", "a3.xlsx", self_scores=partial)  # incomplete
    bad = scores_totalling(specs["residential"], 98)
    bad["1.1"] = 9  # above its maximum of 7: invalid
    sub("C-1", "c1.xlsx", self_scores=bad)
    (inbox / "a1 (1).xlsx").write_bytes((inbox / "a1.xlsx").read_bytes())  # the same file twice
    (inbox / "ghi-chu.txt").write_text("không phải phiếu", encoding="utf-8")
    out = root / "tong-hop.xlsx"
    code, c = run_consolidate([str(inbox)], str(out), roster=str(root / "roster.xlsx"),
                              summary_json=str(root / "tong-hop.json"), quiet=True,
                              run_at=dt.datetime(2026, 11, 30, 8, 0))
    assert code == 0
    return root, out, c


def _sheet(path, name):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python(skip_empty_area=False)


def _table(path, name):
    rows = _sheet(path, name)
    head = rows[HEAD_ROW - 1]  # under the party heading, title and period (report.geometry.HEAD_ROW)
    body = []
    for r in rows[HEAD_ROW:]:
        if not any(v != "" for v in r):
            break  # the table ends; the summary's signature block follows
        body.append(dict(zip(head, r)))
    return body


def test_summary_json_counts_every_file_and_cell(province):
    root, _, _ = province
    s = json.loads((root / "tong-hop.json").read_text(encoding="utf-8"))
    assert s["files_total"] == 6 == s["files_valid"] + s["files_rejected"]
    assert (s["files_valid"], s["files_rejected"]) == (4, 2)  # a1, its copy, a2, a3 | c1, ghi-chu.txt
    assert (s["cells"], s["cells_meeting_standard"], s["cells_below_threshold"], s["cells_incomplete"]) == (4, 1, 1, 1)
    assert s["cells_missing"] == 2  # C-2 sent nothing, C-1 only an invalid form
    assert s["duplicates"] == 1
    assert s["by_upper_committee"][DISTRICT] == {"cells": 1, "cells_meeting_standard": 0, "cells_below_threshold": 0,
                                                 "cells_incomplete": 0, "cells_missing": 2, "level": "upper"}


def test_hierarchy_sheet_rolls_up_cells_to_committees_and_province(province):
    _, out, _ = province
    rows = _table(out, "Tổng hợp theo cấp")
    orgs = [r["Tổ chức đảng"].strip() for r in rows]
    # depth first: the whole, each upper-level committee, then its grassroots organisations: A-3, named
    # with no grassroots committee, is a grassroots cell of its own
    assert orgs == ["Toàn bộ", BLOC, "Đảng bộ Sở Tài chính", "Chi bộ Khoa Nội", DISTRICT, "Đảng bộ xã Cẩm Bình"]
    # each level indented by the cell's indent (kept on every wrapped line), never by spaces in the text
    ws = load_workbook(out)["Tổng hợp theo cấp"]
    indents = [ws.cell(r, 2).alignment.indent for r in range(HEAD_ROW + 1, HEAD_ROW + 1 + len(rows))]
    assert indents[0] < indents[1] == indents[4] < indents[2] == indents[3] == indents[5]
    assert all(r["Tổ chức đảng"] == r["Tổ chức đảng"].strip() for r in rows)
    assert rows[3]["Cấp"] == "Chi bộ cơ sở" and rows[3]["100% chi bộ đạt"] == "—"
    prov = rows[0]
    assert (prov["Số chi bộ phải báo cáo"], prov["Đã nộp"], prov["Hợp lệ"], prov["Đạt 4 tốt"], prov["Dưới ngưỡng đạt"],
            prov["Chưa chấm đủ"], prov["Phiếu lỗi"]) == (5, 4, 3, 1, 1, 1, 1)
    assert prov["Tỷ lệ đạt"] == pytest.approx(1 / 5)
    assert prov["Điểm bình quân"] == pytest.approx((96 + 94) / 2)  # A-1 final is the upper-level 96
    bloc = rows[1]
    assert (bloc["Cấp"], bloc["Số chi bộ phải báo cáo"], bloc["Đạt 4 tốt"]) == ("Cấp trên trực tiếp cơ sở", 3, 1)
    assert bloc["Chênh lệch tự chấm - cấp trên"] == pytest.approx(1.0)
    finance = rows[2]  # A-1 meets, A-2 below: not every cell is 4-good
    assert (finance["Cấp"], finance["Số chi bộ phải báo cáo"], finance["100% chi bộ đạt"]) == \
        ("Tổ chức cơ sở đảng", 2, "Không")


def test_detail_under_95_missing_rejected_and_log_sheets(province):
    root, out, _ = province
    detail = _table(out, "Chi tiết")
    assert sorted(r["Mã chi bộ"] for r in detail) == ["A-1", "A-2", "A-3", "C-1"]
    a1 = next(r for r in detail if r["Mã chi bộ"] == "A-1")
    assert (a1["Tự chấm"], a1["Cấp trên chấm"], a1["Điểm cuối cùng"], a1["Nguồn điểm"]) == (97, 96, 96, "Cấp trên")
    below = _table(out, "Dưới ngưỡng đạt")
    assert [r["Mã chi bộ"] for r in below] == ["A-2"] and below[0]["Điểm cuối cùng"] == 94
    assert below[0]["Nội dung yếu nhất"] == "I"  # scores_totalling cuts the first criteria
    missing = _table(out, "Chưa nộp")
    assert {(r["Mã chi bộ"], r["Tình trạng"]) for r in missing} == {("C-1", "Phiếu có lỗi"), ("C-2", "Chưa nộp")}
    rejected = _table(out, "Tệp bị từ chối")
    assert [(r["Tệp"].split("/")[-1], r["Mã lỗi"], r["Mức"], r["Trang"], r["Ô"], r["Tiêu chí"]) for r in rejected] == [
        ("c1.xlsx", "score_above_max", "Lỗi", "Chấm điểm", "D9", "1.1"),  # 9 typed for 1.1 (max 7)
        ("ghi-chu.txt", "not_spreadsheet", "Lỗi", "", "", "")]
    log = _table(out, "Nhật ký")
    assert sorted(r["Tệp"].split("/")[-1] for r in log) == sorted(p.name for p in (root / "phieu").iterdir())
    assert {r["Kết luận"] for r in log} == {"Được tính", "Trùng, không tính", "Bị từ chối", "Không phải phiếu chấm điểm"}
    assert next(r["Kết luận"] for r in log if r["Tệp"].endswith("ghi-chu.txt")) == "Không phải phiếu chấm điểm"


def test_grassroots_view_says_whether_all_cells_are_4good(province):
    _, out, _ = province
    rows = _table(out, "Đảng bộ cơ sở")
    assert [r["Tổ chức cơ sở đảng"] for r in rows] == ["Đảng bộ Sở Tài chính", "Chi bộ Khoa Nội", "Đảng bộ xã Cẩm Bình"]
    fin = rows[0]
    assert fin["Cấp trên trực tiếp cơ sở"] == BLOC
    cell = rows[1]  # a grassroots cell: one cell, its own; “100%” is for organisations with cells under them
    assert (cell["Số chi bộ trực thuộc"], cell["100% chi bộ đạt “Chi bộ 4 tốt”"]) == (1, "—")
    assert (fin["Số chi bộ trực thuộc"], fin["Đạt 4 tốt"], fin["100% chi bộ đạt “Chi bộ 4 tốt”"]) == (2, 1, "Không")


def test_by_criterion_lists_weakest_first(province, specs):
    _, out, _ = province
    rows = _table(out, "Theo tiêu chí")
    shares = [r["Tỷ lệ so với điểm chuẩn"] for r in rows]
    assert shares == sorted(shares)
    # scores_totalling takes the missing points off the first criterion, 1.1 (8 points in both specs):
    # A-1 (upper score counts) 96 -> 1.1 = 4, A-2 94 -> 1.1 = 2: agency 1.1 averages 3 of 8;
    # A-3 99 -> public_service 1.1 = 7 of 8. The copy of a1, C-1 (invalid) and A-3's blank 4.5 do not count.
    agency, public = specs["agency"], specs["public_service"]
    assert agency.criteria[0].id == public.criteria[0].id == "1.1" and agency.criteria[0].max == public.criteria[0].max == 8
    head = ["Loại chi bộ", "Nội dung", "Tiêu chí", "Điểm chuẩn", "Số phiếu", "Điểm bình quân", "Tỷ lệ so với điểm chuẩn"]
    assert [[r[k] for k in head] for r in rows[:2]] == [["Chi bộ cơ quan", "I", "1.1", 8, 2, 3, 0.375],
                                                         ["Chi bộ đơn vị sự nghiệp", "I", "1.1", 8, 1, 7, 0.875]]
    assert rows[0]["Nội dung tiêu chí"] == agency.criteria[0].text_vi
    assert all(share == 1 for share in shares[2:])  # every other criterion has full marks
    assert len(rows) == len(agency.criteria) + len(public.criteria) - 1  # public_service 4.5 is blank
    assert {(r["Loại chi bộ"], r["Số phiếu"]) for r in rows} == {("Chi bộ cơ quan", 2), ("Chi bộ đơn vị sự nghiệp", 1)}


def test_submitted_text_is_never_a_formula_and_charts_exist(province):
    _, out, _ = province
    wb = load_workbook(out)
    cells = [(ws.title, c) for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    # A-1's name, as typed on its form: its row of the detail sheet and of the hidden data sheet, as text
    assert [(title, c.value, c.data_type) for title, c in cells] == [("Chi tiết", ROSTER[0][1], "s"),
                                                                     ("_du_lieu", ROSTER[0][1], "s")]
    with zipfile.ZipFile(out) as z:
        assert len([n for n in z.namelist() if n.startswith("xl/charts/chart")]) == 2
        assert not any(b"<f>HYPERLINK" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


@pytest.mark.slow
def test_two_runs_give_the_same_content(province, tmp_path):
    root, out, _ = province
    again = tmp_path / "lai.xlsx"
    run_consolidate([str(root / "phieu")], str(again), roster=str(root / "roster.xlsx"), quiet=True,
                    run_at=dt.datetime(2026, 11, 30, 8, 0))
    with zipfile.ZipFile(out) as a, zipfile.ZipFile(again) as b:
        for name in a.namelist():
            if name not in ("docProps/core.xml",) and not name.endswith("sheet12.xml"):  # _meta names the output
                assert a.read(name) == b.read(name), name


@pytest.mark.slow
def test_period_filter_and_parsing(province, tmp_path, template_dir, specs):
    root, _, before = province
    assert parse_period("2026-11") == "2026-11" == parse_period("11/2026") == parse_period("T11/2026")
    assert parse_period("2026") == "2026"
    with pytest.raises(FourgoodError) as err:  # no form is of that year: nothing written (tests/test_cli.py)
        run_consolidate([str(root / "phieu")], str(tmp_path / "nam.xlsx"), period="2025", quiet=True)
    assert err.value.problems[0].code == "period_not_found" and not (tmp_path / "nam.xlsx").exists()
    # A-2 also sends its October form (99 points): consolidating November leaves it out, with one warning
    october = make_submission(template_dir / template_filename("agency"), specs["agency"], tmp_path / "a2-t10.xlsx",
                              total=99, info={"cell_code": "A-2", "cell_name": "Chi bộ Phòng Ngân sách",
                                              "period": "Tháng 10", "upper_committee": BLOC})
    _, c = run_consolidate([str(root / "phieu"), str(october)], str(tmp_path / "t11.xlsx"), period="2026-11",
                           quiet=True)
    outside = [p for p in c.problems if p.code == "outside_period"]
    assert [(p.file, p.severity, p.value, p.expected) for p in outside] == [(str(october), "warning", "2026-10",
                                                                           "2026-11")]
    assert outside[0].message("vi") == "Phiếu thuộc kỳ 2026-10, ngoài kỳ đang tổng hợp (2026-11)."
    assert c.summary["cells"] == before.summary["cells"] == 4  # November alone, as without the October form
    assert c.cells.set_index("cell_code").loc["A-2", ["period", "final_total", "status"]].tolist() == \
        ["2026-11", 94, "below"]


def test_consolidate_usage_errors_exit_2(tmp_path, capsys):
    assert main(["consolidate", str(tmp_path), "-o", str(tmp_path / "x.csv")]) == 2
    assert main(["consolidate", str(tmp_path), "-o", str(tmp_path / "x.xlsx"), "--period", "2026-13"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def _demo_expectations(forms: list[dict], roster: dict[str, str]) -> tuple[dict, dict]:
    """The summary JSON and the province row of 'Tổng hợp theo cấp', recomputed from `validate --json` of every
    file the demo wrote and from its roster (cell code -> upper-level committee), by the README's definitions."""
    def blank(form, column):  # a criterion left blank in that column ("score_blank", worded in English)
        return any(e["code"] == "score_blank" and e["message"].endswith(f"({column} score).") for e in form["errors"])

    groups: dict[tuple[str, str], list[dict]] = {}
    for f in forms:
        if f["cell_code"] and f["period"]:  # a form whose period cannot be read belongs to no period
            groups.setdefault((f["cell_code"], f["period"]), []).append(f)
    status, final, gap, duplicates = {}, {}, {}, 0
    for key, group in groups.items():
        valid = [f for f in group if f["valid"]]
        if not valid:
            status[key] = "invalid"
            continue
        assert len({(f["status"], f["self_total"], f["upper_total"]) for f in valid}) == 1, key  # one result
        form = valid[0]
        duplicates += len(valid) - 1
        status[key] = form["status"]
        upper_ok = form["upper_total"] is not None and not blank(form, "upper-level")
        self_ok = form["self_total"] is not None and not blank(form, "self")
        final[key] = form["upper_total"] if upper_ok else form["self_total"] if self_ok else None
        if upper_ok and self_ok:
            gap[key] = form["self_total"] - form["upper_total"]
    periods = sorted({p for _, p in groups})
    sent_valid = {k for k, v in status.items() if v != "invalid"}

    def counts(keys):
        of = [status[k] for k in keys]
        return {"cells": len(of), "cells_meeting_standard": of.count("meets"),
                "cells_below_threshold": of.count("below"), "cells_incomplete": of.count("incomplete")}

    def missing(codes):
        return sum((c, p) not in sent_valid for c in codes for p in periods)

    uppers = sorted(set(roster.values()))
    summary = {
        "files_total": len(forms),
        "files_valid": sum(f["valid"] for f in forms),
        "files_rejected": sum(f["status"] in ("invalid", "not_a_form") for f in forms),
        "files_skipped": sum(f["status"] == "skipped" for f in forms),
        "thresholds": sorted({s.threshold for s in load_specs().values()}),
        **counts(list(status)),
        "cells_missing": missing(roster),
        "duplicates": duplicates,
        "conflicts": 0,
        "by_upper_committee": {u: {**counts([k for k in status if roster[k[0]] == u]),
                                   "cells_missing": missing([c for c in roster if roster[c] == u]), "level": "upper"}
                               for u in uppers},
    }
    finals = [v for v in final.values() if v is not None]
    province = {
        "Kỳ": periods[0], "Số chi bộ phải báo cáo": len(roster) * len(periods), "Đã nộp": len(status),
        "Hợp lệ": len(sent_valid), "Đạt 4 tốt": summary["cells_meeting_standard"],
        "Dưới ngưỡng đạt": summary["cells_below_threshold"], "Loại trừ": list(status.values()).count("veto"),
        "Chưa chấm đủ": summary["cells_incomplete"], "Phiếu lỗi": list(status.values()).count("invalid"),
        "Tỷ lệ đạt": pytest.approx(summary["cells_meeting_standard"] / len(roster)),
        "Điểm bình quân": pytest.approx(sum(finals) / len(finals)),
        "Chênh lệch tự chấm - cấp trên": pytest.approx(sum(gap.values()) / len(gap)),
    }
    return summary, province


@pytest.mark.slow
def test_demo_figures_agree_with_validating_every_file_it_wrote(tmp_path, capsys):
    demo = tmp_path / "demo"
    assert main(["demo", "--out", str(demo), "--seed", "7"]) == 0
    capsys.readouterr()
    inbox = demo / "phieu-nop"
    written = sorted(str(p) for p in inbox.rglob("*") if p.is_file())
    code = main(["validate", str(inbox), "--json", "--lang", "en"])
    forms = json.loads(capsys.readouterr().out)
    assert sorted(f["file"] for f in forms) == written  # every file the demo wrote, once
    assert code == (1 if any(f["status"] in ("invalid", "not_a_form") for f in forms) else 0)
    roster_rows = _sheet(demo / "danh-sach-chi-bo.xlsx", "Danh sách chi bộ")
    head = roster_rows[0]
    roster = {r[head.index("Mã chi bộ")]: r[head.index("Cấp ủy cấp trên cơ sở")] for r in roster_rows[1:] if r[0]}
    assert len(roster) == 28  # the README: 28 cells of all four types

    summary, province = _demo_expectations(forms, roster)
    assert json.loads((demo / "tong-hop-tinh.json").read_text(encoding="utf-8")) == summary
    rows = _table(demo / "tong-hop-tinh.xlsx", "Tổng hợp theo cấp")
    prov = rows[0]  # the top of the tree: the province committee of the roster
    assert (prov["Tổ chức đảng"], prov["Cấp"]) == ("Đảng bộ tỉnh Hà Tĩnh", "Đảng bộ tỉnh")
    assert {k: prov[k] for k in province} == province
    # the seeded demo shows what it is meant to: a duplicate, cells below 95, rejected and skipped files
    assert summary["cells_meeting_standard"] > summary["cells_below_threshold"] > 0 and summary["duplicates"] >= 1
    assert summary["files_rejected"] >= 2 and summary["files_skipped"] >= 1


@pytest.mark.slow
def test_demo_writes_one_file_per_cell_that_sends_a_form(tmp_path, monkeypatch):
    import fourgood.demo as demo

    filled: list[tuple[str, str]] = []  # (file, cell code) for every form the demo fills
    real = demo.fill_template

    def recording(template, submission, path):
        filled.append((str(path), submission.info["cell_code"]))
        return real(template, submission, path)

    monkeypatch.setattr(demo, "fill_template", recording)
    demo.build_demo(tmp_path / "demo", seed=7)
    written = {}
    for path, code in filled:
        written.setdefault(path, []).append(code)
    assert {p: c for p, c in written.items() if len(c) > 1} == {}


# ----------------------------------------------------------------------------- roll-up across levels


@pytest.fixture
def levels(tmp_path, template_dir, specs):
    """A district consolidates its cells; the province gets the district's workbook plus the bloc's forms."""
    spec = specs["agency"]
    template = template_dir / template_filename("agency")

    def form(folder, code, total, upper):
        folder.mkdir(exist_ok=True)
        return make_submission(template, spec, folder / f"{code}.xlsx", total,
                               info={"cell_code": code, "cell_name": f"Chi bộ {code}", "upper_committee": upper,
                                     "grassroots": f"Đảng bộ xã {code[:3]}"})

    district, bloc = tmp_path / "huyen", tmp_path / "khoi"
    for code, total in (("D-1", 100), ("D-2", 94), ("D-3", 96.5)):
        form(district, code, total, DISTRICT)
    for code, total in (("B-1", 97), ("B-2", 90)):
        form(bloc, code, total, BLOC)
    district_book = tmp_path / "tong-hop-huyen.xlsx"
    run_consolidate([str(district)], str(district_book), quiet=True)
    return {"district": district, "bloc": bloc, "district_book": district_book, "form": form, "root": tmp_path}


def _summary_of(paths, out):
    _, c = run_consolidate([str(p) for p in paths], str(out), quiet=True)
    return c


@pytest.mark.slow
def test_a_district_workbook_rolls_up_like_its_forms(levels):
    direct = _summary_of([levels["district"], levels["bloc"]], levels["root"] / "direct.xlsx")
    rolled = _summary_of([levels["district_book"], levels["bloc"]], levels["root"] / "rolled.xlsx")
    assert rolled.summary["cells"] == direct.summary["cells"] == 5
    for key in ("cells_meeting_standard", "cells_below_threshold", "cells_incomplete", "by_upper_committee"):
        assert rolled.summary[key] == direct.summary[key]
    assert rolled.summary["files_total"] == 3 and rolled.summary["conflicts"] == 0
    cols = ["cell_code", "final_total", "status", "upper_committee"]
    assert rolled.cells[cols].sort_values("cell_code").values.tolist() == \
        direct.cells[cols].sort_values("cell_code").values.tolist()


@pytest.mark.slow
def test_a_cell_reaching_the_province_twice_with_the_same_result_counts_once(levels):
    both = _summary_of([levels["district_book"], levels["district"], levels["bloc"]], levels["root"] / "both.xlsx")
    assert both.summary["cells"] == 5 and both.summary["conflicts"] == 0
    assert sorted(both.cells["cell_code"]) == ["B-1", "B-2", "D-1", "D-2", "D-3"]
    direct_file = both.cells.set_index("cell_code").loc["D-1", "file"]
    assert direct_file.endswith("D-1.xlsx")  # the form itself is preferred to the copy in the district's workbook


@pytest.mark.slow
def test_only_its_own_earlier_workbook_is_skipped_never_a_lower_levels(levels):
    """The province's own result, copied among its inputs, is skipped; the district's workbook, whose
    cells sit under the district, still rolls up (issue 17 §6). The roster says who consolidates."""
    root = levels["root"]
    wb = Workbook()
    wb.active.append(["Mã chi bộ", "Tên chi bộ", "Loại chi bộ", "Đảng bộ cơ sở", "Cấp ủy cấp trên cơ sở"])
    for code, upper in (("D-1", DISTRICT), ("D-2", DISTRICT), ("D-3", DISTRICT), ("B-1", BLOC), ("B-2", BLOC)):
        wb.active.append([code, f"Chi bộ {code}", "agency", f"Đảng bộ xã {code[:3]}", upper])
    roster = root / "danh-sach.xlsx"
    wb.save(roster)
    _, first = run_consolidate([str(levels["district_book"]), str(levels["bloc"])], str(root / "tinh.xlsx"),
                               roster=str(roster), quiet=True)
    inbox = root / "hop-thu"
    inbox.mkdir()
    for book in (levels["district_book"], root / "tinh.xlsx"):
        (inbox / book.name).write_bytes(book.read_bytes())
    (levels["bloc"] / "B-2.xlsx").unlink()  # withdrawn: it must not come back through the copy
    _, again = run_consolidate([str(inbox), str(levels["bloc"])], str(root / "tinh-lan-2.xlsx"), roster=str(roster),
                               quiet=True)
    verdict = again.files.set_index("file")["verdict"]
    assert verdict[str(inbox / "tinh.xlsx")] == "skipped" and verdict[str(inbox / "tong-hop-huyen.xlsx")] == "counted"
    (own,) = [p for p in again.problems if p.code == "consolidated_own"]
    assert own.file == str(inbox / "tinh.xlsx") and own.severity == "warning"
    assert sorted(again.cells["cell_code"]) == ["B-1", "D-1", "D-2", "D-3"]
    assert again.summary["cells"] == first.summary["cells"] - 1 and again.summary["files_skipped"] == 1
    assert again.summary["cells_missing"] == first.summary["cells_missing"] + 1 == 1  # B-2 now has no form


@pytest.mark.slow
def test_conflicting_versions_are_reported_never_settled(levels):
    resubmitted = levels["form"](levels["root"] / "nop-lai", "D-2", 96, DISTRICT)  # 94 in the district's workbook
    c = _summary_of([levels["district_book"], resubmitted, levels["bloc"]], levels["root"] / "conflict.xlsx")
    conflicts = [p for p in c.problems if p.code == "rollup_conflict"]
    assert {p.file for p in conflicts} == {str(levels["district_book"]), str(resubmitted)}
    assert all(p.value == "D-2" and "94" in p.params["detail"] and "96" in p.params["detail"] for p in conflicts)
    assert c.summary["conflicts"] == 1
    row = c.cells.set_index("cell_code").loc["D-2"]
    assert row["status"] == "invalid"  # neither version is taken as the truth
    assert c.summary["cells"] == 5 and c.summary["cells_below_threshold"] == 1  # B-2 only
    log = c.files.set_index("file")
    assert "D-2" in log.loc[str(levels["district_book"]), "reason"]


def test_a_damaged_data_sheet_rejects_the_workbook_with_a_located_error(levels, tmp_path):
    wb = load_workbook(levels["district_book"])
    status = [c.value for c in wb["_du_lieu"][1]].index("status") + 1
    wb["_du_lieu"].cell(2, status, "tuyệt vời")
    where = wb["_du_lieu"].cell(2, status).coordinate
    bad = tmp_path / "hong.xlsx"
    wb.save(bad)
    c = _summary_of([bad], tmp_path / "out.xlsx")
    assert c.summary["files_rejected"] == 1
    problem = next(p for p in c.problems if p.file == str(bad))
    assert problem.code == "not_our_template" and (problem.sheet, problem.cell) == ("_du_lieu", where)


def test_a_batch_with_no_form_against_a_roster_still_writes_the_workbook_listing_the_files_rejected(province, tmp_path):
    """Nothing in the folder is a form (a note): the workbook is still written, with
    the files listed as rejected, never an unexpected error (an empty period column could not be merged)."""
    root, _, _ = province
    inbox = tmp_path / "phieu"
    inbox.mkdir()
    (inbox / "ghi-chu.txt").write_text("không phải phiếu", encoding="utf-8")
    code, c = run_consolidate([str(inbox)], str(tmp_path / "tong-hop.xlsx"), roster=str(root / "roster.xlsx"),
                              quiet=True)
    assert code == 0 and (tmp_path / "tong-hop.xlsx").exists()
    assert c.summary["cells"] == 0 and c.rejected["file"].str.endswith("ghi-chu.txt").any()
