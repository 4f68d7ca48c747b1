"""Scoring rules checked against numbers worked out by hand.

Every expectation here is plain Python arithmetic over the small tables written in this file,
never a fourgood helper, so a wrong number in `fourgood.scoring` cannot also be the expected one.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from fourgood.scoring import score_batch

# Criteria tables: content id -> maxima of its criteria (each sums to 100 points).
FOUR = {"I": [30, 20], "II": [25], "III": [15], "IV": [10]}
FIVE = {"A": [12, 8], "B": [20], "C": [20], "D": [25], "E": [15]}
BLANK = None


def full(spec: dict[str, list[float]]) -> list[float]:
    return [m for maxima in spec.values() for m in maxima]


def minus(spec: dict[str, list[float]], points: float) -> list[float]:
    """Full marks with `points` taken off the first criterion (written out: no fourgood helper)."""
    scores = full(spec)
    scores[0] -= points
    return scores


def batch(*subs: dict, spec: dict[str, list[float]] = FOUR) -> pd.DataFrame:
    """Score submissions given as dicts: self (list, one per criterion in order), upper (same or None),
    threshold (95), veto (False / True / None for unanswered), blocking (False)."""
    rows, meta = [], []
    for n, s in enumerate(subs):
        name = s.get("name", f"f{n}.xlsx")
        upper = s.get("upper") or [BLANK] * len(full(spec))
        crits = [(c, f"{c}.{i + 1}", m) for c, maxima in spec.items() for i, m in enumerate(maxima)]
        assert len(s["self"]) == len(upper) == len(crits)
        for (content, crit, mx), sv, uv in zip(crits, s["self"], upper):
            rows.append({"submission": name, "content_id": content, "criterion_id": crit, "max": float(mx),
                         "self": math.nan if sv is None else float(sv),
                         "upper": math.nan if uv is None else float(uv)})
        veto = s.get("veto", False)
        meta.append({"submission": name, "threshold": float(s.get("threshold", 95)),
                     "veto": math.nan if veto is None else veto, "blocking": s.get("blocking", False)})
    submissions = pd.DataFrame(meta).set_index("submission")
    submissions["veto"] = submissions["veto"].astype(object)
    return score_batch(pd.DataFrame(rows), submissions)


def one(**sub) -> pd.Series:
    spec = sub.pop("spec", FOUR)
    return batch(sub, spec=spec).iloc[0]


def is_nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


# --- threshold edges -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("threshold, total, status", [
    (95, 94.5, "below"), (95, 95.0, "meets"), (95, 95.5, "meets"),
    (90, 89.5, "below"), (90, 90.0, "meets"), (90, 90.5, "meets"),
    (96, 95.5, "below"), (96, 96.0, "meets"),
    (100, 99.5, "below"), (100, 100.0, "meets"),
])
@pytest.mark.parametrize("spec", [FOUR, FIVE], ids=["four-contents", "five-contents"])
def test_status_at_threshold_edges(spec, threshold, total, status):
    row = one(spec=spec, self=minus(spec, 100 - total), threshold=threshold)
    assert row["self_total"] == total
    assert row["final_total"] == total and row["final_source"] == "self"
    assert row["status"] == status and row["self_status"] == status


def test_threshold_comes_from_each_submission_not_a_constant():
    # the same 92 points, four thresholds, one batch
    out = batch(*({"name": f"t{t}", "self": minus(FOUR, 8), "threshold": t} for t in (90, 92, 92.5, 95)))
    assert out["self_total"].tolist() == [92.0] * 4
    assert out["status"].tolist() == ["meets", "meets", "below", "below"]


# --- incomplete, veto, invalid precedence ----------------------------------------------------------------------

def test_one_blank_criterion_is_incomplete_with_the_sum_of_the_rest():
    scores = full(FOUR)
    scores[2] = BLANK  # II.1 (25 points) left blank
    row = one(self=scores)
    assert row["self_total"] == 75.0 and row["self:II"] == 0.0 and row["self:I"] == 50.0
    assert row["self_scored"] == 4 and row["criteria"] == 5
    assert not row["self_complete"] and not row["final_complete"]
    assert row["status"] == "incomplete" and row["self_status"] == "incomplete"


def test_nothing_scored_is_incomplete_with_no_total():
    row = one(self=[BLANK] * 5)
    assert is_nan(row["self_total"]) and row["status"] == "incomplete"


@pytest.mark.parametrize("veto, blocking, blank, status", [
    (False, False, False, "meets"),
    (True, False, False, "veto"),        # exclusion question answered "Có": 100 points do not help
    (None, False, False, "incomplete"),  # exclusion question unanswered
    (True, False, True, "incomplete"),   # incomplete before veto
    (None, False, True, "incomplete"),
    (False, True, False, "invalid"),     # file has errors: invalid before everything
    (True, True, True, "invalid"),
    (None, True, False, "invalid"),
])
def test_status_precedence(veto, blocking, blank, status):
    scores = full(FOUR)
    if blank:
        scores[-1] = BLANK
    row = one(self=scores, veto=veto, blocking=blocking)
    assert row["status"] == status
    assert row["self_total"] == (90.0 if blank else 100.0)


def test_veto_below_threshold_is_still_veto():
    assert one(self=minus(FOUR, 20), veto=True)["status"] == "veto"


# --- upper-level score, final source, gap ----------------------------------------------------------------------

def test_complete_upper_column_is_final_even_when_lower():
    self_ = full(FOUR)[:-1] + [7.0]               # 97
    upper = [27.5, 20, 25, 15, 7]                 # 94.5
    row = one(self=self_, upper=upper)
    assert (row["self_total"], row["upper_total"]) == (97.0, 94.5)
    assert row["final_source"] == "upper" and row["final_total"] == 94.5
    assert row["status"] == "below" and row["self_status"] == "meets" and row["upper_status"] == "below"
    assert row["gap"] == 2.5
    assert (row["final:I"], row["final:II"], row["final:III"], row["final:IV"]) == (47.5, 25.0, 15.0, 7.0)


def test_complete_upper_column_can_lift_a_cell_above_the_threshold():
    row = one(self=minus(FOUR, 6), upper=minus(FOUR, 4.5))   # 94 self, 95.5 upper
    assert row["final_source"] == "upper" and row["final_total"] == 95.5 and row["status"] == "meets"
    assert row["gap"] == -1.5


def test_partial_upper_column_leaves_the_self_score_final_and_no_gap():
    upper = [25, 20, BLANK, 15, 10]               # II.1 not scored by the upper level
    row = one(self=minus(FOUR, 1), upper=upper)   # 99 self
    assert row["final_source"] == "self" and row["final_total"] == 99.0 and row["status"] == "meets"
    assert row["upper_total"] == 70.0 and not row["upper_complete"] and row["upper_status"] == "incomplete"
    assert is_nan(row["gap"])
    assert row["final:I"] == 49.0  # self subtotal, not the upper one (45)


def test_no_upper_column_at_all():
    row = one(self=full(FOUR))
    assert is_nan(row["upper_total"]) and row["upper_scored"] == 0 and is_nan(row["gap"])
    assert row["final_source"] == "self"


def test_complete_upper_over_an_incomplete_self_is_final_and_complete():
    self_ = full(FOUR)
    self_[0] = BLANK
    row = one(self=self_, upper=minus(FOUR, 3))
    assert row["final_source"] == "upper" and row["final_total"] == 97.0 and row["status"] == "meets"
    assert row["self_status"] == "incomplete" and is_nan(row["gap"])


# --- content subtotals -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec, self_, upper", [
    (FOUR, [29.5, 18, 24, 15, 9.5], None),
    (FOUR, [29.5, 18, 24, 15, 9.5], [28, 19.5, 23, 14, 10]),
    (FIVE, [11.5, 8, 19, 20, 24.5, 14], None),
    (FIVE, [11.5, 8, 19, 20, 24.5, 14], [12, 7, 18.5, 19.5, 25, 15]),
    (FIVE, [12, 8, 20, 20, 25, 14.5], [12, 8, 20, 20, 25, BLANK]),  # partial upper: final is self
], ids=["four", "four-upper", "five", "five-upper", "five-partial-upper"])
def test_every_content_subtotal_and_total(spec, self_, upper):
    row = one(spec=spec, self=self_, upper=upper)
    # hand arithmetic: slice each column by content
    bounds, start = {}, 0
    for content, maxima in spec.items():
        bounds[content] = (start, start + len(maxima))
        start += len(maxima)
    want_self = {c: sum(self_[a:b]) for c, (a, b) in bounds.items()}
    present = [c[len("self:"):] for c in row.index if c.startswith("self:")]
    assert sorted(present) == sorted(spec)  # one subtotal per content, no more, no less
    for c in spec:
        assert row[f"self:{c}"] == want_self[c], c
    assert row["self_total"] == sum(want_self.values()) == sum(self_)
    upper_complete = upper is not None and all(v is not None for v in upper)
    if upper is not None:
        for c, (a, b) in bounds.items():
            assert row[f"upper:{c}"] == sum(v for v in upper[a:b] if v is not None), c
    final = {c: (sum(upper[a:b]) if upper_complete else want_self[c]) for c, (a, b) in bounds.items()}
    for c in spec:
        assert row[f"final:{c}"] == final[c], c
    assert row["final_total"] == sum(final.values())
    assert row["final_source"] == ("upper" if upper_complete else "self")


def test_batch_keeps_each_submission_to_its_own_numbers():
    out = batch({"name": "a", "self": minus(FIVE, 0.5)}, {"name": "b", "self": minus(FIVE, 5.5), "threshold": 90},
                {"name": "c", "self": [12, 8, 20, 20, BLANK, 15]}, {"name": "d", "self": full(FIVE), "veto": True},
                spec=FIVE)
    assert out.loc["a", "self:A"] == 19.5 and out.loc["b", "self:A"] == 14.5 and out.loc["c", "self:D"] == 0.0
    assert out["self_total"].tolist() == [99.5, 94.5, 75.0, 100.0]
    assert out["status"].tolist() == ["meets", "meets", "incomplete", "veto"]
    assert out["self:E"].tolist() == [15.0] * 4
