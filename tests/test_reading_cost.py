"""What the reader and the rules no longer repeat per form (issue 18, "Where people wait"), and
proof that each shortcut gives what the long way gave: parts inflated from the package's bytes
are zipfile's bytes (a damaged part still gets zipfile's complaint), a template's workbook.xml is
parsed once per process, remembered cell values keep their types apart, and the rules judge
every row pandera used to skip."""

from __future__ import annotations

import datetime as dt
import io
import math
import struct
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from fourgood.validators import normalize as N
from fourgood.validators import package
from fourgood.validators.package import Refused, open_package, read_part
from fourgood.validators.reader import SpecIndex, read_file
from fourgood.validators.rules import Rule
from fourgood.validators.run import run_rules

from .helpers import make_submission


@pytest.fixture
def form(tmp_path, agency_template, specs) -> Path:
    return make_submission(agency_template, specs["agency"], tmp_path / "phieu.xlsx", total=97)


def test_every_part_is_inflated_from_the_package_bytes_as_zipfile_reads_it(form):
    data = form.read_bytes()
    pkg = open_package(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            assert package._inflate(data, info, package.MAX_PART) == z.read(info.filename), info.filename
            assert read_part(pkg, info.filename) == z.read(info.filename)


def _with_crc(data: bytes, part: str, crc: int) -> bytes:
    """The package with `part`'s CRC-32 changed in the central directory (its bytes untouched)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(part)
    entry = data.find(b"PK\x01\x02")  # the first central directory entry
    while True:  # walk the central directory to the part's entry
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, entry + 28)
        if data[entry + 46:entry + 46 + name_len].decode() == info.filename:
            break
        entry += 46 + name_len + extra_len + comment_len
    return data[:entry + 16] + struct.pack("<I", crc) + data[entry + 20:]


def test_a_part_whose_crc_is_wrong_gets_zipfiles_complaint_not_the_shortcuts_bytes(form):
    data = form.read_bytes()
    damaged = _with_crc(data, "xl/workbook.xml", 0)
    with zipfile.ZipFile(io.BytesIO(damaged)) as z:
        assert package._inflate(damaged, z.getinfo("xl/workbook.xml"), package.MAX_PART) is None
    with pytest.raises(Refused) as refused:
        open_package(damaged)
    assert refused.value.problem.code == "corrupt_file" and "CRC" in refused.value.problem.params["detail"]


def test_forms_of_one_template_have_its_workbook_xml_parsed_once(tmp_path, agency_template, specs):
    forms = [make_submission(agency_template, specs["agency"], tmp_path / f"p{i}.xlsx", total=total)
             for i, total in enumerate((96, 97, 98))]
    package._workbook_parts.cache_clear()
    index = SpecIndex(specs)
    reads = [read_file(f, index) for f in forms]
    assert all(r.is_form and not r.problems for r in reads)
    info = package._workbook_parts.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_remembered_cell_values_keep_one_one_point_zero_and_true_apart():
    for _ in range(2):  # the second round answers from memory
        assert (N.clean_text(1), N.clean_text(1.0), N.clean_text(True), N.clean_text(1.5)) == ("1", "1", "True", "1.5")
        assert N.parse_number(1) == (1.0, N.OK) and N.parse_number("1,5") == (1.5, N.TEXT_NUMBER)
        number, kind = N.parse_number(True)
        assert math.isnan(number) and kind == N.NOT_NUMBER
    assert N.clean_text(["a  b"]) == "['a b']"  # a value that cannot be remembered is still cleaned


def test_remembered_values_never_answer_for_an_equal_value_that_reads_differently():
    assert math.copysign(1, N.parse_number(-0.0)[0]) == -1 and math.copysign(1, N.parse_number(0.0)[0]) == 1
    assert math.copysign(1, N.parse_number(-0.0)[0]) == -1  # and not 0.0's answer either way round
    utc, plus7 = dt.UTC, dt.timezone(dt.timedelta(hours=7))
    noon = dt.datetime(2026, 11, 5, 12, tzinfo=utc)
    assert noon == noon.astimezone(plus7) and N.clean_text(noon) != N.clean_text(noon.astimezone(plus7))


def test_a_rule_judges_a_row_whose_every_value_is_missing():
    frame = pd.DataFrame({"file": ["a.xlsx", None], "self_cell": ["D9", None], "self_kind": [N.OK, None]})
    rule = Rule("score_blank", lambda d: d["self_kind"].notna(), cell="self_cell")
    problems = run_rules(frame, [rule])
    assert [p.code for p in problems] == ["score_blank"]  # pandera's ignore_na would pass that row


def _with_part(data: bytes, part: str, edit) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            zout.writestr(info.filename, edit(body) if info.filename == part else body)
    return buf.getvalue()


def test_a_part_seen_clean_is_not_inflated_again_and_a_changed_one_is_still_checked(form, monkeypatch):
    data = form.read_bytes()
    open_package(data)  # every part seen once
    inflated: list[str] = []
    head = package._head
    monkeypatch.setattr(package, "_head", lambda d, info, limit: inflated.append(info.filename) or head(d, info, limit))
    open_package(data)
    assert inflated == []  # the same stored bytes: known clean
    hostile = _with_part(data, "xl/styles.xml", lambda body: b'<!DOCTYPE x [<!ENTITY e "e">]>' + body)
    with pytest.raises(Refused) as refused:
        open_package(hostile)
    assert refused.value.problem.code == "xml_entities" and "xl/styles.xml" in inflated
