"""The party document's heading and signature (Hướng dẫn 36-HD/VPTW): each kind of issuer, each signer."""

from __future__ import annotations

import pytest

from fourgood.document import SIGNER_CHOICES, issuer_from_text, issuer_from_top, parse_signer, symbol_of
from fourgood.problems import FourgoodError


def test_a_provincial_organisation_board_heads_its_report_under_the_provincial_committee():
    who = issuer_from_top("Đảng bộ tỉnh Hà Tĩnh", "province", "")
    assert (who.above, who.own, who.number("vi")) == ("TỈNH ỦY HÀ TĨNH", "BAN TỔ CHỨC", "Số ……-BC/BTCTU")
    assert who.default_signer().lines("vi") == ["TRƯỞNG BAN"]
    city = issuer_from_top("Đảng bộ thành phố Hà Nội", "province", "")
    assert (city.above, city.own, city.symbol) == ("THÀNH ỦY HÀ NỘI", "BAN TỔ CHỨC", "BTCTU")


def test_a_commune_committee_heads_its_report_under_the_province_and_signs_for_its_standing_committee():
    who = issuer_from_top("Đảng bộ xã Cẩm Bình", "upper", "Tỉnh Hà Tĩnh")
    assert (who.above, who.own, who.number("vi")) == ("ĐẢNG BỘ TỈNH HÀ TĨNH", "ĐẢNG ỦY XÃ CẨM BÌNH", "Số ……-BC/ĐU")
    assert who.default_signer().lines("vi") == ["T/M BAN THƯỜNG VỤ", "BÍ THƯ"]
    agencies = issuer_from_top("Đảng bộ các cơ quan Đảng tỉnh", "upper", "Đảng bộ tỉnh Hà Tĩnh")
    assert (agencies.above, agencies.own, agencies.symbol) == ("ĐẢNG BỘ TỈNH HÀ TĨNH", "ĐẢNG ỦY CÁC CƠ QUAN ĐẢNG TỈNH",
                                                               "ĐU")


def test_a_grassroots_committee_names_the_committee_above_it_and_a_grassroots_cell_signs_for_the_cell():
    who = issuer_from_top("Đảng bộ Sở Tài chính", "grassroots", "Tỉnh Hà Tĩnh", "Đảng bộ Ủy ban nhân dân tỉnh")
    assert (who.above, who.own, who.symbol) == ("ĐẢNG BỘ ỦY BAN NHÂN DÂN TỈNH", "ĐẢNG ỦY SỞ TÀI CHÍNH", "ĐU")
    assert who.default_signer().lines("vi") == ["T/M ĐẢNG ỦY", "BÍ THƯ"]
    cell = issuer_from_top("Chi bộ Ban Tổ chức Tỉnh ủy", "grassroots", "Tỉnh Hà Tĩnh", "Đảng bộ các cơ quan Đảng tỉnh")
    assert (cell.own, cell.symbol, cell.default_signer().lines("vi")[0]) == ("CHI BỘ BAN TỔ CHỨC TỈNH ỦY", "CB",
                                                                             "T/M CHI BỘ")


def _parts(issuer):
    return issuer.above, issuer.own, issuer.symbol


def test_issuer_option_one_line_gets_the_organisation_above_and_its_symbol():
    assert _parts(issuer_from_text("Ban Tổ chức Tỉnh ủy", "Tỉnh Hà Tĩnh")) == ("TỈNH ỦY HÀ TĨNH", "BAN TỔ CHỨC", "BTCTU")
    assert _parts(issuer_from_text("Đảng ủy xã Cẩm Bình", "Tỉnh Hà Tĩnh")) == ("ĐẢNG BỘ TỈNH HÀ TĨNH", "ĐẢNG ỦY XÃ CẨM BÌNH",
                                                                           "ĐU")
    # two lines as given, a third part is the symbol
    given = issuer_from_text("ĐẢNG BỘ TỈNH THÁI NGUYÊN|ĐẢNG ỦY KHỐI CÁC CƠ QUAN|ĐUK", "")
    assert _parts(given) == ("ĐẢNG BỘ TỈNH THÁI NGUYÊN", "ĐẢNG ỦY KHỐI CÁC CƠ QUAN", "ĐUK")
    assert symbol_of("BAN TUYÊN GIÁO VÀ DÂN VẬN", "TỈNH ỦY HÀ TĨNH") == "BTGDVTU"


