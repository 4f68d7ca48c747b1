"""`fourgood demo`: a synthetic province, filled through the real templates, consolidated.

Shaped on the domain brief and on the 2026 structure: commune and ward committees with their
village and residential-group cells, and the two provincial agency committees with grassroots
committees, departmental committees and cells of all four types. Most cells reach the threshold, some fall just
short, some are incomplete, a handful carry typical mistakes; one file is sent twice and a
couple of attachments are not spreadsheets. Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from .consolidate_cmd import run_consolidate
from .contract import ORG_SHEET, ROSTER_COLUMNS
from .fill import Submission, fill_template
from .spec import CELL_TYPES, Spec, load_specs
from .structure import kind_label
from .workbook_templates.writer import ROSTER_FILE, template_filename, write_templates

PROVINCE = "Tỉnh Hà Tĩnh"
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thanh", "Hữu", "Ngọc", "Quang", "Thu", "Xuân"]
GIVEN = ["Hoa", "Hùng", "Lan", "Nam", "Hương", "Tuấn", "Hà", "Sơn", "Mai", "Dũng", "Thảo", "Bình", "Phương", "Long"]


@dataclass(frozen=True)
class DemoOrg:
    code: str
    name: str
    kind: str
    parent: str  # code, '' for the province


@dataclass
class DemoCell:
    code: str
    name: str
    cell_type: str
    parent: str  # the organisation it sits directly under
    members: int
    upper: str = ""  # what its secretary types on the form, filled by `province`
    grassroots: str = ""


# The province in 2026 (domain.md): no district level. Commune and ward committees sit directly
# under the provincial committee and, under Quy định 294-QĐ/TW, are the level directly above the
# grassroots: their village and residential-group cells are grassroots cells (chi bộ cơ sở). The
# provincial agencies are under the Đảng bộ các cơ quan Đảng tỉnh and the Đảng bộ Ủy ban nhân dân
# tỉnh, with grassroots committees, departmental committees (a hospital, which also has a cell of
# its own directly under it) and grassroots cells reporting straight to them — two to four levels
# above a cell, mixed in one province.
ORGS: tuple[DemoOrg, ...] = (
    DemoOrg("HT", "Đảng bộ tỉnh Hà Tĩnh", "province", ""),
    DemoOrg("CQD", "Đảng bộ các cơ quan Đảng tỉnh", "upper", "HT"),
    DemoOrg("CQD-VP", "Đảng bộ Văn phòng Tỉnh ủy", "grassroots", "CQD"),
    DemoOrg("CQD-BHT", "Đảng bộ Báo và Phát thanh, Truyền hình Hà Tĩnh", "grassroots", "CQD"),
    DemoOrg("UB", "Đảng bộ Ủy ban nhân dân tỉnh", "upper", "HT"),
    DemoOrg("UB-STC", "Đảng bộ Sở Tài chính", "grassroots", "UB"),
    DemoOrg("UB-BV", "Đảng bộ Bệnh viện Đa khoa tỉnh", "grassroots", "UB"),
    DemoOrg("UB-BV-NOI", "Đảng bộ bộ phận Khối Nội", "department", "UB-BV"),
    DemoOrg("UB-BV-NGO", "Đảng bộ bộ phận Khối Ngoại", "department", "UB-BV"),
    DemoOrg("UB-MT", "Đảng bộ Công ty Cổ phần Môi trường và Công trình đô thị Hà Tĩnh", "grassroots", "UB"),
    DemoOrg("X-CB", "Đảng bộ xã Cẩm Bình", "upper", "HT"),
    DemoOrg("X-CX", "Đảng bộ xã Cẩm Xuyên", "upper", "HT"),
    DemoOrg("P-TS", "Đảng bộ phường Thành Sen", "upper", "HT"),
)
SIZES = (10, 12, 15, 18, 22, 25, 31, 40, 52)  # members per cell, as the articles report them


def province(rng: random.Random) -> list[DemoCell]:
    cells: list[DemoCell] = []

    def add(prefix: str, parent: str, names: list[tuple[str, str]]) -> None:
        for name, kind in names:
            cells.append(DemoCell(f"{prefix}-{len(cells) + 1:03d}", name, kind, parent, rng.choice(SIZES)))

    add("CQD", "CQD-VP", [("Chi bộ Phòng Tổng hợp", "agency"), ("Chi bộ Phòng Hành chính - Tài chính", "agency"),
                          ("Chi bộ Phòng Quản trị", "agency")])
    add("CQD", "CQD", [("Chi bộ Ban Tổ chức Tỉnh ủy", "agency")])  # a grassroots cell, straight under
    add("CQD", "CQD-BHT", [("Chi bộ Phòng Thời sự", "public_service"), ("Chi bộ Phòng Biên tập", "public_service")])
    add("UB", "UB-STC", [("Chi bộ Văn phòng Sở", "agency"), ("Chi bộ Phòng Quản lý ngân sách", "agency")])
    add("UB", "UB-BV-NOI", [("Chi bộ Khoa Nội tổng hợp", "public_service"), ("Chi bộ Khoa Tim mạch", "public_service")])
    add("UB", "UB-BV-NGO", [("Chi bộ Khoa Ngoại chấn thương", "public_service")])
    add("UB", "UB-BV", [("Chi bộ Phòng Tổ chức cán bộ", "public_service")])  # beside its departmental committees
    add("UB", "UB-MT", [("Chi bộ Xí nghiệp Môi trường", "enterprise"), ("Chi bộ Xí nghiệp Cây xanh", "enterprise")])
    add("UB", "UB", [("Chi bộ Ban Quản lý dự án đầu tư xây dựng", "agency")])
    add("XCB", "X-CB", [(f"Chi bộ thôn {n}", "residential") for n in ("Bình Minh", "Bình An", "Yên Lạc")]
        + [("Chi bộ Trường Trung học cơ sở Cẩm Bình", "public_service"), ("Chi bộ Công ty TNHH Hải Hà", "enterprise")])
    add("XCX", "X-CX", [(f"Chi bộ thôn {n}", "residential") for n in ("Thạch Hà", "Thạch Sơn", "Thạch Long",
                                                                     "Tân Hòa")])
    add("PTS", "P-TS", [(f"Chi bộ tổ dân phố {n}", "residential") for n in ("1", "4", "Tân Học")]
        + [("Chi bộ Công an phường", "agency")])
    by_code = {o.code: o for o in ORGS}
    for c in cells:  # what the secretary types: the level directly above the grassroots, and the grassroots one
        chain: list[DemoOrg] = []
        code = c.parent
        while code:
            chain.insert(0, by_code[code])
            code = by_code[code].parent
        c.upper = next(o.name for o in chain if o.kind == "upper")
        c.grassroots = next((o.name for o in chain if o.kind == "grassroots"), "")
    return cells


def _person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _scores(rng: random.Random, spec: Spec, target: float) -> dict[str, float]:
    """Points taken off random criteria, in steps, until the total is `target`."""
    scores = {c.id: c.max for c in spec.criteria}
    missing = round(spec.total - target, 6)
    while missing > 1e-9:
        c = rng.choice(spec.criteria)
        cut = min(spec.step * rng.choice([1, 1, 2]), scores[c.id], missing)
        scores[c.id] = round(scores[c.id] - cut, 6)
        missing = round(missing - cut, 6)
    return scores


def build_demo(out: Path, seed: int = 2026) -> tuple[Path, Path, Path]:
    """Write templates, roster and submissions; return (submissions dir, roster, templates dir)."""
    rng = random.Random(seed)
    specs = load_specs()
    templates = out / "mau-phieu"
    write_templates(templates, specs)
    inbox = out / "phieu-nop"
    if inbox.exists():
        shutil.rmtree(inbox)
    inbox.mkdir(parents=True)
    cells = province(rng)
    roster = load_workbook(templates / ROSTER_FILE)
    ws = roster.worksheets[0]
    for i, c in enumerate(cells, 2):
        values: dict[str, str | int] = {"cell_code": c.code, "cell_name": c.name,
                                        "cell_type": CELL_TYPES[c.cell_type].name_vi, "grassroots": c.grassroots,
                                        "upper_committee": c.upper, "members": c.members, "parent_code": c.parent,
                                        "former_codes": ""}
        for j, (key, _, _) in enumerate(ROSTER_COLUMNS, 1):
            ws.cell(i, j, values[key])
    orgs = roster[ORG_SHEET["vi"]]
    for i, o in enumerate(ORGS, 2):
        for j, value in enumerate((o.code, o.name, kind_label(o.kind, "vi"), o.parent), 1):
            orgs.cell(i, j, value)
    roster_path = out / "danh-sach-chi-bo.xlsx"
    roster.save(roster_path)

    silent = set(rng.sample(range(len(cells)), 2))  # these cells never send a form
    made: list[Path] = []
    for i, c in enumerate(cells):
        if i in silent:
            continue
        spec = specs[c.cell_type]
        roll = rng.random()
        above = rng.choice([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5])  # most cells reach the spec's threshold
        below = rng.choice([0.5, 1, 1.5, 3, 5])
        target = min(spec.total, spec.threshold + above) if roll < 0.75 else spec.threshold - below
        scores: dict[str, object] = dict(_scores(rng, spec, target))
        info = {"province": PROVINCE, "upper_committee": c.upper, "grassroots": c.grassroots, "cell_name": c.name,
                "cell_code": c.code, "period": "Tháng 11", "year": 2026, "members": c.members,
                "secretary": _person(rng), "date": dt.date(2026, 11, rng.randint(20, 28)),
                "regular_meetings": 1, "thematic_meetings": rng.choice([0, 1]),
                "attendance": rng.choice([88.5, 91, 93.5, 95, 96.5, 100])}
        upper = {}
        if rng.random() < 0.5:  # the upper level has scored this one, a little stricter
            upper = _scores(rng, spec, max(85.0, target - rng.choice([0, 0.5, 1, 1.5])))
        if rng.random() < 0.08:
            for cid in rng.sample(list(scores), 2):
                scores[cid] = None  # not fully scored yet
        mistake = rng.random()
        if mistake < 0.05:
            cid = spec.criteria[0].id
            scores[cid] = f"{spec.criteria[0].max:g},5".replace(".", ",")  # above the maximum, typed as text
        elif mistake < 0.10:
            info["period"] = "Tháng 13"
        elif mistake < 0.14:
            cid = rng.choice(spec.criteria).id
            scores[cid] = str(scores[cid]).replace(".", ",")  # decimal comma typed as text: a warning
        vetoes = {v.id: "Không" for v in spec.vetoes}
        if rng.random() < 0.03 and spec.vetoes:
            vetoes[spec.vetoes[0].id] = "Có"
        short = c.name.replace("Chi bộ ", "CB ")
        path = inbox / c.upper.replace("Đảng bộ ", "") / f"{short} - thang 11.xlsx"
        if path in made:  # two cells of the same name under one committee: staff add the code
            path = path.with_name(f"{short} ({c.code}) - thang 11.xlsx")
        path.parent.mkdir(parents=True, exist_ok=True)
        fill_template(templates / template_filename(c.cell_type),
                      Submission(info=info, self_scores=scores, upper_scores=upper, vetoes=vetoes), path)
        made.append(path)
    first = made[0]
    shutil.copy(first, first.with_name(first.stem + " (1).xlsx"))  # sent twice
    (inbox / "bien-ban-hop.pdf").write_bytes(b"%PDF-1.4\n% bien ban hop chi bo\n")
    (inbox / "ghi-chu.txt").write_text("Gửi Ban Tổ chức: phiếu của chi bộ thôn Yên Lạc gửi sau.\n", encoding="utf-8")
    (inbox / "~$CB Khoa Noi tong hop - thang 11.xlsx").write_bytes(b"\x00" * 165)
    return inbox, roster_path, templates


YEAR = 2026
YEAR_CELLS = 3  # cells given a whole year of forms by default: the year view's three outcomes, quickly


def build_year(out: Path, templates: Path, seed: int = 2026, year_cells: int = YEAR_CELLS) -> Path:
    """The other months of the year for `year_cells` cells that sent November's form (folder
    phieu-cac-thang): by turns all twelve months (the average decides), months 1-10 and the
    year-end evaluation (it decides), and months 1-9 only (not decided); each also has last year's
    year-end evaluation, for the comparison. The other cells have November only: not decided."""
    rng = random.Random(seed)
    cells = province(rng)
    silent = set(rng.sample(range(len(cells)), 2))  # the same draw as build_demo
    specs = load_specs()
    folder = out / "phieu-cac-thang"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    rng = random.Random(seed + 1)
    chosen = [c for i, c in enumerate(cells) if i not in silent][:max(0, year_cells)]
    for k, c in enumerate(chosen):
        spec = specs[c.cell_type]
        profile = k % 3
        months = list(range(1, 11)) + ([12] if profile == 0 else []) if profile < 2 else list(range(1, 10))
        periods: list[tuple[str, int]] = [(f"Tháng {m}", YEAR) for m in months] + [("Cả năm", YEAR - 1)]
        if profile == 1:
            periods.append(("Cả năm", YEAR))
        for label, year in periods:
            target = min(spec.total, spec.threshold + rng.choice([-1.5, -0.5, 0, 0.5, 1, 2, 3]))
            month = int(label.split()[-1]) if label.startswith("Tháng") else 12
            info = {"province": PROVINCE, "upper_committee": c.upper, "grassroots": c.grassroots,
                    "cell_name": c.name, "cell_code": c.code, "period": label, "year": year, "members": c.members,
                    "secretary": _person(rng), "date": dt.date(year, month, 25),
                    "regular_meetings": 12 if label == "Cả năm" else 1, "thematic_meetings": 4 if label == "Cả năm" else 1,
                    "attendance": 95}
            stem = c.name.replace("Chi bộ ", "CB ") + f" ({c.code}) - " + (
                f"thang {month} {year}" if label.startswith("Tháng") else f"ca nam {year}")
            fill_template(templates / template_filename(c.cell_type),
                          Submission(info=info, self_scores=dict(_scores(rng, spec, target)), upper_scores={},
                                     vetoes={v.id: "Không" for v in spec.vetoes}), folder / f"{stem}.xlsx")
    return folder


def run_demo(out: Path, seed: int = 2026, lang: str = "vi", year_cells: int = YEAR_CELLS) -> int:
    inbox, roster, templates = build_demo(out, seed)
    workbook = out / "tong-hop-tinh.xlsx"
    summary = out / "tong-hop-tinh.json"
    code, _ = run_consolidate([str(inbox)], str(workbook), roster=str(roster), summary_json=str(summary), lang=lang,
                              jobs=1)
    vi = lang == "vi"
    if year_cells > 0:  # the year view: November's forms, the other months, last year's evaluations
        months = build_year(out, templates, seed, year_cells)
        year_book, year_json = out / f"tong-hop-nam-{YEAR}.xlsx", out / f"tong-hop-nam-{YEAR}.json"
        code = max(code, run_consolidate([str(inbox), str(months)], str(year_book), roster=str(roster),
                                         period=str(YEAR), summary_json=str(year_json), lang=lang, jobs=1,
                                         quiet=True)[0])
        print(("Cả năm: " if vi else "The year: ") + f"{year_book}, {year_json}")
    print(("Mẫu phiếu: " if vi else "Templates: ") + str(templates))
    print(("Danh sách chi bộ: " if vi else "Roster: ") + str(roster))
    print(("Phiếu đã nộp: " if vi else "Submissions: ") + str(inbox))
    print(("Tóm tắt JSON: " if vi else "Summary JSON: ") + str(summary))
    return code
