"""Are two workbooks the same in content and look? Used to prove the report writer's speed-ups
change nothing: write a report with the original code, keep the file, write it again with the new
code and compare:

    python benchmarks/compare_workbooks.py before.xlsx after.xlsx

Compared, sheet by sheet (names, order, state): every cell's value, data type, number format,
font (name, size, bold, italic, underline, colour), fill, border, alignment and protection; merged
ranges; column widths and row heights; freeze panes, auto filter, print titles, page setup,
margins, header/footer; conditional formats; charts (type, title, anchor, size, references);
data validations; defined names. Exits 1 and prints the first differences when they differ.

    python benchmarks/compare_workbooks.py --xml before.xlsx after.xlsx

also compares the packages part by part, byte for byte, once each cell's format number (`s="7"`)
is replaced by the format it names (font, fill, border, alignment, protection, number format):
the two writers may number the same formats differently. Not compared: the style table itself
(its order) and docProps/core.xml (the time of saving).
"""

from __future__ import annotations

import re
import sys
from typing import Any
from zipfile import ZipFile

from openpyxl import load_workbook
from openpyxl.styles.numbers import BUILTIN_FORMATS


def _font(f: Any) -> tuple:
    return (f.name, f.sz, f.b, f.i, f.u, f.strike, f.vertAlign, f.family, f.charset, f.scheme,
            f.color.rgb if f.color is not None else None)


def _side(s: Any) -> tuple:
    return (s.style, s.color.rgb if s is not None and s.color is not None else None) if s is not None else (None,)


def _border(b: Any) -> tuple:
    return tuple(_side(getattr(b, k)) for k in ("left", "right", "top", "bottom", "diagonal")) + (b.diagonalUp, b.diagonalDown)


def _fill(f: Any) -> tuple:
    return (f.fill_type, getattr(getattr(f, "fgColor", None), "rgb", None), getattr(getattr(f, "bgColor", None), "rgb", None))


def _align(a: Any) -> tuple:
    return (a.horizontal, a.vertical, a.wrap_text, a.shrink_to_fit, a.indent, a.text_rotation)


def cell_facts(c: Any) -> tuple:
    return (c.value, c.data_type, c.number_format, _font(c.font), _fill(c.fill), _border(c.border),
            _align(c.alignment), (c.protection.locked, c.protection.hidden))


def _chart(ch: Any) -> tuple:
    title = ch.title.tx.rich.p[0].r[0].t if ch.title is not None and ch.title.tx is not None else None
    anchor = ch.anchor._from
    refs = [(s.val.numRef.f if s.val and s.val.numRef else None, s.cat.strRef.f if s.cat and s.cat.strRef else
             (s.cat.numRef.f if s.cat and s.cat.numRef else None)) for s in ch.series]
    return (type(ch).__name__, ch.type, title, (anchor.col, anchor.row), round(ch.width, 3), round(ch.height, 3), refs)


def sheet_facts(ws: Any) -> dict[str, Any]:
    ps, pm = ws.page_setup, ws.page_margins
    return {
        "state": ws.sheet_state,
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "widths": {k: (d.width, d.hidden) for k, d in ws.column_dimensions.items()},
        "heights": {k: (d.height, d.hidden) for k, d in ws.row_dimensions.items() if d.height is not None or d.hidden},
        "freeze": ws.freeze_panes, "filter": ws.auto_filter.ref, "print_titles": ws.print_title_rows,
        "page": (ps.paperSize, ps.orientation, ps.fitToWidth, ps.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage
                 if ws.sheet_properties.pageSetUpPr else None, ws.print_options.horizontalCentered),
        "margins": (pm.left, pm.right, pm.top, pm.bottom, pm.header, pm.footer),
        "footer": (ws.oddFooter.center.text, ws.oddFooter.center.font, ws.oddFooter.center.size),
        "row_breaks": [b.id for b in ws.row_breaks.brk],
        "conditional": sorted((str(rng.sqref), r.type, r.operator, tuple(r.formula or ()),
                               _fill(r.dxf.fill) if r.dxf and r.dxf.fill else None)
                              for rng in ws.conditional_formatting for r in rng.rules),
        "charts": [_chart(ch) for ch in ws._charts],
        "validations": sorted((str(v.sqref), v.type, v.formula1) for v in ws.data_validations.dataValidation),
        "dims": (ws.max_row, ws.max_column),
    }


