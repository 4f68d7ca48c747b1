"""Shared by tests/test_server*.py: a small province's roster, filled forms of its cells, and a
configured server (the page and API, without or with xlwings Server)."""

from __future__ import annotations

from pathlib import Path

from fourgood.workbook_templates.writer import template_filename

from . import helpers
from .helpers import make_submission

ORGS = [  # code, name, level, parent
    ("T", "Đảng bộ tỉnh Quảng Trị", "Đảng bộ tỉnh", ""),
    ("UB", "Đảng bộ Ủy ban nhân dân tỉnh", "Cấp trên trực tiếp cơ sở", "T"),
    ("BV", "Đảng bộ Bệnh viện tỉnh", "Tổ chức cơ sở đảng", "UB"),
    ("XA", "Đảng bộ xã Vĩnh Linh", "", "T"),
]
CELLS = [  # code, name, type, parent
    ("BV-01", "Chi bộ Khoa Nội A", "public_service", "BV"),
    ("BV-02", "Chi bộ Khoa Nội B", "public_service", "BV"),
    ("UB-01", "Chi bộ Ban Quản lý dự án", "agency", "UB"),
    ("XA-01", "Chi bộ thôn Đông", "residential", "XA"),
]
KIND = {code: kind for code, _, kind, _ in CELLS}


def write_roster(template_dir: Path, path: Path, cells=CELLS, orgs=ORGS) -> Path:
    return helpers.write_roster(template_dir, path, cells, orgs)


def form(template_dir: Path, specs, out: Path, code: str, total: float | None = 97, **kwargs) -> Path:
    kind = KIND.get(code, "agency")
    info = {"cell_code": code, "cell_name": f"Chi bộ {code}", **kwargs.pop("info", {})}
    return make_submission(template_dir / template_filename(kind), specs[kind], out, total, info=info, **kwargs)


def inflate(src: Path, out: Path, cells: int, *, sheet: int = 3, width: int = 20, kind: str | None = None) -> Path:
    """A copy of a form (written by openpyxl: sheet N is xl/worksheets/sheetN.xml, strings inline)
    with `cells` extra numbers below the last row of sheet N -- small zipped, huge unpacked.
    With `kind`, its _meta says that kind and sheet N is renamed the roll-up sheet (a consolidated
    workbook's big sheet, which no form-size bound covers)."""
    import re
    import zipfile

    from fourgood.contract import ROLLUP_SHEET

    part = f"xl/worksheets/sheet{sheet}.xml"
    with zipfile.ZipFile(src) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    xml = parts[part].decode("utf-8")
    last = max(int(r) for r in re.findall(r'<row r="(\d+)"', xml))
    cols = [chr(65 + i) for i in range(width)]
    rows = "".join(f'<row r="{last + 1 + k}">' + "".join(f'<c r="{c}{last + 1 + k}"><v>{k % 7}</v></c>' for c in cols)
                   + "</row>" for k in range(cells // width))
    parts[part] = xml.replace("</sheetData>", rows + "</sheetData>", 1).encode("utf-8")
    if kind:
        meta = "xl/worksheets/sheet4.xml"
        parts[meta] = parts[meta].replace(b"<t>cell</t>", f"<t>{kind}</t>".encode(), 1)
        book = parts["xl/workbook.xml"].decode("utf-8")
        # openpyxl writes xmlns:r before name on each <sheet>: the name is matched wherever it stands
        parts["xl/workbook.xml"] = re.sub(rf'(<sheet\b[^>]*? name=")[^"]*(" sheetId="{sheet}")',
                                          rf"\g<1>{ROLLUP_SHEET}\g<2>", book).encode("utf-8")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out
