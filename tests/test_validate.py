from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest

from fourgood.cli import main
from fourgood.contract import status_text
from fourgood.pipeline import validate_paths
from fourgood.validators import normalize as N
from fourgood.workbook_templates.writer import template_filename

from .corpus import build_corpus, zip_bomb
from .helpers import fresh_process, make_submission


@pytest.fixture(scope="session")
def corpus(tmp_path_factory, template_dir):
    out = tmp_path_factory.mktemp("corpus")
    cases = build_corpus(out, template_dir, soffice=bool(shutil.which("soffice")))
    return out, cases


@pytest.fixture(scope="session")
def corpus_result(corpus, specs):
    out, cases = corpus
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p, _ in cases}
    result = validate_paths([out], specs)
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p, _ in cases}
    return result, before, after


def _expected_category(case) -> str:
    """The verdict a corpus file must get, from its own labels: lock and system files are skipped."""
    if case.codes & {"skipped_lock_file", "skipped_system_file"}:
        return "skipped"
    return "valid" if case.valid else "invalid"


@pytest.mark.slow
def test_corpus_files_are_marked_invalid_exactly_as_labelled(corpus, corpus_result):
    _, cases = corpus
    result, _, _ = corpus_result
    files = result.files.set_index("file")
    expected = {path.name: _expected_category(case) for path, case in cases}
    got = {path.name: files.loc[str(path), "category"] for path, _ in cases}
    assert got == expected  # per file: valid, invalid (at least one error) or skipped
    invalid = sorted(n for n, c in expected.items() if c == "invalid")
    # 40 files labelled invalid in tests/corpus.py, 2 skipped, 9 valid (3 of them need LibreOffice), as the README says.
    assert len(invalid) == 40 and len(cases) == (51 if shutil.which("soffice") else 48)
    assert sorted(result.files.loc[result.files["category"] == "invalid", "name"]) == invalid
    for path, case in cases:  # an invalid file has an error among its expected codes; the others have no error
        errors = {p.code for p in result.problems_of(str(path)) if p.severity == "error"}
        if expected[path.name] == "invalid":
            assert errors & case.codes, (path.name, errors)
        else:
            assert not errors, (path.name, errors)


@pytest.mark.slow
def test_every_corpus_file_gets_its_verdict_and_codes(corpus, corpus_result):
    _, cases = corpus
    result, _, _ = corpus_result
    files = result.files.set_index("file")
    assert len(files) == len(cases)  # every input accounted for, exactly once
    for path, case in cases:
        row = files.loc[str(path)]
        found = {p.code for p in result.problems_of(str(path))}
        assert bool(row["valid"]) is (_expected_category(case) == "valid"), (case.name, found)
        assert case.codes <= found, (case.name, found)


@pytest.mark.slow
def test_input_files_are_never_modified(corpus_result):
    _, before, after = corpus_result
    assert before == after


@pytest.mark.slow
def test_every_problem_is_located_and_worded_in_both_languages(corpus, corpus_result):
    result, _, _ = corpus_result
    inputs = {str(path) for path, _ in corpus[1]}
    for p in result.problems:
        assert p.file in inputs
        vi, en = p.message("vi"), p.message("en")
        assert vi and en and vi != en, p.code
        assert "{" not in vi and "{" not in en
    score_problems = [p for p in result.problems if p.code.startswith("score_") or p.code == "max_tampered"]
    assert score_problems and all(p.sheet == "Chấm điểm" and p.cell and p.criterion for p in score_problems)


@pytest.mark.slow
def test_score_error_names_cell_criterion_value_and_maximum(corpus, corpus_result):
    out, _ = corpus
    result, _, _ = corpus_result
    (p,) = [p for p in result.problems_of(str(out / "vuot-diem-chuan.xlsx")) if p.code == "score_above_max"]
    assert (p.sheet, p.cell, p.criterion, p.value, p.expected) == ("Chấm điểm", "D9", "1.1", 9.0, 8.0)
    assert p.message("vi") == "Tiêu chí 1.1: điểm 9 vượt điểm chuẩn 8 (Chi bộ tự chấm)."
    assert p.message("en") == "Criterion 1.1: score 9 exceeds the maximum of 8 (self score)."


