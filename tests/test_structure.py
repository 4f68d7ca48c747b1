"""The party structure comes from the roster, at any depth (2026: no district level).

A small province: a commune committee straight under the province (2 levels above its cells),
an agency cell straight under a provincial agency committee (2), a grassroots committee under
that committee (3) and a departmental committee inside it (4). Every figure expected below is
counted by hand from the table of forms in this file.
"""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from fourgood.consolidate_cmd import run_consolidate
from fourgood.contract import ROLLUP_SHEET
from fourgood.demo import build_demo, build_year
from fourgood.problems import FourgoodError
from fourgood.report.geometry import HEAD_ROW
from fourgood.rollup import COUNTS
from fourgood.structure import chain_from_text
from fourgood.validators.roster import read_roster
from fourgood.workbook_templates.writer import template_filename
from fourgood.yearview import YEAR_COUNTS

from .helpers import assert_rows_add_up, make_submission, write_roster

ORGS = [  # code, name, level as a board types it, parent
    ("T", "Đảng bộ tỉnh Quảng Trị", "Đảng bộ tỉnh", ""),
    ("UB", "Đảng bộ Ủy ban nhân dân tỉnh", "Cấp trên trực tiếp cơ sở", "T"),
    ("BV", "Đảng bộ Bệnh viện tỉnh", "Tổ chức cơ sở đảng", "UB"),
    ("BV-N", "Đảng bộ bộ phận Khối Nội", "Đảng bộ bộ phận", "BV"),
    ("XA", "Đảng bộ xã Vĩnh Linh", "", "T"),  # level left blank: guessed from its place
]
CELLS = [  # code, name, type, parent, total (None: no form)
    ("BV-01", "Chi bộ Khoa Nội A", "public_service", "BV-N", 97),
    ("BV-02", "Chi bộ Khoa Nội B", "public_service", "BV-N", 94),
    ("BV-03", "Chi bộ Phòng Hành chính", "public_service", "BV", 96),
    ("UB-01", "Chi bộ Ban Quản lý dự án", "agency", "UB", 100),
    ("XA-01", "Chi bộ thôn Đông", "residential", "XA", 95),
    ("XA-02", "Chi bộ thôn Tây", "residential", "XA", None),
]
NODES = ["T", "UB", "BV", "BV-N", "BV@*", "@UB-01", "XA", "@XA-01", "@XA-02"]  # the rows of the summary by level


def _roster(template_dir, path, orgs=ORGS, cells=CELLS):
    return write_roster(template_dir, path, [c[:4] for c in cells], orgs)


@pytest.fixture(scope="module")
def quang_tri(tmp_path_factory, template_dir, specs):
    root = tmp_path_factory.mktemp("qt")
    roster = _roster(template_dir, root / "danh-sach.xlsx")
    inbox = root / "phieu"
    inbox.mkdir()
    for code, name, kind, _, total in CELLS:
        if total is not None:  # what secretaries type on the form does not decide the tree: the roster does
            make_submission(template_dir / template_filename(kind), specs[kind], inbox / f"{code}.xlsx", total,
                            info={"cell_code": code, "cell_name": name, "upper_committee": "gõ tay khác",
                                  "grassroots": ""})
    out = root / "tong-hop.xlsx"
    _, c = run_consolidate([str(inbox)], str(out), roster=str(roster), summary_json=str(root / "s.json"), quiet=True)
    return root, roster, out, c


def test_the_roster_gives_each_cell_its_chain_of_any_depth(quang_tri):
    _, roster, _, _ = quang_tri
    frame = read_roster(roster).set_index("cell_code")
    chains = {code: [(o.id, o.kind) for o in chain_from_text(frame.loc[code, "org_chain"])] for code in frame.index}
    assert chains["BV-01"] == [("T", "province"), ("UB", "upper"), ("BV", "grassroots"), ("BV-N", "department")]
    assert chains["BV-03"] == [("T", "province"), ("UB", "upper"), ("BV", "grassroots")]
    assert chains["UB-01"] == [("T", "province"), ("UB", "upper")]  # a grassroots cell under the upper level
    # a commune straight under the province, level left blank: the level directly above the grassroots
    # (Quy định 294-QĐ/TW), its village cells grassroots cells
    assert chains["XA-02"] == [("T", "province"), ("XA", "upper")]
    assert frame.loc["BV-01", "upper_committee"] == "Đảng bộ Ủy ban nhân dân tỉnh"
    assert frame.loc["BV-01", "grassroots"] == "Đảng bộ Bệnh viện tỉnh"
    assert (frame.loc["XA-01", "upper_committee"], frame.loc["XA-01", "grassroots"]) == ("Đảng bộ xã Vĩnh Linh", "")
    assert frame.loc["XA-01", "province"] == "Đảng bộ tỉnh Quảng Trị"