def differences(a_path: str, b_path: str, limit: int = 20) -> list[str]:
    a, b = load_workbook(a_path), load_workbook(b_path)
    out: list[str] = []
    if a.sheetnames != b.sheetnames:
        return [f"sheets {a.sheetnames} != {b.sheetnames}"]
    if sorted(a.defined_names) != sorted(b.defined_names):
        out.append("defined names differ")
    for name in a.sheetnames:
        wa, wb_ = a[name], b[name]
        fa, fb = sheet_facts(wa), sheet_facts(wb_)
        out += [f"{name}: {k}: {fa[k]!r} != {fb[k]!r}" for k in fa if fa[k] != fb[k]]
        rows = max(wa.max_row, wb_.max_row)
        cols = max(wa.max_column, wb_.max_column)
        for r in range(1, rows + 1):
            for c in range(1, cols + 1):
                x, y = cell_facts(wa.cell(r, c)), cell_facts(wb_.cell(r, c))
                if x != y:
                    out.append(f"{name}!{wa.cell(r, c).coordinate}: {x} != {y}")
                    if len(out) >= limit:
                        return out
    return out


def _formats(path: str) -> list[str]:
    """Each cell format (xf) of the workbook, by number, as the facts it names."""
    wb = load_workbook(path, read_only=True)  # the style table, not the cells
    out = []
    for xf in wb._cell_styles:
        fmt = BUILTIN_FORMATS.get(xf.numFmtId) if xf.numFmtId < 164 else wb._number_formats[xf.numFmtId - 164]
        out.append(repr((_font(wb._fonts[xf.fontId]), _fill(wb._fills[xf.fillId]), _border(wb._borders[xf.borderId]),
                         _align(wb._alignments[xf.alignmentId]), wb._protections[xf.protectionId].locked,
                         wb._protections[xf.protectionId].hidden, fmt)))
    return out


def xml_differences(a_path: str, b_path: str) -> list[str]:
    formats = {a_path: _formats(a_path), b_path: _formats(b_path)}
    names: dict[str, str] = {}  # a format's facts -> one name for both files

    def named(path: str, data: bytes) -> bytes:
        def sub(m: re.Match[bytes]) -> bytes:
            facts = formats[path][int(m.group(1))]
            return b' s="%s"' % names.setdefault(facts, f"f{len(names)}").encode()
        return re.sub(rb' s="(\d+)"', sub, data)

    with ZipFile(a_path) as a, ZipFile(b_path) as b:
        if sorted(a.namelist()) != sorted(b.namelist()):
            return [f"parts {sorted(a.namelist())} != {sorted(b.namelist())}"]
        out = []
        for name in a.namelist():
            if name in ("xl/styles.xml", "docProps/core.xml"):
                continue
            x, y = named(a_path, a.read(name)), named(b_path, b.read(name))
            if x != y:
                at = next((i for i, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
                out.append(f"{name}: at byte {at}: {x[max(0, at - 80):at + 80]!r} != {y[max(0, at - 80):at + 80]!r}")
        return out


def main(argv: list[str]) -> int:
    xml = argv[0] == "--xml"
    if xml:
        argv = argv[1:]
    diffs = differences(argv[0], argv[1]) + (xml_differences(argv[0], argv[1]) if xml else [])
    for d in diffs:
        print(d)
    print("same" if not diffs else f"DIFFERENT ({len(diffs)} shown)")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
