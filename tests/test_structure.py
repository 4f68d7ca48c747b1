"""The party structure comes from the roster, at any depth (2026: no district level).

A small province: a commune committee straight under the province (2 levels above its cells),
an agency cell straight under a provincial agency committee (2), a grassroots committee under
that committee (3) and a departmental committee inside it (4). Every figure expected below is
counted by hand from the table of forms in this file.
"""

from __future__ import annotations

import json

import pytest
from python_calamine import CalamineWorkbook

from fourgood.consolidate_cmd import run_consolidate
from fourgood.contract import ROLLUP_SHEET
from fourgood.problems import FourgoodError
from fourgood.report_workbook import HEAD_ROW
from fourgood.structure import chain_from_text
from fourgood.validators.roster import read_roster
from fourgood.workbook_templates.writer import template_filename

from .helpers import make_submission, write_roster

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
    depth = [len(n) - len(n.lstrip()) for n in names]
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