def test_every_level_of_the_tree_has_its_figures(quang_tri):
    _, _, out, c = quang_tri
    h = c.hierarchy.set_index("node")
    # depth first, roster order; the grassroots cells (UB-01, XA-01, XA-02) are rows of their own, and
    # BV-03, directly under the hospital beside its departmental committee, counts in “Các chi bộ trực thuộc”
    assert list(c.hierarchy["node"]) == NODES
    assert list(c.hierarchy["depth"]) == [0, 1, 2, 3, 3, 2, 1, 2, 2]
    # by hand: meets BV-01 (97), BV-03 (96), UB-01 (100), XA-01 (95); below BV-02 (94); XA-02 sent nothing
    expect = {"T": (6, 5, 4, 1), "UB": (4, 4, 3, 1), "BV": (3, 3, 2, 1), "BV-N": (2, 2, 1, 1), "BV@*": (1, 1, 1, 0),
              "@UB-01": (1, 1, 1, 0), "XA": (2, 1, 1, 0), "@XA-01": (1, 1, 1, 0), "@XA-02": (1, 0, 0, 0)}
    got = {n: tuple(int(h.loc[n, k]) for k in ("expected", "submitted", "meets", "below")) for n in expect}
    assert got == expect
    assert h.loc["BV-N", "avg_final"] == pytest.approx((97 + 94) / 2)
    assert h.loc["UB", "pass_rate"] == pytest.approx(3 / 4)
    # every organisation has a cell below 95 or missing; a row with no cells under it says nothing
    assert list(h["all_cells_4good"]) == [False, False, False, False, None, None, False, None, None]
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Tổng hợp theo cấp").to_python()
    head = rows[HEAD_ROW - 1]
    body = rows[HEAD_ROW:HEAD_ROW + len(NODES)]
    names = [r[head.index("Tổ chức đảng")] for r in body]
    assert [n.strip() for n in names] == [*(o[1] for o in ORGS[:4]), "Các chi bộ trực thuộc", "Chi bộ Ban Quản lý dự án",
                                          ORGS[4][1], "Chi bộ thôn Đông", "Chi bộ thôn Tây"]
    ws = load_workbook(out)["Tổng hợp theo cấp"]  # indented by the cell's indent, not by spaces
    depth = [ws.cell(HEAD_ROW + 1 + i, head.index("Tổ chức đảng") + 1).alignment.indent for i in range(len(names))]
    assert depth[0] < depth[1] < depth[2] < depth[3] == depth[4] and depth[5] == depth[2] and depth[6] == depth[1]
    assert [r[head.index("Cấp")] for r in body] == [
        "Đảng bộ tỉnh", "Cấp trên trực tiếp cơ sở", "Tổ chức cơ sở đảng", "Đảng bộ bộ phận", "Chi bộ trực thuộc",
        "Chi bộ cơ sở", "Cấp trên trực tiếp cơ sở", "Chi bộ cơ sở", "Chi bộ cơ sở"]
    summary = json.loads((quang_tri[0] / "s.json").read_text(encoding="utf-8"))
    assert list(summary["by_upper_committee"]) == ["Đảng bộ Ủy ban nhân dân tỉnh", "Đảng bộ xã Vĩnh Linh"]  # tree order
    assert summary["by_upper_committee"]["Đảng bộ xã Vĩnh Linh"]["cells_missing"] == 1
    assert {v["level"] for v in summary["by_upper_committee"].values()} == {"upper"}


