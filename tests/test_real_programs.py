"""Forms re-saved by other real programs read like the .xlsx they came from.

Every file here is written at test time from the real agency template: a filled form that
meets the standard, and one with a known mistake (criterion 1.1 scored above its maximum).
Each is then re-saved by a real program and checked through `fourgood validate --json`:

* LibreOffice (soffice --headless --convert-to): xlsx, ods, xls. LibreOffice cannot write
  .xlsb (it has an import filter only), so that pair does not exist.
* Gnumeric (ssconvert): xlsx, ods, xls. Gnumeric has no .xlsb writer either.
* SheetJS (npm package "xlsx", stock, tests/node/sheetjs_convert.js): xlsx, xls (biff8),
  xlsb, ods.

Encrypted files are made by LibreOffice itself (a Basic macro, tests/fixtures/lo_password.xba,
stores with a password: ODF encryption for .ods, RC4 for .xls) and by msoffcrypto for .xlsx.
A test whose program is missing is skipped; .ci/install installs all of them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from fourgood.cli import main
from fourgood.validators.formats import open_view
from fourgood.validators.package import open_package

from .helpers import make_submission, scores_totalling

NODE_DIR = Path(__file__).parent / "node"
SCORES = "Chấm điểm"


def _sheetjs_ready() -> bool:
    return bool(shutil.which("node")) and (NODE_DIR / "node_modules" / "xlsx").is_dir()


TOOLS = {
    "libreoffice": lambda: bool(shutil.which("soffice") or shutil.which("libreoffice")),
    "gnumeric": lambda: bool(shutil.which("ssconvert")),
    "sheetjs": _sheetjs_ready,
}
PAIRS = [("libreoffice", "xlsx"), ("libreoffice", "ods"), ("libreoffice", "xls"),
         ("gnumeric", "xlsx"), ("gnumeric", "ods"), ("gnumeric", "xls"),
         ("sheetjs", "xlsx"), ("sheetjs", "xls"), ("sheetjs", "xlsb"), ("sheetjs", "ods")]


def _need(program: str) -> None:
    if not TOOLS[program]():
        pytest.skip(f"{program} is not installed; .ci/install installs it")


def _resave(program: str, src: Path, fmt: str, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{src.stem}.{fmt}"
    if program == "libreoffice":
        from fourgood.libreoffice import convert

        return convert(src, fmt, out_dir)
    if program == "gnumeric":
        proc = subprocess.run(["ssconvert", str(src), str(target)], capture_output=True, text=True, timeout=120)
    else:
        book_type = "biff8" if fmt == "xls" else fmt
        proc = subprocess.run(["node", str(NODE_DIR / "sheetjs_convert.js"), str(src), str(target), book_type],
                              capture_output=True, text=True, timeout=120, cwd=NODE_DIR)
    assert target.exists(), f"{program} did not write {target.name}: {proc.stderr}"
    return target


def _validate(path: Path, capsys) -> dict:
    capsys.readouterr()
    main(["validate", "--json", "--lang", "en", str(path)])
    (result,) = json.loads(capsys.readouterr().out)
    return result


@pytest.fixture(scope="module")
def originals(tmp_path_factory, specs, agency_template) -> dict[str, Path]:
    spec = specs["agency"]
    out = tmp_path_factory.mktemp("originals")
    wrong = scores_totalling(spec, 96)
    first = spec.criteria[0]
    wrong[first.id] = first.max + 3
    return {"dat": make_submission(agency_template, spec, out / "dat.xlsx", total=96),
            "loi": make_submission(agency_template, spec, out / "loi.xlsx", self_scores=wrong)}


@pytest.fixture(scope="module")
def resaved(tmp_path_factory):
    made: dict[tuple, Path] = {}
    root = tmp_path_factory.mktemp("resaved")

    def get(program: str, fmt: str, src: Path) -> Path:
        key = (program, fmt, src)
        if key not in made:
            made[key] = _resave(program, src, fmt, root / program / fmt)
        return made[key]

    return get


@pytest.mark.slow
@pytest.mark.parametrize(("program", "fmt"), PAIRS, ids=[f"{p}-{f}" for p, f in PAIRS])
def test_form_that_meets_the_standard_reads_the_same(program, fmt, originals, resaved, capsys):
    _need(program)
    path = resaved(program, fmt, originals["dat"])
    assert open_package(path.read_bytes()).format == fmt
    want, got = _validate(originals["dat"], capsys), _validate(path, capsys)
    assert want["status"] == "meets"
    keys = ("status", "valid", "cell_code", "cell_type", "period", "year", "self_total")
    assert {k: got[k] for k in keys} == {k: want[k] for k in keys}
    assert [e for e in got["errors"] if e["severity"] == "error"] == []


@pytest.mark.slow
@pytest.mark.parametrize(("program", "fmt"), PAIRS, ids=[f"{p}-{f}" for p, f in PAIRS])
def test_known_mistake_is_reported_at_the_same_criterion(program, fmt, originals, resaved, capsys):
    _need(program)
    path = resaved(program, fmt, originals["loi"])
    want, got = _validate(originals["loi"], capsys), _validate(path, capsys)
    assert want["status"] == got["status"] == "invalid"
    (expected,) = [e for e in want["errors"] if e["code"] == "score_above_max"]
    found = [e for e in got["errors"] if e["code"] == "score_above_max"]
    assert [(e["criterion"], e["sheet"]) for e in found] == [(expected["criterion"], expected["sheet"])]
    by_content = any(e["code"] == "located_by_content" for e in got["errors"])
    if not by_content:  # located by name: the very same cell
        assert found[0]["cell"] == expected["cell"]
    errors = {(e["code"], e["criterion"]) for e in got["errors"] if e["severity"] == "error"}
    assert errors == {(e["code"], e["criterion"]) for e in want["errors"] if e["severity"] == "error"}
    assert (got["cell_code"], got["period"], got["self_total"]) == (want["cell_code"], want["period"],
                                                                     want["self_total"])


def _score_cell(view) -> object:
    rows = view.values(SCORES)
    (row,) = [r for r in rows if r and r[0] == "1.1"]
    return row[3]  # column D: the self score


@pytest.mark.slow
def test_gnumeric_xls_score_is_a_number_not_a_date(originals, resaved):
    """Gnumeric keeps number formats under built-in date ids: calamine alone reads 8 as 1900-01-08."""
    _need("gnumeric")
    path = resaved("gnumeric", "xls", originals["loi"])
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SCORES).to_python(skip_empty_area=False)
    if not any(hasattr(v, "year") for row in calamine for v in row):
        pytest.skip("this calamine no longer misreads Gnumeric's number formats: the fallback is not needed")
    value = _score_cell(open_view(path.read_bytes()))
    assert type(value) is float and value == 11.0


@pytest.mark.slow
def test_sheetjs_xlsb_short_records_are_read_from_the_part(originals, resaved):
    """Stock SheetJS writes BrtShort* cell records; calamine alone sees column A only."""
    _need("sheetjs")
    path = resaved("sheetjs", "xlsb", originals["loi"])
    view = open_view(path.read_bytes())
    assert type(_score_cell(view)) is float and _score_cell(view) == 11.0
    assert view.sheets[-1] == "_meta"


@pytest.mark.slow
@pytest.mark.parametrize("program", ["gnumeric", "sheetjs"])
def test_ods_calamine_cannot_open_is_read_with_names(program, originals, resaved):
    _need(program)
    path = resaved(program, "ods", originals["loi"])
    view = open_view(path.read_bytes())
    assert _score_cell(view) == 11.0
    if program == "gnumeric":  # Gnumeric keeps the named ranges; SheetJS's ODS writer drops them
        assert view.names["fg_self"] == "'Chấm điểm'!$D$8:$D$33"


def _lo_with_password(src: Path, dst: Path, lo_filter: str) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    with tempfile.TemporaryDirectory(prefix="fg-lo-pw-") as profile:
        env = dict(os.environ, HOME=profile)
        base = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore"]
        subprocess.run([*base, "--terminate_after_init"], capture_output=True, timeout=180, env=env)
        module = Path(profile) / "user" / "basic" / "Standard" / "Module1.xba"
        assert module.parent.is_dir(), "LibreOffice did not create its user profile"
        shutil.copy(Path(__file__).parent / "fixtures" / "lo_password.xba", module)
        call = f'macro:///Standard.Module1.SaveWithPassword("{src}","{dst}","{lo_filter}","secret")'
        subprocess.run([*base, call], capture_output=True, timeout=180, env=env)
    assert dst.exists(), "LibreOffice did not save the file with a password"
    return dst


@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "lo_filter"), [("ods", "calc8"), ("xls", "MS Excel 97")])
def test_libreoffice_password_protected_file_is_reported_as_such(fmt, lo_filter, originals, tmp_path, capsys):
    _need("libreoffice")
    path = _lo_with_password(originals["dat"], tmp_path / f"mat-khau.{fmt}", lo_filter)
    if fmt == "ods":
        assert b"encryption-data" in __import__("zipfile").ZipFile(path).read("META-INF/manifest.xml")
    got = _validate(path, capsys)
    assert got["status"] == "invalid"
    assert [e["code"] for e in got["errors"]] == ["password_protected"]


def test_encrypted_xlsx_is_reported_as_password_protected(originals, tmp_path, capsys):
    from msoffcrypto.format.ooxml import OOXMLFile

    path = tmp_path / "mat-khau.xlsx"
    with open(originals["dat"], "rb") as src, open(path, "wb") as out:
        OOXMLFile(src).encrypt("secret", out)
    assert [e["code"] for e in _validate(path, capsys)["errors"]] == ["password_protected"]


@pytest.mark.slow
def test_damaged_ods_stays_corrupt_file(originals, resaved, tmp_path, capsys):
    """A content.xml cut short fails calamine and the fallback alike: corrupt_file, with a short detail."""
    _need("gnumeric")
    import zipfile

    good = resaved("gnumeric", "ods", originals["dat"])
    bad = tmp_path / "hong.ods"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, data[: len(data) // 2] if info.filename == "content.xml" else data)
    (error,) = _validate(bad, capsys)["errors"]
    assert error["code"] == "corrupt_file" and len(error["message"]) < 400


def test_libreoffice_lock_file_is_skipped_and_counted_like_excels(originals, tmp_path, capsys):
    folder = tmp_path / "nop"
    folder.mkdir()
    shutil.copy(originals["dat"], folder / "dat.xlsx")
    (folder / ".~lock.dat.xlsx#").write_text(",Hoa,MAY-TINH,23.11.2026 09:15,file:///home/hoa/.config/libreoffice/4;")
    (folder / "~$dat.xlsx").write_bytes(b"\x05Hoa" + b"\x00" * 160)
    capsys.readouterr()
    code = main(["validate", "--json", "--lang", "en", str(folder)])
    results = {Path(r["file"]).name: r for r in json.loads(capsys.readouterr().out)}
    assert code == 0
    for lock in (".~lock.dat.xlsx#", "~$dat.xlsx"):
        assert results[lock]["status"] == "skipped" and results[lock]["valid"] is False  # skipped: never valid
        assert [e["code"] for e in results[lock]["errors"]] == ["skipped_lock_file"]
    assert results["dat.xlsx"]["status"] == "meets"


def _indented_ods(path: Path, body: str) -> Path:
    """A minimal ODS whose content.xml is indented like Gnumeric's, so calamine hands it to the fallback."""
    import zipfile

    content = ('<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">\n  <office:body>\n'
               f'    <office:spreadsheet>\n{body}\n    </office:spreadsheet>\n  </office:body>\n'
               '</office:document-content>\n')
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