@pytest.mark.slow
def test_inserted_rows_still_read_the_right_values(corpus, corpus_result):
    out, _ = corpus
    result, _, _ = corpus_result
    row = result.files.set_index("file").loc[str(out / "chen-dong.xlsx")]
    assert row["self_total"] == 97 and row["status"] == "meets"
    cells = result.scores[result.scores["file"] == str(out / "chen-dong.xlsx")].set_index("criterion_id")
    assert cells.loc["1.1", "self_cell"] == "D12"  # moved down by the three inserted rows


@pytest.mark.slow
@pytest.mark.libreoffice
def test_libreoffice_saved_xlsx_ods_and_xls_read_the_same(corpus, corpus_result):
    out, _ = corpus
    result, _, _ = corpus_result
    files = result.files.set_index("name")
    for name in ("luu-bang-libreoffice.xlsx", "luu-bang-libreoffice.ods", "luu-dang-xls.xls"):
        assert files.loc[name, "self_total"] == 97, name
        assert files.loc[name, "cell_code"] == "KCQ-LO"
    # the three are one cell and period: one counts, and the others say which and why
    assert files.loc[["luu-bang-libreoffice.xlsx", "luu-bang-libreoffice.ods", "luu-dang-xls.xls"], "counted"].sum() == 1


@pytest.mark.slow
def test_validate_json_lists_every_file_and_exits_1_when_any_is_invalid(corpus, capsys):
    out, cases = corpus
    code = main(["validate", str(out), "--json", "--lang", "en"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert len(data) == len(cases)
    by_name = {Path(d["file"]).name: d for d in data}
    for path, case in cases:  # "valid" is true for the valid category only; skipped files say so in "status"
        category = _expected_category(case)
        assert by_name[path.name]["valid"] is (category == "valid"), path.name
        assert (by_name[path.name]["status"] in ("skipped", "invalid", "not_a_form")) is (category != "valid"), path.name
        assert (by_name[path.name]["status"] == "skipped") is (category == "skipped"), path.name
    keys = {"file", "valid", "cell_code", "cell_type", "period", "year", "self_total", "upper_total", "status", "errors"}
    assert all(set(d) == keys for d in data)
    bad = next(d for d in data if d["file"].endswith("le-buoc.xlsx"))
    assert bad["valid"] is False and bad["errors"][0]["code"] == "score_off_step"
    assert set(bad["errors"][0]) == {"code", "severity", "message", "sheet", "cell", "criterion"}
    assert "multiple of the 0.5-point step" in bad["errors"][0]["message"]


def test_validate_exits_0_when_all_valid_and_prints_a_table(tmp_path, specs, agency_template, capsys):
    make_submission(agency_template, specs["agency"], tmp_path / "CB Văn phòng - tháng 11.xlsx", total=96.5)
    assert main(["validate", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert status_text("meets", "vi", 95) in out and "96,5" in out
    assert out.rstrip().splitlines()[-1] == "1 tệp: 1 hợp lệ, 0 có lỗi, 0 bỏ qua."


def test_validate_usage_error_exits_2(capsys):
    assert main(["validate"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_duplicate_cell_and_period_says_which_file_counts_and_why(tmp_path, specs, agency_template):
    spec = specs["agency"]
    make_submission(agency_template, spec, tmp_path / "a.xlsx", total=96)
    make_submission(agency_template, spec, tmp_path / "b.xlsx", total=98, upper_scores={c.id: c.max for c in spec.criteria})
    shutil.copy(tmp_path / "a.xlsx", tmp_path / "a - copy.xlsx")
    result = validate_paths([tmp_path], specs)
    files = result.files.set_index("name")
    assert files["counted"].to_dict() == {"a - copy.xlsx": False, "a.xlsx": False, "b.xlsx": True}
    dup = [p for p in result.problems if p.code == "duplicate_submission"]
    # "a - copy.xlsx" sorts first, so the byte-identical "a.xlsx" is the one that counts once
    assert {p.file for p in dup} == {str(tmp_path / "a - copy.xlsx"), str(tmp_path / "b.xlsx")}
    assert "dùng tệp “b.xlsx” (tệp có điểm cấp trên)" in dup[0].message("vi")
    (same,) = [p for p in result.problems if p.code == "duplicate_file"]
    assert (same.file, same.value) == (str(tmp_path / "a.xlsx"), str(tmp_path / "a - copy.xlsx"))


@pytest.mark.slow
def test_hostile_files_are_refused_fast_with_bounded_memory(tmp_path, corpus):
    out, _ = corpus
    bombs = [out / "bom-zip.xlsx", out / "bom-xml.xlsx"]
    # Peak memory from /proc/self/status (VmHWM): the process's own address space since exec. Not
    # ru_maxrss, which Linux carries over from the parent at fork: under a large pytest process it
    # reports the parent's size, not the child's.
    code = ("import re, resource, sys, time; from fourgood.pipeline import validate_paths;"
            "from fourgood.spec import load_specs; t=time.time();"
            "r=validate_paths(sys.argv[1:], load_specs());"
            "status=open('/proc/self/status').read() if sys.platform.startswith('linux') else '';"
            "hwm=re.search(r'VmHWM:\\s+(\\d+)', status);"
            "peak=int(hwm.group(1)) // 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024;"
            "print(time.time()-t, peak, ' '.join(p.code for p in r.problems))")
    proc = subprocess.run([sys.executable, "-c", code, *map(str, bombs)], capture_output=True, text=True, check=True)
    seconds, rss_mb, *codes = proc.stdout.split()
    assert codes == ["oversized_content", "xml_entities"]
    assert int(rss_mb) < 500 and float(seconds) < 10


def test_one_form_check_loads_neither_dask_nor_hypothesis(tmp_path, agency_template, specs):
    """`fourgood validate FORM` in a fresh process, what the add-in's click waits for: pandera would
    import dask's dataframe module (building a model's schema) and hypothesis (on its first
    validation), over a second of a three-second check that uses neither. Both still import after."""
    form = make_submission(agency_template, specs["agency"], tmp_path / "CB Văn phòng - tháng 11.xlsx", total=96)
    words = fresh_process(["import contextlib, io, sys",
                           "from fourgood.cli import main",
                           "with contextlib.redirect_stdout(io.StringIO()):",
                           "    code = main(['validate', sys.argv[1]])",
                           "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'hypothesis'))",
                           "import hypothesis",
                           "print(code, loaded, hypothesis.__name__)"], form)
    assert words == ["0", "[]", "hypothesis"]


def test_normalisation_of_what_staff_type():
    assert N.parse_number("9,5") == (9.5, N.TEXT_NUMBER)
    assert N.parse_number(" 7 ") == (7.0, N.TEXT_NUMBER)
    assert N.parse_number("tốt")[1] == N.NOT_NUMBER
    assert N.parse_period("Tháng 11") == 11 and N.parse_period("thang 11") == 11 and N.parse_period("T3") == 3
    assert N.parse_period("tháng mười một") == 11 and N.parse_period("Cả năm") == 0 and N.parse_period(7.0) == 7
    assert N.parse_period("Tháng 13") is None
    assert N.normalize_code(" kcq - 012 ") == "KCQ-012"
    nfd = unicodedata.normalize("NFD", "Chi bộ Khu phố 3")
    assert nfd != "Chi bộ Khu phố 3" and N.clean_text(nfd) == "Chi bộ Khu phố 3"
    assert N.looks_legacy_encoded("Chi bé V¨n phßng") and not N.looks_legacy_encoded("Chi bộ Văn phòng")
    assert N.parse_yes_no("có") is True and N.parse_yes_no("Không") is False and N.parse_yes_no("") is None


@pytest.mark.slow
def test_zip_bomb_is_refused_with_its_declared_size_and_the_limit(tmp_path, specs):
    import zipfile

    bomb = zip_bomb(tmp_path / "b.xlsx", size=1100 * 1024 * 1024)
    with zipfile.ZipFile(bomb) as z:  # what the zip's directory declares, read without the product
        declared = sum(i.file_size for i in z.infolist())
    assert declared > 1024**3 and bomb.stat().st_size < 10 * 1024**2
    result = validate_paths([bomb], specs)
    (p,) = result.problems
    mib = round(declared / 2**20)
    assert mib == 1101  # the helper writes whole chunks of 2**20 - 4 bytes until past 1100 MiB: 1101 of them
    assert (p.code, p.severity, p.file, p.value, p.expected) == ("oversized_content", "error", str(bomb), mib, 200)
    assert p.message("vi") == f"Nội dung giải nén quá lớn ({mib} MB, giới hạn 200 MB); tệp bị từ chối."
    assert result.files["category"].tolist() == ["invalid"]


def test_nfd_and_stray_spaces_in_submissions_are_normalised(tmp_path, specs, agency_template):
    info = {"cell_name": unicodedata.normalize("NFD", "Chi bộ  Văn phòng "), "cell_code": " kcq-009 ",
            "period": "tháng mười một", "year": "2026", "members": "22"}
    make_submission(agency_template, specs["agency"], tmp_path / "nfd.xlsx", total=95, info=info)
    result = validate_paths([tmp_path], specs)
    meta = result.meta.iloc[0]
    assert meta["cell_name"] == "Chi bộ Văn phòng" and meta["cell_code"] == "KCQ-009"
    assert meta["period"] == "2026-11" and meta["members"] == 22
    assert bool(result.files["valid"].iloc[0])


def test_same_template_is_found_for_every_cell_type(tmp_path, specs, template_dir):
    for cell_type, spec in specs.items():
        make_submission(template_dir / template_filename(cell_type), spec, tmp_path / f"{cell_type}.xlsx", total=99,
                        info={"cell_code": f"X-{cell_type[:3].upper()}"})
    result = validate_paths([tmp_path], specs)
    assert sorted(result.files["cell_type"]) == sorted(specs)
    assert (result.files["status"] == "meets").all()


def test_missing_path_is_reported_not_raised(specs, tmp_path):
    result = validate_paths([tmp_path / "khong-co.xlsx"], specs)
    assert [(p.code, p.severity, p.file, p.value) for p in result.problems] == [
        ("file_not_found", "error", str(tmp_path / "khong-co.xlsx"), "khong-co.xlsx")]
    assert result.files[["name", "valid", "category"]].values.tolist() == [["khong-co.xlsx", False, "invalid"]]


def test_a_missing_file_has_the_status_of_its_category(specs, tmp_path):
    result = validate_paths([tmp_path / "khong-co.xlsx"], specs)
    assert result.files[["category", "status"]].values.tolist() == [["invalid", "invalid"]]




@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_the_entity_check_reads_each_part_head_as_zipfile_does(tmp_path, method):
    """The check inflates each part's first KiB from the package's bytes; the same bytes as
    zipfile gives, a DOCTYPE is refused in a stored part as in a deflated one, and a damaged part
    goes back to zipfile (which says what is wrong)."""
    import io

    from fourgood.validators.package import Refused, _head, open_package

    parts = {"[Content_Types].xml": b"<Types/>" * 300, "xl/workbook.xml": b"<workbook/>" + b" " * 5000,
             "xl/worksheets/sheet1.xml": b"<?xml version='1.0'?>" + b"<x/>" * 2000}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    data = buf.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            assert _head(data, info, 1024) == z.read(info.filename)[:1024]
    bad = io.BytesIO()
    with zipfile.ZipFile(bad, "w", method) as z:
        for name, part in parts.items():
            z.writestr(name, b"<!DOCTYPE x [<!ENTITY a 'b'>]>" + part if name.endswith("sheet1.xml") else part)
    with pytest.raises(Refused) as refused:
        open_package(bad.getvalue())
    assert refused.value.problem.code == "xml_entities"
    if method == zipfile.ZIP_DEFLATED:  # a damaged deflate stream: zipfile's own error, located
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            info = z.getinfo("xl/workbook.xml")
            start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        broken = bytearray(data)
        broken[start:start + 8] = b"\xff" * 8
        assert _head(bytes(broken), info, 1024) is None
        with pytest.raises(Refused) as damaged:
            open_package(bytes(broken))
        assert damaged.value.problem.code == "corrupt_file"
