"""Criteria specs: the 100-point tables, one per cell type, loaded from data files.

A spec is data a province can edit (YAML, or a criteria workbook for boards that write no
YAML). Loading checks it and computes a fingerprint, a hash of its content, so that every
submission can be traced to exactly the table it was filled against.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .problems import FourgoodError, Problem

TOTAL_POINTS = 100.0
DEFAULT_THRESHOLD = 95.0  # "95 points or more meets the standard", when a spec does not say otherwise
DEFAULT_STEP = 0.5
# How the year's verdict of a cell is decided (README, "Periods and the year view"): the year-end
# evaluation when present, else the average of the twelve months when all twelve are scored.
YEAR_RULES = ("year_end_else_average", "year_end", "average")
DEFAULT_YEAR_RULE = YEAR_RULES[0]


@dataclass(frozen=True)
class CellType:
    code: str
    slug: str  # template file stem
    name_vi: str
    name_en: str
    aliases: tuple[str, ...]


CELL_TYPES: dict[str, CellType] = {
    t.code: t
    for t in (
        CellType("agency", "chi-bo-co-quan", "Chi bộ cơ quan", "Agency party cell",
                 ("co quan", "agency", "chi bo co quan")),
        CellType("public_service", "chi-bo-don-vi-su-nghiep", "Chi bộ đơn vị sự nghiệp",
                 "Public-service unit party cell",
                 ("don vi su nghiep", "su nghiep", "public service", "public_service",
                  "chi bo don vi su nghiep")),
        CellType("enterprise", "chi-bo-doanh-nghiep", "Chi bộ doanh nghiệp",
                 "Enterprise party cell", ("doanh nghiep", "enterprise", "chi bo doanh nghiep")),
        CellType("residential", "chi-bo-thon-khu-dan-cu", "Chi bộ thôn, tổ dân phố, khu dân cư",
                 "Village / residential party cell",
                 ("thon", "khu dan cu", "to dan pho", "khu pho", "residential", "village",
                  "chi bo thon", "chi bo thon, to dan pho, khu dan cu")),
    )
}


def fold(text: str) -> str:
    """Compare key for labels typed by people: NFC, no diacritics, lower case, single spaces."""
    text = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


def cell_type_from_text(text: Any) -> str | None:
    """Map a typed cell type (code, slug, Vietnamese name with or without diacritics)."""
    key = fold(text)
    for t in CELL_TYPES.values():
        if key in {fold(t.code), fold(t.slug), fold(t.name_vi), fold(t.name_en), *t.aliases}:
            return t.code
    return None


def nfc(text: Any) -> str:
    return unicodedata.normalize("NFC", str(text)).strip()


@dataclass(frozen=True)
class Criterion:
    id: str
    text_vi: str
    text_en: str
    max: float
    guidance: str = ""


@dataclass(frozen=True)
class Content:
    id: str
    title_vi: str
    title_en: str
    criteria: tuple[Criterion, ...]

    @property
    def max(self) -> float:
        return sum(c.max for c in self.criteria)


@dataclass(frozen=True)
class Veto:
    id: str
    text_vi: str
    text_en: str = ""


@dataclass(frozen=True)
class Spec:
    spec_id: str
    version: str
    cell_type: str
    name_vi: str
    name_en: str
    step: float
    threshold: float
    contents: tuple[Content, ...]
    vetoes: tuple[Veto, ...] = ()
    source: str = field(default="", compare=False)
    year_rule: str = DEFAULT_YEAR_RULE  # how the year's verdict is decided; not part of the form's table
    # the year's score from which a cell meeting the standard is proposed as outstanding ("tiêu biểu");
    # None: the province proposes none by score. A rule of the year, not of the form's table.
    outstanding_score: float | None = None

    @cached_property
    def criteria(self) -> list[Criterion]:
        return [c for content in self.contents for c in content.criteria]

    @property
    def total(self) -> float:
        return sum(c.max for c in self.criteria)

    @cached_property
    def fingerprint(self) -> str:
        """sha256 of the canonical JSON of everything but `version` and `source`."""
        data = self.to_dict()
        data.pop("version")
        data.pop("year_rule")  # a rule of the year's roll-up, not of the table a form is filled against
        data.pop("outstanding_score")
        canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("source")
        return data

    def criteria_rows(self) -> list[dict[str, Any]]:
        """Flat rows (content, criterion, max, order): the shape pandas code joins against."""
        return [
            {"content_id": content.id, "criterion_id": c.id, "max": c.max, "order": i}
            for i, (content, c) in enumerate(
                (content, c) for content in self.contents for c in content.criteria
            )
        ]


# --------------------------------------------------------------------------- loading


HISTORY_DIR = "history"  # under the bundled specs: one folder per released version, e.g. history/2026.1/


def default_specs_dir() -> Path:
    # The bundled YAML is package data of fourgood.workbook_templates; it is located by name, as
    # data, so that the spec (read by everything) does not import the template builders' package.
    return Path(str(resources.files("fourgood.workbook_templates") / "specs"))


class Specs(dict[str, Spec]):
    """The criteria table in use for each cell type (the mapping) and every earlier version of
    them that is still accepted (`earlier`): a form filled on an earlier table is judged by that
    table, with a warning (README, "Criteria tables change during a year")."""

    earlier: tuple[Spec, ...]

    def __init__(self, current: Mapping[str, Spec] | None = None, earlier: Iterable[Spec] = ()):
        super().__init__(current or {})
        in_use = {(s.cell_type, s.version) for s in self.values()}
        self.earlier = tuple(s for s in earlier if (s.cell_type, s.version) not in in_use)


def all_versions(specs: Mapping[str, Spec]) -> list[Spec]:
    """The tables in use, then the earlier versions (a plain dict of specs has none)."""
    return [*specs.values(), *getattr(specs, "earlier", ())]


def version_key(version: str) -> tuple[tuple[int, Any], ...]:
    """Natural order of version strings: 2026.2 < 2026.10, 1 < 2026.1."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", version) if part)


