"""The problem registry (messages.PROBLEMS) is the one place a code is defined: its severity,
category, texts and parameters. These tests hold the code base, the registry and the README's
table of codes together."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from fourgood.messages import PROBLEMS, SENTENCES, TEXTS, placeholders
from fourgood.problems import Problem, is_not_a_form, markdown_table, not_a_form_files
from fourgood.vocab import FORM_STATUSES, ProblemCategory, Severity, Status, Text

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "src" / "fourgood", ROOT / "validators", ROOT / "server", ROOT / "addin"]
# Calls whose first string argument is a problem code (Problem, validators' Rule, the server's
# `answer(config, status, code)`) or a sentence's code (`render`).
CODE_CALLS = {"Problem", "Rule", "answer"}
# Codes handed over as values before they meet a Problem: skipped files, unwritable outputs,
# the server's refusals (all of these prefixes are codes, never column names).
CODE_VALUE = re.compile(r"^(skipped|output|http)_[a-z_]+$")


def _python_files() -> list[Path]:
    return [p for folder in SOURCES for p in sorted(folder.rglob("*.py"))]


def _strings(node: ast.AST) -> list[str]:
    """The string constants an argument can be: a literal, or either side of `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _call_name(node: ast.Call) -> str | None:
    return node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)


def used_codes() -> dict[str, set[str]]:
    """Problem codes and sentence codes the code base names, by kind ("problem" / "text")."""
    found: dict[str, set[str]] = {"problem": set(), "text": set()}
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _call_name(node) in CODE_CALLS | {"render"}:
                args = [s for a in node.args for s in _strings(a)]
                args += [s for k in node.keywords if k.arg == "code" for s in _strings(k.value)]
                if args:
                    found["text" if _call_name(node) == "render" else "problem"].add(args[0])
                if _call_name(node) == "Problem" and isinstance(node.args[0] if node.args else None, ast.IfExp):
                    found["problem"].update(_strings(node.args[0]))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE_VALUE.match(node.value):
                found["problem"].add(node.value)
    return found


def test_every_code_the_code_base_uses_is_registered():
    found = used_codes()
    assert len(found["problem"]) > 100  # the scan sees the call sites (it would pass vacuously otherwise)
    assert found["problem"] - set(PROBLEMS) == set()
    assert found["text"] - set(TEXTS) == set()


def test_every_registered_code_has_vi_and_en_texts_with_the_same_parameters():
    for code, text in TEXTS.items():
        assert text.vi.strip() and text.en.strip(), code
        assert placeholders(text.vi) == placeholders(text.en), code
    assert PROBLEMS["score_above_max"].params == {"criterion", "value", "expected", "column"}
    assert set(PROBLEMS).isdisjoint(SENTENCES)


def test_a_call_site_never_chooses_a_severity():
    """No `severity=` at a call, no "error"/"warning" handed to a Problem: the registry decides."""
    offences = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            if any(k.arg == "severity" for k in node.keywords):
                offences.append(f"{path.name}:{node.lineno}")
            if _call_name(node) == "Problem" and any(s in ("error", "warning") for a in node.args for s in _strings(a)):
                offences.append(f"{path.name}:{node.lineno}")
    assert offences == []


def test_severity_comes_from_the_registry():
    assert Problem("score_blank").severity == Severity.WARNING == "warning"
    assert Problem("score_above_max").severity == "error"
    assert Problem("skipped_lock_file").severity == "warning" and Problem("file_not_found").severity == "error"
    assert Problem("score_blank").to_dict()["severity"] == "warning"  # JSON keeps the plain word


def test_not_a_form_is_decided_by_the_registry():
    """The codes of category NOT_A_FORM, and `not_our_template` only for the board's control
    workbook, say a file is no scoring form; every such code is an error (the file is invalid)."""
    not_forms = {code for code, t in PROBLEMS.items() if t.category == ProblemCategory.NOT_A_FORM}
    assert {"not_spreadsheet", "roster_not_submission"} <= not_forms
    assert all(PROBLEMS[c].severity == Severity.ERROR for c in not_forms)
    problems = [Problem("not_spreadsheet", file="a.pdf", params={"detail": "PDF"}),
                Problem("roster_not_submission", file="roster.xlsx"),
                Problem("not_our_template", file="control.xlsx", params={"detail": "template_kind=control"}),
                Problem("not_our_template", file="other.xlsx", params={"detail": "sheets: Sheet1"}),
                Problem("score_above_max", file="form.xlsx")]
    assert not_a_form_files(problems) == {"a.pdf", "roster.xlsx", "control.xlsx"}
    assert not is_not_a_form(problems[3])


def test_readme_table_of_problem_codes_is_the_registry():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- problem-codes:[^\n]*-->\n(.*?)<!-- /problem-codes -->", readme, re.S)
    assert match, "README lacks the generated table of problem codes"
    assert match.group(1) == markdown_table(), "regenerate it: python -m fourgood.problems --markdown"
    rows = [line for line in match.group(1).splitlines() if line.startswith("| `")]
    assert {line.split("`")[1] for line in rows} >= {"score_above_max", "not_spreadsheet", "duplicate_submission"}


def test_markdown_table_is_printed_by_the_module():
    out = subprocess.run([sys.executable, "-m", "fourgood.problems", "--markdown"], capture_output=True, text=True,
                         check=True).stdout
    assert out == markdown_table()
    assert "| `template_outdated` | file | warning |" in out


@pytest.mark.parametrize("lang, expected", [("vi", "Lỗi"), ("en", "Error"), ("fr", "Lỗi")])
def test_text_gives_vietnamese_unless_english_is_asked(lang, expected):
    assert Text("Lỗi", "Error").of(lang) == expected
    vi, en = Text("Lỗi", "Error")  # still a (vi, en) pair for the code written before it
    assert (vi, en) == ("Lỗi", "Error")


def test_status_members_are_the_plain_words_frames_hold():
    frame = pd.DataFrame({"status": ["meets", "below", "veto"]})
    assert frame["status"].eq(Status.MEETS).tolist() == [True, False, False]
    assert frame["status"].isin(FORM_STATUSES).all()
    assert f"{Status.NOT_A_FORM}" == str(Status.NOT_A_FORM) == "not_a_form"


def test_a_duplicate_submission_says_why_in_the_language_asked():
    """The reason is stored as a key (validators.duplicates ranks by it) and worded by the registry,
    so the Vietnamese and English texts take the same parameters."""
    p = Problem("duplicate_submission", "b.xlsx", value="KCQ-001", expected="a.xlsx",
                params={"period": "2026-11", "reason": "upper"})
    assert p.message("vi") == "Chi bộ KCQ-001 kỳ 2026-11 được nộp nhiều lần; dùng tệp “a.xlsx” (tệp có điểm cấp trên)."
    assert p.message("en").endswith("'a.xlsx' counts (the file with the upper-level score).")