def test_a_consolidated_workbook_carries_the_tree_one_level_up(quang_tri, tmp_path):
    _, _, out, c = quang_tri
    data = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(ROLLUP_SHEET).to_python()
    chains = {r[data[0].index("cell_code")]: chain_from_text(r[data[0].index("org_chain")]) for r in data[1:]}
    assert [o.id for o in chains["BV-02"]] == ["T", "UB", "BV", "BV-N"]
    # the central level consolidates the province's workbook with no roster: the same tree comes back
    _, up = run_consolidate([str(out)], str(tmp_path / "tw.xlsx"), quiet=True)
    assert list(up.hierarchy["node"]) == [n for n in NODES if n != "@XA-02"]  # XA-02 sent nothing
    assert list(up.hierarchy["meets"]) == [4, 3, 2, 1, 1, 1, 1, 1]


def test_forms_not_on_the_roster_are_named_with_their_likely_code(template_dir, specs, tmp_path):
    roster = _roster(template_dir, tmp_path / "ds.xlsx")
    inbox = tmp_path / "phieu"
    inbox.mkdir()
    kind = "public_service"
    typo = make_submission(template_dir / template_filename(kind), specs[kind], inbox / "a.xlsx", 99,
                           info={"cell_code": "bv 01.", "cell_name": "Chi bộ Khoa Nội A"})
    stranger = make_submission(template_dir / template_filename(kind), specs[kind], inbox / "b.xlsx", 99,
                               info={"cell_code": "ZZ-9", "cell_name": "Chi bộ lạ"})
    _, c = run_consolidate([str(inbox)], str(tmp_path / "o.xlsx"), roster=str(roster), quiet=True)
    found = {p.file: p for p in c.problems if p.code == "cell_not_in_roster"}
    assert found[str(typo)].value == "BV01." and found[str(typo)].expected == "BV-01"
    assert found[str(typo)].message("vi") == "Mã chi bộ BV01. không có trong danh sách chi bộ; có lẽ là BV-01."
    assert found[str(stranger)].expected is None
    assert found[str(stranger)].message("vi") == "Mã chi bộ ZZ-9 không có trong danh sách chi bộ."
    assert {p.severity for p in found.values()} == {"warning"}


@pytest.mark.parametrize("orgs, cells, code, where", [
    ([*ORGS[:4], ("XA", "Đảng bộ xã Vĩnh Linh", "", "NOPE")], CELLS, "roster_parent_unknown", ("Tổ chức đảng", "D6")),
    (ORGS, [*CELLS[:5], ("XA-02", "Chi bộ thôn Tây", "residential", "XB", None)], "roster_parent_unknown",
     ("Danh sách chi bộ", "E7")),
    ([("A", "Đảng bộ A", "", "B"), ("B", "Đảng bộ B", "", "A")], [("C-1", "Chi bộ", "agency", "A", 1)],
     "roster_org_cycle", ("Tổ chức đảng", "D2")),
    ([*ORGS, ("BV", "Đảng bộ trùng mã", "", "UB")], CELLS, "roster_org_duplicate", ("Tổ chức đảng", "A7")),
])
def test_a_broken_roster_structure_is_a_located_error(template_dir, tmp_path, orgs, cells, code, where):
    path = _roster(template_dir, tmp_path / "ds.xlsx", orgs=orgs, cells=cells)
    with pytest.raises(FourgoodError) as err:
        read_roster(path)
    (problem,) = err.value.problems
    assert (problem.code, (problem.sheet, problem.cell)) == (code, where)
    assert problem.message("vi") and "{" not in problem.message("vi")


