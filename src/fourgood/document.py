"""The party document a board signs (Hướng dẫn 36-HD/VPTW): who issues it, who signs, its heading.

The consolidated workbook is one report ("BÁO CÁO") followed by numbered appendices ("Phụ lục 1",
…); this module decides the words of the heading and of the signature from the roster's top
organisation (or `--issuer` / `--signer`), so the writer only lays them out:

- a provincial (city) committee's organisation board: "TỈNH ỦY HÀ TĨNH / BAN TỔ CHỨC / * /
  Số …-BC/BTCTU", signed "TRƯỞNG BAN";
- a commune or ward committee, or one of the two provincial committees: "ĐẢNG BỘ TỈNH HÀ TĨNH /
  ĐẢNG ỦY XÃ CẨM BÌNH / * / Số …-BC/ĐU", signed "T/M BAN THƯỜNG VỤ / BÍ THƯ";
- a grassroots committee: the committee above it, then "ĐẢNG ỦY …", signed "T/M ĐẢNG ỦY / BÍ THƯ";
- a grassroots cell: "T/M CHI BỘ / BÍ THƯ".
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from .problems import FourgoodError, Problem
from .spec import fold
from .structure import GRASSROOTS, PROVINCE

DOTS = "……………………"
NUMBER_DOTS = "……"

# How a document is signed: (key) -> (Vietnamese lines, English lines). The first line is the
# capacity ("T/M BAN THƯỜNG VỤ"), the second the signer's office when it differs from the first.
SIGNERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "truong_ban": (("TRƯỞNG BAN",), ("HEAD OF THE BOARD",)),
    "kt_truong_ban": (("K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"), ("FOR THE HEAD OF THE BOARD", "DEPUTY HEAD")),
    "tm_ban_thuong_vu": (("T/M BAN THƯỜNG VỤ", "BÍ THƯ"), ("FOR THE STANDING COMMITTEE", "SECRETARY")),
    "tm_dang_uy": (("T/M ĐẢNG ỦY", "BÍ THƯ"), ("FOR THE PARTY COMMITTEE", "SECRETARY")),
    "tm_chi_bo": (("T/M CHI BỘ", "BÍ THƯ"), ("FOR THE PARTY CELL", "SECRETARY")),
    "tl_ban_thuong_vu": (("T/L BAN THƯỜNG VỤ", "TRƯỞNG BAN TỔ CHỨC"),
                         ("BY ORDER OF THE STANDING COMMITTEE", "HEAD OF THE ORGANISATION BOARD")),
}
SIGNER_CHOICES = [lines[0][0] for lines in SIGNERS.values()]


@dataclass(frozen=True)
class Signer:
    """Who signs: the capacity line and the office line ("K/T TRƯỞNG BAN" / "PHÓ TRƯỞNG BAN")."""

    key: str
    title: str = ""  # the office line, when given instead of the usual one

    def text(self) -> str:
        """As `--signer` takes it (parse_signer reads it back): the capacity, then "|office" if given."""
        return SIGNERS[self.key][0][0] + (f"|{self.title}" if self.title else "")

    def lines(self, lang: str) -> list[str]:
        vi, en = SIGNERS[self.key]
        shown = list(en if lang == "en" else vi)
        if self.title:
            shown = [shown[0], self.title.upper()]
        return shown


def parse_signer(text: str | None) -> Signer | None:
    """`--signer "K/T TRƯỞNG BAN"` or `--signer "T/M BAN THƯỜNG VỤ|PHÓ BÍ THƯ"` (an office line of one's own).

    Matched with case, diacritics, spaces and the slash ignored; anything else is a usage error
    naming the choices."""
    if text is None or not text.strip():
        return None
    capacity, _, title = text.partition("|")
    key = _loose(capacity)
    for k, (vi, en) in SIGNERS.items():
        if key in (_loose(vi[0]), _loose(en[0]), _loose(k)):
            return Signer(k, " ".join(title.split()))
    raise FourgoodError([Problem("signer_unknown", value=text.strip(), expected="; ".join(SIGNER_CHOICES))])


def _loose(text: str) -> str:
    return "".join(ch for ch in fold(text) if ch.isalnum())


@dataclass(frozen=True)
class Issuer:
    """The issuing body: the organisation above it, its own name, its symbol after the number, its kind."""

    above: str  # "TỈNH ỦY HÀ TĨNH" / "ĐẢNG BỘ TỈNH HÀ TĨNH"; "" when unknown
    own: str  # "BAN TỔ CHỨC" / "ĐẢNG ỦY XÃ CẨM BÌNH"; dotted lines when unknown
    symbol: str  # "BTCTU" / "ĐU"
    kind: str = "board"  # board | upper | grassroots | cell: decides the default signer

    @property
    def known(self) -> bool:
        return self.own != DOTS * 2

    def default_signer(self) -> Signer:
        return Signer({"board": "truong_ban", "upper": "tm_ban_thuong_vu", "grassroots": "tm_dang_uy",
                       "cell": "tm_chi_bo"}.get(self.kind, "truong_ban"))

    def number(self, lang: str) -> str:
        """ "Số …-BC/BTCTU": the number is filled in by hand when the document is registered."""
        suffix = f"-BC/{self.symbol}" if self.symbol else "-BC"
        return (f"No. {NUMBER_DOTS}{suffix}" if lang == "en" else f"Số {NUMBER_DOTS}{suffix}")


UNKNOWN_ISSUER = Issuer("", DOTS * 2, "", "board")


def province_parts(province: str) -> tuple[str, str]:
    """("tỉnh", "Hà Tĩnh") from "Tỉnh Hà Tĩnh" or "Đảng bộ tỉnh Hà Tĩnh"; ("thành phố", "Hà Nội") from "TP. Hà Nội"."""
    low = province.lower().strip()
    for prefix, kind in (("đảng bộ thành phố ", "thành phố"), ("đảng bộ tỉnh ", "tỉnh"), ("thành phố ", "thành phố"),
                         ("tp. ", "thành phố"), ("tp ", "thành phố"), ("tỉnh ", "tỉnh")):
        if low.startswith(prefix):
            return kind, province.strip()[len(prefix):].strip()
    return "tỉnh", province.strip()


def _committee(kind: str) -> str:
    return "THÀNH ỦY" if kind == "thành phố" else "TỈNH ỦY"


def _upper(text: str) -> str:
    return " ".join(text.split()).upper()


def symbol_of(own: str, above: str = "") -> str:
    """The issuer's symbol after the number: the initials of its name, as party documents write them
    ("BAN TỔ CHỨC" of a provincial committee → BTCTU; "ĐẢNG ỦY KHỐI …" → ĐUK; "ĐẢNG ỦY …" → ĐU;
    "CHI BỘ …" → CB)."""
    words = _upper(own).split()
    if words[:3] == ["ĐẢNG", "ỦY", "KHỐI"]:  # a bloc's committee: "Số 29-HD/ĐUK"
        return "ĐUK"
    if words[:2] == ["ĐẢNG", "ỦY"]:
        return "ĐU"
    if words[:2] == ["CHI", "BỘ"]:
        return "CB"
    if words[:1] != ["BAN"]:
        return _initials(words[:2])
    tail = ["TỈNH", "ỦY"] if _upper(above).startswith(("TỈNH ỦY", "THÀNH ỦY")) and words[-1:] != ["ỦY"] else []
    return _initials([w for w in words + tail if w not in ("VÀ", "CỦA")])


def _initials(words: list[str]) -> str:
    out = []
    for w in words:
        first = w[0]
        out.append(first if first == "Đ" else unicodedata.normalize("NFD", first)[0])
    return "".join(out)


def issuer_from_text(text: str, province: str) -> Issuer:
    """`--issuer`: "ABOVE|OWN[|SYMBOL]", or one line ("BAN TỔ CHỨC TỈNH ỦY", "Đảng ủy xã Cẩm Bình") to
    which the organisation above is added from the province."""
    parts = [_upper(p) for p in text.replace("\n", "|").split("|")]
    symbol = parts.pop() if len(parts) == 3 else ""
    parts = [p for p in parts if p]
    if not parts:
        return UNKNOWN_ISSUER
    kind_p, name = province_parts(province)
    if len(parts) == 1:
        own = parts[0]
        committee = _committee(kind_p)
        if own.startswith("BAN "):  # a board of the provincial committee: "TỈNH ỦY X / BAN TỔ CHỨC"
            for suffix in (" TỈNH ỦY", " THÀNH ỦY"):
                if own.endswith(suffix):
                    own, committee = own[: -len(suffix)], suffix.strip()
            above = f"{committee} {_upper(name)}" if name else ""
        else:
            above = f"ĐẢNG BỘ {_upper(kind_p)} {_upper(name)}" if name else ""
    else:
        above, own = parts[-2], parts[-1]
    return Issuer(above, own, symbol or symbol_of(own, above), _kind_of(own))


def _kind_of(own: str) -> str:
    if own.startswith("BAN "):
        return "board"
    if own.startswith("CHI BỘ"):
        return "cell"
    return "upper"


def issuer_from_top(name: str, kind: str, province: str, above_name: str = "") -> Issuer:
    """The default issuer from the top organisation of the roster's tree (or of the forms').

    A province → its organisation board; a commune/ward or provincial committee → its party
    committee; a grassroots committee → its party committee, under the committee above it; a
    grassroots cell → the cell."""
    name = " ".join(str(name or "").split())
    if not name:
        return UNKNOWN_ISSUER
    kind_p, pname = province_parts(province or (name if kind == PROVINCE else ""))
    if kind == PROVINCE:
        kind_p, pname = province_parts(name)
        return Issuer(f"{_committee(kind_p)} {_upper(pname)}", "BAN TỔ CHỨC",
                      "BTCTU", "board")
    own = _upper(name)
    if own.startswith("ĐẢNG BỘ "):
        own = "ĐẢNG ỦY " + own[len("ĐẢNG BỘ "):]
    above = _upper(above_name) if above_name else (f"ĐẢNG BỘ {_upper(kind_p)} {_upper(pname)}" if pname else "")
    if own.startswith("CHI BỘ"):
        return Issuer(above, own, "CB", "cell")
    return Issuer(above, own, symbol_of(own, above), "grassroots" if kind == GRASSROOTS else "upper")


@dataclass
class Letterhead:
    """The heading of the report and of its appendices, and the signature that closes the report."""

    issuer: Issuer
    place: str
    date: dt.date
    period: str  # "tháng 11 năm 2026" / "năm 2026"
    lang: str = "vi"
    signer: Signer | None = None
    recipients: list[str] = field(default_factory=list)

    @classmethod
    def placeholder(cls, lang: str) -> Letterhead:
        return cls(UNKNOWN_ISSUER, DOTS, dt.date.today(), "", lang)

    @property
    def lines(self) -> list[str]:
        """The two lines of the issuer block, above first."""
        return [self.issuer.above, self.issuer.own]

    def date_line(self) -> str:
        d = self.date
        if self.lang == "en":
            return f"{self.place}, {d.day} {d.strftime('%B')} {d.year}"
        # a party document writes days under 10 and months under 3 with a leading zero
        day = f"{d.day:02d}"
        month = f"{d.month:02d}" if d.month < 3 else str(d.month)
        return f"{self.place}, ngày {day} tháng {month} năm {d.year}"

    def number(self) -> str:
        return self.issuer.number(self.lang)

    def signature(self) -> list[str]:
        return (self.signer or self.issuer.default_signer()).lines(self.lang)

    def appendix_line(self) -> str:
        """What every appendix carries instead of a heading of its own: the report's number and date."""
        d = self.date
        number = self.number().replace("Số ", "").replace("No. ", "")
        if self.lang == "en":
            return f"(Attached to report No. {number} of {d.day} {d.strftime('%B')} {d.year})"
        # a party document cites another's date with hyphens: "Quyết định số 31-QĐ/TW, ngày 01-10-1997"
        return f"(Kèm theo Báo cáo số {number}, ngày {d.day:02d}-{d.month:02d}-{d.year})"

    def to_whom(self) -> list[str]:
        """ "Nơi nhận:" lines, bottom left of the report."""
        if self.recipients:
            return self.recipients
        if self.lang == "en":
            return ["- The committee above (for report),", "- The committees below,", "- File."]
        return ["- Cấp ủy cấp trên (để báo cáo),", "- Các cấp ủy trực thuộc,", "- Lưu."]


def period_text(periods: list[str], lang: str) -> str:
    """"tháng 11 năm 2026" for 2026-11, "năm 2026" for 2026; several joined by commas."""
    def one(p: str) -> str:
        year, _, month = str(p).partition("-")
        if lang == "en":
            return dt.date(int(year), int(month), 1).strftime("%B %Y") if month.isdigit() else year
        return f"tháng {int(month)} năm {year}" if month.isdigit() else f"năm {year}"
    return ", ".join(one(p) for p in periods if str(p)[:4].isdigit())


__all__ = ["DOTS", "SIGNERS", "SIGNER_CHOICES", "UNKNOWN_ISSUER", "Issuer", "Letterhead", "Signer",
           "issuer_from_text", "issuer_from_top", "parse_signer", "period_text", "province_parts", "symbol_of"]