@pytest.mark.slow
def test_ods_fallback_refuses_repeats_that_would_fill_memory(tmp_path, capsys):
    """A few bytes declaring a filled cell 10^9 times: refused at the cell cap, never materialised."""
    body = ('      <table:table table:name="_meta">\n        <table:table-row table:number-rows-repeated="1000000">\n'
            '          <table:table-cell table:number-columns-repeated="1000" office:value-type="float" '
            'office:value="1"/>\n        </table:table-row>\n      </table:table>')
    path = _indented_ods(tmp_path / "lap-lai.ods", body)
    assert path.stat().st_size < 2000
    (error,) = _validate(path, capsys)["errors"]
    assert error["code"] == "oversized_content"


def test_ods_fallback_reads_repeats_spans_and_text_as_calamine_would(tmp_path):
    body = ('      <table:table table:name="Chấm điểm">\n'
            '        <table:table-row table:number-rows-repeated="2">\n'
            '          <table:table-cell table:number-columns-repeated="16384"/>\n        </table:table-row>\n'
            '        <table:table-row>\n'
            '          <table:table-cell office:value-type="string"><text:p>1.1</text:p></table:table-cell>\n'
            '          <table:table-cell table:number-columns-spanned="2"><text:p>a<text:s text:c="2"/>b</text:p>'
            '<text:p>c</text:p></table:table-cell>\n'
            '          <table:covered-table-cell/>\n'
            '          <table:table-cell office:value-type="float" office:value="7.5" table:formula="of:=7.5">'
            '<text:p>7,5</text:p></table:table-cell>\n'
            '          <table:table-cell table:number-columns-repeated="2" office:value-type="boolean" '
            'office:boolean-value="true"/>\n'
            '        </table:table-row>\n'
            '        <table:table-row table:number-rows-repeated="1048573">\n'
            '          <table:table-cell table:number-columns-repeated="16384"/>\n        </table:table-row>\n'
            '      </table:table>')
    view = open_view(_indented_ods(tmp_path / "nho.ods", body).read_bytes())
    assert view.sheets == [SCORES]
    assert view.values(SCORES) == [["", "", "", "", "", ""], ["", "", "", "", "", ""],
                                   ["1.1", "a  b\nc", "", 7.5, True, True]]
    assert view.special(SCORES) == {(2, 3): "formula"}
    assert view.merged(SCORES) == {(2, 1): "B3:C3", (2, 2): "B3:C3"}