def test_the_cell_lists_and_the_chart_name_each_cells_levels_as_the_roster_gives_them(quang_tri):
    _, _, out, _ = quang_tri
    book = CalamineWorkbook.from_path(str(out))

    def table(name):
        rows = book.get_sheet_by_name(name).to_python()
        head = rows[HEAD_ROW - 1]
        return {r[head.index("Mã chi bộ")]: (r[head.index("Cấp trên trực tiếp cơ sở")], r[head.index("Tổ chức cơ sở đảng")])
                for r in rows[HEAD_ROW:] if len(r) > 3 and r[head.index("Mã chi bộ")]}

    detail = table("Chi tiết")
    assert detail["BV-01"] == ("Đảng bộ Ủy ban nhân dân tỉnh", "Đảng bộ Bệnh viện tỉnh")  # through its department
    assert detail["UB-01"] == ("Đảng bộ Ủy ban nhân dân tỉnh", "(chi bộ cơ sở)")  # the form typed “gõ tay khác”
    assert detail["XA-01"] == ("Đảng bộ xã Vĩnh Linh", "(chi bộ cơ sở)")
    assert table("Dưới ngưỡng đạt")["BV-02"] == ("Đảng bộ Ủy ban nhân dân tỉnh", "Đảng bộ Bệnh viện tỉnh")
    assert table("Chưa nộp") == {"XA-02": ("Đảng bộ xã Vĩnh Linh", "(chi bộ cơ sở)")}
    charts = book.get_sheet_by_name("Biểu đồ").to_python()
    assert charts[HEAD_ROW - 1][:2] == ["Cấp trên trực tiếp cơ sở", "Tỷ lệ đạt"]


def test_the_grassroots_sheet_lists_grassroots_committees_and_grassroots_cells(quang_tri):
    _, _, out, c = quang_tri
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Đảng bộ cơ sở").to_python()
    head = rows[HEAD_ROW - 1]
    body = [dict(zip(head, r)) for r in rows[HEAD_ROW:] if r[0]][:4]
    assert [(r["Cấp trên trực tiếp cơ sở"], r["Tổ chức cơ sở đảng"], r["Số chi bộ trực thuộc"],
             r["100% chi bộ đạt “Chi bộ 4 tốt”"]) for r in body] == [
        ("Đảng bộ Ủy ban nhân dân tỉnh", "Đảng bộ Bệnh viện tỉnh", 3, "Không"),
        ("Đảng bộ Ủy ban nhân dân tỉnh", "Chi bộ Ban Quản lý dự án", 1, "—"),  # a grassroots cell: one cell, itself
        ("Đảng bộ xã Vĩnh Linh", "Chi bộ thôn Đông", 1, "—"),
        ("Đảng bộ xã Vĩnh Linh", "Chi bộ thôn Tây", 1, "—")]


def test_a_blank_level_is_guessed_from_its_place_in_the_whole_tree(template_dir, tmp_path):
    orgs = [("T", "Đảng bộ tỉnh", "", ""), ("U", "Đảng bộ các cơ quan Đảng tỉnh", "", "T"),
            ("G", "Đảng bộ Trường Đại học", "", "U"), ("D", "Đảng bộ bộ phận Khoa Y", "", "G"),
            ("D2", "Đảng bộ bộ phận Bộ môn Nội", "", "D"), ("G2", "Đảng bộ Sở Y tế", "Tổ chức cơ sở đảng", "U"),
            ("G2-D", "Đảng bộ Bệnh viện", "", "G2")]
    cells = [("C1", "Chi bộ 1", "agency", "D2"), ("C2", "Chi bộ 2", "agency", "G"), ("C3", "Chi bộ 3", "agency", "U"),
             ("C4", "Chi bộ 4", "agency", "G2-D"), ("C5", "Chi bộ 5", "agency", "D")]
    frame = read_roster(_roster(template_dir, tmp_path / "ds.xlsx", orgs=orgs, cells=cells)).set_index("cell_code")
    kinds = {o.id: o.kind for code in frame.index for o in chain_from_text(frame.loc[code, "org_chain"])}
    # under a grassroots committee (guessed or stated): a departmental committee, never a second grassroots one;
    # one level per organisation, whichever cell's chain it is seen in (G is right above C2 and above D)
    assert kinds == {"T": "province", "U": "upper", "G": "grassroots", "D": "department", "D2": "department",
                     "G2": "grassroots", "G2-D": "department"}
    assert frame.loc["C1", ["upper_committee", "grassroots"]].tolist() == ["Đảng bộ các cơ quan Đảng tỉnh",
                                                                          "Đảng bộ Trường Đại học"]
    assert frame.loc["C3", ["upper_committee", "grassroots"]].tolist() == ["Đảng bộ các cơ quan Đảng tỉnh", ""]