@pytest.mark.parametrize("text, lines", [
    ("TRƯỞNG BAN", ["TRƯỞNG BAN"]),
    ("k/t trưởng ban", ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"]),
    ("T/M BAN THƯỜNG VỤ", ["T/M BAN THƯỜNG VỤ", "BÍ THƯ"]),
    ("T/M BAN THƯỜNG VỤ|Phó Bí thư", ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ"]),
    ("T/M ĐẢNG ỦY", ["T/M ĐẢNG ỦY", "BÍ THƯ"]),
    ("T/M CHI BỘ", ["T/M CHI BỘ", "BÍ THƯ"]),
    ("T/L BAN THƯỜNG VỤ", ["T/L BAN THƯỜNG VỤ", "TRƯỞNG BAN TỔ CHỨC"]),
])
def test_signer_option_offers_the_ways_boards_sign(text, lines):
    signer = parse_signer(text)
    assert signer is not None and signer.lines("vi") == lines


def test_an_unknown_signer_is_refused_naming_the_choices():
    with pytest.raises(FourgoodError) as err:
        parse_signer("Chủ tịch")
    message = err.value.problems[0].message("vi")
    assert "“Chủ tịch”" in message and all(choice in message for choice in SIGNER_CHOICES)


def test_the_issuer_option_s_help_example_gives_the_heading_hướng_dẫn_36_asks_for(capsys):
    """The help's example is what a board copies: it must head the report “TỈNH ỦY HÀ TĨNH / BAN TỔ
    CHỨC”, not the old “ĐẢNG BỘ TỈNH HÀ TĨNH / BAN TỔ CHỨC TỈNH ỦY”."""
    import re

    from fourgood.cli import main

    assert main(["consolidate", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    examples = re.search(r"--issuer CẤP_ỦY .*?vd\. “([^”]+)”", text)
    assert examples is not None
    assert _parts(issuer_from_text(examples.group(1).replace(" | ", "|"), "Tỉnh Hà Tĩnh")) == (
        "TỈNH ỦY HÀ TĨNH", "BAN TỔ CHỨC", "BTCTU")


def test_a_bloc_committee_numbers_its_report_with_the_bloc_s_symbol():
    """Hướng dẫn 36's own example: “ĐẢNG ỦY KHỐI CÁC CƠ QUAN / Số 29-HD/ĐUK”, not “/ĐU”."""
    bloc = issuer_from_top("Đảng bộ Khối các cơ quan tỉnh", "upper", "Tỉnh Thái Nguyên")
    assert _parts(bloc) == ("ĐẢNG BỘ TỈNH THÁI NGUYÊN", "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH", "ĐUK")
    assert issuer_from_text("Đảng ủy Khối doanh nghiệp tỉnh", "Tỉnh Thái Nguyên").symbol == "ĐUK"


def test_an_appendix_cites_the_report_s_date_as_party_documents_cite_one():
    """“Quyết định số 31-QĐ/TW, ngày 01-10-1997”: a party document writes a cited date with hyphens."""
    import datetime as dt

    from fourgood.document import Letterhead

    who = issuer_from_top("Đảng bộ xã Cẩm Bình", "upper", "Tỉnh Hà Tĩnh")
    h = Letterhead(who, "Cẩm Bình", dt.date(2027, 2, 5), "tháng 1 năm 2027")
    assert h.appendix_line() == "(Kèm theo Báo cáo số ……-BC/ĐU, ngày 05-02-2027)"
