from __future__ import annotations

import copy

import pytest
import yaml

from fourgood.criteria_workbook import write_criteria_workbook
from fourgood.problems import FourgoodError
from fourgood.spec import CELL_TYPES, default_specs_dir, load_spec_file, load_specs, spec_from_dict


def test_default_specs_cover_the_four_cell_types_with_100_points(specs):
    assert list(specs) == list(CELL_TYPES)
    for spec in specs.values():
        assert spec.total == 100
        assert spec.threshold == 95 and spec.step == 0.5
        assert [c.id for c in spec.contents] == ["I", "II", "III", "IV"]
        assert all(4 <= len(c.criteria) <= 8 for c in spec.contents)
        for c in spec.criteria:
            assert c.text_en and c.text_vi != c.text_en
            assert any(ch in c.text_vi for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")


def test_contents_are_worded_as_nghi_quyet_21_in_the_tables_order(specs):
    # Nghị quyết 21-NQ/TW's wording; the order is the agencies bloc's (solidarity second), a spec setting.
    for spec in specs.values():
        assert [c.title_vi for c in spec.contents] == [
            "Lãnh đạo hoàn thành tốt nhiệm vụ chính trị", "Đoàn kết, kỷ luật tốt", "Chất lượng sinh hoạt tốt",
            "Cán bộ, đảng viên tốt"]


def test_no_criterion_asks_for_a_share_of_excellent_members_the_cap_forbids(specs):
    # Hướng dẫn 21-HD/BTCTW: "excellent" members may be at most 20% of the "good" ones, so "over 20% (or
    # 15%) excellent" cannot be met by a good cell; 4.1 asks for what a good cell reaches instead.
    for spec in specs.values():
        assert not any("xuất sắc" in c.text_vi for c in spec.criteria), spec.cell_type
        first = next(c for c in spec.criteria if c.id == "4.1")
        assert first.text_vi == ("100% đảng viên được xếp loại hoàn thành nhiệm vụ trở lên, trong đó ít nhất 80% "
                                 "được xếp loại hoàn thành tốt nhiệm vụ trở lên")


def test_criteria_are_written_for_each_type(specs):
    first = {t: s.criteria[0].text_vi for t, s in specs.items()}
    assert len(set(first.values())) == 4
    for spec in specs.values():  # summed by hand over the contents, not through spec.total
        assert sum(c.max for content in spec.contents for c in content.criteria) == 100
        assert [c.id for c in spec.criteria] == [c.id for content in spec.contents for c in content.criteria]


def test_fingerprint_is_stable_and_changes_with_content_not_version(specs):
    path = default_specs_dir() / "co-quan.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    base = spec_from_dict(copy.deepcopy(data))
    assert base.fingerprint == specs["agency"].fingerprint
    assert base.fingerprint.startswith("sha256:") and len(base.fingerprint) == 23
    renamed = copy.deepcopy(data)
    renamed["version"] = "2099.9"
    assert spec_from_dict(renamed).fingerprint == base.fingerprint
    changed = copy.deepcopy(data)
    changed["contents"][0]["criteria"][0]["max"] = 7.5
    changed["contents"][0]["criteria"][1]["max"] = 5.5
    assert spec_from_dict(changed).total == 100
    assert spec_from_dict(changed).fingerprint != base.fingerprint


def _broken(mutate) -> list:
    data = yaml.safe_load((default_specs_dir() / "co-quan.yaml").read_text(encoding="utf-8"))
    mutate(data)
    with pytest.raises(FourgoodError) as info:
        spec_from_dict(data, source="tinh.yaml")
    return info.value.problems


def test_duplicate_ids_are_reported_with_the_id():
    problems = _broken(lambda d: d["contents"][1]["criteria"][0].update(id="1.1"))
    assert [(p.code, p.criterion, p.file) for p in problems] == [("spec_duplicate_id", "1.1", "tinh.yaml")]


def test_points_not_summing_to_100_are_reported():
    problems = _broken(lambda d: d["contents"][0]["criteria"][0].update(max=9))
    assert [(p.code, p.value, p.expected) for p in problems] == [("spec_points_total", 101.0, 100.0)]


def test_step_not_dividing_a_maximum_names_the_criterion():
    def mutate(d):
        d["step"] = 2
    problems = _broken(mutate)
    assert {p.code for p in problems} == {"spec_step_divides"}
    assert {p.criterion for p in problems} == {"1.2", "1.4", "1.5", "1.6", "2.1", "2.2", "2.4", "2.5", "3.2", "3.3", "4.1",
                                                "3.5"}
    assert "bước chấm 2" in problems[0].message("vi")


def test_threshold_above_total_is_reported_in_both_languages():
    problems = _broken(lambda d: d.update(threshold=120))
    assert [(p.code, p.value, p.expected, p.file) for p in problems] == [("spec_threshold", 120.0, 100.0, "tinh.yaml")]
    assert "không được lớn hơn" in problems[0].message("vi")
    assert "may not exceed" in problems[0].message("en")


def test_unreadable_spec_file_is_a_located_error(tmp_path):
    bad = tmp_path / "hong.yaml"
    bad.write_text("contents: [", encoding="utf-8")
    with pytest.raises(FourgoodError) as info:
        load_spec_file(bad)
    assert info.value.problems[0].code == "spec_unreadable" and info.value.problems[0].file == str(bad)


def test_tables_read_by_libyaml_are_the_tables_pyyaml_reads(tmp_path):
    """Spec files are parsed by libyaml when PyYAML has it (0.36 s of a one-form check went to the
    pure-Python parser): the same data for every bundled table, and a broken table is reported in
    PyYAML's own words, as before."""
    tables = sorted(default_specs_dir().rglob("*.yaml"))
    assert len(tables) >= 8
    for table in tables:
        assert load_spec_file(table) == spec_from_dict(yaml.safe_load(table.read_text(encoding="utf-8")),
                                                       source=str(table))
    bad = tmp_path / "hong.yaml"
    bad.write_text("contents:\n  - id: I\n   text: [", encoding="utf-8")
    with pytest.raises(yaml.YAMLError) as pure:
        yaml.safe_load(bad.read_text(encoding="utf-8"))
    with pytest.raises(FourgoodError) as info:
        load_spec_file(bad)
    assert info.value.problems[0].params["detail"] == str(pure.value).splitlines()[0]


def test_threshold_is_read_from_the_spec():
    data = yaml.safe_load((default_specs_dir() / "co-quan.yaml").read_text(encoding="utf-8"))
    data["threshold"] = 90
    assert spec_from_dict(data).threshold == 90


def test_province_may_leave_the_veto_list_empty():
    data = yaml.safe_load((default_specs_dir() / "co-quan.yaml").read_text(encoding="utf-8"))
    data["vetoes"] = []
    assert spec_from_dict(data).vetoes == ()


def test_criteria_workbook_round_trip_keeps_every_fingerprint(tmp_path, specs):
    path = write_criteria_workbook(specs, tmp_path / "bang.xlsx")
    again = load_specs(path)
    assert {k: s.fingerprint for k, s in again.items()} == {k: s.fingerprint for k, s in specs.items()}


def test_single_sheet_criteria_workbook_applies_to_every_type(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Bảng của tỉnh"
    ws.append(["Nội dung", "Mã", "Tiêu chí", "Điểm chuẩn", "Hướng dẫn"])
    rows = [("I. Lãnh đạo thực hiện tốt nhiệm vụ chính trị", 25), ("II. Đoàn kết tốt, kỷ luật tốt", 25),
            ("III. Chất lượng sinh hoạt tốt", 25), ("IV. Cán bộ, đảng viên tốt", 25)]
    for i, (content, points) in enumerate(rows, start=1):
        for j in range(1, 6):
            ws.append([content if j == 1 else None, f"{i}.{j}", f"Tiêu chí {i}.{j} của tỉnh", points / 5, ""])
    wb.save(tmp_path / "bang.xlsx")
    specs = load_specs(tmp_path / "bang.xlsx")
    assert set(specs) == set(CELL_TYPES)
    for spec in specs.values():
        assert len(spec.criteria) == 20 and spec.total == 100
        assert spec.contents[2].title_vi == "Chất lượng sinh hoạt tốt"
        assert spec.version == "tùy chỉnh"


def test_criteria_workbook_problems_name_sheet_and_cell(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "chi-bo-co-quan"
    ws.append(["Nội dung", "Mã", "Tiêu chí", "Điểm chuẩn"])
    ws.append(["I. A", "1.1", "x", 100])
    wb.save(tmp_path / "thieu.xlsx")
    with pytest.raises(FourgoodError) as info:
        load_specs(tmp_path / "thieu.xlsx")
    p = info.value.problems[0]
    assert (p.code, p.sheet, p.value) == ("criteria_columns_missing", "chi-bo-co-quan", "Hướng dẫn")
