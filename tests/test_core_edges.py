"""The core's verdict on files real programs and real people make: a stale total behind an intact
formula, a total typed over its formula, a second form copied into the same workbook, and a
fault inside fourgood itself (never reported as the user's damaged file)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fourgood.contract import TOTAL_NAMES
from fourgood.fill import name_target
from fourgood.pipeline import validate_paths

from .helpers import make_submission


def _problems(result, file: Path) -> dict[str, list]:
    out: dict[str, list] = {}
    for p in result.problems_of(str(file)):
        out.setdefault(p.code, []).append(p)
    return out


def _row(result, file: Path) -> dict:
    return result.files.set_index("file").loc[str(file)].to_dict()


@pytest.mark.slow
@pytest.mark.libreoffice
def test_a_stale_total_behind_an_intact_formula_is_a_warning_and_the_recomputed_total_counts(
        tmp_path, agency_template, specs):
    from fourgood.libreoffice import convert

    spec = specs["agency"]
    form = make_submission(agency_template, spec, tmp_path / "goc.xlsx", total=100)
    saved = convert(form, "xlsx", tmp_path / "lo")  # formulas with cached values, as Excel saves
    sheet, cell = name_target(load_workbook(form), TOTAL_NAMES["self"])
    first = spec.criteria[0]
    # A script changes criterion 1.1's score from its maximum to max - 2 and does not recalculate:
    # the total's formula stays, its cached value (100) is now out of date.
    wb = load_workbook(saved)
    ws = wb[sheet]
    target = next(row[3].coordinate for row in ws.iter_rows() if row[0].value == first.id)
    with zipfile.ZipFile(saved) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    sheet_part = next(n for n, data in parts.items() if n.startswith("xl/worksheets/sheet")
                      and f'r="{target}"'.encode() in data and f'r="{cell}"'.encode() in data)
    xml = parts[sheet_part].decode("utf-8")
    pattern = re.compile(rf'(<c r="{target}"[^>]*>\s*<v>)([^<]*)(</v>)')
    assert float(pattern.search(xml).group(2)) == first.max
    parts[sheet_part] = pattern.sub(lambda m: f"{m.group(1)}{first.max - 2:g}{m.group(3)}", xml, count=1).encode()
    stale = tmp_path / "tong-chua-tinh-lai.xlsx"
    with zipfile.ZipFile(stale, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)

    result = validate_paths([stale], specs)
    found = _problems(result, stale)
    assert "total_overwritten" not in found
    (warning,) = found["total_stale"]
    assert (warning.severity, warning.sheet, warning.cell) == ("warning", sheet, cell)
    assert (warning.value, warning.expected) == (100, 98)
    row = _row(result, stale)
    assert (row["valid"], row["self_total"], row["status"]) == (True, 98, "meets")


def test_a_total_typed_over_its_formula_is_an_error(tmp_path, agency_template, specs):
    form = make_submission(agency_template, specs["agency"], tmp_path / "goc.xlsx", total=90)
    wb = load_workbook(form)
    sheet, cell = name_target(wb, TOTAL_NAMES["self"])
    wb[sheet][cell] = 96  # typed over =SUM(...): the form would show 96 and "Đạt"
    typed = tmp_path / "go-de-tong.xlsx"
    wb.save(typed)
    result = validate_paths([typed], specs)
    (error,) = _problems(result, typed)["total_overwritten"]
    assert (error.severity, error.sheet, error.cell, error.value, error.expected) == ("error", sheet, cell, 96, 90)
    assert "gõ đè" in error.message("vi")
    assert _row(result, typed)["status"] == "invalid"


def test_a_second_form_copied_into_the_workbook_is_a_located_error_naming_the_sheets(
        tmp_path, agency_template, specs):
    form = make_submission(agency_template, specs["agency"], tmp_path / "goc.xlsx", total=97)
    wb = load_workbook(form)
    scoring = wb["Chấm điểm"]
    copy = wb.copy_worksheet(scoring)
    copy.title = "Chi bộ 2"
    two = tmp_path / "hai-phieu.xlsx"
    wb.save(two)
    result = validate_paths([two], specs)
    (error,) = _problems(result, two)["multiple_forms"]
    assert (error.severity, error.sheet, error.value) == ("error", "Chấm điểm", "'Chi bộ 2'")
    assert "“Chi bộ 2”" in error.message("vi") and "Chấm điểm" in error.message("vi")
    assert _row(result, two)["status"] == "invalid"
    # the original, with only its own form, is fine
    assert "multiple_forms" not in _problems(validate_paths([form], specs), form)


def test_a_fault_inside_fourgood_is_internal_error_logged_and_the_batch_goes_on(
        tmp_path, agency_template, specs, monkeypatch):
    from fourgood.validators import reader

    home = tmp_path / "home"
    monkeypatch.setenv("FOURGOOD_HOME", str(home))
    good = make_submission(agency_template, specs["agency"], tmp_path / "a-tot.xlsx", total=98)
    victim = make_submission(agency_template, specs["agency"], tmp_path / "b-gap-loi.xlsx", total=98,
                             info={"cell_code": "KCQ-002"})
    original = reader._read_scores

    def broken(locate, grid, spec, out, view):
        if out.path.endswith("b-gap-loi.xlsx"):
            raise KeyError("bug of ours")
        return original(locate, grid, spec, out, view)

    monkeypatch.setattr(reader, "_read_scores", broken)
    result = validate_paths([good, victim], specs)
    (internal,) = _problems(result, victim)["internal_error"]
    assert internal.severity == "error"
    assert "corrupt_file" not in _problems(result, victim)
    message = internal.message("vi")
    assert "không phải do tệp hỏng" in message and str(home / "fourgood.log") in message
    detail = internal.params["detail"]  # named in Vietnamese as in English (the registry: same parameters)
    assert f"chi tiết kỹ thuật: {detail}" in message and detail in internal.message("en")
    log = (home / "fourgood.log").read_text(encoding="utf-8")
    assert "b-gap-loi.xlsx" in log and "KeyError: 'bug of ours'" in log
    assert _row(result, good)["status"] == "meets"  # the batch went on


def test_a_damaged_file_is_corrupt_not_internal(tmp_path, agency_template, specs):
    form = make_submission(agency_template, specs["agency"], tmp_path / "goc.xlsx", total=98)
    data = form.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
    broken = tmp_path / "hong.xlsx"
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(buf, "w") as zout:
        for name in names:
            body = zin.read(name)
            zout.writestr(name, body[: len(body) // 2] if name == "xl/workbook.xml" else body)
    broken.write_bytes(buf.getvalue())
    codes = set(_problems(validate_paths([broken], specs), broken))
    assert "corrupt_file" in codes and "internal_error" not in codes


def test_the_public_api_is_small_and_every_name_resolves():
    import fourgood

    assert sorted(fourgood.__all__) == sorted([
        "load_specs", "Spec", "validate_paths", "validate_bytes", "BatchResult", "check_view", "CheckResult",
        "consolidate_paths", "Consolidation", "write_consolidated", "Problem", "FourgoodError", "main", "__version__"])
    from fourgood.pipeline import validate_paths as direct

    assert fourgood.validate_paths is direct
    for name in fourgood.__all__:
        assert getattr(fourgood, name) is not None, name
    with pytest.raises(AttributeError):
        fourgood.not_a_public_name  # noqa: B018