SpecSource = str | Path | Sequence[str | Path] | None  # `--criteria`: a file or folder, or several


def load_specs(source: SpecSource = None) -> Specs:
    """Specs keyed by cell type, from the bundled defaults, folders, YAML files or a workbook.

    Every version given counts: the highest version of a cell type is the one in use, the others
    are earlier versions forms may still be filled on. A cell type no source covers keeps the
    bundled tables (the one in use and every released version before it, `specs/history/`).
    """
    bundled = _versions(_bundled_files(), "")
    if source is None:
        return bundled
    sources = [source] if isinstance(source, (str, Path)) else list(source)
    given: list[Spec] = []
    for item in sources:
        given += _load_source(Path(item), bundled)
    if not given:
        return bundled
    mine = _versions(given, ", ".join(str(s) for s in sources))
    kept = [s for s in all_versions(bundled) if s.cell_type not in mine]  # a type given replaces all its versions
    return Specs({k: mine.get(k) or bundled[k] for k in CELL_TYPES if k in mine or k in bundled},
                 [*mine.earlier, *(s for s in kept if s is not bundled.get(s.cell_type))])


def _bundled_files() -> list[Spec]:
    root = default_specs_dir()
    return [load_spec_file(p) for p in [*sorted(root.glob("*.yaml")), *sorted(root.glob(f"{HISTORY_DIR}/*/*.yaml"))]]


def _load_source(path: Path, defaults: Mapping[str, Spec]) -> list[Spec]:
    if path.is_dir():
        return [load_spec_file(p) for p in sorted(path.rglob("*.y*ml"))]
    if path.suffix.lower() in {".xlsx", ".xlsm", ".ods", ".xls"}:
        from .criteria_workbook import read_criteria_workbook

        return read_criteria_workbook(path, dict(defaults))
    return [load_spec_file(path)]


def _versions(loaded: list[Spec], where: str) -> Specs:
    """The highest version of each cell type in use, the others earlier; one table per type and version."""
    seen: dict[tuple[str, str], Spec] = {}
    for spec in loaded:
        key = (spec.cell_type, spec.version)
        if key in seen:
            raise FourgoodError([Problem("spec_cell_type_duplicate", file=where or spec.source, value=spec.cell_type,
                                         expected=spec.version)])
        seen[key] = spec
    ordered = sorted(loaded, key=lambda s: version_key(s.version))
    current = {s.cell_type: s for s in ordered}  # the last, highest version of each type wins
    return Specs({k: current[k] for k in CELL_TYPES if k in current},
                 [s for s in reversed(ordered) if current[s.cell_type] is not s])


def load_spec_file(path: str | Path) -> Spec:
    path = Path(path)
    try:
        data = _parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise FourgoodError([Problem("spec_unreadable", file=str(path), params={"detail": _short(exc)})]) from None
    if not isinstance(data, dict):
        raise FourgoodError([Problem("spec_unreadable", file=str(path), params={"detail": "not a mapping"})])
    return spec_from_dict(data, source=str(path))


# libyaml's parser when PyYAML was built with it: the pure-Python one took 0.36 s of a one-form
# check to read the eight bundled tables, libyaml a tenth of that. Same constructor, same data.
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None)


def _parse_yaml(text: str) -> Any:
    """`yaml.safe_load`, parsed by libyaml when available; a text libyaml rejects is parsed again
    by PyYAML's own parser, so a broken table is reported in the words it always was."""
    if _FAST_LOADER is not None:
        try:
            return yaml.load(text, Loader=_FAST_LOADER)  # CSafeLoader: the safe loader, in C
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