# A generated five-level tree: province -> upper level -> grassroots committee -> departmental committee
# -> cells, with grassroots cells under the upper levels (and under the province), and mixed nodes (an
# organisation with both organisations and cells directly under it) at every level.
def _five_levels(n_upper: int = 3) -> tuple[list[tuple[str, str, str, str]], list[tuple[str, str, str, str]]]:
    orgs = [("P", "Đảng bộ tỉnh Thử", "Đảng bộ tỉnh", "")]
    cells = [("P-C", "Chi bộ trực thuộc tỉnh", "agency", "P")]
    for u in range(n_upper):
        uc = f"U{u}"
        orgs.append((uc, f"Đảng bộ cấp trên {u}", "" if u % 2 else "Cấp trên trực tiếp cơ sở", "P"))
        cells += [(f"{uc}-C{k}", f"Chi bộ cơ sở {u}.{k}", "residential", uc) for k in range(u + 1)]
        for g in range(2):
            gc = f"{uc}G{g}"
            orgs.append((gc, f"Đảng bộ cơ sở {u}.{g}", "", uc))
            cells += [(f"{gc}-C{k}", f"Chi bộ {u}.{g}.{k}", "agency", gc) for k in range(g + 1)]  # mixed when g > 0
            for d in range(g + 1):
                dc = f"{gc}D{d}"
                orgs.append((dc, f"Đảng bộ bộ phận {u}.{g}.{d}", "", gc))
                cells += [(f"{dc}-C{k}", f"Chi bộ {u}.{g}.{d}.{k}", "public_service", dc) for k in range(2)]
                if d:  # a departmental committee with one of its own under it, beside its cells
                    orgs.append((f"{dc}S", f"Đảng bộ bộ phận {u}.{g}.{d}.1", "", dc))
                    cells.append((f"{dc}S-C0", f"Chi bộ {u}.{g}.{d}.1.0", "enterprise", f"{dc}S"))
    return orgs, cells


def test_every_organisation_is_the_sum_of_the_rows_directly_below_it_in_a_five_level_tree(template_dir, specs,
                                                                                          tmp_path):
    orgs, cells = _five_levels()
    roster = _roster(template_dir, tmp_path / "ds.xlsx", orgs=orgs, cells=cells)
    inbox = tmp_path / "phieu"
    inbox.mkdir()
    totals = [97, 94, 100, 95.5, None, 90, 96]  # None: no form
    for i, (code, name, kind, _) in enumerate(cells[::2]):  # every other cell sends a form
        total = totals[i % len(totals)]
        if total is not None:
            make_submission(template_dir / template_filename(kind), specs[kind], inbox / f"{code}.xlsx", total,
                            info={"cell_code": code, "cell_name": name})
    _, c = run_consolidate([str(inbox)], str(tmp_path / "o.xlsx"), roster=str(roster), period="2026", quiet=True)
    h = c.hierarchy
    assert set(h["depth"]) == {0, 1, 2, 3, 4}
    assert {"grassroots_cell", "direct_cells", "department"} <= set(h["kind"])
    top = h[h["depth"] == 0].iloc[0]
    assert (top["expected"], top["submitted"]) == (len(cells), sum(1 for _ in inbox.iterdir()))
    above = {parent for *_, parent in orgs if parent}  # every organisation with organisations under it
    assert assert_rows_add_up(h, COUNTS, [("avg_final", ("meets", "below", "veto"))]) == len(above)
    year = c.year.hierarchy  # the year view: the same tree, the same rule
    assert assert_rows_add_up(year, YEAR_COUNTS, [("avg_score", "decided")]) == len(above)
    # the grassroots sheet: every grassroots organisation, grassroots cells included, once
    grassroots = {r.node for r in h.itertuples() if r.kind in ("grassroots", "grassroots_cell")}
    assert set(c.grassroots["node"]) == grassroots and len(grassroots) == 3 * 2 + 1 + (1 + 2 + 3)


