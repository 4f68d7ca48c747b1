"""Normalise what staff really type: decimal commas, numbers as text, NFC/NFD, stray spaces,
periods written in words, legacy 8-bit Vietnamese encodings."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, TypeVar

from fourgood.spec import fold

# Parse outcome kinds for score cells, in the columns `self_kind` / `upper_kind`.
OK, BLANK, TEXT_NUMBER, NOT_NUMBER, FORMULA = "ok", "blank", "text_number", "not_number", "formula"

_T = TypeVar("_T")
_NUMBER_TEXT = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def _remembered(compute: Callable[[Any], _T]) -> Callable[[Any], _T]:
    """`compute` for cell values, remembered per value and type (every form of a template holds
    the same ids, maxima and labels): 1, 1.0 and True stay apart. Only values whose equals always
    give the same answer are remembered: None, short texts, whole numbers, and floats other than
    ±0.0 (equal, but -0.0 parses to -0.0) and NaN; anything else (dates, long texts) is computed."""
    cached = lru_cache(maxsize=8192, typed=True)(compute)

    @wraps(compute)
    def lookup(value: Any) -> _T:
        kind = type(value)
        if (value is None or kind is int or (kind is str and len(value) <= 256)
                or (kind is float and value and value == value)):
            return cached(value)
        return compute(value)
    return lookup


@_remembered
def clean_text(value: Any) -> str:
    """NFC, trimmed, inner runs of white space folded to one space; numbers shown plainly."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


@_remembered
def parse_number(value: Any) -> tuple[float, str]:
    """(number, kind) for a cell value; NaN with the reason when it is not a usable number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return math.nan, BLANK
    if isinstance(value, bool):
        return math.nan, NOT_NUMBER
    if isinstance(value, (int, float)):
        return (float(value), OK) if math.isfinite(value) else (math.nan, NOT_NUMBER)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace("\u00a0", "").replace(" ", "")
        if _NUMBER_TEXT.match(text):
            return float(text.replace(",", ".")), TEXT_NUMBER
    return math.nan, NOT_NUMBER


def parse_whole(value: Any) -> float:
    number, kind = parse_number(value)
    if kind in (OK, TEXT_NUMBER) and float(number).is_integer():
        return number
    return math.nan


def parse_percent(value: Any) -> float:
    if isinstance(value, str):
        value = value.strip().rstrip("%").strip()
    number, kind = parse_number(value)
    return number if kind in (OK, TEXT_NUMBER) else math.nan


_MONTH_WORDS = {
    "mot": 1, "gieng": 1, "gieng hai": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5, "sau": 6, "bay": 7,
    "tam": 8, "chin": 9, "muoi": 10, "muoi mot": 11, "muoi hai": 12, "chap": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
}
_YEAR_WORDS = {"ca nam", "nam", "whole year", "year", "full year", "tong ket nam", "ca nam (tong ket)"}


def parse_period(value: Any) -> int | None:
    """Month 1-12, 0 for the whole year, None when unreadable.

    Accepts 'Tháng 11', 'thang 11', 'T11', '11', 11, 'tháng mười một', 'Cả năm', 'Month 3'.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() and 1 <= value <= 12 else None
    key = fold(clean_text(value))
    if not key:
        return None
    if key in _YEAR_WORDS:
        return 0
    key = re.sub(r"^(thang|month|t|ky)\s*", "", key).strip()
    if key.isdigit():
        month = int(key)
        return month if 1 <= month <= 12 else None
    return _MONTH_WORDS.get(key)


def period_code(year: float, month: int | None) -> str:
    """'2026-11' for a month, '2026' for the whole year: sortable and readable."""
    if month is None or not math.isfinite(year):
        return ""
    return f"{int(year)}" if month == 0 else f"{int(year)}-{month:02d}"


def parse_year(value: Any) -> float:
    if isinstance(value, str):
        digits = re.findall(r"\d{4}", value)
        value = digits[0] if len(digits) == 1 else value
    return parse_whole(value)


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean_text(value)
    m = re.match(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$", text)
    if m:
        try:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            return None
    return None


def normalize_code(value: Any) -> str:
    """Cell codes: stray and inner spaces dropped, upper case ('kcq - 012 ' -> 'KCQ-012')."""
    return "".join(clean_text(value).split()).upper()


CODE_PATTERN = r"^[A-Z0-9][A-Z0-9._\-]{0,39}$"


def parse_yes_no(value: Any) -> bool | None | str:
    """True/False for an answer, None when blank, the text itself when unreadable."""
    key = fold(clean_text(value))
    if not key:
        return None
    if key in {"co", "yes", "x", "1", "true", "dung"}:
        return True
    if key in {"khong", "no", "0", "false", "k"}:
        return False
    return clean_text(value)


# Characters that Latin-1-rendered TCVN3 (ABC) or VNI text shows and Vietnamese Unicode never uses.
_LEGACY_MARKS = set("¡¢£¤¥¦§¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿ÄÅÆÇËÎÏÐÑÖ×ØÛÜÞßäåæçëîïðñö÷øûüþÿ")


def looks_legacy_encoded(text: str) -> bool:
    """Heuristic: two or more marks typical of TCVN3/VNI fonts among letters."""
    if not text or text.isascii():
        return False
    marks = sum(1 for ch in text if ch in _LEGACY_MARKS)
    return marks >= 2 or (marks == 1 and len(text) <= 12)