class _SpecReader:
    """One spec being read: every problem is collected (each located) before any is raised."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.ids: dict[str, int] = {}

    def problem(self, code: str, **where: Any) -> None:
        self.problems.append(Problem(code, file=self.source, **where))

    def need(self, mapping: dict[str, Any], key: str, where: str = "") -> Any:
        value = mapping.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.problem("spec_field_missing", value=key, criterion=where,
                         params={"where": f" ({where})" if where else ""})
        return value

    def seen(self, key: str) -> None:
        self.ids[key] = self.ids.get(key, 0) + 1

    def settings(self, data: dict[str, Any]) -> tuple[str | None, float | None, float, str, float | None]:
        """Cell type, step, threshold, year rule and outstanding score."""
        cell_type_raw = self.need(data, "cell_type")
        cell_type = cell_type_from_text(cell_type_raw) if cell_type_raw else None
        if cell_type_raw and cell_type is None:
            self.problem("spec_cell_type_unknown", value=cell_type_raw, expected=", ".join(CELL_TYPES))
        step = _number(data.get("step", DEFAULT_STEP))
        if step is None or step <= 0:
            self.problem("spec_step_invalid", value=data.get("step"))
            step = None
        threshold = _number(data.get("threshold", DEFAULT_THRESHOLD)) or 0.0
        year_rule = str(data.get("year_rule") or DEFAULT_YEAR_RULE).strip()
        if year_rule not in YEAR_RULES:
            self.problem("spec_year_rule", value=year_rule, expected=", ".join(YEAR_RULES))
        raw = data.get("outstanding_score")
        outstanding = _number(raw) if raw is not None else None
        if raw is not None and (outstanding is None or not threshold <= outstanding <= TOTAL_POINTS):
            self.problem("spec_outstanding_score", value=raw, expected=f"{threshold:g}–{TOTAL_POINTS:g}")
            outstanding = None
        return cell_type, step, threshold, year_rule, outstanding

    def criterion(self, raw: dict[str, Any], content_id: str, step: float | None) -> Criterion:
        kid = nfc(self.need(raw, "id", content_id) or "")
        text = self.need(raw, "text_vi", kid)
        maximum = _number(raw.get("max"))
        if maximum is None or maximum <= 0:
            self.problem("spec_max_invalid", criterion=kid, value=raw.get("max"))
            maximum = 0.0
        elif step and not _is_multiple(maximum, step):
            self.problem("spec_step_divides", criterion=kid, value=maximum, expected=step)
        self.seen(kid)
        return Criterion(kid, nfc(text or ""), nfc(raw.get("text_en") or ""), maximum, nfc(raw.get("guidance") or ""))

    def contents(self, data: dict[str, Any], step: float | None) -> list[Content]:
        contents = []
        for raw_content in data.get("contents") or []:
            cid = nfc(self.need(raw_content, "id") or "")
            criteria = [self.criterion(raw, cid, step) for raw in raw_content.get("criteria") or []]
            if not criteria:
                self.problem("spec_content_empty", criterion=cid)
            self.seen(cid)
            contents.append(Content(cid, nfc(self.need(raw_content, "title_vi", cid) or ""),
                                    nfc(raw_content.get("title_en") or ""), tuple(criteria)))
        if not contents:
            self.problem("spec_field_missing", value="contents", params={"where": ""})
        return contents

    def vetoes(self, data: dict[str, Any]) -> list[Veto]:
        vetoes = []
        for raw in data.get("vetoes") or []:
            vid = nfc(self.need(raw, "id", "vetoes") or "")
            self.seen(vid)
            vetoes.append(Veto(vid, nfc(self.need(raw, "text_vi", vid) or ""), nfc(raw.get("text_en") or "")))
        return vetoes

    def totals(self, contents: list[Content], threshold: float) -> None:
        self.problems += [Problem("spec_duplicate_id", file=self.source, criterion=k)
                          for k, n in self.ids.items() if n > 1 and k]
        total = sum(c.max for content in contents for c in content.criteria)
        if contents and not math.isclose(total, TOTAL_POINTS):
            self.problem("spec_points_total", value=total, expected=TOTAL_POINTS)
        if threshold > TOTAL_POINTS or threshold <= 0:
            self.problem("spec_threshold", value=threshold, expected=TOTAL_POINTS)


def spec_from_dict(data: dict[str, Any], source: str = "") -> Spec:
    """Build and check a spec; every problem is collected before raising, each located."""
    read = _SpecReader(source)
    cell_type, step, threshold, year_rule, outstanding = read.settings(data)
    contents = read.contents(data, step)
    vetoes = read.vetoes(data)
    read.totals(contents, threshold)
    if read.problems:
        raise FourgoodError(read.problems)
    assert cell_type is not None and step is not None  # each way of being None added a problem above
    names = CELL_TYPES[cell_type]
    return Spec(
        spec_id=nfc(data.get("spec_id") or names.slug),
        version=nfc(data.get("version") or "1"),
        cell_type=cell_type,
        name_vi=nfc(data.get("name_vi") or names.name_vi),
        name_en=nfc(data.get("name_en") or names.name_en),
        step=float(step),
        threshold=float(threshold),
        contents=tuple(contents),
        vetoes=tuple(vetoes),
        source=source,
        year_rule=year_rule,
        outstanding_score=outstanding,
    )


def spec_to_yaml(spec: Spec) -> str:
    return yaml.safe_dump(spec.to_dict(), allow_unicode=True, sort_keys=False, width=120)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            return None
    return None


def _is_multiple(value: float, step: float) -> bool:
    ratio = value / step
    return abs(ratio - round(ratio)) < 1e-9


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def specs_by_fingerprint(specs: Iterable[Spec]) -> dict[str, Spec]:
    return {s.fingerprint: s for s in specs}