def test_every_level_of_the_demo_is_the_sum_of_the_rows_below_it(tmp_path):
    """`fourgood demo`, month and year: communes and wards are the level directly above the grassroots
    (Quy định 294-QĐ/TW) with grassroots cells; the agency committees have grassroots cells too
    (CQD-004, UB-015) and the hospital has a cell beside its departmental committees."""
    inbox, roster, templates = build_demo(tmp_path)
    months = build_year(tmp_path, templates)
    _, month = run_consolidate([str(inbox)], str(tmp_path / "thang.xlsx"), roster=str(roster), quiet=True)
    _, year = run_consolidate([str(inbox), str(months)], str(tmp_path / "nam.xlsx"), roster=str(roster),
                              period="2026", quiet=True)
    h = month.hierarchy.set_index("node")
    assert (h.loc["@CQD-004", "kind"], h.loc["@CQD-004", "parent"]) == ("grassroots_cell", "CQD")
    assert (h.loc["@UB-015", "kind"], h.loc["@UB-015", "parent"]) == ("grassroots_cell", "UB")
    assert (h.loc["UB-BV@*", "kind"], h.loc["UB-BV@*", "expected"]) == ("direct_cells", 1)
    assert {h.loc[x, "kind"] for x in ("X-CB", "X-CX", "P-TS")} == {"upper"}
    assert h.loc["HT", "expected"] == h.loc[h["depth"] == 1, "expected"].sum() == 28
    with_rows_below = set(month.hierarchy["parent"]) - {""}
    assert assert_rows_add_up(month.hierarchy, COUNTS, [("avg_final", ("meets", "below", "veto"))]) == \
        len(with_rows_below) == 7  # HT, CQD, UB, UB-BV and the three communes
    assert year.year is not None
    assert assert_rows_add_up(year.year.hierarchy, YEAR_COUNTS, [("avg_score", "decided")]) == 7
    assert assert_rows_add_up(year.hierarchy, COUNTS, [("avg_final", ("meets", "below", "veto"))]) >= 7  # each month
    # “100% of the cells” belongs to the organisations with cells under them; the grassroots sheet lists the
    # grassroots committees and the grassroots cells
    assert h.loc["@CQD-004", "all_cells_4good"] is None and h.loc["UB-BV", "all_cells_4good"] in (True, False)
    assert set(month.grassroots["kind"]) == {"grassroots", "grassroots_cell"}
    assert len(month.grassroots) == 5 + 15  # CQD-VP, CQD-BHT, UB-STC, UB-BV, UB-MT; 2 + 13 grassroots cells


def test_forms_under_a_former_code_count_for_the_renamed_cell_with_a_warning(template_dir, specs, tmp_path):
    """Villages merged in the year: XA-01 was XA-08 and XA-09 (the roster's “Mã cũ”)."""
    cells = [(*c[:4], "XA-09; xa-08") if c[0] == "XA-01" else c[:4] for c in CELLS]
    roster = write_roster(template_dir, tmp_path / "ds.xlsx", cells, ORGS)
    inbox = tmp_path / "phieu"
    inbox.mkdir()
    kind = "residential"

    def form(name, code, total, month):
        return make_submission(template_dir / template_filename(kind), specs[kind], inbox / name, total,
                               info={"cell_code": code, "cell_name": "Chi bộ thôn Đông", "period": f"Tháng {month}"})

    old_nov = form("a.xlsx", "XA-09", 96, 11)  # the old code and the new one for November: one counts
    new_nov = form("b.xlsx", "XA-01", 98, 11)
    old_oct = form("c.xlsx", "XA-08", 95, 10)
    _, c = run_consolidate([str(inbox)], str(tmp_path / "o.xlsx"), roster=str(roster), quiet=True)
    renamed = {p.file: p for p in c.problems if p.code == "cell_former_code"}
    assert set(renamed) == {str(old_nov), str(old_oct)} and {p.severity for p in renamed.values()} == {"warning"}
    assert renamed[str(old_oct)].message("vi") == (
        "Phiếu ghi mã chi bộ cũ XA-08; được tính cho chi bộ XA-01 (theo cột “Mã cũ” của danh sách chi bộ).")
    assert "former cell code XA-08" in renamed[str(old_oct)].message("en")
    assert not [p for p in c.problems if p.code == "cell_not_in_roster"]
    dupes = [p for p in c.problems if p.code == "duplicate_submission"]
    assert {p.file for p in dupes} == {str(old_nov), str(new_nov)} and {p.value for p in dupes} == {"XA-01"}
    counted = c.cells[c.cells["cell_code"] == "XA-01"].set_index("period")["final_total"].to_dict()
    assert counted == {"2026-10": 95, "2026-11": 98}  # one form a month: the duplicate rule kept b
    assert set(c.cells["cell_code"]) <= {code for code, *_ in CELLS}
    # the year view: the months under the former codes are the new cell's months
    _, y = run_consolidate([str(inbox)], str(tmp_path / "y.xlsx"), roster=str(roster), period="2026", quiet=True)
    year = y.year.cells.set_index("cell_code")
    assert year.loc["XA-01", "months_submitted"] == 2 and (year.loc["XA-01", "m10"], year.loc["XA-01", "m11"]) == (95, 98)
    assert "XA-08" not in year.index and "XA-09" not in year.index
    assert {p.file for p in y.problems if p.code == "cell_former_code"} == {str(old_nov), str(old_oct)}


