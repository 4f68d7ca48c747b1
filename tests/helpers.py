"""Test helpers: make realistic submissions through the real templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fourgood.fill import Submission, fill_template
from fourgood.spec import Spec

INFO = {
    "province": "Tỉnh Hà Tĩnh",
    "upper_committee": "Đảng bộ Ủy ban nhân dân tỉnh",
    "grassroots": "Đảng bộ Sở Tài chính",
    "cell_name": "Chi bộ Văn phòng Sở",
    "cell_code": "KCQ-001",
    "period": "Tháng 11",
    "year": 2026,
    "members": 22,
    "secretary": "Nguyễn Thị Hoa",
    "regular_meetings": 1,
    "thematic_meetings": 1,
    "attendance": 95.5,
}


def scores_totalling(spec: Spec, total: float) -> dict[str, float]:
    """Full marks, then points taken off criteria in steps until `total` is reached."""
    scores = {c.id: c.max for c in spec.criteria}
    missing = round(spec.total - total, 6)
    for c in spec.criteria:
        if missing <= 0:
            break
        cut = min(c.max, missing)
        scores[c.id] = c.max - cut
        missing = round(missing - cut, 6)
    return scores


def no_vetoes(spec: Spec, answer: str = "Không") -> dict[str, str]:
    return {v.id: answer for v in spec.vetoes}


def make_submission(template: Path, spec: Spec, out: Path, total: float | None = 100, *, info: dict[str, Any] | None = None,
                    self_scores: dict[str, Any] | None = None, upper_scores: dict[str, Any] | None = None,
                    vetoes: dict[str, Any] | None = None) -> Path:
    sub = Submission(
        info={**INFO, **(info or {})},
        self_scores=self_scores if self_scores is not None else scores_totalling(spec, total),
        upper_scores=upper_scores or {},
        vetoes=vetoes if vetoes is not None else no_vetoes(spec),
    )
    return fill_template(template, sub, out)