@pytest.mark.parametrize("former, code, where, value", [
    ({"XA-01": "BV-01"}, "roster_former_code_in_use", "F6", "BV-01"),  # still a cell of the roster
    ({"XA-01": "XA-09", "XA-02": "XA-08, xa-09"}, "roster_former_code_twice", "F7", "XA-09"),
])
def test_a_former_code_must_name_one_cell(template_dir, tmp_path, former, code, where, value):
    cells = [(*c[:4], former[c[0]]) if c[0] in former else c[:4] for c in CELLS]
    with pytest.raises(FourgoodError) as err:
        read_roster(write_roster(template_dir, tmp_path / "ds.xlsx", cells, ORGS))
    (problem,) = err.value.problems
    assert (problem.code, problem.sheet, problem.cell, problem.value) == (code, "Danh sách chi bộ", where, value)
    assert "{" not in problem.message("vi") and "{" not in problem.message("en")


def test_cells_naming_no_organisation_are_one_row_under_the_total_so_the_total_adds_up():
    import pandas as pd

    from fourgood.rollup import _hierarchy
    from fourgood.structure import chain_from_names, chain_to_text

    def cell(code, upper, grassroots, status):
        return {"cell_code": code, "cell_name": f"Chi bộ {code}", "period": "2026-11", "status": status,
                "expected": True, "final_total": 96.0 if status == "meets" else 90.0, "gap": None,
                "org_chain": chain_to_text(chain_from_names("", upper, grassroots))}

    frame = pd.DataFrame([cell("A", "Đảng bộ xã A", "", "meets"), cell("B", "Đảng bộ xã A", "Đảng bộ Trường", "below"),
                          cell("C", "", "", "meets"), cell("D", "", "", "missing")])
    h = _hierarchy(frame)
    assert [(r.name, r.kind, r.depth, r.expected) for r in h.itertuples()] == [
        ("Toàn bộ", "", 0, 4), ("Đảng bộ xã A", "upper", 1, 2), ("Đảng bộ Trường", "grassroots", 2, 1),
        ("Chi bộ A", "grassroots_cell", 2, 1), ("Chi bộ chưa rõ tổ chức cấp trên", "direct_cells", 1, 2)]
    assert assert_rows_add_up(h, COUNTS, [("avg_final", ("meets", "below", "veto"))]) == 2


def test_a_lower_level_workbook_under_a_former_code_counts_for_the_renamed_cell(template_dir, specs, tmp_path):
    cells = [(*c[:4], "XA-09") if c[0] == "XA-01" else c[:4] for c in CELLS]
    roster = write_roster(template_dir, tmp_path / "ds.xlsx", cells, ORGS)
    commune = tmp_path / "xa"
    commune.mkdir()
    make_submission(template_dir / template_filename("residential"), specs["residential"], commune / "f.xlsx", 97,
                    info={"cell_code": "XA-09", "cell_name": "Chi bộ thôn Đông"})
    book = tmp_path / "tong-hop-xa.xlsx"
    run_consolidate([str(commune)], str(book), quiet=True)  # the commune's own workbook, before the merger
    _, c = run_consolidate([str(book)], str(tmp_path / "tinh.xlsx"), roster=str(roster), quiet=True)
    assert c.cells[["cell_code", "final_total"]].values.tolist() == [["XA-01", 97]]
    (warning,) = [p for p in c.problems if p.code == "cell_former_code"]
    assert (warning.file, warning.value, warning.expected) == (str(book), "XA-09", "XA-01")
